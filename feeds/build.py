"""One publishing run, the library core under `feeds build` and every `feeds watch` tick.

seeds -> store -> feeds on disk, under the run lock. Work is proportional to what changed: a seed
file whose size and mtime (or, failing those, whose SHA-256) match the store is not read again,
and only feeds marked dirty by an ingest or a retention prune, rendered with other settings, or
missing on disk are rendered; a rendered feed whose bytes match the file is not rewritten.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from feeds.classify import to_article
from feeds.lock import exclusive
from feeds.models import FILE_REJECTED, RECORD_SKIPPED, WARNING, Problem
from feeds.parse import NotText, decode, parse_dump
from feeds.publish import classification_signature, publish
from feeds.settings import ConfigError, Settings
from feeds.store import IngestCounts, SeedFile, Store
from feeds.timing import SECOND
from feeds.websub import deliver
from feeds.write import OutputError, remove_stale_temporaries

SEED_PATTERN = "*.txt"
# A dump still being written or left by an editor is never read.
IGNORED_SUFFIXES = (".part", ".tmp", "~")
DAY_SECONDS = 86_400
CLOCK_SKEW_SECONDS = 1
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
    hub_notified: int = 0
    hub_deferred: int = 0
    hub_given_up: int = 0
    outputs_written: list[str] = field(default_factory=list)
    outputs_unchanged: int = 0
    outputs_removed: list[str] = field(default_factory=list)
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
        if self.hub_notified or self.hub_deferred or self.hub_given_up:
            text += f"; WebSub hub: {self.hub_notified} notified, {self.hub_deferred} to retry, {self.hub_given_up} given up"
        return text + ("; stopped early, the rest is left for the next run" if self.stopped_early else "")

    def as_fields(self) -> dict[str, object]:
        """The figures for a JSON log line (problems are logged one by one instead)."""
        fields = asdict(self)
        del fields["problems"]
        fields["files_read"] = self.files_read
        return fields


def is_seed(path: Path) -> bool:
    """Dump files only: `*.txt`, neither hidden nor named like a temporary or backup file."""
    return path.match(SEED_PATTERN) and not path.name.startswith(".") and not path.name.endswith(IGNORED_SUFFIXES)


def seed_files(folder: Path) -> list[tuple[Path, os.stat_result]]:
    """Dump files with their stat, oldest mtime first, so later content revises earlier."""
    found = [(path, path.stat()) for path in folder.glob(SEED_PATTERN) if is_seed(path) and path.is_file()]
    return sorted(found, key=lambda item: (item[1].st_mtime_ns, item[0].name))


def ingest_seeds(store: Store, settings: Settings, report: BuildReport, now: float,
                 should_stop: Callable[[], bool], on_problem: Callable[[Problem], None]) -> None:
    settled_before = (now - settings.watch.settle_seconds) * 1e9
    clock_skew_after = (now + CLOCK_SKEW_SECONDS) * 1e9
    present = seed_files(settings.paths.seeds)
    # A dump that is gone leaves its articles published; only its bookkeeping goes.
    store.forget_seed_files_except({path.name for path, _ in present})
    for path, stat in present:
        report.files_seen += 1
        known = store.seed_file(path.name)
        if known and (known.size, known.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            report.files_unchanged += 1
            continue
        if settled_before < stat.st_mtime_ns <= clock_skew_after:
            # Written to within the settle period: perhaps still being written. Next run. (A mtime
            # further in the future says nothing about writing, only about another clock.)
            report.files_deferred += 1
            continue
        if should_stop():
            report.stopped_early = True
            return
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if known and known.sha256 == digest:
            store.record_seed_file(SeedFile(path.name, stat.st_size, stat.st_mtime_ns, digest, known.problems))
            report.files_unchanged += 1
            continue
        if known:
            report.files_changed += 1
        else:
            report.files_new += 1
        seed = SeedFile(path.name, stat.st_size, stat.st_mtime_ns, digest, ())
        try:
            problems = ingest_file(store, seed, data, settings, report)
        except Exception as exc:
            log.debug("ingesting %s failed", path.name, exc_info=True)
            problems = [Problem(path.name, None, f"could not be ingested ({type(exc).__name__}: {exc})", FILE_REJECTED)]
            store.record_seed_file(SeedFile(path.name, stat.st_size, stat.st_mtime_ns, digest, tuple(map(str, problems))))
        report.files_rejected += any(p.outcome == FILE_REJECTED for p in problems)
        report.records_skipped += sum(p.outcome == RECORD_SKIPPED for p in problems)
        for problem in problems:
            on_problem(problem)
        report.problems.extend(problems)


def ingest_file(store: Store, seed: SeedFile, data: bytes, settings: Settings, report: BuildReport) -> list[Problem]:
    """One seed file into the store in one transaction, with its fingerprint and its problems."""
    problems: list[Problem] = []
    counts = IngestCounts()
    with store.transaction():
        try:
            dump = parse_dump(decode(data), seed.name)
        except NotText as exc:
            problems.append(Problem(seed.name, None, str(exc), FILE_REJECTED))
        else:
            problems.extend(dump.problems)
            if dump.section and not dump.records and not dump.problems:
                problems.append(Problem(seed.name, None, "no records found", WARNING))
            articles = [to_article(record, dump.section, settings.feeds, settings.topics) for record in dump.records]
            counts = store.ingest(articles, revised_at=seed.mtime_ns // 1000)
        store.record_seed_file(replace(seed, problems=tuple(map(str, problems))))
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
    Raises `lock.Busy` when another run holds the lock past `watch.lock_timeout_seconds`.
    `should_stop` is asked between files and between feeds: a stopped run leaves everything
    consistent, and what it did not do is still marked to do."""
    started = time.monotonic()
    if not settings.paths.seeds.is_dir():
        raise ConfigError(f"paths.seeds: {settings.paths.seeds} is not a folder")
    check_output(settings.paths.out)
    report = BuildReport()
    with exclusive(settings.paths.state, settings.watch.lock_timeout_seconds):
        store = Store(settings.paths.state, settings)
        try:
            if store.meta(PUBLISHING_KEY) != "done":
                # The last run died while writing (or there was none): sweep its temporary files.
                remove_stale_temporaries(settings.paths.out)
            with store.transaction():
                report.articles_reclassified = store.reclassify(classification_signature(settings))
            ingest_seeds(store, settings, report, now(), should_stop, on_problem)
            apply_retention(store, settings, report, now())
            if not report.stopped_early:
                store.set_meta(PUBLISHING_KEY, "started")
                published = publish(store, settings, should_stop)
                store.set_meta(PUBLISHING_KEY, "done")
                report.outputs_written, report.outputs_unchanged = published.written, published.unchanged
                report.outputs_removed = published.removed
                report.stopped_early = published.stopped_early
            report.duration_seconds = time.monotonic() - started
            store.record_run(now(), report.summary())
        finally:
            store.close()
    if settings.websub.hub:
        # Outside the lock: a slow hub delays nobody's run, and publishing is already done.
        store = Store(settings.paths.state, settings)
        try:
            delivery = deliver(store, settings, now())
            report.hub_notified, report.hub_deferred = len(delivery.sent), delivery.deferred
            report.hub_given_up = len(delivery.given_up)
        finally:
            store.close()
    return report
