"""Work spread over the machine's cores, for the runs that have a lot of it (a cold build, new
settings, a long backlog of dumps): a process pool, started only for a large batch, giving the
same results in the same order as doing the work here. Small batches (every run of a daemon that
keeps up) never pay for starting processes.

Processes come from a fork server, not from forking this process: a `feeds watch` or
`feeds serve --watch` process has threads (scheduler, file events, HTTP), and forking a process
with threads can copy a lock that some thread holds. Workers die with the process that started
them, even by `kill -9` (each waits on a pidfd of it; the fork server then ends as well): a
worker left behind would hold the run's standard output open for good, and cron's mail would
never be sent.
"""

from __future__ import annotations

import itertools
import logging
import os
import select
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Self, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Executor, Future

T = TypeVar("T")
R = TypeVar("R")
AHEAD = 3  # chunks under way per worker process
PRELOAD = ["feeds.render", "feeds.classify", "feeds.parse"]
POLL_SECONDS = 0.5  # how often a worker asks whether its main process lives, where it cannot be told
log = logging.getLogger("feeds.pool")


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

    def map(self, function: Callable[[T], R], items: Sequence[T], large: bool, chunk: int = 1) -> list[R]:
        return list(self.imap(function, items, large, chunk))

    def imap(self, function: Callable[[T], R], items: Sequence[T], large: bool, chunk: int = 1) -> Iterator[R]:
        """Results in the order of `items`, as they come, with at most a few chunks of `chunk`
        items ahead of the caller (so memory stays flat however many items there are). Workers
        that cannot start or that die only cost time: the rest of the work is then done here."""
        if not large or self.workers < 2:
            yield from map(function, items)
            return
        from concurrent.futures.process import BrokenProcessPool  # only for large batches: start-up stays short

        done = 0
        try:
            executor = self._executor()
            ahead: deque[Future[list[R]]] = deque()
            chunks = (items[start:start + chunk] for start in range(0, len(items), chunk))
            for part in itertools.islice(chunks, AHEAD * self.workers):
                ahead.append(executor.submit(_apply, function, part))
            while ahead:
                results = ahead.popleft().result()
                for part in itertools.islice(chunks, 1):
                    ahead.append(executor.submit(_apply, function, part))
                for result in results:
                    done += 1
                    yield result
        except (BrokenProcessPool, OSError) as exc:
            log.warning("worker processes failed (%s); working in this process instead", exc)
            self.workers = 1
            yield from map(function, items[done:])

    def _executor(self) -> Executor:
        if self.executor is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
            if "forkserver" in methods:
                context.set_forkserver_preload(PRELOAD)
            self.executor = ProcessPoolExecutor(self.workers, mp_context=context, initializer=die_with,
                                                initargs=(os.getpid(),))
        return self.executor


def die_with(main: int) -> None:
    """In a worker: end at once when the process that asked for it (`main`) ends, however it
    ends. The fork server cannot see that: every worker holds its liveness pipe open."""
    try:
        handle = os.pidfd_open(main)
    except ProcessLookupError:
        os._exit(1)
    except (OSError, AttributeError):  # not Linux 5.3 or later: ask now and then instead
        handle = None

    def wait() -> None:
        if handle is not None:
            select.select([handle], [], [])
        else:
            while _alive(main):
                time.sleep(POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=wait, name="die-with-main", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _apply(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
    return [function(item) for item in items]
