"""Store -> files in `out/`: each changed feed's subscription document, its RSS and JSON twins, its
embed page and the archive pages that changed (planned by `archive`); then the site pages (index,
OPML, assets) when anything did.

One feed is one unit of failure: a feed that cannot be written is named and left marked to do; an
article that cannot be rendered, even alone, is quarantined and its feeds are written without it;
an article page that cannot be written is held back (listed by `feeds status`) until it is. Only
`out/` itself failing (`OutputError`) or the store failing (`StoreError`) stops publishing.

What the store says is published is checked on disk first, every run: each feed's documents and
embed page and the site pages every time, article pages and archive pages in turns
(`VERIFY_PAGES` a run: a pass over a million takes 500 runs). One that is missing, empty
or has something else in its place is written again, even when nothing in it changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from feeds import archive, article_pages, identity, layout, pages, render, signatures, websub
from feeds.article_pages import Translation
from feeds.catalogue import Catalogue, FeedDocument
from feeds.models import ARTICLE_QUARANTINED, FEED_NOT_WRITTEN, PAGE_NOT_WRITTEN, WARNING, Entry, FeedState, Problem, StageReport
from feeds.pool import Pool
from feeds.progress import Progress
from feeds.render import Links
from feeds.settings import InterfaceSettings, Settings
from feeds.store import ARTICLE, FEED, PAGE, Store, StoreError, packed_fragments
from feeds.timing import SECOND
from feeds.write import OutputError, intact, is_global_failure, remove, write_if_changed

SITE_KEY = "site_signature"
FRAGMENTS_KEY = "fragment_signature"
PAGES_KEY = "page_signature"
RENDER_BATCH = 2000
GONE_BATCH = 100_000  # pages of removed articles deleted per run
VERIFY_PAGES = 2_000  # article pages checked on disk per run, in turns, and as many archive files: ~20 ms
VERIFIED_PAGES_KEY = "verified_pages"  # the key of the last article whose page was checked
VERIFIED_ARCHIVE_KEY = "verified_archive"  # the feed (and page) whose archive pages were checked last
SITE_SUBJECT = "site pages"  # index pages, OPML and assets, as one unit of failure
POOL_FEEDS = 60  # feeds due at once before worker processes are worth starting
POOL_ENTRIES = 5_000  # or entries of feeds due whole (a cold build, new settings)


PublishReport = StageReport  # what each of publishing's stages did


@dataclass(frozen=True)
class Target:
    """What publishing needs from the settings: where, how much, named how, rendered under what."""

    out: Path
    catalogue: Catalogue
    interface: InterfaceSettings
    max_entries: int
    page_size: int
    archive_text: bool  # archived entries carry their text (`archives.content: full`)
    feed_signature: str
    site_signature: str
    fragment_signature: str
    page_signature: str
    search: bool  # the search pages are published, and the index pages link to them

    @classmethod
    def of(cls, settings: Settings, catalogue: Catalogue) -> Target:
        return cls(settings.paths.out, catalogue, settings.interface, settings.feeds.max_entries,
                   settings.feeds.archive_page_size, settings.archives.content == "full",
                   signatures.feed(settings), signatures.site(settings),
                   signatures.fragment(settings), signatures.page(settings), settings.search.enabled)


def render_stage(store: Store, target: Target, should_stop: Callable[[], bool], now: float,
                 progress: Progress) -> PublishReport:
    """The render stage: what the store says is published checked on disk, then every article's
    fragments and page that are due (`render_fragments`). A stop before every entry is rendered
    stops the run here: documents are made from fragments rendered before them, so no feed is
    written (and none is held back for it)."""
    report = PublishReport()
    verify_published(store, target)
    render_fragments(store, target, report, now, should_stop, progress)
    report.stopped_early = should_stop()
    return report


def write_feeds(store: Store, target: Target, should_stop: Callable[[], bool], now: float,
                progress: Progress) -> PublishReport:
    """The feeds stage: what changed, feed by feed (in worker processes when many feeds are due);
    an emptied feed withdrawn. A stop leaves the feeds not yet recorded marked to do."""
    report = PublishReport()
    due = [feed for feed in store.feeds.all() if feed.dirty or not _current(feed, target)]
    for feed in [feed for feed in due if feed.entry_count == 0]:
        with store.transaction():
            try:
                _withdraw(target.out, feed.path, report)
            except OSError as exc:  # something in a file's place: this feed's failure, not the run's
                if is_global_failure(exc, target.out):
                    raise OutputError(f"cannot write into {target.out}: {_reason(exc)}") from None
                reason = f"could not be withdrawn ({_reason(exc)}); retried next run"
                if store.held.hold(feed.path, FEED, reason, target.feed_signature, now):
                    report.problems.append(Problem(feed.path, None, reason, FEED_NOT_WRITTEN))
                continue
            store.feeds.forget(feed.path)
    jobs = [FeedJob(feed, full=not _current(feed, target)) for feed in due if feed.entry_count]
    with store.transaction():
        # Numbered first, in one transaction, so that every feed is written from a settled store.
        for job in jobs:
            store.feeds.sequence_pending(job.feed.path)
    progress.begin("writing feeds", len(jobs), "feeds")
    with Pool() as pool:
        work = partial(write_feed, target=target, state=store.path)
        large = len(jobs) >= POOL_FEEDS or sum(job.feed.entry_count for job in jobs if job.full) >= POOL_ENTRIES
        for job, result in zip(jobs, pool.imap(work, jobs, large=large), strict=True):
            _record(store, target, job, result, report, now)
            progress.advance()
            if should_stop():
                report.stopped_early = True  # the feeds not yet recorded stay marked to do
                break
    progress.end()
    _close_readers()
    return report


def write_site(store: Store, target: Target, should_stop: Callable[[], bool], now: float,
               progress: Progress) -> PublishReport:
    """The site stage: the index pages, OPML, assets and search pages, when any feed changed or
    their settings did (known from the store: what the feeds stage wrote is in it)."""
    report = PublishReport()
    _publish_site(store, target, report, now)
    return report


# Publishing's stages in the order a run takes them: `run` times each and stops between them.
STAGES: tuple[tuple[str, Callable[[Store, Target, Callable[[], bool], float, Progress], PublishReport]], ...] = (
    ("render", render_stage), ("feeds", write_feeds), ("site", write_site))


def publish(store: Store, target: Target, should_stop: Callable[[], bool], now: float,
            progress: Progress | None = None) -> PublishReport:
    """Every stage of publishing in order, until one is stopped (for tests and tools; a run takes
    them one by one). Raises `OutputError` only when `out/` itself cannot be written,
    `StoreError` when the store fails."""
    report = PublishReport()
    for _, stage in STAGES:
        report.take(stage(store, target, should_stop, now, progress or Progress()))
        if report.stopped_early:
            break
    return report


def _current(feed: FeedState, target: Target) -> bool:
    """Rendered under today's settings and its documents still on disk as written: only what
    changed needs writing."""
    return feed.rendered_with == target.feed_signature and all(
        intact(target.out / relative) for relative in layout.feed_files(feed.path))


def verify_published(store: Store, target: Target) -> None:
    """Pages the store says are published that are not on disk as written (missing, emptied, a
    folder in their place) are due again: the next `VERIFY_PAGES` article pages after the last
    checked, and as many archive pages, feed by feed, from where the last run stopped; a feed with
    one missing is rendered again in full. (Feed documents are checked by `_current`, the site
    pages by `_publish_site`, search bundles by `search`, every run.)"""
    out = target.out
    after = int(store.meta(VERIFIED_PAGES_KEY) or 0)
    checked = store.renderings.published_pages(after, VERIFY_PAGES)
    lost = [article_id for _, article_id in checked if not intact(out / layout.article_file(article_id))]
    feeds = [feed for feed in store.feeds.all() if feed.entry_count and feed.rendered_with]
    path, _, page = (store.meta(VERIFIED_ARCHIVE_KEY) or "").partition("\t")
    start = int(page) if page else -1
    damaged, budget, position = [], VERIFY_PAGES // len(layout.SUFFIXES), ""  # as many files as article pages
    for feed in [feed for feed in feeds if feed.path >= path] + [feed for feed in feeds if feed.path < path]:
        if budget == 0:  # the next run starts with this feed
            position = f"{feed.path}\t-1"
            break
        pages_of = store.feeds.occupied_from(feed.path, target.page_size, feed.archived_before,
                                             start + 1 if feed.path == path else 0, budget + 1)
        for number in pages_of[:budget]:
            if not all(intact(out / relative) for relative in layout.archive_files(feed.path, number)):
                damaged.append(feed.path)
                break
        if len(pages_of) > budget:
            position = f"{feed.path}\t{pages_of[budget - 1]}"
            break
        budget -= len(pages_of)
    with store.transaction():
        store.renderings.forget_pages_of(lost)
        for lost_feed in damaged:
            store.feeds.forget_renderings(lost_feed)
        store.set_meta(VERIFIED_PAGES_KEY, str(checked[-1][0] if len(checked) == VERIFY_PAGES else 0))
        store.set_meta(VERIFIED_ARCHIVE_KEY, position)


@dataclass(frozen=True)
class FeedJob:
    feed: FeedState
    full: bool  # every archive page, not only those around the boundary and those that lost entries


@dataclass
class FeedResult:
    """What writing one feed did, or why it could not: a worker's answer, recorded by the main process."""

    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    boundary: int = 0
    latest_title: str = ""
    latest_published: int = 0
    failure: str | None = None
    out_failed: bool = False  # the failure is the output folder's, not the feed's


