"""The long-running publisher of `feeds watch` and `feeds serve --watch`: scheduler, file events,
signals, the config file. APScheduler runs one interval job; file events from watchdog (inotify on
Linux) pull the next run forward, so a new dump is published within seconds, with polling every
`interval` as the fallback and the upper bound on latency. The seeds folder's watch is armed again
when the folder is removed and comes back (inotify's watch goes with the folder), and the config
file is read again when it changes: a bad edit is logged and reported by `/healthz`, and the
settings read before stay in force until it is fixed.

Signals only set an event: the main thread waits for it, then stops the observer and shuts the
scheduler down, waiting for the current run, which itself stops at the next file or feed boundary.
That avoids both a BlockingScheduler killed mid-job and `shutdown()` called inside a handler.
"""

from __future__ import annotations

import logging
import os
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
RETURN_POLL_SECONDS = 0.25  # how often a removed seeds folder is looked for


class ConfigWatch:
    """The settings a daemon runs with, read again from the config file when it changes (its size,
    times or inode). A file that no longer validates is logged once per change and kept as `error`
    (for `/healthz`); the settings read before stay in force."""

    def __init__(self, settings: Settings, config: Path | None, load: Callable[[], Settings]) -> None:
        self.settings = settings
        self.config = config
        self.load = load
        self.error: str | None = None
        self._lock = threading.Lock()
        self._seen = self._fingerprint()

    def _fingerprint(self) -> tuple[int, int, int, int] | None:
        if self.config is None:
            return None
        try:
            found = os.stat(self.config)
        except OSError:
            return None
        return found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns

    def refresh(self) -> bool:
        """Read the config file again if it changed; True when new settings took effect."""
        with self._lock:
            seen = self._fingerprint()
            if seen == self._seen:
                return False
            self._seen = seen
            try:
                settings = self.load()
            except ConfigError as exc:
                self.error = f"{exc} (running on with the settings read before)"
                log.error("configuration not read again: %s", self.error)
                return False
            self.error = None
            if settings == self.settings:
                return False
            self.settings = settings
            log.info("configuration read again from %s", self.config)
            return True


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
        self.before_run: Callable[[], None] = lambda: None  # the daemon's: config read again, watch armed

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
        self.before_run()
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
    being written: it asks for a run once it could have settled (the run defers it if not). The
    folder itself removed: its watch is gone, and is armed again when the folder comes back."""

    def __init__(self, publisher: Publisher, watch: SeedWatch) -> None:
        self.publisher = publisher
        self.watch = watch

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory and event.event_type in ("deleted", "moved") and Path(str(event.src_path)) == self.watch.seeds:
            self.watch.gone()
            return
        if event.is_directory or event.event_type not in ("created", "modified", "moved", "closed"):
            return
        path = Path(str(getattr(event, "dest_path", "") or event.src_path))
        if is_seed(path):
            log.debug("file event %s on %s", event.event_type, path.name)
            complete = event.event_type in ("moved", "closed")
            self.publisher.soon(0 if complete else self.publisher.settings.watch.settle_seconds + EVENT_MARGIN_SECONDS)


class SeedWatch:
    """File events on the seeds folder (where the platform has them), kept armed: inotify's watch
    goes with a removed folder, so when the folder (or another at its path) is there again the
    watch is made anew, logged, and a run follows. Checked on every tick, and every quarter second
    while the folder is gone."""

    def __init__(self, publisher: Publisher, interval: float) -> None:
        self.publisher = publisher
        self.interval = interval
        self.observer: BaseObserver | None = None
        self.identity: tuple[int, int] | None = None
        self._lock = threading.Lock()
        self._looking = False

    @property
    def seeds(self) -> Path:
        return self.publisher.settings.paths.seeds

    def start(self) -> None:
        self.observer = Observer()
        self.observer.start()
        if self._arm():
            log.info("watching %s for file events, and scanning every %g s", self.seeds, self.interval)

    def _arm(self) -> bool:
        """(Re)make the watch on the seeds folder; False when there are no file events for it."""
        assert self.observer is not None
        with self._lock:
            self.observer.unschedule_all()
            try:
                found = os.stat(self.seeds)
                self.observer.schedule(SeedEvents(self.publisher, self), str(self.seeds), recursive=False)
            except OSError as exc:
                self.identity = None
                log.warning("no file events for %s (%s); scanning every %g s", self.seeds, exc.strerror or exc, self.interval)
                return False
            self.identity = (found.st_dev, found.st_ino)
            return True

    def check(self) -> None:
        """Arm the watch again if the seeds folder came back (or is another one now)."""
        if self.observer is None:
            return
        try:
            found = os.stat(self.seeds)
        except OSError:
            return
        alive = bool(self.observer.emitters) and all(emitter.is_alive() for emitter in self.observer.emitters)
        if ((found.st_dev, found.st_ino) != self.identity or not alive) and self._arm():
            log.info("the seeds folder %s is there again: watching it for file events again", self.seeds)
            self.publisher.soon(0)

    def gone(self) -> None:
        """The seeds folder was removed: look for it until it is back."""
        with self._lock:
            if self._looking:
                return
            self._looking = True
        log.warning("the seeds folder %s was removed: waiting for it to come back", self.seeds)

        def look() -> None:
            try:
                while not self.publisher.stop.wait(RETURN_POLL_SECONDS):
                    if self.seeds.is_dir():
                        self.check()
                        return
            finally:
                with self._lock:
                    self._looking = False

        threading.Thread(target=look, name="seeds-return", daemon=True).start()

    def stop(self) -> None:
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=5)


class Daemon:
    """The scheduler, the file observer and the config file together, for `feeds watch` and
    `feeds serve --watch`."""

    def __init__(self, config: ConfigWatch, interval: float, stop: threading.Event) -> None:
        self.config = config
        self.publisher = Publisher(config.settings, stop=stop)
        self.scheduler = BackgroundScheduler(timezone=UTC, executors={"default": ThreadPoolExecutor(1)})
        self.publisher.scheduler = self.scheduler
        self.scheduler.add_job(
            self.publisher.tick, "interval", seconds=interval, id=JOB_ID, max_instances=1, coalesce=True,
            misfire_grace_time=None, next_run_time=datetime.now(UTC),
        )
        self.watch = SeedWatch(self.publisher, interval)
        self.publisher.before_run = self.refresh

    def refresh(self) -> None:
        """Before every run (follow-up runs of a tick included): the config file read again if it
        changed, and the seeds folder's watch armed again if the folder came back."""
        self.config.refresh()
        self.publisher.settings = self.config.settings  # /healthz may have read a new config first
        self.watch.check()  # also when `paths.seeds` names another folder now

    def start(self) -> None:
        self.watch.start()
        self.scheduler.start()

    def stop(self) -> None:
        """Stop watching, then wait for the current run, which stops at its next boundary."""
        log.info("stopping: finishing the current run")
        self.watch.stop()
        # Wait for the run outside APScheduler's locks: `shutdown(wait=True)` holds one while it
        # waits, and a run that ends by rescheduling itself would need it.
        self.publisher.wait_idle()
        self.scheduler.shutdown(wait=True)


