"""Store -> files in `out/`: each changed feed's subscription document, its RSS and JSON twins, its
embed page and the archive pages that changed (planned by `archive`); then the site pages (index,
OPML, assets) when anything did.

One feed is one unit of failure: a feed that cannot be written is named and left marked to do; an
article that cannot be rendered, even alone, is quarantined and its feeds are written without it.
Only `out/` itself failing (`OutputError`) or the store failing (`StoreError`) stops publishing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from feeds import __version__, archive, layout, pages, render, websub
from feeds.catalogue import Catalogue, FeedDocument, Site
from feeds.models import ARTICLE_QUARANTINED, FEED_NOT_WRITTEN, Entry, FeedState, Fragments, Problem
from feeds.pool import Pool
from feeds.render import Links
from feeds.settings import InterfaceSettings, Settings
from feeds.store import FEED, Store, StoreError
from feeds.timing import SECOND
from feeds.write import OutputError, is_global_failure, remove, write_if_changed

SITE_KEY = "site_signature"
FRAGMENTS_KEY = "fragment_signature"
RENDER_BATCH = 2000
SITE_SUBJECT = "site pages"  # index pages, OPML and assets, as one unit of failure
PASSES = 3  # a quarantine marks other feeds to re-render: a further pass writes them


@dataclass
class PublishReport:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    stopped_early: bool = False
    problems: list[Problem] = field(default_factory=list)

    def wrote(self, relative: str, changed: bool) -> None:
        if changed:
            self.written.append(relative)
        else:
            self.unchanged += 1


@dataclass(frozen=True)
class Target:
    """What publishing needs from the settings: where, how much, named how, rendered under what."""

    out: Path
    catalogue: Catalogue
    interface: InterfaceSettings
    max_entries: int
    page_size: int
    feed_signature: str
    site_signature: str
    fragment_signature: str

    @classmethod
    def of(cls, settings: Settings, catalogue: Catalogue) -> Target:
        return cls(settings.paths.out, catalogue, settings.interface, settings.feeds.max_entries,
                   settings.feeds.archive_page_size, feed_signature(settings), site_signature(settings),
                   fragment_signature(settings))


def _signature(settings: Settings, fields: dict[str, object]) -> str:
    used = settings.model_dump_json(include=fields) + __version__  # type: ignore[arg-type]
    return hashlib.sha256(used.encode("utf-8")).hexdigest()[:16]


def feed_signature(settings: Settings) -> str:
    """Feeds rendered under other settings or by another version are rendered again. Only what
    shows in a feed counts: summary length and default language apply at ingest, hub timeouts
    and the index wording never reach a feed."""
    return _signature(settings, {"site": True, "agencies": True, "topics": True, "websub": {"hub"},
                                 "feeds": {"base_url", "max_entries", "archive_page_size"}})


def fragment_signature(settings: Settings) -> str:
    """Entries' fragments show the category and topic schemes (from `base_url`) and topic labels."""
    return _signature(settings, {"topics": True, "feeds": {"base_url"}})


def site_signature(settings: Settings) -> str:
    """The index pages and the OPML also show the interface wording."""
    return _signature(settings, {"site": True, "agencies": True, "topics": True, "interface": True,
                                 "feeds": {"base_url"}})


def publish(store: Store, target: Target, should_stop: Callable[[], bool], now: float) -> PublishReport:
    """Write what changed, one feed at a time; then the site pages. Raises `OutputError` only when
    `out/` itself cannot be written, `StoreError` when the store fails."""
    report = PublishReport()
    render_fragments(store, target, report, now, should_stop)
    failed: set[str] = set()
    for _ in range(PASSES):
        due = [feed for feed in store.feeds() if feed.path not in failed and _due(feed, target)]
        if not due:
            break
        before = len(report.problems)
        for feed in due:
            if should_stop():
                report.stopped_early = True
                return report
            if not _publish_guarded(store, target, feed, report, now):
                failed.add(feed.path)
        if not any(p.outcome == ARTICLE_QUARANTINED for p in report.problems[before:]):
            break
    _publish_site(store, target, report, now)
    return report


