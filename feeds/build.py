"""One publishing run, the library core under `feeds build` and every `feeds watch` tick.

seeds -> store -> feeds on disk, under the run lock. Work is proportional to what changed: a seed
file whose size and times (or, failing those, whose SHA-256) match the store is not read again,
and only feeds marked dirty by an ingest or a retention prune, rendered with other settings, or
missing on disk are rendered; a rendered feed whose bytes match the file is not rewritten.

One bad thing is one bad thing: a file that cannot be read, decoded or parsed is rejected, a record
that cannot be classified or stored is skipped, each with its reason, and the rest is published.
Only the store, the output folder and the lock can stop a run.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import timedelta
from pathlib import Path

from feeds import __version__
from feeds.classify import to_article
from feeds.lock import exclusive
from feeds.models import ARTICLE_QUARANTINED, FEED_NOT_WRITTEN, FILE_REJECTED, RECORD_SKIPPED, WARNING, Problem
from feeds.parse import NotText, decode, parse_dump
from feeds.publish import classification_signature, publish
from feeds.settings import ConfigError, Settings
from feeds.store import LAST_DUMP_KEY, IngestCounts, SeedFile, Store, StoreError, failure_message, is_store_failure
from feeds.timing import SECOND, to_datetime
from feeds.websub import deliver
from feeds.write import OutputError, remove_stale_temporaries

SEED_PATTERN = "*.txt"
# A dump still being written or left by an editor is never read.
IGNORED_SUFFIXES = (".part", ".tmp", "~")
DAY_SECONDS = 86_400
CLOCK_SKEW_SECONDS = 1
MAX_FILE_BYTES = 32 * 1024 * 1024  # the seed dumps are 50 kB; see README, "When things go wrong"
PUBLISHING_KEY = "publishing"
RETENTION_KEY = "retention"
log = logging.getLogger("feeds.build")


@dataclass
class BuildReport:
    files_seen: int = 0
    files_new: int = 0
    files_changed: int = 0
    files_unchanged: int = 0
    files_deferred: int = 0
    files_rejected: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    articles_merged: int = 0
    articles_removed: int = 0
    records_skipped: int = 0
    articles_reclassified: int = 0
    articles_quarantined: int = 0
    hub_notified: int = 0
    hub_deferred: int = 0
    hub_given_up: int = 0
    outputs_written: list[str] = field(default_factory=list)
    outputs_unchanged: int = 0
    outputs_removed: list[str] = field(default_factory=list)
    feeds_not_written: int = 0
    stopped_early: bool = False
    duration_seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)

    @property
    def files_read(self) -> int:
        return self.files_new + self.files_changed

    def summary(self) -> str:
        text = (
            f"files: {self.files_seen} seen, {self.files_read} read ({self.files_new} new, {self.files_changed} changed), "
            f"{self.files_unchanged} unchanged, {self.files_deferred} still being written, {self.files_rejected} rejected; "
            f"articles: {self.articles_new} new, {self.articles_updated} updated, {self.articles_unchanged} unchanged, "
            f"{self.articles_merged} merged as duplicates, {self.articles_removed} removed by retention, "
            f"{self.articles_reclassified} reclassified, {self.records_skipped} records skipped; "
            f"output files: {len(self.outputs_written)} written, {self.outputs_unchanged} unchanged, "
            f"{len(self.outputs_removed)} removed; {self.duration_seconds:.2f} s"
        )
        if self.articles_quarantined or self.feeds_not_written:
            text += f"; held back: {self.articles_quarantined} articles quarantined, {self.feeds_not_written} feeds not written"
        if self.hub_notified or self.hub_deferred or self.hub_given_up:
            text += f"; WebSub hub: {self.hub_notified} notified, {self.hub_deferred} to retry, {self.hub_given_up} given up"
        return text + ("; stopped early, the rest is left for the next run" if self.stopped_early else "")

    def as_fields(self) -> dict[str, object]:
        """The figures for a JSON log line (problems are logged one by one instead)."""
        fields = asdict(self)
        del fields["problems"]
        fields["files_read"] = self.files_read
        return fields

    def add(self, problem: Problem, on_problem: Callable[[Problem], None]) -> None:
        self.problems.append(problem)
        on_problem(problem)


@dataclass(frozen=True)
class Candidate:
    """A file in the seeds folder: its path, its name as people can read it, its stat."""

    path: Path
    name: str
    stat: os.stat_result


def printable(name: str) -> str:
    """A file name as a log line and the store can carry it: bytes that are not UTF-8 as `\\xff`,
    control characters escaped, a backslash doubled, so two names never print alike."""
    shown = []
    for char in name:
        if 0xDC80 <= ord(char) <= 0xDCFF:  # an undecodable byte, as os.fsdecode keeps it
            shown.append(f"\\x{ord(char) - 0xDC00:02x}")
        elif char == "\\":
            shown.append("\\\\")
        elif not char.isprintable():
            shown.append(char.encode("unicode_escape").decode("ascii"))
        else:
            shown.append(char)
    return "".join(shown)


def is_seed(path: Path) -> bool:
    """Dump files only: `*.txt`, neither hidden nor named like a temporary or backup file."""
    return path.match(SEED_PATTERN) and not path.name.startswith(".") and not path.name.endswith(IGNORED_SUFFIXES)


def seed_files(folder: Path) -> list[Candidate]:
    """Dump files with their stat, oldest mtime first, so later content revises earlier. A file
    that vanishes while being listed is simply not there."""
    found = []
    try:
        entries = list(os.scandir(folder))
    except OSError as exc:
        raise ConfigError(f"paths.seeds: {folder} cannot be listed: {exc.strerror or exc}") from None
    for entry in entries:
        path = Path(entry.path)
        if not is_seed(path):
            continue
        try:
            if not entry.is_file():
                continue
            stat = entry.stat()
        except OSError:
            continue
        found.append(Candidate(path, printable(entry.name), stat))
    return sorted(found, key=lambda seed: (seed.stat.st_mtime_ns, seed.name))


def written_at(mtime_ns: int, now: float) -> tuple[int, str | None]:
    """When a dump was written, in microseconds, and why its mtime was not believed, if it was
    not: an mtime before 1970 or more than a second ahead of the clock says nothing about when
    the dump was written, so the time it was read stands in for it."""
    now_us = int(now * SECOND)
    if mtime_ns < 0:
        return now_us, "modification time before 1970: taken as the time it was read"
    if mtime_ns > (now + CLOCK_SKEW_SECONDS) * 1e9:
        return now_us, f"modification time {_when(mtime_ns)} is in the future: taken as the time it was read"
    return mtime_ns // 1000, None


def _when(ns: int) -> str:
    try:
        return to_datetime(ns // 1000).isoformat(timespec="seconds")
    except (OverflowError, ValueError, OSError):
        return f"{ns // 10**9} s after 1970"


def read_bounded(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, refusing (ValueError) a file over the limit without reading it all."""
    with open(path, "rb") as stream:
        if os.fstat(stream.fileno()).st_size > limit:
            raise ValueError(f"larger than the {limit // 2**20} MiB a dump may have")
        data = stream.read(limit + 1)  # it may have grown since
    if len(data) > limit:
        raise ValueError(f"larger than the {limit // 2**20} MiB a dump may have")
    return data


