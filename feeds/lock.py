"""One writer at a time: every run holds an exclusive lock on a file next to the store.

A cron `feeds build` and a `feeds watch` tick may overlap; the second waits a bounded time for the
first and then gives up with `Busy`, so the store and the feeds are only ever written by one run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout


class Busy(Exception):
    """Another run held the lock for longer than we were willing to wait."""


def lock_path(state: Path) -> Path:
    return state.with_name(state.name + ".lock")


@contextmanager
def exclusive(state: Path, timeout: float) -> Iterator[None]:
    path = lock_path(state)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path, timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise Busy(f"another feeds run holds the lock {path}; gave up after {timeout:g} s") from None
    try:
        yield
    finally:
        lock.release()
