"""Nothing stops the publisher: every bad input of the README's "When things go wrong" is held back
alone, with its reason, and everything else of the same run is published."""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from conftest import BASE, check_atom, dump, examples, run_feeds, run_unprivileged, titles, wait_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds import ingest, render, signatures
from feeds import store as store_module
from feeds.store import Articles
from feeds.timing import KAZAKHSTAN

GOV = "https://www.gov.kz/memleket/entities/{}/press/news/details/{}?lang=kk"
FUTURE_NS = 9_300_000_000 * 10**9  # the year 2264: past what 64 bits of nanoseconds hold


def good(n: int, body: str = "A good body.") -> tuple[str, str]:
    return (f"Good article {n:03d} 03.03.2026", body)


def write_every_bad_input(seeds: Path) -> list[str]:
    """One file of each kind of bad input the README lists; returns the good titles among them."""
    (seeds / "010_big_body.txt").write_text(dump(("Huge body 03.03.2026", "Big body. " * 1_000_000), good(10)))
    agency = "a" * 300
    (seeds / "011_long_agency.txt").write_text(dump(("Long agency 03.03.2026", f"Body.Source : {GOV.format(agency, 5)}"), good(11)))
    with open(os.fsencode(seeds) + b"/012_\xff\xfe name.txt", "w") as stream:
        stream.write(dump(good(12), ("Script link 03.03.2026", "Body.Source : javascript:x")))
    unreadable = seeds / "013_unreadable.txt"
    unreadable.write_text(dump(("Unreadable article 03.03.2026", "Body.")))
    unreadable.chmod(0)
    future = seeds / "014_future.txt"
    future.write_text(dump(good(14)))
    os.utime(future, ns=(FUTURE_NS, FUTURE_NS))
    (seeds / "015_far_date.txt").write_text(dump(("From the year 9999 01.01.9999", "Body."), good(15)))
    ancient = seeds / "016_before_1970.txt"
    ancient.write_text(dump(good(16)))
    os.utime(ancient, (-86_400 * 365, -86_400 * 365))
    (seeds / "017_binary.txt").write_bytes(b"\x00\x01PK\x03\x04" * 100)
    with open(seeds / "018_huge.txt", "wb") as stream:
        stream.truncate(33 * 1024 * 1024)
    (seeds / "019_backtracking.txt").write_text(dump(
        ("Spaces 03.03.2026", " " * 200_000 + "x"), ("Sources 03.03.2026", "Source:" * 30_000 + " end"),
        ("Spaced sources 03.03.2026", "Source : " * 25_000 + "x y"), good(19)))
    (seeds / "020_long_title.txt").write_text(dump(("Long title " * 500 + "03.03.2026", "Body."), good(20)))
    (seeds / "021_control\n\x1b[31mname.txt").write_text(dump(good(21), ("Script link 03.03.2026", "Body.Source : javascript:x")))
    (seeds / "022_folder.txt").mkdir()
    (seeds / "023_dangling.txt").symlink_to(seeds / "nowhere")
    (seeds / "024_empty.txt").write_bytes(b"")
    (seeds / "025_no_header.txt").write_text("Title 03.03.2026\nBody.")
    (seeds / "026_utf16.txt").write_bytes(dump(good(26)).encode("utf-16"))
    (seeds / "027_long_section.txt").write_text(dump(good(27), section="Section " * 200))
    (seeds / "028_bad_urls.txt").write_text(dump(("Bad port 03.03.2026", "Body.Source : https://www.gov.kz:99999/x"),
                                                 ("Long URL 03.03.2026", "Body.Source : https://gov.kz/" + "x" * 5000), good(28)))
    os.mkfifo(seeds / "029_fifo.txt")
    return ["Good article 010", "Huge body", "Long agency", "Good article 011", "Good article 012", "Good article 014",
            "Good article 015", "Good article 016", "Spaces", "Sources", "Spaced sources", "Good article 019",
            "Good article 020", "Good article 021", "Good article 026", "Good article 027", "Bad port", "Long URL",
            "Good article 028"]


