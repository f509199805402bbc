"""One publishing run, the library core under `feeds build` and every `feeds watch` tick, and what
`feeds status` reads back.

seeds -> store -> feeds on disk, under the run lock. Work is proportional to what changed: a seed
file whose size and times (or, failing those, whose SHA-256) match the store is not read again,
and only feeds marked dirty by an ingest or a retention prune, rendered with other settings, or
missing on disk are rendered; a rendered feed whose bytes match the file is not rewritten. Only
the store, the output folder and the lock can stop a run; a failed run is remembered for
`feeds status --check`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from feeds import __version__, publish, search, signatures
from feeds.catalogue import Catalogue
from feeds.ingest import LAST_DUMP_KEY, Ingest, IngestReport
from feeds.lock import exclusive
from feeds.lock import held as held_lock
from feeds.models import (
    ARTICLE_QUARANTINED,
    FEED_NOT_WRITTEN,
    FILE_REJECTED,
    RECORD_SKIPPED,
    Problem,
    QuarantinedArticle,
    StageReport,
    Status,
)
from feeds.progress import Progress
from feeds.publish import Target
from feeds.settings import ConfigError, RetentionSettings, Settings
from feeds.store import ARTICLE, FEED, PAGE, SHARD, Store, StoreError
from feeds.timing import SECOND
from feeds.websub import deliver
from feeds.write import OutputError, flush, remove_stale_temporaries

DAY_SECONDS = 86_400
PUBLISHING_KEY = "publishing"
# The stage a run is in; empty once a run has finished every stage and flushed its last file.
STAGE_KEY = "run_stage"
INTERRUPTED_KEY = "interrupted_stage"  # where the last run that did not finish stopped, until one does
# The stages of a run, in order, in words for `feeds status` ("publish" is what stores of 0.4 say).
STAGES = {"ingest": "reading dumps", "retention": "applying retention", "render": "rendering entries and pages",
          "feeds": "writing feeds", "site": "writing the site pages", "sync": "flushing out/ to disk",
          "search": "building the search index", "publish": "publishing feeds and pages"}
FEEDS_COMPLETE_KEY = "feeds_complete_at"  # when a run last had every feed, archive and page out and flushed
SEARCH_COMPLETE_KEY = "search_complete_at"  # when a run last left no page out of the search index
RETENTION_KEY = "retention"


@dataclass
class BuildReport(IngestReport):
    articles_removed: int = 0
    articles_reclassified: int = 0
    articles_quarantined: int = 0
    hub_notified: int = 0
    hub_deferred: int = 0
    hub_given_up: int = 0
    feeds_not_written: int = 0
    search_shards_built: int = 0
    search_pages_indexed: int = 0
    search_seconds: float = 0.0
    feeds_seconds: float = 0.0  # from the start of the run until the feeds were out and flushed
    duration_seconds: float = 0.0
    # Seconds per stage (ingest, retention, render, feeds, site, sync, search): where a slow run went.
    stage_seconds: dict[str, float] = field(default_factory=dict)

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
            f"output files: {len(self.written)} written, {self.unchanged} unchanged, "
            f"{len(self.removed)} removed; {self.duration_seconds:.2f} s"
        )
        if self.articles_quarantined or self.feeds_not_written:
            text += f"; held back: {self.articles_quarantined} articles quarantined, {self.feeds_not_written} feeds not written"
        if self.search_shards_built:
            text += (f"; feeds out after {self.feeds_seconds:.2f} s, then the search index: "
                     f"{self.search_shards_built} shards built ({self.search_pages_indexed} pages)")
        if self.hub_notified or self.hub_deferred or self.hub_given_up:
            text += f"; WebSub hub: {self.hub_notified} notified, {self.hub_deferred} to retry, {self.hub_given_up} given up"
        return text + ("; stopped early, the rest is left for the next run" if self.stopped_early else "")

    def as_fields(self) -> dict[str, object]:
        """The figures for a JSON log line: counts, not the lists of files (a cold build writes
        thousands); problems are logged one by one instead."""
        fields = asdict(self)
        for name in ("problems", "written", "unchanged", "removed"):
            del fields[name]
        fields |= {"outputs_written": len(self.written), "outputs_unchanged": self.unchanged, "outputs_removed": len(self.removed)}
        fields["files_read"] = self.files_read
        fields["stage_seconds"] = {stage: round(seconds, 3) for stage, seconds in self.stage_seconds.items()}
        fields["search_seconds"] = round(self.search_seconds, 3)
        fields["feeds_seconds"] = round(self.feeds_seconds, 3)
        return fields


def apply_retention(store: Store, keep: RetentionSettings, articles_new: int, now: float) -> int:
    """The retention stage; returns how many articles it removed. Prune only when it can remove
    something: the count grows only with new articles, and the age limit is probed with one
    indexed lookup, so an idle run costs nothing here."""
    cutoff = None if keep.max_age_days is None else int((now - keep.max_age_days * DAY_SECONDS) * SECOND)
    if cutoff is not None and not store.retention.has_articles_before(cutoff):
        cutoff = None
    rules = keep.model_dump_json()
    max_articles = keep.max_articles if articles_new or store.meta(RETENTION_KEY) != rules else None
    if cutoff is None and max_articles is None:
        return 0
    # What goes: everything published before the age limit, and everything older than the newest
    # `max_articles` (published before the last of them); both are "before an instant".
    newest = None if max_articles is None else store.retention.newest_published(max_articles)
    threshold = max((instant for instant in (cutoff, newest) if instant is not None), default=None)
    with store.transaction():
        removed = 0 if threshold is None else store.retention.prune(threshold)
        store.set_meta(RETENTION_KEY, rules)
    return removed


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
    progress: Progress | None = None,
) -> BuildReport:
    """Ingest new and changed seed files, apply retention, then write the feeds that changed.
    Raises `lock.Busy` when another run holds the lock past `watch.lock_timeout_seconds`,
    `lock.LockError` or `StoreError` when the lock or the store cannot be used, `OutputError`
    when `out/` cannot be written. `should_stop` is asked between files and between feeds: a
    stopped run leaves everything consistent, and what it did not do is still marked to do."""
    report = BuildReport()
    with exclusive(settings.paths.state, settings.watch.lock_timeout_seconds):
        store = Store(settings.paths.state)
        if (left := store.meta(STAGE_KEY)) and not store.meta(INTERRUPTED_KEY):
            store.set_meta(INTERRUPTED_KEY, left)  # the last run stopped there: so it stays said until one finishes
        try:
            _run(store, settings, report, on_problem, now, should_stop, progress or Progress())
        except StoreError:
            raise
        except Exception as exc:
            # Remembered for `feeds status --check`, if the store can still take it.
            message = str(exc) if isinstance(exc, (OutputError, ConfigError)) else f"{type(exc).__name__}: {exc}"
            store.runs.record(now(), report.summary(), message)
            raise
        finally:
            store.close()
    if settings.websub.hub:
        # Outside the lock: a slow hub delays nobody's run, and publishing is already done.
        store = Store(settings.paths.state)
        try:
            delivery = deliver(store, settings.websub, now(), should_stop)
            report.hub_notified, report.hub_deferred = len(delivery.sent), delivery.deferred
            report.hub_given_up = len(delivery.given_up)
        finally:
            store.close()
    return report


def _run(store: Store, settings: Settings, report: BuildReport, on_problem: Callable[[Problem], None],
         now: Callable[[], float], should_stop: Callable[[], bool], progress: Progress) -> None:
    started = time.monotonic()
    if not settings.paths.seeds.is_dir():
        raise ConfigError(f"paths.seeds: {settings.paths.seeds} is not a folder")
    check_output(settings.paths.out)
    if store.meta(PUBLISHING_KEY) == "started":
        # The last run stopped while writing, before its files were flushed: sweep its temporary
        # files, and render everything again, article pages included (only files whose bytes
        # differ are written).
        remove_stale_temporaries(settings.paths.out)
        with store.transaction():
            store.feeds.forget_renderings()
            store.renderings.forget_fragments()  # article pages are written with the fragments
    elif store.meta(PUBLISHING_KEY) is None:
        remove_stale_temporaries(settings.paths.out)
    catalogue = Catalogue.of(settings)
    ingest = Ingest(store, settings, catalogue, should_stop, progress)
    target = Target.of(settings, catalogue)
    with store.transaction():
        report.articles_reclassified = ingest.reclassify(signatures.classification(settings))
        ingest.release_quarantined(target.page_signature)
    out = settings.paths.out

    def ingested() -> StageReport:
        done = ingest.seeds(now())
        report.add(done)
        return done

    def retained() -> StageReport:
        report.articles_removed += apply_retention(store, settings.retention, report.articles_new, now())
        return StageReport()

    def flushed() -> StageReport:
        flush(out)
        # The feeds, archives and pages are out and flushed; the search index follows them.
        store.set_meta(PUBLISHING_KEY, "done")
        report.feeds_seconds = time.monotonic() - started
        if not report.feeds_not_written:
            store.set_meta(FEEDS_COMPLETE_KEY, repr(now()))
        return StageReport()

    def indexed() -> StageReport:
        searched = search.update(store, out, settings.search.enabled, should_stop, progress)
        report.search_seconds = searched.seconds  # Pagefind's own time
        report.search_shards_built, report.search_pages_indexed = searched.shards_built, searched.pages_indexed
        if settings.search.enabled and not store.search.due():
            store.set_meta(SEARCH_COMPLETE_KEY, repr(now()))
        return searched

    def publishing(stage: Callable[..., StageReport]) -> Callable[[], StageReport]:
        def run_stage() -> StageReport:
            store.set_meta(PUBLISHING_KEY, "started")  # until flushed: a crash before then renders all again
            done = stage(store, target, should_stop, now(), progress)
            report.articles_quarantined += sum(p.outcome == ARTICLE_QUARANTINED for p in done.problems)
            report.feeds_not_written += sum(p.outcome == FEED_NOT_WRITTEN for p in done.problems)
            return done
        return run_stage

    # One straight pipeline: each stage returns what it did the same way; a stop request (or a
    # stage that ends early) ends the run at the boundary after it, and nothing else does.
    pipeline = [("ingest", ingested), ("retention", retained),
                *((name, publishing(stage)) for name, stage in publish.STAGES), ("sync", flushed), ("search", indexed)]
    for name, stage in pipeline:
        with _stage(store, report.stage_seconds, name):
            done = stage()
        report.take(done)
        for problem in done.problems:
            on_problem(problem)
        if report.stopped_early or (name != "search" and should_stop()):
            report.stopped_early = True
            if store.meta(PUBLISHING_KEY) == "started":
                flush(out)  # what was written stays written: the next run goes on from here
                store.set_meta(PUBLISHING_KEY, "done")
            break
    else:
        with store.transaction():  # every stage done and flushed: complete
            store.set_meta(STAGE_KEY, "")
            store.set_meta(INTERRUPTED_KEY, "")
    report.duration_seconds = time.monotonic() - started
    store.runs.record(now(), report.summary())


@contextmanager
def _stage(store: Store, stages: dict[str, float], stage: str) -> Iterator[None]:
    """A stage of the run: remembered as the one under way (so that a run that never finishes is
    reported as stopped in it), and timed into `stages`: the one place stages are timed."""
    store.set_meta(STAGE_KEY, stage)
    started = time.monotonic()
    try:
        yield
    finally:
        stages[stage] = stages.get(stage, 0.0) + time.monotonic() - started



def status(settings: Settings) -> Status:
    """What the store holds, for `feeds status` and the health verdict: counts, the last run,
    the last new dump, what no run has finished, and everything held back with its reason."""
    store = Store(settings.paths.state, read_only=True)
    try:
        stage, interrupted = store.meta(STAGE_KEY), store.meta(INTERRUPTED_KEY)
        troubled = store.seeds.problems()
        held = store.held.all()
        arrived = store.meta(LAST_DUMP_KEY)
        feeds_at, search_at = store.meta(FEEDS_COMPLETE_KEY), store.meta(SEARCH_COMPLETE_KEY)
        counts = store.articles.counts()
        return Status(
            articles=counts.articles, by_language=counts.by_language, by_category=counts.by_category,
            feeds=counts.feeds, seed_files=counts.seed_files, version=__version__, last_run=store.runs.last(),
            last_new_dump_at=float(arrived) if arrived else None,
            feeds_complete_at=float(feeds_at) if feeds_at else None,
            search_complete_at=float(search_at) if search_at else None,
            search_pages_due=store.search.due(),
            files_with_problems={name: [str(problem) for problem in found] for name, found in troubled.items()},
            files_rejected=sum(any(p.outcome == FILE_REJECTED for p in found) for found in troubled.values()),
            records_skipped=sum(p.count for found in troubled.values() for p in found if p.outcome == RECORD_SKIPPED),
            quarantined_articles=[QuarantinedArticle(h.subject, h.title, h.reason, h.since) for h in held if h.kind == ARTICLE],
            feeds_not_written={h.subject: h.reason for h in held if h.kind == FEED},
            pages_not_written={h.subject: h.reason for h in held if h.kind == PAGE},
            search_shards_not_built={h.subject: h.reason for h in held if h.kind == SHARD},
            run_in_progress=held_lock(settings.paths.state),
            run_stage=STAGES.get(stage, stage) if stage else None,
            interrupted_stage=STAGES.get(interrupted, interrupted) if interrupted else None,
        )
    finally:
        store.close()
