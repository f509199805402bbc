"""The real `feeds` command in a child process: summaries, messages and exit codes."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import pytest
from conftest import ROOT, dump, holds_open, run_feeds, run_unprivileged, wait_for

from feeds.layout import TEMP_PREFIX


def test_build_publishes_the_seeds_and_prints_a_summary(project: Path) -> None:
    # 39 article pages; 29 feeds, each as Atom, RSS, JSON Feed and an embed page; 3 index pages,
    # the OPML, 3 assets and the icon (the tests' config builds no search index).
    result = run_feeds("build", cwd=project)
    assert result.returncode == 0 and result.stderr == ""
    assert re.fullmatch(
        r"files: 2 seen, 2 read \(2 new, 0 changed\), 0 unchanged, 0 still being written, 0 rejected; "
        r"articles: 39 new, 0 updated, 0 unchanged, 1 merged as duplicates, 0 removed by retention, 0 reclassified, "
        r"0 records skipped; output files: 165 written, 0 unchanged, 0 removed; \d+\.\d\d s\n",
        result.stdout,
    )
    assert (project / "state/feeds.sqlite3").exists()


def test_bad_records_and_files_are_reported_and_everything_else_published(small: Path) -> None:
    project = small
    (project / "seeds/005_bad.txt").write_text(dump(
        ("Fine article about Astana 03.03.2026", "A good body."),
        ("Broken date 31.02.2026", "Body of the broken record."),
        ("Evil link 03.03.2026", "Body.Source : javascript:alert(1)"),
    ))
    (project / "seeds/006_binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 50)
    result = run_feeds("build", cwd=project)
    assert result.returncode == 0
    assert "005_bad.txt:7: record skipped: impossible date 31.02.2026" in result.stderr
    assert ("005_bad.txt:10: warning: source URL 'javascript:alert(1)' dropped: scheme 'javascript': "
            "only http and https become links") in result.stderr
    assert "006_binary.txt: file rejected: holds NUL bytes: not a text file" in result.stderr
    assert "Traceback" not in result.stderr
    assert "1 rejected" in result.stdout and "1 records skipped" in result.stdout
    titles = [e.title for e in feedparser.parse(str(project / "out/all.atom")).entries]
    assert titles[:2] == ["Fine article about Astana", "Evil link"] and len(titles) == 5


def test_a_misspelt_config_key_is_named_with_a_suggestion(project: Path) -> None:
    (project / "config.yaml").write_text("feeds:\n  base_url: https://feeds.example.org/\n  max_entry: 10\n")
    result = run_feeds("build", cwd=project)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "config.yaml: feeds.max_entry: unknown key (did you mean feeds.max_entries?)" in result.stderr


def test_an_invalid_config_value_is_named(project: Path) -> None:
    (project / "config.yaml").write_text("feeds:\n  max_entries: -1\n  base_url: not a url\n")
    result = run_feeds("build", cwd=project)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "feeds.max_entries: Input should be greater than or equal to 1" in result.stderr
    assert "feeds.base_url:" in result.stderr


def test_broken_yaml_and_a_missing_config_file_are_reported(project: Path) -> None:
    (project / "config.yaml").write_text("feeds: [unclosed\n")
    broken = run_feeds("build", cwd=project)
    assert broken.returncode == 2 and "not valid YAML" in broken.stderr and "Traceback" not in broken.stderr
    missing = run_feeds("build", "--config", "nowhere.yaml", cwd=project)
    assert missing.returncode == 2 and "nowhere.yaml: cannot read" in missing.stderr


def test_the_store_may_not_live_inside_the_published_folder(project: Path) -> None:
    result = run_feeds("build", "--state", "out/feeds.sqlite3", cwd=project)
    assert result.returncode == 2 and "paths.state" in result.stderr and "inside paths.out" in result.stderr


def test_an_unwritable_output_folder_exits_non_zero(project: Path) -> None:
    (project / "blocked").write_text("a file where the output folder should be")
    result = run_feeds("build", "--out", "blocked/out", cwd=project)
    assert result.returncode == 3 and "output error: cannot create the output folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_seeds_folder_is_a_configuration_error(project: Path) -> None:
    result = run_feeds("build", "--seeds", "no-such-folder", cwd=project)
    assert result.returncode == 2 and "paths.seeds" in result.stderr and "is not a folder" in result.stderr


def test_flags_override_the_config(small: Path, tmp_path: Path) -> None:
    project = small
    elsewhere = tmp_path / "elsewhere"
    result = run_feeds("build", "--config", str(project / "config.yaml"), "--seeds", str(project / "seeds"),
                       "--out", str(elsewhere / "public"), "--state", str(elsewhere / "db.sqlite3"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (elsewhere / "public/all.atom").exists() and (elsewhere / "db.sqlite3").exists()
    assert not (project / "out").exists()


@pytest.mark.slow
def test_the_console_script_runs_like_python_m_feeds(project: Path) -> None:
    script = Path(sys.executable).parent / "feeds"
    result = subprocess.run([str(script), "build"], cwd=project, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0 and "39 new" in result.stdout


def test_no_dump_can_stop_the_rest_from_being_published(small: Path) -> None:
    project = small
    (project / "seeds/007_weird.txt").write_text(dump(
        ("Odd port 03.03.2026", "Body.Source : https://www.gov.kz:99999/x"),
        ("Huge id 03.03.2026", "Body.Source : https://www.gov.kz/memleket/entities/mfa/press/news/details/9999999999999999999999"),
        ("Broken host 03.03.2026", "Body.Source : http://[x"),
    ))
    result = run_feeds("build", cwd=project)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    titles = [e.title for e in feedparser.parse(str(project / "out/all.atom")).entries]
    assert {"Odd port", "Huge id", "Broken host"} <= set(titles) and len(titles) == 6


@pytest.mark.slow
def test_a_read_only_output_folder_exits_3_and_the_next_run_publishes(project: Path) -> None:
    (project / "out").mkdir()
    (project / "out").chmod(0o555)
    try:
        result = run_unprivileged("build", cwd=project)
    finally:
        (project / "out").chmod(0o755)
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert f"output error: the output folder {project / 'out'} is not writable" in result.stderr
    assert run_unprivileged("build", cwd=project).returncode == 0 and (project / "out/lang/en.atom").exists()


def test_a_misspelt_interface_key_or_an_agency_slug_with_a_slash_is_refused(project: Path) -> None:
    config = project / "config.yaml"
    config.write_text(config.read_text() + "interface:\n  page_tilte: {en: Feeds}\n")
    result = run_feeds("build", cwd=project)
    assert result.returncode == 2 and "interface.page_tilte: unknown key (did you mean interface.page_title?)" in result.stderr
    config.write_text(config.read_text().replace("interface:\n  page_tilte: {en: Feeds}\n", "")
                      .replace("  mod: {name:", "  ../evil: {name:"))
    result = run_feeds("build", cwd=project)
    assert result.returncode == 2 and "agencies.../evil" in result.stderr


def test_a_store_that_is_not_an_sqlite_database_is_named_with_exit_4(project: Path) -> None:
    (project / "state").mkdir()
    (project / "state/feeds.sqlite3").write_bytes(b"this is not a database, " * 100)
    result = run_feeds("build", cwd=project)
    assert result.returncode == 4 and "Traceback" not in result.stderr and "lock" not in result.stderr
    assert f"the store {project / 'state/feeds.sqlite3'} cannot be used: file is not a database (not an SQLite database)" in result.stderr


@pytest.mark.built
def test_a_truncated_store_is_named_with_exit_4(project: Path) -> None:
    store = project / "state/feeds.sqlite3"
    for sidecar in ("-wal", "-shm"):
        Path(f"{store}{sidecar}").unlink(missing_ok=True)
    data = store.read_bytes()
    store.write_bytes(data[: len(data) // 3])
    (project / "seeds/005_new.txt").write_text(dump(("New article 03.03.2026", "Body.")))
    result = run_feeds("build", cwd=project)
    assert result.returncode == 4 and "Traceback" not in result.stderr
    assert f"the store {store} cannot be used: database disk image is malformed (damaged)" in result.stderr
    status = run_feeds("status", cwd=project)
    assert status.returncode == 4 and str(store) in status.stderr


def test_a_store_path_that_is_a_folder_is_named_with_exit_4(project: Path) -> None:
    (project / "state").mkdir()
    result = run_feeds("build", "--state", "state", cwd=project)
    assert result.returncode == 4 and f"the store {project / 'state'} is a folder, not a database file" in result.stderr


@pytest.mark.slow
def test_a_read_only_store_or_lock_folder_is_named_never_taken_for_another_run(project: Path) -> None:
    assert run_unprivileged("build", cwd=project).returncode == 0
    store = project / "state/feeds.sqlite3"
    (project / "seeds/005_new.txt").write_text(dump(("New article 03.03.2026", "Body.")))
    store.chmod(0o444)
    read_only_store = run_unprivileged("build", cwd=project)
    assert read_only_store.returncode == 4 and "Traceback" not in read_only_store.stderr
    assert f"the store {store} cannot be used: attempt to write a readonly database ({store} is read-only)" in read_only_store.stderr
    (project / "state").chmod(0o555)
    try:
        # A monitoring user may read the store but write nothing: status still answers.
        check = run_unprivileged("status", "--check", cwd=project)
    finally:
        (project / "state").chmod(0o755)
    assert check.returncode == 0 and check.stdout.startswith("OK: 39 articles"), check.stderr
    store.chmod(0o644)
    Path(f"{store}.lock").unlink()
    (project / "state").chmod(0o555)
    try:
        locked_out = run_unprivileged("build", cwd=project)
    finally:
        (project / "state").chmod(0o755)
    assert locked_out.returncode == 4 and "another feeds run" not in locked_out.stderr
    assert f"cannot create the lock file {store}.lock: Permission denied" in locked_out.stderr


@pytest.mark.parametrize(("text", "message"), [
    ("feeds:\n  base_url: http://x/\ntopics: " + "[" * 30 + "]" * 30 + "\n", "nested more than 20 levels deep"),
    ("feeds:\n  base_url: http://x/\ntopics: " + "[" * 50_000 + "]" * 50_000 + "\n", "config.yaml: "),
    ("a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\n" + "".join(f"{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                                                     for p, n in zip("abcdefg", "bcdefgh")),
     "more than 100,000 values (aliases expanded)"),
    ("# padding\n" * 200_000, "larger than 1024 KiB"),
    ("feeds:\n  base_url: http://x/\n\xff\xfe\x00binary", "not UTF-8 text"),
    ("feeds:\n  base_url: https://feeds.example.org/?page=1\n", "feeds.base_url: Value error, must not have a query"),
    ("feeds:\n  base_url: https://feeds.example.org/#top\n", "must not have a query (?...) or a fragment"),
    ("feeds:\n  base_url: http://x/\npaths:\n  seeds: public\n  out: public\n", "paths.seeds: "),
    ("feeds:\n  base_url: http://x/\npaths:\n  state: public/store.txt\n  seeds: public\n", "lies inside paths.seeds"),
    ('feeds:\n  base_url: http://x/\nagencies:\n  mfa: {name: {en: "\\u0002"}}\n', "agencies.mfa.name.en: Value error, must not hold control"),
    ('feeds:\n  base_url: http://x/\nsite:\n  name: "\\u0001 bad"\n', "site.name: Value error, must not hold control"),
    ("feeds:\n  base_url: http://x/\nretention:\n  max_age_days: 1000000000000000000000\n", "retention.max_age_days: Input should be less"),
    ('feeds:\n  base_url: http://x/\npaths:\n  seeds: "a\\0b"\n', "a\\x00b' cannot be used: embedded null byte"),
    ("feeds:\n  base_url: http://x/\npaths:\n  seeds: loop/x\n", "paths.seeds: "),
])
def test_any_config_file_is_exit_2_with_a_message(project: Path, text: str, message: str) -> None:
    (project / "public").mkdir()
    (project / "loop").symlink_to(project / "loop")
    (project / "config.yaml").write_bytes(text.encode("utf-8", "surrogateescape") if "\xff" not in text else
                                          text.encode("latin-1"))
    result = run_feeds("build", cwd=project)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message in result.stderr


@pytest.mark.built
def test_status_check_is_one_line_and_exit_1_when_anything_is_wrong(project: Path) -> None:
    healthy = run_feeds("status", "--check", cwd=project)
    assert healthy.returncode == 0 and re.fullmatch(r"OK: 39 articles in 29 feeds; last run \d+ min ago; last new dump \d+ min ago\n", healthy.stdout)
    (project / "seeds/006_binary.txt").write_bytes(b"\x00\x01" * 10)
    run_feeds("build", cwd=project)
    rejected = run_feeds("status", "--check", cwd=project)
    assert rejected.returncode == 1 and rejected.stdout == "UNHEALTHY: 1 file rejected (details: `feeds status`)\n"
    (project / "seeds/006_binary.txt").unlink()
    run_feeds("build", cwd=project)
    assert run_feeds("status", "--check", cwd=project).returncode == 0
    config = project / "config.yaml"
    config.write_text(config.read_text().replace("stale_after: 24", "stale_after: 0.00001"))  # 0.036 s
    time.sleep(0.05)
    stale = run_feeds("status", "--check", cwd=project)
    assert stale.returncode == 1 and stale.stdout.startswith("UNHEALTHY: no new dump for 0 min (watch.stale_after is 1e-05 h)")


@pytest.mark.built
def test_status_says_when_the_feeds_and_the_search_index_were_last_complete(project: Path) -> None:
    lines = run_feeds("status", cwd=project).stdout.splitlines()
    # In Kazakhstan's time, as every date the feeds and pages show.
    assert re.fullmatch(r"feeds complete: 20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\+05:00", lines[lines.index(next(
        line for line in lines if line.startswith("feeds complete:")))])
    assert re.search(r"^last run: 20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\+05:00: ", "\n".join(lines), re.MULTILINE)
    assert "search index complete: never" in lines  # search is off in the tests' config


@pytest.mark.built
def test_status_check_reports_a_failed_last_run(project: Path) -> None:
    (project / "out").rename(project / "published")
    (project / "out").write_text("a file where the output folder should be")
    assert run_feeds("build", cwd=project).returncode == 3
    check = run_feeds("status", "--check", cwd=project)
    assert check.returncode == 1
    assert check.stdout.startswith(f"UNHEALTHY: the last run failed: cannot create the output folder {project / 'out'}: File exists")
    (project / "out").unlink()
    (project / "published").rename(project / "out")
    assert run_feeds("build", cwd=project).returncode == 0 and run_feeds("status", "--check", cwd=project).returncode == 0


@pytest.mark.slow
@pytest.mark.built
def test_a_closed_pipe_ends_status_quietly(project: Path) -> None:
    piped = subprocess.run(f"{sys.executable} -m feeds status | head -c 10", shell=True, cwd=project, capture_output=True,
                           text=True, timeout=60, check=False)
    assert piped.stdout == f"store: {project}"[:10] and piped.stderr == ""


@pytest.mark.parametrize(("args", "message"), [
    (("watch", "--interval", "nan"), "--interval: interval_seconds: Input should be"),
    (("watch", "--interval", "1e308"), "--interval: interval_seconds: Input should be less than or equal to 86400"),
    (("serve", "--port", "70000"), "--host/--port/--health-port: port: Input should be less than or equal to 65535"),
])
def test_command_line_values_are_checked_like_the_config(project: Path, args: tuple[str, ...], message: str) -> None:
    result = run_feeds(*args, cwd=project)
    assert result.returncode == 2 and message in result.stderr


def test_a_store_of_an_unknown_schema_is_exit_4(project: Path) -> None:
    import sqlite3
    (project / "state").mkdir()
    with sqlite3.connect(project / "state/feeds.sqlite3") as db:
        db.execute("PRAGMA user_version = -1")
    result = run_feeds("build", cwd=project)
    assert result.returncode == 4 and "has an unknown schema version -1" in result.stderr


def test_a_lock_folder_that_is_a_file_is_named(project: Path) -> None:
    (project / "taken").write_text("a file, not a folder")
    result = run_feeds("build", "--state", "taken/feeds.sqlite3", cwd=project)
    assert result.returncode == 4 and f"{project / 'taken'} is not a folder" in result.stderr


def test_a_stray_temporary_folder_in_out_is_left_alone(small: Path) -> None:
    project = small
    (project / f"out/lang/{TEMP_PREFIX}x.atom.abcd1234").mkdir(parents=True)
    assert run_feeds("build", cwd=project).returncode == 0 and (project / f"out/lang/{TEMP_PREFIX}x.atom.abcd1234").is_dir()


@pytest.mark.slow
def test_a_full_standard_output_or_ctrl_c_never_ends_in_a_traceback(project: Path, tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "feeds", "build"], cwd=project, stdout=full, stderr=subprocess.PIPE,
                                text=True, timeout=120, check=False)
    assert result.returncode == 0 and "cannot write the summary to standard output: No space left on device" in result.stderr
    bulk = project / "seeds"
    for n in range(10):
        (bulk / f"{n + 100}_bulk.txt").write_text(dump(*[(f"Bulk {n} {m} 03.03.2026", "Body. " * 300) for m in range(50)]))
    running = subprocess.Popen([sys.executable, "-m", "feeds", "build"], cwd=project, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    # Once the run has opened the store it is past start-up, with its signal handlers set.
    assert wait_for(lambda: holds_open(running.pid, project / "state/feeds.sqlite3"), 60)
    running.send_signal(signal.SIGINT)
    out, err = running.communicate(timeout=120)
    assert running.returncode in (0, 130) and "Traceback" not in err
    if running.returncode == 130:
        assert "stopped early" in out
    assert run_feeds("build", cwd=project).returncode == 0


def test_version_is_printed_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    from feeds import __version__
    from feeds.cli import main

    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0 and capsys.readouterr().out == f"enbekshi-feeds {__version__}\n"


def test_every_command_and_option_is_in_the_readme() -> None:
    """As sqlite-utils does: what `feeds --help` offers, the README explains."""
    import argparse

    from feeds.cli import _parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = _parser()
    missing = [option for option in parser._option_string_actions if option.startswith("--") and option not in readme]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, command in action.choices.items():
                missing += [f"feeds {name}"] if f"feeds {name}" not in readme else []
                missing += [option for option in command._option_string_actions if option not in readme]
    assert missing == []
