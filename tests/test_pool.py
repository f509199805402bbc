"""Large batches over the cores: the same results in the same order as in this process, and no
worker outlives the process that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import project_config, wait_for

from feeds.pool import Pool


def square(number: int) -> int:
    return number * number


@pytest.mark.slow  # real worker processes
def test_workers_give_the_results_of_this_process_in_the_same_order() -> None:
    items = list(range(500))
    with Pool(2) as pool:
        assert pool.map(square, items, large=True, chunk=7) == pool.map(square, items, large=False) == [n * n for n in items]


def in_session(session: int) -> list[int]:
    """The live processes of a session (a run and everything it started)."""
    found = []
    for name in os.listdir("/proc"):
        try:
            fields = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(int(name))
    return found


@pytest.mark.slow
def test_killing_a_run_with_sigkill_leaves_no_worker_holding_its_output(tmp_path: Path, corpus: Path) -> None:
    (tmp_path / "seeds").mkdir()
    for dump in (corpus / "seeds").iterdir():
        os.link(dump, tmp_path / "seeds" / dump.name)
    (tmp_path / "config.yaml").write_text(project_config(), encoding="utf-8")
    run = subprocess.Popen([sys.executable, "-m", "feeds", "build", "-q"], cwd=tmp_path, start_new_session=True,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        # The run, its fork server and two workers (and multiprocessing's resource tracker).
        assert wait_for(lambda: len(in_session(run.pid)) >= 4, 60), "the run never started its workers"
        os.kill(run.pid, signal.SIGKILL)  # the run alone, as the OOM killer or an operator's kill -9 would
        run.wait(timeout=10)
        assert wait_for(lambda: not in_session(run.pid), 10), f"left running: {in_session(run.pid)}"
        assert run.stdout is not None and run.stdout.read() == b""  # the end of its output, not a hang
    finally:
        for pid in in_session(run.pid):
            os.kill(pid, signal.SIGKILL)