def write_feed(job: FeedJob, target: Target, state: Path) -> FeedResult:
    """Render and write one feed's documents from the store (read only): its subscription
    document, RSS and JSON twins, embed page and the archive pages the plan names. Whatever goes
    wrong is this feed's alone, unless `out/` itself failed; either way it comes back as a result."""
    result = FeedResult()
    try:
        _write_feed(_reader(state), target, job, result)
    except StoreError:
        raise
    except Exception as exc:  # noqa: BLE001 (whatever it is, it is this feed's alone, unless out/ itself failed)
        result.failure = _reason(exc)
        result.out_failed = isinstance(exc, OSError) and is_global_failure(exc, target.out)
    return result


def _write_feed(store: Store, target: Target, job: FeedJob, result: FeedResult) -> None:
    feed, out, size = job.feed, target.out, target.page_size
    document = target.catalogue.describe(feed.key)
    brief_head, seqs = store.feeds.head(feed.path, target.max_entries)
    # The subscription document holds the newest `max_entries`; below the lowest of them, archives.
    boundary = seqs[-1] if len(seqs) == target.max_entries else 0
    head = render.with_text(brief_head)
    if job.full:
        occupied = store.feeds.occupied(feed.path, size, boundary)
        wanted = set(occupied)
        _remove_stale_pages(out, feed.path, wanted)
    else:
        wanted = archive.candidates(boundary, feed.archived_before, store.feeds.removed_seqs(feed.path), size)
        wanted = archive.with_neighbours(wanted, _occupied_near(store, feed.path, wanted, size, boundary))
        occupied = _occupied_near(store, feed.path, wanted, size, boundary)
    for page in archive.plan(wanted, occupied, size, boundary):
        _write_page(store, target, document, page, result)
    newest = occupied[-1] if occupied else None
    documents = {}
    for form in layout.FORMATS:
        links = Links(file=layout.feed_file(feed.path, form.name), self_url=document.url(form.name),
                      prev_archive=None if newest is None else document.archive_url(newest, form.name))
        documents[links.file] = render.RENDERERS[form.name](document, head, links)
    documents[layout.embed_file(feed.path)] = pages.embed_page(document, head)
    for relative, data in documents.items():
        _wrote(result, relative, write_if_changed(out / relative, data))
    result.boundary = boundary
    result.latest_title = head[0].title
    result.latest_published = int(head[0].published.timestamp() * SECOND)