def ingest_seeds(store: Store, settings: Settings, report: BuildReport, now: float,
                 should_stop: Callable[[], bool], on_problem: Callable[[Problem], None]) -> None:
    present = seed_files(settings.paths.seeds)
    # A dump that is gone leaves its articles published; only its bookkeeping goes.
    store.forget_seed_files_except({seed.name for seed in present})
    for seed in present:
        report.files_seen += 1
        if should_stop():
            report.stopped_early = True
            return
        try:
            problems = list(_consider(store, settings, seed, report, now))
        except Exception as exc:
            if is_store_failure(exc):
                raise
            log.debug("ingesting %s failed", seed.name, exc_info=True)
            problems = [Problem(seed.name, None, f"could not be ingested ({type(exc).__name__}: {exc})", FILE_REJECTED)]
            store.record_seed_file(_fingerprint(seed, "", problems))
        report.files_rejected += any(p.outcome == FILE_REJECTED for p in problems)
        report.records_skipped += sum(p.outcome == RECORD_SKIPPED for p in problems)
        for problem in problems:
            report.add(problem, on_problem)


def _fingerprint(seed: Candidate, digest: str, problems: list[Problem]) -> SeedFile:
    return SeedFile(seed.name, seed.stat.st_size, seed.stat.st_mtime_ns, digest, tuple(problems),
                    seed.stat.st_ctime_ns, __version__)


