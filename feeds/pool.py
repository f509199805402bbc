"""Work spread over the machine's cores, for the runs that have a lot of it (a cold build, new
settings, a long backlog of dumps): a process pool, started only for a large batch, giving the
same results in the same order as doing the work here. Small batches (every run of a daemon that
keeps up) never pay for starting processes.

Processes come from a fork server, not from forking this process: a `feeds watch` or
`feeds serve --watch` process has threads (scheduler, file events, HTTP), and forking a process
with threads can copy a lock that some thread holds.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from types import TracebackType
from typing import Self, TypeVar

T = TypeVar("T")
R = TypeVar("R")
CHUNK = 64  # items sent to a process at a time
PRELOAD = ["feeds.render", "feeds.classify", "feeds.parse"]


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class Pool:
    """`map` in this process, or in worker processes once a batch is `large`; started at most once."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or cores()
        self.executor: Executor | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)

    def map(self, function: Callable[[T], R], items: Iterable[T], large: bool) -> list[R]:
        return list(self.imap(function, items, large))

    def imap(self, function: Callable[[T], R], items: Iterable[T], large: bool) -> Iterator[R]:
        """Results in the order of `items`, as they come."""
        if not large or self.workers < 2:
            return map(function, items)
        if self.executor is None:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
            if "forkserver" in methods:
                context.set_forkserver_preload(PRELOAD)
            self.executor = ProcessPoolExecutor(self.workers, mp_context=context)
        return self.executor.map(function, items, chunksize=CHUNK)
