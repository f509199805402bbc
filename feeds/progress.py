"""Progress of long work: a bar per stage on a terminal (tqdm: count, rate, time left), nothing
anywhere else. A run reports its stages (files read, entries rendered, feeds written) to a
`Progress`; the command decides whether anyone is watching. Bars appear only for a stage that
takes longer than `DELAY_SECONDS`, so everyday runs print their one summary line and nothing more.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

DELAY_SECONDS = 2.0


class Progress:
    """Stages of a run and how far each has come: this one shows nothing."""

    def begin(self, label: str, total: int, unit: str) -> None:
        """A stage of `total` things starts."""

    def advance(self, count: int = 1) -> None:
        """`count` more things of the current stage are done."""

    def end(self) -> None:
        """The current stage is over."""


class TerminalProgress(Progress):
    """A tqdm bar on standard error for each stage."""

    def __init__(self, stream: TextIO, delay: float = DELAY_SECONDS) -> None:
        self.stream = stream
        self.delay = delay
        self.bar: Any = None

    def begin(self, label: str, total: int, unit: str) -> None:
        from tqdm import tqdm  # only when someone is watching a terminal

        self.end()
        self.bar = tqdm(total=total, desc=label, unit=unit, delay=self.delay, leave=False, file=self.stream)

    def advance(self, count: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def end(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def for_terminal(quiet: bool, log_format: str) -> Progress:
    """Bars when standard error is a terminal and the logs are text; otherwise nothing at all."""
    if quiet or log_format != "text" or not sys.stderr.isatty():
        return Progress()
    return TerminalProgress(sys.stderr)