def _consider(store: Store, settings: Settings, seed: Candidate, report: BuildReport, now: float) -> Iterator[Problem]:
    """Read one seed file if it is new or changed and has settled; yield what was wrong with it."""
    known = store.seed_file(seed.name)
    stat = seed.stat
    fresh = _fingerprint(seed, "", [])
    # A file held back by another version of the program is read again: the new one may take it.
    retry = known is not None and bool(known.problems) and known.version != __version__
    if known and (known.size, known.mtime_ns, known.ctime_ns) == (fresh.size, fresh.mtime_ns, fresh.ctime_ns) and not retry:
        report.files_unchanged += 1
        return
    if (now - settings.watch.settle_seconds) * 1e9 < stat.st_mtime_ns <= (now + CLOCK_SKEW_SECONDS) * 1e9:
        # Written to within the settle period: perhaps still being written. Next run. (A mtime
        # further in the future says nothing about writing, only about another clock.)
        report.files_deferred += 1
        return
    try:
        data = read_bounded(seed.path)
    except (OSError, ValueError) as exc:
        reason = f"cannot be read: {exc.strerror}" if isinstance(exc, OSError) and exc.strerror else str(exc)
        problem = Problem(seed.name, None, reason, FILE_REJECTED)
        store.record_seed_file(_fingerprint(seed, "", [problem]))
        yield problem
        return
    digest = hashlib.sha256(data).hexdigest()
    if known and known.sha256 == digest and not retry:
        store.record_seed_file(replace(fresh, sha256=digest, problems=known.problems))
        report.files_unchanged += 1
        return
    if known:
        report.files_changed += 1
    else:
        report.files_new += 1
    yield from ingest_file(store, replace(fresh, sha256=digest), data, settings, report, now)


def ingest_file(store: Store, seed: SeedFile, data: bytes, settings: Settings, report: BuildReport,
                now: float) -> list[Problem]:
    """One seed file into the store in one transaction, with its fingerprint and its problems:
    a record that cannot be classified or stored is skipped alone."""
    revised_at, distrust = written_at(seed.mtime_ns, now)
    problems = [Problem(seed.name, None, distrust, WARNING)] if distrust else []
    # A record dated after tomorrow (in Kazakhstan) cannot be news yet, and would pin every feed's
    # `updated` in the future. Judged against the clock, not the mtime: a file copied with its
    # times kept from a machine with a wrong clock can look older than what it holds.
    latest = to_datetime(int(now * SECOND)).date() + timedelta(days=1)
    counts = IngestCounts()
    with store.transaction():
        try:
            dump = parse_dump(decode(data), seed.name, latest)
        except NotText as exc:
            problems.append(Problem(seed.name, None, str(exc), FILE_REJECTED))
        else:
            problems.extend(dump.problems)
            if dump.section and not dump.records and not dump.problems:
                problems.append(Problem(seed.name, None, "no records found", WARNING))
            articles = []
            for record in dump.records:
                try:
                    articles.append(to_article(record, dump.section, settings.feeds, settings.topics))
                except Exception as exc:  # noqa: BLE001 (whatever it is, it is this record's alone)
                    problems.append(Problem(seed.name, record.line, f"could not be classified ({type(exc).__name__}: {exc})"))
            counts = store.ingest(articles, revised_at=revised_at)
            problems.extend(Problem(seed.name, article.line, reason) for article, reason in counts.failed)
        store.record_seed_file(replace(seed, problems=tuple(problems)))
        store.set_meta(LAST_DUMP_KEY, repr(now))
    # Counted only once the transaction committed, so a failed file adds nothing to the report.
    report.articles_new += counts.new
    report.articles_updated += counts.updated
    report.articles_unchanged += counts.unchanged
    report.articles_merged += counts.merged
    return problems