def watch(config: ConfigWatch, interval: float) -> int:
    """Run until SIGTERM or SIGINT; returns the exit code (0 after a clean stop)."""
    stop = stop_on_signals()
    daemon = Daemon(config, interval, stop)
    daemon.start()
    wait(stop)
    daemon.stop()
    log.info("stopped")
    return 0


def serve(config: ConfigWatch, host: str, port: int, health_port: int, interval: float | None) -> int:
    """Serve `out/` until SIGTERM or SIGINT; with an interval, publish in the same process as well."""
    settings = config.settings
    _refuse_wrong_addresses(str(settings.feeds.base_url), port)
    check_output(settings.paths.out)
    stop = stop_on_signals()
    try:
        server = start_server(settings.paths.out, host, port, settings.serve.cache_control, lambda: health(config), health_port)
    except OSError as exc:
        raise ConfigError(f"serve: cannot listen on {host}:{port} (and 127.0.0.1:{health_port} for /healthz): "
                          f"{exc.strerror or exc}") from None
    daemon = Daemon(config, interval, stop) if interval is not None else None
    if daemon:
        daemon.start()
    wait(stop)
    server.shutdown()  # first: within seconds, whatever the clients do
    if daemon:
        daemon.stop()
    log.info("stopped")
    return 0


def _refuse_wrong_addresses(base_url: str, port: int) -> None:
    """Every link and address to copy is made from `feeds.base_url`: when it names this machine
    on another port than the one served, every one of them would lead nowhere. Refused, naming
    the key (a `base_url` of another host, a proxy's, may well differ from the port served)."""
    from urllib.parse import urlsplit

    parts = urlsplit(base_url)
    named = parts.port or (443 if parts.scheme == "https" else 80)
    if parts.hostname in ("127.0.0.1", "localhost", "::1") and port not in (0, named):
        raise ConfigError(f"feeds.base_url is {base_url}, but feeds serve would listen on port {port}: every link of "
                          f"every page and feed would lead to port {named}; set feeds.base_url to "
                          f"{parts.scheme}://{parts.hostname}:{port}/ or serve on port {named}")


def health(config: ConfigWatch) -> dict[str, Any]:
    """`/healthz`: the verdict of `feeds status --check`; a store that cannot be read, or a config
    file edited into one that does not validate, is unhealthy."""
    config.refresh()
    settings = config.settings
    edited = [f"the configuration cannot be used: {config.error}"] if config.error else []
    if not settings.paths.state.is_file():
        return {"healthy": False, "problems": [*edited, f"no store at {settings.paths.state}: no run yet"], "facts": []}
    try:
        found = verdict(status(settings), time.time(), settings.watch.stale_after).as_json()
    except StoreError as exc:
        return {"healthy": False, "problems": [*edited, f"the store cannot be read: {exc}"], "facts": []}
    return found | {"healthy": found["healthy"] and not edited, "problems": [*edited, *found["problems"]]}