def _due(feed: FeedState, target: Target) -> bool:
    return feed.dirty or not _current(feed, target)


def _current(feed: FeedState, target: Target) -> bool:
    """Rendered under today's settings and still on disk: only what changed needs writing."""
    return feed.rendered_with == target.feed_signature and (target.out / layout.feed_file(feed.path)).exists()


def _publish_guarded(store: Store, target: Target, feed: FeedState, report: PublishReport, now: float) -> bool:
    """One feed as one unit of failure; False when it could not be written (it stays to do)."""
    written = len(report.written)
    try:
        with store.transaction():
            current = store.feed(feed.path)  # a quarantine earlier in this pass may have emptied it
            if current is not None:
                _publish_feed(store, target, current, report)
        return True
    except StoreError:
        raise
    except Exception as exc:  # noqa: BLE001 (whatever it is, it is this feed's alone, unless out/ itself failed)
        del report.written[written:]
        _feed_failed(store, target, feed.path, exc, report, now)
        return False


def _feed_failed(store: Store, target: Target, subject: str, exc: Exception, report: PublishReport, now: float) -> None:
    if isinstance(exc, OSError) and is_global_failure(exc, target.out):
        raise OutputError(f"cannot write into {target.out}: {exc.strerror or exc} ({exc.filename})") from None
    detail = (f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror) if isinstance(exc, OSError) and exc.strerror else exc
    reason = f"{type(exc).__name__}: {detail}"
    with store.transaction():
        if store.hold(subject, FEED, reason, __version__, now):
            report.problems.append(Problem(subject, None, f"could not be written ({reason}); retried next run",
                                           FEED_NOT_WRITTEN))


def _publish_feed(store: Store, target: Target, feed: FeedState, report: PublishReport) -> None:
    out = target.out
    if feed.entry_count == 0:
        _withdraw(out, feed.path, report)
        store.forget_feed(feed.path)
        return
    full = not _current(feed, target)
    store.sequence_pending(feed.path)
    written = len(report.written)
    size = target.page_size
    document = target.catalogue.describe(feed.key)
    head, boundary = store.head(feed.path, target.max_entries)
    if full:
        occupied = store.occupied(feed.path, size, boundary)
        wanted = set(occupied)
        _remove_stale_pages(out, feed.path, wanted, report)
    else:
        wanted = archive.candidates(boundary, feed.archived_before, store.removed_seqs(feed.path), size)
        wanted = archive.with_neighbours(wanted, _occupied_near(store, feed.path, wanted, size, boundary))
        occupied = _occupied_near(store, feed.path, wanted, size, boundary)
    for page in archive.plan(wanted, occupied, size, boundary):
        _publish_page(store, target, document, page, report)
    prev_archive = document.archive_url(occupied[-1]) if occupied else None
    for form, make in (("atom", render.atom), ("rss", render.rss)):
        links = Links(file=layout.feed_file(feed.path, form), self_url=document.url(form), prev_archive=prev_archive)
        report.wrote(links.file, write_if_changed(out / links.file, make(document, head, links)))
    json_file = layout.feed_file(feed.path, "json")
    report.wrote(json_file, write_if_changed(out / json_file, render.json_feed(document, head)))
    embed = layout.embed_file(feed.path)
    report.wrote(embed, write_if_changed(out / embed, pages.embed_page(document, head)))
    latest = head[0]
    store.feed_rendered(feed.path, target.feed_signature, boundary, latest.title,
                        int(latest.published.timestamp() * SECOND))
    if document.site.hub:
        # Queued with the feed's own transaction, so no committed change goes unannounced.
        websub.announce(store, document.site.base_url, report.written[written:])


def _occupied_near(store: Store, path: str, pages: set[int], size: int, boundary: int) -> list[int]:
    """The occupied pages among `pages`, their nearest occupied neighbours, and the newest archive
    page (the subscription document's `prev-archive`), from one query."""
    seqs = store.seqs_near(path, [*archive.ranges(pages, size), (boundary, boundary)], boundary)
    return archive.occupied_pages(seqs, size)