def apply_retention(store: Store, settings: Settings, report: BuildReport, now: float) -> None:
    """Prune only when it can remove something: the count grows only with new articles, and the
    age limit is probed with one indexed lookup, so an idle run costs nothing here."""
    keep = settings.retention
    cutoff = None if keep.max_age_days is None else int((now - keep.max_age_days * DAY_SECONDS) * SECOND)
    if cutoff is not None and not store.has_articles_before(cutoff):
        cutoff = None
    rules = keep.model_dump_json()
    max_articles = keep.max_articles if report.articles_new or store.meta(RETENTION_KEY) != rules else None
    if cutoff is None and max_articles is None:
        return
    with store.transaction():
        report.articles_removed += store.prune(cutoff, max_articles)
        store.set_meta(RETENTION_KEY, rules)


def check_output(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder {out}: {exc.strerror or exc}") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputError(f"the output folder {out} is not writable")


def build(
    settings: Settings,
    on_problem: Callable[[Problem], None] = lambda problem: None,
    now: Callable[[], float] = time.time,
    should_stop: Callable[[], bool] = lambda: False,
) -> BuildReport:
    """Ingest new and changed seed files, apply retention, then write the feeds that changed.
    Raises `lock.Busy` when another run holds the lock past `watch.lock_timeout_seconds`,
    `lock.LockError` or `StoreError` when the lock or the store cannot be used, `OutputError`
    when `out/` cannot be written. `should_stop` is asked between files and between feeds: a
    stopped run leaves everything consistent, and what it did not do is still marked to do."""
    report = BuildReport()
    state = settings.paths.state
    try:
        with exclusive(state, settings.watch.lock_timeout_seconds):
            store = Store(state, settings)
            try:
                _run(store, settings, report, on_problem, now, should_stop)
            except Exception as exc:
                if not is_store_failure(exc):
                    _record_failure(store, now(), report, str(exc) if isinstance(exc, (OutputError, ConfigError))
                                    else f"{type(exc).__name__}: {exc}")
                raise
            finally:
                store.close()
    except sqlite3.Error as exc:
        raise StoreError(failure_message(state, exc)) from None
    if settings.websub.hub:
        # Outside the lock: a slow hub delays nobody's run, and publishing is already done.
        store = Store(state, settings)
        try:
            delivery = deliver(store, settings, now())
            report.hub_notified, report.hub_deferred = len(delivery.sent), delivery.deferred
            report.hub_given_up = len(delivery.given_up)
        finally:
            store.close()
    return report


def _run(store: Store, settings: Settings, report: BuildReport, on_problem: Callable[[Problem], None],
         now: Callable[[], float], should_stop: Callable[[], bool]) -> None:
    started = time.monotonic()
    if not settings.paths.seeds.is_dir():
        raise ConfigError(f"paths.seeds: {settings.paths.seeds} is not a folder")
    check_output(settings.paths.out)
    if store.meta(PUBLISHING_KEY) != "done":
        # The last run died while writing (or there was none): sweep its temporary files.
        remove_stale_temporaries(settings.paths.out)
    with store.transaction():
        report.articles_reclassified = store.reclassify(classification_signature(settings))
        store.release_quarantined(__version__)
    ingest_seeds(store, settings, report, now(), should_stop, on_problem)
    apply_retention(store, settings, report, now())
    if not report.stopped_early:
        store.set_meta(PUBLISHING_KEY, "started")
        published = publish(store, settings, should_stop, now())
        store.set_meta(PUBLISHING_KEY, "done")
        report.outputs_written, report.outputs_unchanged = published.written, published.unchanged
        report.outputs_removed = published.removed
        report.stopped_early = published.stopped_early
        report.articles_quarantined = sum(p.outcome == ARTICLE_QUARANTINED for p in published.problems)
        report.feeds_not_written = sum(p.outcome == FEED_NOT_WRITTEN for p in published.problems)
        for problem in published.problems:
            report.add(problem, on_problem)
    report.duration_seconds = time.monotonic() - started
    store.record_run(now(), report.summary())


def _record_failure(store: Store, when: float, report: BuildReport, error: str) -> None:
    """A failed run is remembered for `feeds status --check`, if the store can still take it."""
    try:
        store.record_run(when, report.summary(), error)
    except sqlite3.Error:
        log.debug("could not record the failed run", exc_info=True)
