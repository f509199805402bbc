"""Progress bars: on a real terminal (a pseudo-terminal here) and nowhere else."""

from __future__ import annotations

import os
import pty
import select
import time

from feeds.progress import Progress, TerminalProgress, for_terminal


def test_a_terminal_sees_a_bar_per_stage_with_count_and_rate() -> None:
    master, slave = pty.openpty()
    with os.fdopen(slave, "w") as terminal:
        progress = TerminalProgress(terminal, delay=0)
        progress.begin("reading dumps", 10, "files")
        progress.advance(4)
        time.sleep(0.12)  # tqdm redraws at most ten times a second
        progress.advance(6)
        terminal.flush()
        shown = ""
        while select.select([master], [], [], 0.05)[0]:  # written and flushed already: read until quiet
            shown += os.read(master, 65536).decode()
        progress.end()
    os.close(master)
    assert "reading dumps" in shown and "10/10" in shown and "files/s" in shown


def test_no_bar_when_quiet_in_json_logs_or_off_a_terminal() -> None:
    assert type(for_terminal(quiet=True, log_format="text")) is Progress
    assert type(for_terminal(quiet=False, log_format="json")) is Progress
    assert type(for_terminal(quiet=False, log_format="text")) is Progress  # the tests' standard error is no terminal