def _publish_page(store: Store, target: Target, document: FeedDocument, page: archive.Page, report: PublishReport) -> None:
    relative = layout.archive_file(document.path, page.number)
    target_file = target.out / relative
    if not page.occupied:
        if remove(target_file):
            report.removed.append(relative)
        return
    entries = store.page(document.path, page.first, page.end)
    links = Links(
        file=relative,
        self_url=document.archive_url(page.number),
        prev_archive=None if page.prev is None else document.archive_url(page.prev),
        next_archive=None if page.next is None else document.archive_url(page.next),
        current=document.url("atom"),
    )
    report.wrote(relative, write_if_changed(target_file, render.atom(document, entries, links)))


def _remove_stale_pages(out: Path, path: str, wanted: set[int], report: PublishReport) -> None:
    """A full re-render leaves no file in the feed's archive folder but the pages it wants."""
    folder = out / layout.archive_folder(path)
    if folder.is_dir():
        for old in folder.glob("*.atom"):
            if not old.stem.isdigit() or int(old.stem) - 1 not in wanted:
                old.unlink()


def _withdraw(out: Path, path: str, report: PublishReport) -> None:
    """A feed with no entries left is removed with its twins and archive, not left stale."""
    for relative in layout.feed_files(path):
        remove(out / relative)
    # Only this feed's pages: `archive/category/world/` also holds the folder of `category/world/en`.
    for page in (out / layout.archive_folder(path)).glob("*.atom"):
        page.unlink()
    report.removed.append(path)


def _publish_site(store: Store, target: Target, report: PublishReport, now: float) -> None:
    """The index pages, OPML and assets, when any feed changed or their settings did."""
    out = target.out
    if not (report.written or report.removed or store.meta(SITE_KEY) != target.site_signature
            or not (out / layout.INDEX_FILES["en"]).exists()):
        return
    try:
        for relative, data in pages.site_files(store.feeds(), target.catalogue, target.interface).items():
            report.wrote(relative, write_if_changed(out / relative, data))
    except StoreError:
        raise
    except Exception as exc:  # noqa: BLE001 (the site pages are one unit of failure)
        _feed_failed(store, target, SITE_SUBJECT, exc, report, now)
        return
    with store.transaction():
        store.set_meta(SITE_KEY, target.site_signature)
        store.release(SITE_SUBJECT)


def render_fragments(store: Store, target: Target, report: PublishReport, now: float,
                     should_stop: Callable[[], bool]) -> None:
    """Every article's fragments, rendered once and kept by the store, before any document needs
    them: new and changed articles, or all of them when what shapes fragments changed. An article
    that cannot be rendered is quarantined: left out of every feed, kept in the store. A large
    batch (a cold build, new settings) is rendered by a pool of processes, one per core."""
    if store.meta(FRAGMENTS_KEY) != target.fragment_signature:
        with store.transaction():
            store.forget_fragments()
            store.set_meta(FRAGMENTS_KEY, target.fragment_signature)
    site = target.catalogue.site
    with Pool() as pool:
        while (batch := store.unrendered(RENDER_BATCH)) and not should_stop():
            outcomes = pool.map(partial(render_one, site=site), batch, large=len(batch) == RENDER_BATCH, chunk=100)
            with store.transaction():
                store.save_renderings([(entry.id, result) for entry, result in zip(batch, outcomes, strict=True)
                                       if isinstance(result, Fragments)])
                for entry, result in zip(batch, outcomes, strict=True):
                    # Held under these settings and this program: other ones release it (`ingest`).
                    if isinstance(result, str) and store.hold_article(entry.id, result, target.feed_signature, now):
                        report.problems.append(Problem(entry.id, None, f"{entry.title[:80]!r}: {result}", ARTICLE_QUARANTINED))


def render_one(entry: Entry, site: Site) -> Fragments | str:
    """An entry's fragments, or why it cannot be rendered (whatever it is, it is this entry's alone)."""
    try:
        return render.fragments(entry, site)
    except Exception as exc:  # noqa: BLE001
        return f"could not be rendered ({type(exc).__name__}: {exc})"
