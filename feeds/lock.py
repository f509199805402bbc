"""One writer at a time: every run holds an exclusive lock on a file next to the store.

A cron `feeds build` and a `feeds watch` tick may overlap; the second waits a bounded time for the
first and then gives up with `Busy`, so the store and the feeds are only ever written by one run.
A lock file that cannot be created or opened is `LockError`, never mistaken for another run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout


class Busy(Exception):
    """Another run held the lock for longer than we were willing to wait."""


class LockError(Exception):
    """The lock file cannot be created or opened: a folder or permission problem, not another run."""


def lock_path(state: Path) -> Path:
    return state.with_name(state.name + ".lock")


@contextmanager
def exclusive(state: Path, timeout: float) -> Iterator[None]:
    path = lock_path(state)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Opened here first so that a permission problem is told apart from a lock held elsewhere.
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o644))
    except OSError as exc:
        blocker = next((folder for folder in path.parents if folder.exists() and not folder.is_dir()), None)
        reason = f"{blocker} is not a folder" if blocker else exc.strerror or str(exc)
        raise LockError(f"cannot create the lock file {path}: {reason}") from None
    lock = FileLock(path, timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise Busy(f"another feeds run holds the lock {path}; gave up after {timeout:g} s") from None
    except OSError as exc:
        raise LockError(f"cannot take the lock {path}: {exc.strerror or exc}") from None
    try:
        yield
    finally:
        lock.release()
