"""One writer at a time: every run holds an exclusive lock on a file next to the store.

A cron `feeds build` and a `feeds watch` tick may overlap; the second waits a bounded time for the
first and then gives up with `Busy`, so the store and the feeds are only ever written by one run.
A lock file that cannot be created or opened is `LockError`, never mistaken for another run. The
lock is the kernel's (`flock`): it goes with the process, so a killed run never leaves it held.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

POLL_SECONDS = 0.05


class Busy(Exception):
    """Another run held the lock for longer than we were willing to wait."""


class LockError(Exception):
    """The lock file cannot be created or opened: a folder or permission problem, not another run."""


def lock_path(state: Path) -> Path:
    return state.with_name(state.name + ".lock")


def held(state: Path) -> bool:
    """Whether a run holds the lock now (asked without taking it for more than an instant, and
    without write access: `feeds status` may run as a monitoring user)."""
    try:
        handle = os.open(lock_path(state), os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(handle)  # which releases it
    return False


@contextmanager
def exclusive(state: Path, timeout: float) -> Iterator[None]:
    """Hold the run lock (an `flock` on `<state>.lock`) for the block, waiting up to `timeout`."""
    path = lock_path(state)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        blocker = next((folder for folder in path.parents if folder.exists() and not folder.is_dir()), None)
        reason = f"{blocker} is not a folder" if blocker else exc.strerror or str(exc)
        raise LockError(f"cannot create the lock file {path}: {reason}") from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise Busy(f"another feeds run holds the lock {path}; gave up after {timeout:g} s") from None
                time.sleep(POLL_SECONDS)
            except OSError as exc:
                raise LockError(f"cannot take the lock {path}: {exc.strerror or exc}") from None
        yield
    finally:
        os.close(handle)  # which releases the lock
