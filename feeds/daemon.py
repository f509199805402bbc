"""The long-running publisher of `feeds watch` and `feeds serve --watch`: scheduler, file events,
signals. APScheduler runs one interval job; file events from watchdog (inotify on Linux) pull the
next run forward, so a new dump is published within seconds, with polling every `interval` as the
fallback and the upper bound on latency.

Signals only set an event: the main thread waits for it, then stops the observer and shuts the
scheduler down, waiting for the current run, which itself stops at the next file or feed boundary.
That avoids both a BlockingScheduler killed mid-job and `shutdown()` called inside a handler.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from feeds.health import verdict
from feeds.ingest import is_seed
from feeds.lock import Busy, LockError
from feeds.logs import log_problem
from feeds.run import BuildReport, build, check_output, status
from feeds.serve import start_server
from feeds.settings import ConfigError, Settings
from feeds.signals import stop_on_signals, wait
from feeds.store import StoreError
from feeds.write import OutputError

log = logging.getLogger("feeds.daemon")
JOB_ID = "publish"
# After a file event, wait for the dump to settle, plus a little for the last write to land.
EVENT_MARGIN_SECONDS = 0.2


class Publisher:
    """What one tick does: a build under the lock, logged in one line, never fatal to the daemon."""

    def __init__(self, settings: Settings, now: Callable[[], float] = time.time,
                 stop: threading.Event | None = None, pause: Callable[[float], bool] | None = None) -> None:
        self.settings = settings
        self.now = now
        self.stop = stop or threading.Event()
        # Waits before a follow-up run; True means stop. Tests that drive ticks by hand skip it.
        self.pause = pause or self.stop.wait
        self.scheduler: BackgroundScheduler | None = None
        self._state = threading.Lock()
        self._idle = threading.Lock()  # held for the whole of a run
        self._running = False
        self._again: float | None = None  # set during a run: the soonest a follow-up run was asked for

    def wait_idle(self) -> None:
        """Return once no run is going; with `stop` set, none will start."""
        with self._idle:
            pass

    def tick(self) -> BuildReport | None:
        """One job execution: a run, repeated while dumps arrive during it or are still being
        written. The follow-up runs stay inside this execution on purpose: APScheduler skips a
        run that falls due while this one is going (`max_instances=1`) and waits a whole interval."""
        with self._idle:
            report = None
            with self._state:
                self._running = True
            try:
                while not self.stop.is_set():
                    with self._state:
                        self._again = None
                    report = self._run()
                    with self._state:
                        again = self._again
                    deferred = report is not None and report.files_deferred
                    if again is None and not deferred:
                        break
                    # A dump that arrived complete (renamed in, closed) is read at once; one that
                    # may still be being written, once it could have settled.
                    settle = self.settings.watch.settle_seconds + EVENT_MARGIN_SECONDS
                    if self.pause(settle if deferred or again is None else again):
                        break
            finally:
                with self._state:
                    self._running = False
            return report

    def _run(self) -> BuildReport | None:
        try:
            report = build(self.settings, on_problem=log_problem, now=self.now, should_stop=self.stop.is_set)
        except Busy as exc:
            log.warning("run skipped: %s", exc)
            return None
        except (OutputError, ConfigError, StoreError, LockError) as exc:
            log.error("run failed: %s", exc)
            return None
        except Exception:
            log.exception("run failed unexpectedly; the next tick will try again")
            return None
        log.info(report.summary(), extra={"run": report.as_fields()})
        return report

    def soon(self, delay: float) -> None:
        """Bring the next run forward to at most `delay` seconds from now (never push it back).
        During a job execution, only note it: the execution runs again itself."""
        if self.stop.is_set():
            return
        with self._state:
            if self._running:
                self._again = delay if self._again is None else min(self._again, delay)
                return
        job = self.scheduler.get_job(JOB_ID) if self.scheduler else None
        if job is None or job.next_run_time is None:
            return
        wanted = datetime.now(UTC) + timedelta(seconds=delay)
        if wanted < job.next_run_time:
            job.modify(next_run_time=wanted)


class SeedEvents(FileSystemEventHandler):
    """A dump moved into the seeds folder, or closed after writing (inotify's IN_MOVED_TO and
    IN_CLOSE_WRITE), is complete: it asks for a run now. A dump created or written to may still be
    being written: it asks for a run once it could have settled (the run defers it if not)."""

    def __init__(self, publisher: Publisher) -> None:
        self.publisher = publisher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type not in ("created", "modified", "moved", "closed"):
            return
        path = Path(str(getattr(event, "dest_path", "") or event.src_path))
        if is_seed(path):
            log.debug("file event %s on %s", event.event_type, path.name)
            complete = event.event_type in ("moved", "closed")
            self.publisher.soon(0 if complete else self.publisher.settings.watch.settle_seconds + EVENT_MARGIN_SECONDS)


def _observe(publisher: Publisher, seeds: Path, interval: float) -> BaseObserver | None:
    """File events where the platform has them; None (polling only) where it does not."""
    observer = Observer()
    try:
        observer.schedule(SeedEvents(publisher), str(seeds), recursive=False)
        observer.start()
    except OSError as exc:
        log.warning("no file events (%s); scanning every %g s", exc, interval)
        return None
    log.info("watching %s for file events, and scanning every %g s", seeds, interval)
    return observer


class Daemon:
    """The scheduler and the file observer together, for `feeds watch` and `feeds serve --watch`."""

    def __init__(self, settings: Settings, interval: float, stop: threading.Event) -> None:
        self.publisher = Publisher(settings, stop=stop)
        self.scheduler = BackgroundScheduler(timezone=UTC, executors={"default": ThreadPoolExecutor(1)})
        self.publisher.scheduler = self.scheduler
        self.scheduler.add_job(
            self.publisher.tick, "interval", seconds=interval, id=JOB_ID, max_instances=1, coalesce=True,
            misfire_grace_time=None, next_run_time=datetime.now(UTC),
        )
        self.interval = interval
        self.observer: BaseObserver | None = None

    def start(self) -> None:
        self.observer = _observe(self.publisher, self.publisher.settings.paths.seeds, self.interval)
        self.scheduler.start()

    def stop(self) -> None:
        """Stop watching, then wait for the current run, which stops at its next boundary."""
        log.info("stopping: finishing the current run")
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=5)
        # Wait for the run outside APScheduler's locks: `shutdown(wait=True)` holds one while it
        # waits, and a run that ends by rescheduling itself would need it.
        self.publisher.wait_idle()
        self.scheduler.shutdown(wait=True)


def watch(settings: Settings, interval: float) -> int:
    """Run until SIGTERM or SIGINT; returns the exit code (0 after a clean stop)."""
    stop = stop_on_signals()
    daemon = Daemon(settings, interval, stop)
    daemon.start()
    wait(stop)
    daemon.stop()
    log.info("stopped")
    return 0


def serve(settings: Settings, host: str, port: int, interval: float | None) -> int:
    """Serve `out/` until SIGTERM or SIGINT; with an interval, publish in the same process as well."""
    check_output(settings.paths.out)
    stop = stop_on_signals()
    try:
        server = start_server(settings.paths.out, host, port, settings.serve.cache_control, lambda: health(settings))
    except OSError as exc:
        raise ConfigError(f"serve: cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    daemon = Daemon(settings, interval, stop) if interval is not None else None
    if daemon:
        daemon.start()
    wait(stop)
    if daemon:
        daemon.stop()
    server.shutdown()
    server.server_close()
    log.info("stopped")
    return 0


def health(settings: Settings) -> dict[str, Any]:
    """`/healthz`: the verdict of `feeds status --check`; a store that cannot be read is unhealthy."""
    if not settings.paths.state.is_file():
        return {"healthy": False, "problems": [f"no store at {settings.paths.state}: no run yet"], "facts": []}
    try:
        return verdict(status(settings), time.time(), settings.watch.stale_after).as_json()
    except StoreError as exc:
        return {"healthy": False, "problems": [f"the store cannot be read: {exc}"], "facts": []}
