"""Equal input, equal bytes: two cold builds of the same seeds with the search index on are
identical file for file, and a run that repairs `out/` after one killed while Pagefind was
indexing ends identical to a clean build."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, files_in, new_project, project_config, run_feeds, wait_for


def searched(folder: Path, seeds: Path | None = None) -> Path:
    """A project with the search index on; `seeds` adds those dumps (copied with their times)."""
    project = new_project(folder)
    (project / "config.yaml").write_text(project_config(search=True), encoding="utf-8")
    if seeds is not None:
        shutil.copytree(seeds, project / "seeds", dirs_exist_ok=True)
    return project


def differing(first: Path, second: Path) -> list[str]:
    """The files of two `out/` trees that are not the same bytes, or not in both."""
    one, other = files_in(first / "out"), files_in(second / "out")
    return sorted(name for name in one.keys() | other.keys() if one.get(name) != other.get(name))


def build(project: Path) -> None:
    result = run_feeds("build", "-q", cwd=project)
    assert result.returncode == 0, result.stderr


@pytest.mark.slow  # Pagefind's processes, twice
def test_two_cold_builds_of_the_same_seeds_are_the_same_bytes_search_index_included(tmp_path: Path) -> None:
    first, second = searched(tmp_path / "first"), searched(tmp_path / "second")
    build(first)
    build(second)
    assert len(list((first / "out/pagefind").glob("*/filter/*.pf_filter"))) >= 10  # both languages' filters
    assert differing(first, second) == []


def pagefind_running(parent: int) -> bool:
    """Whether a child of `parent` is a Pagefind process (Linux's /proc)."""
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:  # gone while we looked
            continue
        if fields.get("Name", "").strip() == "pagefind" and fields.get("PPid", "").strip() == str(parent):
            return True
    return False


@pytest.fixture(scope="module")
def bulk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 generated articles (`benchmarks/corpus.py`): enough shards that Pagefind runs for half a
    second or more, so the run can be killed in the middle of it."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import corpus

    folder = tmp_path_factory.mktemp("bulk")
    corpus.write_corpus(folder, 300)
    return folder


@pytest.mark.slow
def test_a_run_killed_while_pagefind_indexes_is_repaired_to_exactly_a_clean_build(tmp_path: Path, bulk: Path) -> None:
    killed, clean = searched(tmp_path / "killed", bulk), searched(tmp_path / "clean", bulk)
    staging = tmp_path / "tmp"  # where the killed run's shard staging folders stay behind
    staging.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "feeds", "build", "-q"], cwd=killed, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "PYTHONWARNINGS": "ignore", "TMPDIR": str(staging)})
    try:
        indexing = wait_for(lambda: pagefind_running(process.pid), 120)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the run and its Pagefind processes, as a crash takes them
        process.wait(timeout=30)
    assert indexing, "the run ended before Pagefind started"
    assert not (killed / "out/pagefind/shards.json").exists()  # the index was never published
    # The feeds never wait for the index: while Pagefind ran, everything else was out already.
    published = {name: data for name, data in files_in(killed / "out").items() if not name.startswith("pagefind/")}
    build(killed)
    build(clean)
    assert differing(killed, clean) == []
    assert published == {name: data for name, data in files_in(clean / "out").items() if not name.startswith("pagefind/")}
