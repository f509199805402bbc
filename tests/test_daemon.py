"""The daemon: its job driven directly, the real `feeds watch` process, locks, retention, status."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import feedparser
import pytest
from conftest import dump, holds_open, run_feeds, titles, wait_for
from filelock import FileLock

from feeds.daemon import ConfigWatch, Daemon, Publisher
from feeds.layout import TEMP_PREFIX
from feeds.lock import lock_path
from feeds.settings import load_settings
from feeds.store import Store

NEW_DUMP = dump(("Kazakhstan opens a consulate in Osaka 01.03.2026", "The consulate will serve citizens in western Japan."))


class Clock:
    """The publisher's idea of now, moved by the test instead of by sleeping: the real clock, or a
    file's modification time (`at`) where the test compares with that file's age. A file's time is
    the kernel's, which a shifted process clock (`make test`'s later dates) does not move."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.base: float | None = None

    def at(self, path: Path, offset: float) -> None:
        self.base, self.offset = path.stat().st_mtime, offset

    def __call__(self) -> float:
        return (time.time() if self.base is None else self.base) + self.offset


def config_watch(project: Path) -> ConfigWatch:
    config = project / "config.yaml"
    return ConfigWatch(load_settings(config), config, lambda: load_settings(config))


def publisher(project: Path, settle: float = 0) -> tuple[Publisher, Clock]:
    config = project / "config.yaml"
    config.write_text(config.read_text().replace("settle_seconds: 0", f"settle_seconds: {settle}"))
    clock = Clock()
    # One run per tick: the test moves the clock between ticks instead of the job waiting.
    return Publisher(load_settings(config), now=clock, pause=lambda seconds: True), clock


def mtimes(project: Path) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in (project / "out").rglob("*.atom")}


def test_job_publishes_new_dumps_and_leaves_unchanged_feeds_alone(small: Path) -> None:
    project = small
    job, _ = publisher(project)
    first = job.tick()
    assert first is not None and first.articles_new == 3
    before = mtimes(project)
    idle = job.tick()
    assert idle is not None and (idle.files_read, idle.written) == (0, [])
    assert mtimes(project) == before
    (project / "seeds/010_new.txt").write_text(NEW_DUMP)
    report = job.tick()
    assert report is not None and report.files_new == 1 and report.articles_new == 1
    assert titles(project / "out")[0] == "Kazakhstan opens a consulate in Osaka"
    feeds_written = sorted({path.rsplit(".", 1)[0] for path in report.written if path.endswith(".atom")})
    assert feeds_written == ["all", "category/world", "category/world/en", "lang/en"]
    assert mtimes(project)[project / "out/lang/ru.atom"] == before[project / "out/lang/ru.atom"]


def test_job_updates_a_changed_dump_in_place(small: Path) -> None:
    project = small
    job, _ = publisher(project)
    (project / "seeds/010_new.txt").write_text(NEW_DUMP)
    job.tick()
    (project / "seeds/010_new.txt").write_text(NEW_DUMP.replace("western Japan.", "western Japan from April."))
    report = job.tick()
    assert report is not None and report.files_changed == 1 and report.articles_updated == 1 and report.articles_new == 0
    entries = [e for e in feedparser.parse(str(project / "out/all.atom")).entries if "Osaka" in e.title]
    assert len(entries) == 1 and entries[0].summary.endswith("from April.") and entries[0].updated > entries[0].published


def test_job_waits_for_a_file_still_open_for_writing(small: Path) -> None:
    project = small
    job, clock = publisher(project, settle=2)
    clock.offset = 10  # the first dump is long settled
    job.tick()
    growing = project / "seeds/011_growing.txt"
    with growing.open("w") as stream:  # a writer that keeps the dump open while it writes
        stream.write(NEW_DUMP.split("\n")[0])
        stream.flush()
        clock.at(growing, 0.5)
        assert job.tick().files_deferred == 1  # type: ignore[union-attr]
        stream.write("\n\nWorld\n\nKazakhstan opens a consulate in Osaka 01.03.2026\n")
        stream.flush()
        clock.offset = 1.5
        assert job.tick().files_deferred == 1  # type: ignore[union-attr]
        assert "Kazakhstan opens a consulate in Osaka" not in titles(project / "out")
        stream.write("The consulate will serve citizens in western Japan.")
    clock.offset = 1.6  # closed: complete, however recent
    settled = job.tick()
    assert settled is not None and settled.files_new == 1 and settled.articles_new == 1
    assert titles(project / "out")[0] == "Kazakhstan opens a consulate in Osaka"