def _wrote(result: FeedResult, relative: str, changed: bool) -> None:
    if changed:
        result.written.append(relative)
    else:
        result.unchanged += 1


def _record(store: Store, target: Target, job: FeedJob, result: FeedResult, report: PublishReport, now: float) -> None:
    """In the main process, what a feed's writing did: the feed rendered, or why not (an output
    folder that failed stops publishing)."""
    path = job.feed.path
    report.written.extend(result.written)
    report.unchanged += result.unchanged
    report.removed.extend(result.removed)
    if result.out_failed:
        raise OutputError(f"cannot write into {target.out}: {result.failure}")
    with store.transaction():
        if result.failure is not None:
            if store.held.hold(path, FEED, result.failure, target.feed_signature, now):
                report.problems.append(Problem(path, None, f"could not be written ({result.failure}); retried next run",
                                               FEED_NOT_WRITTEN))
            return
        store.feeds.rendered(path, target.feed_signature, result.boundary, result.latest_title, result.latest_published)
        if target.catalogue.site.hub:
            # Queued with the feed's own transaction, so no committed change goes unannounced.
            websub.announce(store, target.catalogue.site.address, result.written)


def _reason(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{type(exc).__name__}: {exc.strerror}" + (f": {exc.filename}" if exc.filename else "")
    return f"{type(exc).__name__}: {exc}"


_readers: dict[Path, Store] = {}


def _reader(state: Path) -> Store:
    """A read-only connection to the store, one per process, for writing feeds."""
    if state not in _readers:
        _readers[state] = Store(state, read_only=True)
    return _readers[state]


def _close_readers() -> None:
    while _readers:
        _readers.popitem()[1].close()


def _occupied_near(store: Store, path: str, pages: set[int], size: int, boundary: int) -> list[int]:
    """The occupied pages among `pages`, their nearest occupied neighbours, and the newest archive
    page (the subscription document's `prev-archive`), from one query."""
    seqs = store.feeds.seqs_near(path, [*archive.ranges(pages, size), (boundary, boundary)], boundary)
    return archive.occupied_pages(seqs, size)


def _write_page(store: Store, target: Target, document: FeedDocument, page: archive.Page, result: FeedResult) -> None:
    """One archive page, in Atom, RSS and JSON Feed, linked as its plan says (an empty page's
    files are removed)."""
    files = layout.archive_files(document.path, page.number)
    if not page.occupied:
        for relative in files:
            if remove(target.out / relative):
                result.removed.append(relative)
        return
    entries = store.feeds.page(document.path, page.first, page.end, with_text=target.archive_text)
    if target.archive_text:
        entries = render.with_text(entries)
    older, newer = page.prev, page.next
    for form in layout.FORMATS:
        relative = layout.archive_file(document.path, page.number, form.name)
        links = Links(
            file=relative,
            self_url=document.archive_url(page.number, form.name),
            prev_archive=None if older is None else document.archive_url(older, form.name),
            next_archive=None if newer is None else document.archive_url(newer, form.name),
            current=document.url(form.name),
        )
        data = render.RENDERERS[form.name](document, entries, links)
        _wrote(result, relative, write_if_changed(target.out / relative, data))


def _archive_pages(out: Path, path: str) -> list[Path]:
    """The archive page files of one feed (not those of the feeds in its subfolders): numbered,
    as the publisher names them; any other file there is not its own."""
    folder = out / layout.archive_folder(path)
    if not folder.is_dir():
        return []
    return [page for suffix in layout.SUFFIXES.values() for page in folder.glob(f"*{suffix}")
            if layout.ARCHIVE_PAGE.fullmatch(page.stem) and not page.is_dir()]


def _remove_stale_pages(out: Path, path: str, wanted: set[int]) -> None:
    """A full re-render leaves no archive page in the feed's folder but those it wants."""
    for old in _archive_pages(out, path):
        if int(old.stem) - 1 not in wanted:
            old.unlink()


def _withdraw(out: Path, path: str, report: PublishReport) -> None:
    """A feed with no entries left is removed with its twins and archive, not left stale."""
    for relative in layout.feed_files(path):
        remove(out / relative)
    # Only this feed's pages: `archive/category/world/` also holds the folder of `category/world/en`.
    for page in _archive_pages(out, path):
        page.unlink()
    report.removed.append(path)


def _publish_site(store: Store, target: Target, report: PublishReport, now: float) -> None:
    """The index pages, OPML, assets and search pages, when what they show of any feed changed or
    their settings did, or one of them is not on disk as written."""
    out = target.out
    feeds = store.feeds.all()
    shown = hashlib.sha256(repr((target.site_signature, [(feed.key, feed.entry_count, feed.latest_title,
                                                          feed.latest_published) for feed in feeds])).encode()).hexdigest()[:16]
    if store.meta(SITE_KEY) == shown and all(intact(out / relative) for relative in layout.site_files(target.search)):
        return
    try:
        for relative, data in pages.site_files(feeds, target.catalogue, target.interface, target.search).items():
            report.wrote(relative, write_if_changed(out / relative, data))
        for relative in set(layout.site_files(True)) - set(layout.site_files(target.search)):
            if remove(out / relative):
                report.removed.append(relative)
    except StoreError:
        raise
    except Exception as exc:  # noqa: BLE001 (the site pages are one unit of failure)
        if isinstance(exc, OSError) and is_global_failure(exc, out):
            raise OutputError(f"cannot write into {out}: {_reason(exc)}") from None
        with store.transaction():
            if store.held.hold(SITE_SUBJECT, FEED, _reason(exc), target.site_signature, now):
                report.problems.append(Problem(SITE_SUBJECT, None, f"could not be written ({_reason(exc)}); retried next run",
                                               FEED_NOT_WRITTEN))
        return
    with store.transaction():
        store.set_meta(SITE_KEY, shown)
        store.held.release(SITE_SUBJECT)


def render_fragments(store: Store, target: Target, report: PublishReport, now: float,
                     should_stop: Callable[[], bool], progress: Progress) -> None:
    """Every article's fragments (kept by the store) and page (written to `out/articles/`),
    rendered once, before any document needs them: new and changed articles, those whose
    translations changed, or all of them when what shapes them changed or the pages are gone. An
    article that cannot be rendered is quarantined: left out of every feed, its page removed, kept
    in the store. A page that cannot be written is that page's problem alone: the entry stays in
    its feeds, and the page is tried again next run. A large batch (a cold build, new settings) is
    rendered by a pool of processes, one per core."""
    if store.meta(FRAGMENTS_KEY) != target.fragment_signature or not (target.out / layout.ARTICLES_FOLDER).is_dir():
        with store.transaction():
            store.renderings.forget_fragments()
            store.set_meta(FRAGMENTS_KEY, target.fragment_signature)
            store.set_meta(PAGES_KEY, target.page_signature)
    elif store.meta(PAGES_KEY) != target.page_signature:
        with store.transaction():
            store.renderings.forget_pages()
            store.set_meta(PAGES_KEY, target.page_signature)
    _remove_gone_pages(store, target.out, report)
    unwritten = store.held.subjects(PAGE)  # pages held back earlier: released once written
    progress.begin("rendering entries", store.renderings.count_unrendered(), "entries")
    after = 0
    with Pool() as pool:
        while True:
            due, after = store.renderings.unrendered(RENDER_BATCH, after)
            if not due or should_stop():
                break
            batch = [entry for entry, _ in due]
            jobs = [(entry, translations, page_only)
                    for (entry, translations), (_, page_only) in zip(_with_translations(store, batch), due, strict=True)]
            outcomes = pool.map(partial(render_one, target=target), jobs, large=len(batch) == RENDER_BATCH, chunk=100)
            if failed := next((outcome.failure for outcome in outcomes if outcome.out_failed), None):
                raise OutputError(f"cannot write into {target.out}: {failed}")
            with store.transaction():
                done = list(zip(batch, outcomes, strict=True))
                store.renderings.save([(entry.id, outcome.fragments) for entry, outcome in done
                                       if outcome.fragments is not None])
                store.renderings.mark_rendered([entry.id for entry, outcome in done if not outcome.quarantined and not outcome.failure])
                # The search index follows the pages (`search`); a page written alone (new wording,
                # new translations) changed nothing it indexes: only the article is indexed.
                store.search.changed([entry.id for (entry, outcome), (_, page_only) in zip(done, due, strict=True)
                                      if (outcome.page_written and not page_only) or outcome.quarantined])
                for entry, outcome in done:
                    _record_entry(store, target, entry, outcome, report, now, unwritten)
            progress.advance(len(batch))
    progress.end()


def _record_entry(store: Store, target: Target, entry: Entry, outcome: EntryResult, report: PublishReport,
                  now: float, unwritten: set[str]) -> None:
    """In the main process, what rendering one entry did: its page written (released, if it was
    held back), its page held back as not written, or the entry quarantined (and its
    translations' pages rendered again without it)."""
    page = layout.article_file(entry.id)
    if not outcome.quarantined:
        if outcome.failure:
            reason = f"could not be written ({outcome.failure}); retried next run"
            if store.held.hold(page, PAGE, reason, target.page_signature, now):
                report.problems.append(Problem(page, None, reason, PAGE_NOT_WRITTEN))
        else:
            report.wrote(page, outcome.page_written)
            if page in unwritten:
                store.held.release(page)
        return
    _remove_page(target.out, page, report)
    # Held under what shapes its fragments and its page, and this program: other ones release it (`ingest`).
    if quarantine(store, entry.id, str(outcome.failure), target.page_signature, now):
        report.problems.append(Problem(entry.id, None, f"{entry.title[:80]!r}: {outcome.failure}", ARTICLE_QUARANTINED))
    if entry.source_url:
        store.renderings.forget_pages_of(identity.translation_ids(entry.source_url, entry.language))


def quarantine(store: Store, article_id: str, reason: str, held_under: str, now: float) -> bool:
    """What quarantine means: the article leaves every feed (they are written again without it),
    is held with its reason under `held_under`, and is rendered in full (its page and its place in
    the search index are gone) once released; True when this is news."""
    store.feeds.leave(article_id)
    store.renderings.render_in_full(article_id)
    return store.held.hold(article_id, ARTICLE, reason, held_under, now)


def _remove_page(out: Path, page: str, report: PublishReport) -> bool:
    """Remove one published page; one that cannot be removed is reported, and stays for the next
    run to try (unless out/ itself failed). True when it is gone."""
    try:
        if remove(out / page):
            report.removed.append(page)
    except OSError as exc:
        if is_global_failure(exc, out):
            raise OutputError(f"cannot write into {out}: {_reason(exc)}") from None
        report.problems.append(Problem(page, None, f"could not be removed ({_reason(exc)}); retried next run", WARNING))
        return False
    return True


def _with_translations(store: Store, batch: Sequence[Entry]) -> list[tuple[Entry, tuple[Translation, ...]]]:
    """Each entry with its stored translations (the same gov.kz release in other languages), from
    one query for the batch."""
    wanted = {entry.id: identity.translation_ids(entry.source_url, entry.language) for entry in batch if entry.source_url}
    stored = {found[0]: Translation(*found) for found in store.articles.titles([other for ids in wanted.values() for other in ids])}
    return [(entry, tuple(stored[other] for other in wanted.get(entry.id, ()) if other in stored)) for entry in batch]


def _remove_gone_pages(store: Store, out: Path, report: PublishReport) -> None:
    """The pages of articles that retention removed, and their translations' pages rendered
    again without them."""
    gone = store.retention.gone(GONE_BATCH)
    removed = [article_id for article_id, _, _ in gone if _remove_page(out, layout.article_file(article_id), report)]
    with store.transaction():
        store.search.changed(removed)  # while `gone` still knows their keys
        store.retention.forget_gone(removed)
        for article_id in removed:  # a page held back as not written is no longer due at all
            store.held.release(layout.article_file(article_id))
        store.renderings.forget_pages_of([other for _, source, language in gone if source
                              for other in identity.translation_ids(source, language)])


@dataclass(frozen=True)
class EntryResult:
    """What rendering one entry did, or why it could not: a worker's answer. A failure of an
    entry not quarantined is its page's alone: it could not be written."""

    fragments: bytes | None = None  # `store.packed_fragments`; None when its page alone was due
    page_written: bool = False
    failure: str | None = None
    out_failed: bool = False  # the failure is the output folder's, not the entry's
    quarantined: bool = False  # the entry could not be rendered at all


def render_one(job: tuple[Entry, tuple[Translation, ...], bool], target: Target) -> EntryResult:
    """An entry's fragments (unless its page alone is due), and its page written; or why not
    (whatever it is, it is this entry's alone, unless `out/` itself failed)."""
    entry, translations, page_only = job
    try:
        fragments = None if page_only else packed_fragments(render.fragments(entry, target.catalogue.site))
        page = article_pages.article_page(entry, translations, target.catalogue, target.interface)
    except Exception as exc:  # noqa: BLE001
        return EntryResult(failure=f"could not be rendered ({_reason(exc)})", quarantined=True)
    try:
        written = write_if_changed(target.out / layout.article_file(entry.id), page)
    except OSError as exc:
        return EntryResult(fragments, failure=_reason(exc), out_failed=is_global_failure(exc, target.out))
    return EntryResult(fragments, written)
