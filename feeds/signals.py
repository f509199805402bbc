"""SIGTERM and SIGINT as a request to stop at the next boundary, for one `feeds build` and for the
daemons: a handler only sets an event, so nothing can deadlock and nothing is killed mid-write."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SIGNALS = (signal.SIGTERM, signal.SIGINT)


def stop_on_signals() -> threading.Event:
    """An event that SIGTERM and SIGINT set; handlers do nothing else, so nothing can deadlock."""
    stop = threading.Event()
    for signum in SIGNALS:
        signal.signal(signum, lambda number, frame: stop.set())
    return stop


@contextmanager
def stopping_on_signals() -> Iterator[threading.Event]:
    """For one `feeds build`: SIGTERM or SIGINT (Ctrl-C) ask the run to stop at its next file or feed
    boundary, consistent, instead of killing it mid-write; the previous handlers come back after."""
    previous = {signum: signal.getsignal(signum) for signum in SIGNALS}
    stop = stop_on_signals()
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def wait(stop: threading.Event) -> None:
    while not stop.wait(1.0):
        pass