def test_a_dump_copied_in_just_now_is_published_by_a_one_shot_build(small: Path) -> None:
    project = small
    config = project / "config.yaml"
    config.write_text(config.read_text().replace("settle_seconds: 0", "settle_seconds: 2"))
    assert run_feeds("build", cwd=project).returncode == 0
    shutil.copy(project / "seeds/001_small.txt", project / "seeds/020_copy.txt")  # as `cp` leaves it: closed, mtime now
    (project / "seeds/021_new.txt").write_text(NEW_DUMP)
    result = run_feeds("build", cwd=project)
    assert result.returncode == 0 and "0 still being written" in result.stdout
    assert "Kazakhstan opens a consulate in Osaka" in titles(project / "out")


def test_hidden_and_temporary_files_are_never_read(small: Path) -> None:
    project = small
    job, _ = publisher(project)
    for name in (".010_hidden.txt", "010_new.txt.part", "010_new.txt.tmp", "010_new.txt~"):
        (project / "seeds" / name).write_text(NEW_DUMP)
    report = job.tick()
    assert report is not None and report.files_seen == 1 and "Kazakhstan opens a consulate in Osaka" not in titles(project / "out")


def test_a_vanished_dump_leaves_its_articles_published(small: Path) -> None:
    project = small
    job, _ = publisher(project)
    job.tick()
    (project / "seeds/001_small.txt").unlink()
    job.tick()
    assert len(titles(project / "out")) == 3


def test_a_rejected_file_is_logged_once_per_change(small: Path, caplog: pytest.LogCaptureFixture) -> None:
    project = small
    job, _ = publisher(project)
    (project / "seeds/012_binary.txt").write_bytes(b"\x00\x01binary")
    for _ in range(3):
        job.tick()
    assert [r.getMessage() for r in caplog.records].count("012_binary.txt: file rejected: holds NUL bytes: not a text file") == 1
    (project / "seeds/012_binary.txt").write_bytes(b"\x00\x02other binary")
    job.tick()
    assert sum("012_binary.txt: file rejected" in r.getMessage() for r in caplog.records) == 2


def test_stale_temporary_files_are_removed_by_the_next_run(small: Path) -> None:
    project = small
    (project / "out/lang").mkdir(parents=True)
    stale = project / f"out/lang/{TEMP_PREFIX}en.atom.abc_1234"
    stale.write_text("half a feed")
    job, _ = publisher(project)
    job.tick()
    assert not stale.exists() and (project / "out/lang/en.atom").exists()


def test_a_run_that_stopped_before_its_files_were_flushed_is_followed_by_a_full_re_render(small: Path) -> None:
    project = small
    config = project / "config.yaml"
    config.write_text(config.read_text().replace("max_entries: 50", "max_entries: 1"))  # archive pages too
    assert run_feeds("build", cwd=project).returncode == 0
    page = project / "out/archive/all/1.atom"
    good = page.read_bytes()
    page.write_bytes(b"")  # what a power cut can leave of a file renamed but never flushed
    store = Store(project / "state/feeds.sqlite3")
    store.set_meta("publishing", "started")
    store.close()
    assert run_feeds("build", cwd=project).returncode == 0
    assert page.read_bytes() == good


def test_retention_removes_old_articles_and_withdraws_empty_feeds(small: Path) -> None:
    project = small
    config = project / "config.yaml"
    config.write_text(config.read_text().replace("max_articles:\n", "max_articles: 2\n"))
    result = run_feeds("build", cwd=project)
    assert result.returncode == 0 and "1 removed by retention" in result.stdout
    assert len(titles(project / "out")) == 2
    config.write_text(config.read_text().replace("max_age_days:\n", "max_age_days: 30\n"))
    result = run_feeds("build", cwd=project)
    assert result.returncode == 0 and "2 removed by retention" in result.stdout
    assert list((project / "out").rglob("*.atom")) == [] and list((project / "out").rglob("*.json")) == []
    assert ".atom" not in (project / "out/index.html").read_text() and "xmlUrl" not in (project / "out/feeds.opml").read_text()


