"""Publishing files: atomic replacement, and no write at all when the bytes would not change.

A reader or web server never sees a half-written feed: bytes go to a temporary file in the same
folder and `os.replace` swaps it in. An unchanged feed keeps its mtime, so conditional GETs keep
answering 304. Durability comes once per run, not once per file: `sync` flushes the output
folder's file system when publishing ends (a run that never got there is followed by a full
re-render, see `run`), so a cold build of thousands of files does not wait on thousands of fsyncs.
"""

from __future__ import annotations

import ctypes
import errno
import os
import stat
import tempfile
from pathlib import Path

from feeds.layout import TEMP_PREFIX, TEMPORARY

# Errors that no other file in the folder would escape: the disk, the file system, the quota.
FOLDER_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO}


class OutputError(Exception):
    """The output folder cannot be written; what was not written stays marked to do."""


def is_global_failure(exc: OSError, out: Path) -> bool:
    """Whether a failed write says the whole output folder is unusable (full disk, read-only,
    not writable at all) rather than that one file or subfolder could not be written."""
    if exc.errno in FOLDER_ERRNOS:
        return True
    try:
        handle, probe = tempfile.mkstemp(dir=out, prefix=TEMP_PREFIX)
    except OSError:
        return True
    os.close(handle)
    os.unlink(probe)
    return False


def write_if_changed(path: Path, data: bytes) -> bool:
    """Atomically make `path` hold `data`; False (and no write) when it already does."""
    try:
        found = os.lstat(path)  # a link or a folder in its place is not the file: it is replaced
        if stat.S_ISREG(found.st_mode) and found.st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX + path.name + ".")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def remove_stale_temporaries(folder: Path) -> int:
    """Temporary files left by a process killed mid-write: only files named as this program names
    them (`layout.TEMPORARY`); anything else, a folder of that name included, is left alone."""
    removed = 0
    for stale in folder.rglob(TEMP_PREFIX + "*"):
        if TEMPORARY.fullmatch(stale.name) and not stale.is_dir():
            stale.unlink(missing_ok=True)
            removed += 1
    return removed


def intact(path: Path) -> bool:
    """Whether a published file is there as written: a regular, non-empty file (not missing,
    emptied, or a folder or link put in its place)."""
    try:
        found = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(found.st_mode) and found.st_size > 0


def remove(path: Path) -> bool:
    """Remove a published file; False when there was none."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def sync(folder: Path) -> None:
    """Flush everything written under `folder` to disk: the file system's `syncfs` where the
    platform has it, else `sync`. OSError when the flush fails (an I/O error, a full thin disk):
    files written may then be lost, and the run that wrote them is not complete."""
    libc = ctypes.CDLL(None, use_errno=True)
    handle = os.open(folder, os.O_RDONLY)
    try:
        if not hasattr(libc, "syncfs"):
            os.sync()
        elif libc.syncfs(handle) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code), str(folder))
    finally:
        os.close(handle)


def flush(out: Path) -> None:
    """`sync` of the output folder, its failure the output folder's (exit 3): what was written may
    be lost, so the run is not complete."""
    try:
        sync(out)
    except OSError as exc:
        raise OutputError(f"cannot flush {out} to disk: {exc.strerror or exc}") from None