@pytest.mark.slow
def test_a_run_over_every_bad_input_at_once_publishes_every_good_article(project: Path) -> None:
    wanted = write_every_bad_input(project / "seeds")
    config = project / "config.yaml"
    config.write_text(config.read_text().replace("max_entries: 50", "max_entries: 500"))
    result = run_unprivileged("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    published = titles(project / "out")
    assert set(wanted) <= set(published) and len(published) == 39 + len(wanted) + 2  # and a long title, cut, and the script link (one article in two dumps)
    err = result.stderr
    for expected in (
        "010_big_body.txt:6: warning: body of 9,999,999 characters cut to 99,999 at a sentence end",
        "012_\\xff\\xfe name.txt:8: warning: source URL 'javascript:x' dropped",
        "013_unreadable.txt: file rejected: cannot be read: Permission denied",
        "014_future.txt: warning: modification time 2264-",
        "015_far_date.txt:5: record skipped: implausible date 01.01.9999: later than tomorrow",
        "016_before_1970.txt: warning: modification time before 1970",
        "017_binary.txt: file rejected: holds NUL bytes",
        "018_huge.txt: file rejected: larger than the 32 MiB a dump may have",
        "020_long_title.txt:5: warning: title of 5,499 characters cut to 500",
        "021_control\\n\\u001b[31mname.txt:8: warning: source URL 'javascript:x' dropped",
        "025_no_header.txt:1: file rejected: no header",
        "027_long_section.txt:3: warning: section name of 1,599 characters cut to 200",
        "028_bad_urls.txt:8: warning: source URL",
    ):
        assert expected in err, expected
    assert "\x1b" not in err
    # Every name that became a path is short; the 300-letter agency has a feed of its own.
    out = project / "out"
    assert all(len(part.split(".")[0]) <= 60 for path in out.rglob("*") for part in path.relative_to(out).parts)
    assert len(list((project / "out/agency").glob("aaaa*-*.atom"))) == 1
    everything = feedparser.parse(str(project / "out/all.atom"))
    tomorrow = datetime.now(KAZAKHSTAN) + timedelta(days=2)
    assert datetime.fromisoformat(everything.feed.updated) < tomorrow
    check_atom(project / "out/all.atom", BASE + "all.atom")
    status = run_unprivileged("status", cwd=project)
    assert status.returncode == 0 and "013_unreadable.txt: file rejected" in status.stdout
    check = run_unprivileged("status", "--check", cwd=project)
    assert check.returncode == 1 and check.stdout.count("\n") == 1 and check.stdout.startswith("UNHEALTHY: 5 files rejected; 1 record skipped")
    (project / "seeds/013_unreadable.txt").chmod(0o644)  # fixed: its ctime changes, so it is read again
    again = run_unprivileged("build", cwd=project)
    assert again.returncode == 0 and again.stderr == "" and "Unreadable article" in titles(project / "out")


def test_a_look_alike_host_is_never_credited_to_a_ministry_nor_called_gov_kz(small: Path) -> None:
    project = small
    spoof = "https://www.gov.kz.evil.com/memleket/entities/mfa/press/news/details/9000001?lang=kk"
    (project / "seeds/005_spoof.txt").write_text(dump(("Spoofed ministry statement 03.03.2026", f"Fake text.Source : {spoof}")))
    result = run_feeds("build", cwd=project)
    assert result.returncode == 0
    assert "005_spoof.txt:6: warning: source URL" in result.stderr and "not a gov.kz address" in result.stderr
    out = project / "out"
    assert "Spoofed ministry statement" in titles(out) and "Spoofed ministry statement" not in titles(out, "agency/mfa.atom")
    assert "Spoofed ministry statement" not in titles(out, "topic/foreign-affairs.atom")
    (entry,) = [e for e in feedparser.parse(str(out / "all.atom")).entries if e.title == "Spoofed ministry statement"]
    assert [link.href for link in entry.links] == [entry.link] and entry.link.startswith(BASE + "articles/")
    assert "evil.com" not in "".join(path.read_text() for path in out.rglob("*.atom"))
    page = (out / entry.link.removeprefix(BASE)).read_text()
    assert "evil.com" not in page and "Original press release on gov.kz" not in page and "Foreign Affairs" not in page


STRACE = shutil.which("strace")


def strace_feeds(project: Path, *injection: str) -> subprocess.CompletedProcess[str]:
    """A real `feeds build` with faults injected into its system calls by strace."""
    if STRACE is None:
        pytest.skip("strace is not installed (.ci/run installs Debian's strace)")
    return subprocess.run([STRACE, "-f", "-qq", "-o", "/dev/null", *injection, sys.executable, "-m", "feeds", "build"],
                          cwd=project, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.slow
@pytest.mark.built
def test_a_dump_that_fails_to_read_once_is_read_by_the_next_run(project: Path) -> None:
    seed = project / "seeds/005_new.txt"
    seed.write_text(dump(good(5)))
    failed = strace_feeds(project, "-P", str(seed), "-e", "trace=read", "-e", "inject=read:error=EIO")
    assert failed.returncode == 0 and "005_new.txt: file rejected: cannot be read: Input/output error; read again next run" in failed.stderr
    assert run_feeds("status", "--check", cwd=project).returncode == 1  # true while it is not read
    again = run_feeds("build", cwd=project)  # nobody touched the file
    assert "1 read" in again.stdout and "Good article 005" in titles(project / "out")
    assert run_feeds("status", "--check", cwd=project).returncode == 0


@pytest.mark.slow
def test_a_full_temporary_folder_is_named_and_leaves_the_store_whole(project: Path, tmp_path: Path) -> None:
    """TMPDIR on a tmpfs of 64 KiB, filled (in a mount namespace of the run's own, so no root is
    needed): SQLite's temporary files have no room. The run stops naming that folder, not with
    "cannot rollback"; the next run, with room, publishes everything."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare (util-linux) is not installed")
    full = tmp_path / "full-tmp"
    full.mkdir()
    script = 'mount -t tmpfs -o size=64k tmpfs "$0" && head -c 65536 /dev/zero > "$0/fill"; exec "$@"'
    result = subprocess.run([unshare, "--user", "--map-root-user", "--mount", "sh", "-c", script, str(full),
                             sys.executable, "-m", "feeds", "build"], cwd=project, env={**os.environ, "TMPDIR": str(full)},
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 4, result.stderr
    assert f"(the temporary folder {full} (TMPDIR), where SQLite keeps its temporary files, is full)" in result.stderr
    assert "cannot rollback" not in result.stderr
    assert run_feeds("build", cwd=project).returncode == 0 and len(titles(project / "out")) == 39


def test_a_record_that_cannot_be_classified_is_skipped_alone_until_the_program_changes(
        small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = small
    (project / "seeds/005_poison.txt").write_text(dump(good(1), ("Poison pill 03.03.2026", "Body."), good(2)))
    classify = ingest.to_article

    def failing(record, *args, **kwargs):  # type: ignore[no-untyped-def]
        if record.title == "Poison pill":
            raise RuntimeError("nobody foresaw this")
        return classify(record, *args, **kwargs)

    monkeypatch.setattr(ingest, "to_article", failing)
    first = run_feeds("build", cwd=project)
    assert first.returncode == 0
    assert "005_poison.txt:7: record skipped: could not be classified (RuntimeError: nobody foresaw this)" in first.stderr
    assert {"Good article 001", "Good article 002"} <= set(titles(project / "out")) and "Poison pill" not in titles(project / "out")
    assert "005_poison.txt:7: record skipped" in run_feeds("status", cwd=project).stdout
    assert run_feeds("build", cwd=project).stderr == ""  # logged once per change, not on every run
    monkeypatch.setattr(ingest, "to_article", classify)
    monkeypatch.setattr(ingest, "__version__", "99.0")  # an upgrade: held-back files are read again
    assert run_feeds("build", cwd=project).returncode == 0
    assert "Poison pill" in titles(project / "out")


def test_a_record_that_cannot_be_stored_is_skipped_alone(small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = small
    (project / "seeds/005_poison.txt").write_text(dump(good(1), ("Poison pill 03.03.2026", "Body."), good(2)))
    insert = Articles.insert

    def failing(self, placed, texts):  # type: ignore[no-untyped-def]
        if any(article.title == "Poison pill" for article, _, _ in placed):
            raise store_module.RecordError("IntegrityError: CHECK constraint failed")
        return insert(self, placed, texts)

    monkeypatch.setattr(Articles, "insert", failing)
    result = run_feeds("build", cwd=project)
    assert result.returncode == 0
    assert "005_poison.txt:7: record skipped: could not be stored (IntegrityError: CHECK constraint failed)" in result.stderr
    assert {"Good article 001", "Good article 002"} <= set(titles(project / "out")) and len(titles(project / "out")) == 5


@pytest.mark.built
def test_a_failing_database_stops_the_run_naming_the_store(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "seeds/005_new.txt").write_text(dump(good(1)))

    def broken(self, *args):  # type: ignore[no-untyped-def]
        with self.store._guard():
            raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(Articles, "insert", broken)
    result = run_feeds("build", cwd=project)
    assert result.returncode == 4 and "Traceback" not in result.stderr
    assert f"state error: the store {project / 'state/feeds.sqlite3'} cannot be used: disk I/O error" in result.stderr


def published_text(out: Path) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in out.rglob("*") if path.suffix in (".atom", ".rss", ".json", ".html"))


def test_an_article_that_cannot_be_rendered_is_quarantined_out_of_every_feed(
        small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = small
    (project / "seeds/005_poison.txt").write_text(dump(
        good(1), ("Poison pill 03.03.2026", f"Body.Source : {GOV.format('mfa', 9)}"), good(2)))
    description = render.description_html

    def failing(entry):  # type: ignore[no-untyped-def]
        if entry.title == "Poison pill":
            raise ValueError("cannot render this")
        return description(entry)

    monkeypatch.setattr(render, "description_html", failing)
    result = run_feeds("build", cwd=project)
    assert result.returncode == 0
    assert "article quarantined: 'Poison pill': could not be rendered (ValueError: cannot render this)" in result.stderr
    assert "1 articles quarantined" in result.stdout
    out = project / "out"
    assert "Poison pill" not in published_text(out)
    assert {"Good article 001", "Good article 002"} <= set(titles(out))
    for feed in ("all.atom", "lang/en.atom", "category/world.atom", "category/world/en.atom"):
        check_atom(out / feed, BASE + feed)
    status = run_feeds("status", cwd=project)
    assert "quarantined articles: 1" in status.stdout and "'Poison pill': could not be rendered" in status.stdout
    assert run_feeds("build", cwd=project).stderr == ""  # logged once
    check = run_feeds("status", "--check", cwd=project)
    assert check.returncode == 1 and "1 article quarantined" in check.stdout
    poison = project / "seeds/005_poison.txt"
    poison.write_text(poison.read_text().replace("Poison pill", "Antidote"))  # the input is fixed
    assert run_feeds("build", cwd=project).returncode == 0
    assert "Antidote" in titles(out) and "quarantined articles: 0" in run_feeds("status", cwd=project).stdout
    poison.write_text(poison.read_text().replace("Antidote", "Poison pill"))
    assert "article quarantined: 'Poison pill'" in run_feeds("build", cwd=project).stderr
    monkeypatch.setattr(render, "description_html", description)
    monkeypatch.setattr(signatures, "__version__", "99.0")  # the fix ships: quarantined articles are tried again
    assert run_feeds("build", cwd=project).returncode == 0
    assert "Poison pill" in titles(out) and "Poison pill" in titles(out, "agency/mfa.atom")
    assert run_feeds("status", "--check", cwd=project).returncode == 0


def test_a_feed_that_cannot_be_written_is_named_and_every_other_feed_published(small: Path) -> None:
    project = small
    (project / "out").mkdir()
    (project / "out/lang").write_text("a file where a folder of feeds goes")
    result = run_feeds("build", cwd=project)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert (f"lang/en: feed not written: could not be written (NotADirectoryError: Not a directory: {project / 'out/lang/en.atom'}); "
            "retried next run") in result.stderr
    assert (project / "out/all.atom").exists() and (project / "out/category/world.atom").exists()
    assert "feeds not written: 2" in run_feeds("status", cwd=project).stdout
    (project / "out/lang").unlink()
    assert run_feeds("build", cwd=project).returncode == 0 and (project / "out/lang/en.atom").exists()
    assert "feeds not written: 0" in run_feeds("status", cwd=project).stdout


def test_a_page_that_cannot_be_written_is_named_and_its_entry_still_published(small: Path) -> None:
    project = small
    (project / "out/articles").mkdir(parents=True)
    (project / "out/articles/56").write_text("a file where a folder of pages goes")
    result = run_feeds("build", cwd=project)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    page = "articles/56/567e198e-fa00-506e-91e5-fa97ff1d2601.html"
    assert f"{page}: page not written: could not be written (NotADirectoryError" in result.stderr and "retried next run" in result.stderr
    assert "Kazakhstan and Kenya discuss cooperation" in (project / "out/all.atom").read_text()  # the entry is not held back
    assert len(list((project / "out/articles").glob("*/*.html"))) == 2
    check = run_feeds("status", "--check", cwd=project)
    assert check.returncode == 1 and "1 article page not written" in check.stdout  # its link would be a 404
    assert f"article pages not written: 1\n  {page}: could not be written" in run_feeds("status", cwd=project).stdout
    again = run_feeds("build", cwd=project)
    assert again.returncode == 0 and "page not written" not in again.stderr  # said once, still held
    (project / "out/articles/56").unlink()
    result = run_feeds("build", cwd=project)
    assert result.returncode == 0 and result.stderr == "" and (project / "out" / page).is_file()
    assert run_feeds("status", "--check", cwd=project).returncode == 0


def test_deleting_out_and_building_again_gives_every_file_back(small: Path) -> None:
    project = small
    def published() -> dict[Path, bytes]:
        # Pagefind writes its index files in an order of its own: the search index is compared by name.
        return {path.relative_to(project / "out"): b"" if "pagefind" in path.parts else path.read_bytes()
                for path in (project / "out").rglob("*") if path.is_file() and path.parent.name not in ("filter",)
                and not path.name.endswith((".pf_meta", "pagefind-entry.json"))}

    assert run_feeds("build", cwd=project).returncode == 0
    before = published()
    shutil.rmtree(project / "out")
    assert run_feeds("build", cwd=project).returncode == 0
    after = published()
    assert after == before and len([path for path in after if path.parts[0] == "articles"]) == 3


BUILD_EXAMPLES = settings(deadline=None, max_examples=examples(12), suppress_health_check=[HealthCheck.too_slow,
                                                                                   HealthCheck.function_scoped_fixture])


@BUILD_EXAMPLES
@given(st.binary(max_size=2000))
def test_any_bytes_in_a_dump_leave_the_other_dumps_published(tmp_path_factory: pytest.TempPathFactory,
                                                              data: bytes) -> None:
    folder = tmp_path_factory.mktemp("bytes")
    (folder / "seeds").mkdir()
    (folder / "seeds/001_good.txt").write_text(dump(good(1), good(2)))
    (folder / "seeds/002_any.txt").write_bytes(data)
    result = run_feeds("build", "--seeds", "seeds", "--out", "out", "--state", "state.sqlite3", cwd=write_config(folder))
    assert result.returncode == 0
    assert {"Good article 001", "Good article 002"} <= set(titles(folder / "out"))


@BUILD_EXAMPLES
@given(st.binary(min_size=1, max_size=60).filter(lambda name: b"/" not in name and b"\x00" not in name))
def test_any_bytes_in_a_file_name_are_read_and_reported_printably(tmp_path_factory: pytest.TempPathFactory,
                                                                  name: bytes) -> None:
    folder = tmp_path_factory.mktemp("names")
    (folder / "seeds").mkdir()
    (folder / "seeds/001_good.txt").write_text(dump(good(1)))
    weird = os.fsencode(folder / "seeds") + b"/" + name + b".txt"
    with open(weird, "w") as stream:
        stream.write("Not a dump")
    result = run_feeds("build", "--seeds", "seeds", "--out", "out", "--state", "state.sqlite3", cwd=write_config(folder))
    assert result.returncode == 0 and "Good article 001" in titles(folder / "out")
    if not name.startswith(b"."):
        (line,) = [line for line in result.stderr.splitlines() if "file rejected: no header" in line]
        assert line.isprintable()


def write_config(folder: Path) -> Path:
    """The defaults, without the search index (Pagefind's run is not what these tests are about)."""
    (folder / "config.yaml").write_text("feeds:\n  base_url: http://127.0.0.1:8080/\nwatch:\n  settle_seconds: 0\n"
                                        "search:\n  enabled: false\n")
    return folder


@pytest.mark.slow
def test_a_failing_final_flush_fails_the_run_and_the_next_one_writes_everything_again(project: Path) -> None:
    failed = strace_feeds(project, "-e", "trace=syncfs", "-e", "inject=syncfs:error=EIO")
    assert failed.returncode == 3 and "cannot flush" in failed.stderr and "Input/output error" in failed.stderr
    check = run_feeds("status", "--check", cwd=project)
    assert check.returncode == 1 and "incomplete: the last run stopped while flushing out/ to disk" in check.stdout
    again = run_feeds("build", cwd=project)  # files written before the flush may be lost: all written again
    assert again.returncode == 0 and "0 read" in again.stdout
    assert run_feeds("status", "--check", cwd=project).returncode == 0


@pytest.mark.slow
def test_a_run_killed_while_publishing_is_incomplete_until_a_run_finishes(project: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
    import corpus

    corpus.write_corpus(project / "seeds", 300)  # publishing takes a quarter of a second or more to kill it in
    run = subprocess.Popen([sys.executable, "-m", "feeds", "build", "-q"], cwd=project, start_new_session=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: (project / "out/articles").is_dir(), 120), "publishing never began"
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
    check = run_feeds("status", "--check", cwd=project)
    stopped = re.search(r"incomplete: the last run stopped while (rendering entries and pages|writing feeds|writing the site pages)",
                        check.stdout)
    assert check.returncode == 1 and stopped, check.stdout
    assert stopped.group(0) in run_feeds("status", cwd=project).stdout
    assert run_feeds("build", cwd=project).returncode == 0
    assert run_feeds("status", "--check", cwd=project).returncode == 0


def test_published_files_lost_or_replaced_are_written_again_with_nothing_new(small: Path) -> None:
    project = small
    config = project / "config.yaml"
    config.write_text(config.read_text().replace("max_entries: 50", "max_entries: 1"))  # archive pages too
    assert run_feeds("build", cwd=project).returncode == 0
    out = project / "out"
    page = next((out / "articles").glob("*/*.html"))
    lost = [out / "index.html", out / "all.atom", out / "lang/ru.json", out / "embed/lang/en.html", out / "archive/all/1.rss", page]
    for path in lost:
        path.unlink()
    (out / "lang/en.rss").write_bytes(b"")  # emptied (a full disk during a copy, say)
    again = run_feeds("build", cwd=project)  # no dump is new: only what is missing is written
    assert again.returncode == 0 and "0 read" in again.stdout
    assert [path for path in [*lost, out / "lang/en.rss"] if not path.is_file() or not path.stat().st_size] == []
    (out / "all.rss").unlink()
    (out / "all.rss").mkdir()  # someone's folder where a feed goes: named, never removed, and unhealthy
    blocked = run_feeds("build", cwd=project)
    assert "all: feed not written" in blocked.stderr and (out / "all.rss").is_dir()
    check = run_feeds("status", "--check", cwd=project)
    assert check.returncode == 1 and "1 feed not written" in check.stdout