@pytest.mark.slow
def test_concurrent_builds_wait_for_each_other_and_equal_a_single_build(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    single = tmp_path_factory.mktemp("single") / "project"
    subprocess.run(["cp", "-a", str(project), str(single)], check=True)
    assert run_feeds("build", cwd=single).returncode == 0
    command = [sys.executable, "-m", "feeds", "build"]
    runs = [subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert sorted("39 new" in out for out, _ in outputs) == [False, True]
    ours = sorted((project / "out").rglob("*.atom"))
    assert [p.relative_to(project) for p in ours] == [p.relative_to(single) for p in sorted((single / "out").rglob("*.atom"))]
    assert all(p.read_bytes() == (single / p.relative_to(project)).read_bytes() for p in ours)
    assert "articles: 39 from 2 seed files" in run_feeds("status", cwd=project).stdout


def test_a_build_that_cannot_get_the_lock_exits_75(project: Path) -> None:
    config = project / "config.yaml"
    config.write_text(config.read_text().replace("lock_timeout_seconds: 30", "lock_timeout_seconds: 0.1"))
    (project / "state").mkdir()
    with FileLock(lock_path(project / "state/feeds.sqlite3")):
        result = run_feeds("build", cwd=project)
    assert result.returncode == 75 and "another feeds run holds the lock" in result.stderr and "gave up after 0.1 s" in result.stderr
    assert not (project / "out/all.atom").exists()


def test_status_reports_languages_categories_last_run_and_rejected_files(small: Path) -> None:
    project = small
    (project / "seeds/012_binary.txt").write_bytes(b"\x00\x01binary")
    assert run_feeds("build", cwd=project).returncode == 0
    result = run_feeds("status", cwd=project)
    assert result.returncode == 0
    assert "articles: 3 from 2 seed files" in result.stdout
    assert "by language: en 2, ru 1" in result.stdout and "by category: world 3" in result.stdout
    assert "last run: " in result.stdout and "3 new" in result.stdout
    assert "012_binary.txt: file rejected: holds NUL bytes" in result.stdout
    as_json = json.loads(run_feeds("status", "--json", cwd=project).stdout)
    assert as_json["by_language"] == {"en": 2, "ru": 1}


def test_json_logs_are_one_object_per_line(small: Path) -> None:
    project = small
    (project / "seeds/012_binary.txt").write_bytes(b"\x00\x01binary")
    result = run_feeds("build", "--log-format", "json", cwd=project)
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    problem, summary = lines
    assert problem["level"] == "warning" and problem["file"] == "012_binary.txt" and problem["outcome"] == "file rejected"
    assert summary["level"] == "info" and summary["run"]["articles_new"] == 3 and summary["run"]["files_rejected"] == 1
    assert result.stdout == ""


def write_bulk_dumps(project: Path, files: int) -> None:
    """Enough dumps of 25 articles each that a first run takes seconds, not milliseconds."""
    for page in range(files):
        records = [(f"Bulletin {page} item {n} on regional roads 0{1 + n % 9}.03.2026",
                    f"Road works in district {n} of region {page} continue as planned. Traffic is open.") for n in range(25)]
        (project / f"seeds/1{page:03d}_bulk.txt").write_text(dump(*records))


def start_watch(project: Path, interval: str, log: Path | None = None) -> subprocess.Popen[str]:
    """`feeds watch` in `project`; its log in `log` (to be read while it runs) or piped."""
    with log.open("w") if log else contextlib.nullcontext(subprocess.PIPE) as stderr:  # the child keeps its own
        return subprocess.Popen([sys.executable, "-m", "feeds", "watch", "--interval", interval], cwd=project,
                                stdout=subprocess.PIPE, stderr=stderr, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})


def published(project: Path, title: str) -> bool:
    """Whether `title` is in `all.atom` yet (which the first run may not have written yet)."""
    return (project / "out/all.atom").exists() and title in titles(project / "out")


@pytest.mark.slow
def test_real_watch_publishes_a_dropped_dump_and_stops_cleanly_on_sigterm(project: Path) -> None:
    process = start_watch(project, "1")
    try:
        assert wait_for(lambda: (project / "out/all.atom").exists(), 30)
        (project / "seeds/010_new.txt").write_text(NEW_DUMP)
        assert wait_for(lambda: published(project, "Kazakhstan opens a consulate in Osaka"), 10)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "stopped" in stderr and "Traceback" not in stderr
    for feed in (project / "out").rglob("*"):
        assert not feed.name.startswith(TEMP_PREFIX)
        if feed.suffix == ".atom":
            assert feedparser.parse(str(feed)).bozo == 0


@pytest.mark.slow
def test_real_watch_reacts_to_file_events_long_before_the_interval(project: Path) -> None:
    process = start_watch(project, "3600")
    try:
        assert wait_for(lambda: (project / "out/all.atom").exists(), 30)
        started = time.monotonic()
        (project / "seeds/010_new.txt").write_text(NEW_DUMP)
        assert wait_for(lambda: published(project, "Kazakhstan opens a consulate in Osaka"), 10)
        assert time.monotonic() - started < 10
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    assert process.returncode == 0


@pytest.mark.slow
def test_real_watch_watches_a_seeds_folder_removed_and_made_again(project: Path) -> None:
    log = project / "watch.log"
    process = start_watch(project, "3600", log)
    try:
        assert wait_for(lambda: (project / "out/index.html").exists(), 30)
        shutil.rmtree(project / "seeds")  # removed, as `rm -r` or a redeploy does
        assert wait_for(lambda: "was removed: waiting for it to come back" in log.read_text(), 10)
        (project / "seeds").mkdir()  # and made again: another folder at that path
        assert wait_for(lambda: "is there again: watching it for file events again" in log.read_text(), 10)
        started = time.monotonic()
        (project / "seeds/010_new.txt").write_text(NEW_DUMP)
        assert wait_for(lambda: published(project, "Kazakhstan opens a consulate in Osaka"), 10)
        assert time.monotonic() - started < 10  # file events, not the hour's scan
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    assert process.returncode == 0, log.read_text()


@pytest.mark.slow
def test_real_watch_reads_its_config_again_and_keeps_its_settings_over_a_bad_edit(project: Path) -> None:
    config = project / "config.yaml"
    good = config.read_text()
    process = start_watch(project, "3600")
    try:
        assert wait_for(lambda: (project / "out/index.html").exists(), 30)
        config.write_text(good.replace("name: Enbekshi QazaQ", "name: Enbekshi Edited"))
        (project / "seeds/010_new.txt").write_text(NEW_DUMP)  # a run, with the config read first
        assert wait_for(lambda: "Enbekshi Edited" in (project / "out/index.html").read_text(), 10)
        config.write_text(good.replace("max_entries: 50", "max_entries: [not a number"))  # a bad edit
        (project / "seeds/011_new.txt").write_text(dump(("Astana hosts a forum 01.03.2026", "The forum opened today.")))
        assert wait_for(lambda: published(project, "Astana hosts a forum"), 10)  # still publishing, as before
        assert "Enbekshi Edited" in (project / "out/index.html").read_text()
        check = run_feeds("status", "--check", cwd=project)
        assert check.returncode == 1 and check.stdout.startswith("UNHEALTHY: the configuration cannot be used:")
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "configuration read again from" in stderr
    assert "configuration not read again:" in stderr and "running on with the settings read before" in stderr


@pytest.mark.slow
def test_sigterm_during_a_long_run_stops_at_a_boundary_and_the_next_run_finishes(project: Path) -> None:
    write_bulk_dumps(project, 20)
    process = start_watch(project, "3600")
    try:
        assert wait_for(lambda: holds_open(process.pid, project / "state/feeds.sqlite3"), 30)  # its first run has begun
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0 and "stopped early" in stderr, stderr
    assert not [path for path in (project / "out").rglob(TEMP_PREFIX + "*")]
    finish = run_feeds("build", cwd=project)
    assert finish.returncode == 0 and "22 seen, 0 read" not in finish.stdout
    assert len(feedparser.parse(str(project / "out/all.atom")).entries) == 50
    assert "articles: 539 from 22 seed files" in run_feeds("status", cwd=project).stdout


@pytest.mark.slow
def test_a_dump_landing_during_a_long_run_is_published_right_after_it(project: Path) -> None:
    write_bulk_dumps(project, 20)
    process = start_watch(project, "3600")
    try:
        assert wait_for(lambda: (project / "state/feeds.sqlite3").exists(), 30)
        # Dated after every bulk article: at the head of all.atom whether the first run (if it had
        # not listed the seeds yet) or the next one publishes it.
        late = dump(("Kazakhstan opens a consulate in Osaka 20.03.2026", "The consulate will serve citizens in western Japan."))
        (project / "seeds/010_new.txt").write_text(late)  # the first run is still going
        arrived = wait_for(lambda: published(project, "Kazakhstan opens a consulate in Osaka"), 60)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    assert arrived and process.returncode == 0, stderr
    assert "maximum number of running instances" not in stderr


def test_a_dump_with_a_future_mtime_is_read_not_waited_for(small: Path) -> None:
    project = small
    job, _ = publisher(project, settle=2)
    future = project / "seeds/010_new.txt"
    future.write_text(NEW_DUMP)
    os.utime(future, (time.time() + 3600, time.time() + 3600))
    report = job.tick()
    assert report is not None and report.files_deferred == 0 and "Kazakhstan opens a consulate in Osaka" in titles(project / "out")


def test_updated_only_moves_forward_even_for_a_dump_with_an_older_mtime(small: Path) -> None:
    project = small
    job, _ = publisher(project)
    (project / "seeds/010_new.txt").write_text(NEW_DUMP)
    job.tick()
    first = next(e for e in feedparser.parse(str(project / "out/all.atom")).entries if "Osaka" in e.title)
    older = project / "seeds/011_older.txt"
    older.write_text(NEW_DUMP.replace("western Japan.", "western Japan and Osaka."))
    os.utime(older, (1_700_000_000, 1_700_000_000))
    job.tick()
    second = next(e for e in feedparser.parse(str(project / "out/all.atom")).entries if "Osaka" in e.title)
    assert second.id == first.id and second.updated > first.updated


@pytest.mark.slow
def test_stopping_during_a_run_that_must_run_again_does_not_hang(project: Path) -> None:
    write_bulk_dumps(project, 30)
    stop = threading.Event()
    daemon = Daemon(config_watch(project), 3600, stop)
    daemon.start()
    assert wait_for(lambda: (project / "state/feeds.sqlite3").exists(), 30)
    (project / "seeds/010_new.txt").write_text(NEW_DUMP)  # a file event during the run: it must run again
    time.sleep(0.3)
    stop.set()
    stopping = threading.Thread(target=daemon.stop)
    stopping.start()
    stopping.join(timeout=60)
    assert not stopping.is_alive()


def test_lowering_max_articles_prunes_at_the_next_run_without_new_articles(small: Path) -> None:
    project = small
    assert run_feeds("build", cwd=project).returncode == 0
    config = project / "config.yaml"
    config.write_text(config.read_text().replace("max_articles:\n", "max_articles: 2\n"))
    result = run_feeds("build", cwd=project)
    assert result.returncode == 0 and "1 removed by retention" in result.stdout and len(titles(project / "out")) == 2
    again = run_feeds("build", cwd=project)
    assert "0 removed by retention" in again.stdout and "output files: 0 written" in again.stdout


def test_watch_ticks_over_hostile_dumps_keep_publishing(small: Path) -> None:
    project = small
    job, clock = publisher(project)
    (project / "seeds/005_big.txt").write_text(dump(("Huge body 03.03.2026", "Big body. " * 20_000)))  # twice what a body may hold
    (project / "seeds/006_far.txt").write_text(dump(("From 9999 01.01.9999", "Body."), ("Near 03.03.2026", "Body.")))
    (project / "seeds/007_spaces.txt").write_text(dump(("Spaces 03.03.2026", " " * 200_000 + "x")))
    with open(os.fsencode(project / "seeds") + b"/008_\xff.txt", "w") as stream:
        stream.write(dump(("Odd name 03.03.2026", "Body.")))
    first = job.tick()
    assert first is not None and first.articles_new == 3 + 4 and first.records_skipped == 1
    assert {"Huge body", "Near", "Spaces", "Odd name"} <= set(titles(project / "out"))
    clock.offset += 60
    second = job.tick()
    assert second is not None and second.files_unchanged == 5 and second.problems == []


def test_a_config_read_again_by_healthz_first_still_reaches_the_publisher(project: Path) -> None:
    """`/healthz` may read the edited config before the next run does: the run still uses it."""
    from feeds.daemon import health

    current = config_watch(project)
    daemon = Daemon(current, 3600, threading.Event())
    config = project / "config.yaml"
    config.write_text(config.read_text().replace("max_entries: 50", "max_entries: 7"))
    health(current)  # reads the new config
    daemon.refresh()
    assert daemon.publisher.settings.feeds.max_entries == 7
