"""Store -> files in `out/`: each changed feed's subscription document, its RSS and JSON twins and
the archive pages that changed; then the site pages (index, OPML, stylesheet) when anything did.

Archives follow RFC 5005 with fixed-size pages of sequence numbers (see `store`): page k holds the
feed's entries numbered [k*P, (k+1)*P) that have left the subscription document. A page that is
full never gains an entry again, so it is never rewritten unless an entry on it was removed (by
retention, or because a changed entry moved to the head). Per run, only the pages around the
archive boundary and those that lost entries are rendered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from feeds import __version__, pages
from feeds.catalogue import ARCHIVE_FOLDER, SUFFIXES, FeedDocument, archive_path, describe
from feeds.models import ARTICLE_QUARANTINED, FEED_NOT_WRITTEN, Entry, Problem
from feeds.render import Links, render_atom, render_json, render_rss
from feeds.settings import Settings
from feeds.store import Feed, Store, is_store_failure
from feeds.write import OutputError, is_global_failure, write_if_changed

SITE_KEY = "site_signature"
SITE_SUBJECT = "site pages"  # index pages, OPML and assets, as one unit of failure
PASSES = 3


@dataclass
class PublishReport:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    stopped_early: bool = False
    problems: list[Problem] = field(default_factory=list)

    @staticmethod
    def changed_feed_urls(base_url: str, written: list[str]) -> list[str]:
        """Self URLs of the subscription documents among `written`: what a WebSub hub is told."""
        return [f"{base_url}{relative}" for relative in written
                if relative.endswith(tuple(SUFFIXES.values())) and not relative.startswith(f"{ARCHIVE_FOLDER}/")]

    def wrote(self, relative: str, changed: bool) -> None:
        if changed:
            self.written.append(relative)
        else:
            self.unchanged += 1


def _signature(settings: Settings, fields: dict[str, object]) -> str:
    used = settings.model_dump_json(include=fields) + __version__  # type: ignore[arg-type]
    return hashlib.sha256(used.encode("utf-8")).hexdigest()[:16]


def feed_signature(settings: Settings) -> str:
    """Feeds rendered under other settings or by another version are rendered again. Only what
    shows in a feed counts: summary length and default language apply at ingest, hub timeouts
    and the index wording never reach a feed."""
    return _signature(settings, {"site": True, "agencies": True, "topics": True, "websub": {"hub"},
                                 "feeds": {"base_url", "max_entries", "archive_page_size"}})


def site_signature(settings: Settings) -> str:
    """The index pages and the OPML also show the interface wording."""
    return _signature(settings, {"site": True, "agencies": True, "topics": True, "interface": True,
                                 "feeds": {"base_url"}})


def classification_signature(settings: Settings) -> str:
    """Memberships computed under other topic or agency rules are computed again."""
    return hashlib.sha256(settings.model_dump_json(include={"agencies", "topics"}).encode("utf-8")).hexdigest()[:16]


def publish(store: Store, settings: Settings, should_stop: Callable[[], bool], now: float) -> PublishReport:
    """Write what changed, one feed at a time. A feed that fails is left marked to do and named;
    an article that cannot be rendered is quarantined and its feeds are written without it.
    Raises `OutputError` only when `out/` itself cannot be written."""
    report = PublishReport()
    out = settings.paths.out
    signature = feed_signature(settings)
    failed: set[str] = set()
    # A quarantine marks the article's other feeds to re-render: a further pass writes them.
    for _ in range(PASSES):
        due = [feed for feed in store.feeds() if feed.path not in failed and _due(feed, signature, out)]
        if not due:
            break
        quarantined = len(report.problems)
        for feed in due:
            if should_stop():
                report.stopped_early = True
                return report
            if not _publish_guarded(store, settings, feed, signature, report, now):
                failed.add(feed.path)
        if not any(p.outcome == ARTICLE_QUARANTINED for p in report.problems[quarantined:]):
            break
    _publish_site(store, settings, report, now)
    return report


def _due(feed: Feed, signature: str, out: Path) -> bool:
    current = feed.rendered_with == signature and (out / f"{feed.path}{SUFFIXES['atom']}").exists()
    return feed.dirty or not current


def _publish_guarded(store: Store, settings: Settings, feed: Feed, signature: str, report: PublishReport,
                     now: float) -> bool:
    """One feed as one unit of failure; False when it could not be written (it stays to do)."""
    out = settings.paths.out
    written = len(report.written)
    try:
        with store.transaction():
            _publish_one(store, settings, feed, signature, report)
        return True
    except Unrenderable as exc:
        with store.transaction():
            for entry, reason in exc.culprits:
                if store.quarantine_article(entry.id, reason, __version__, now):
                    report.problems.append(Problem(entry.id, None, f"{entry.title[:80]!r}: {reason}", ARTICLE_QUARANTINED))
        return True
    except Exception as exc:
        if is_store_failure(exc):
            raise
        if isinstance(exc, OSError) and is_global_failure(exc, out):
            raise OutputError(f"cannot write into {out}: {exc.strerror or exc} ({exc.filename})") from None
        reason = f"{type(exc).__name__}: {exc.strerror or exc}" if isinstance(exc, OSError) else f"{type(exc).__name__}: {exc}"
        del report.written[written:]
        with store.transaction():
            if store.feed_not_written(feed.path, reason, __version__, now):
                report.problems.append(Problem(feed.path, None, f"could not be written ({reason}); retried next run",
                                               FEED_NOT_WRITTEN))
        return False


def _publish_one(store: Store, settings: Settings, feed: Feed, signature: str, report: PublishReport) -> None:
    out = settings.paths.out
    if feed.entry_count == 0:
        _withdraw(out, feed.path)
        store.forget_feed(feed.path)
        report.removed.append(feed.path)
        return
    store.sequence_pending(feed.path)
    written = len(report.written)
    current = feed.rendered_with == signature and (out / f"{feed.path}{SUFFIXES['atom']}").exists()
    _publish_feed(store, settings, feed, full=not current, signature=signature, report=report)
    if settings.websub.hub:
        # Queued with the feed's own transaction, so no committed change goes unannounced.
        store.websub_enqueue(report.changed_feed_urls(str(settings.feeds.base_url), report.written[written:]))


def _publish_site(store: Store, settings: Settings, report: PublishReport, now: float) -> None:
    """The index pages, OPML and assets, when any feed changed or their settings did."""
    out = settings.paths.out
    site = site_signature(settings)
    if not (report.written or report.removed or store.meta(SITE_KEY) != site or not (out / pages.INDEX_FILES["en"]).exists()):
        return
    try:
        for relative, data in pages.site_files(store.feeds(), settings).items():
            report.wrote(relative, write_if_changed(out / relative, data))
    except Exception as exc:
        if is_store_failure(exc):
            raise
        if isinstance(exc, OSError) and is_global_failure(exc, out):
            raise OutputError(f"cannot write into {out}: {exc.strerror or exc} ({exc.filename})") from None
        with store.transaction():
            if store.feed_not_written(SITE_SUBJECT, f"{type(exc).__name__}: {exc}", __version__, now):
                report.problems.append(Problem(SITE_SUBJECT, None, f"could not be written ({type(exc).__name__}: {exc}); "
                                               "retried next run", FEED_NOT_WRITTEN))
        return
    with store.transaction():
        store.set_meta(SITE_KEY, site)
        store.release(SITE_SUBJECT)


class Unrenderable(Exception):
    """Entries that fail to render even alone: the article, not the feed, is at fault."""

    def __init__(self, culprits: list[tuple[Entry, str]]) -> None:
        super().__init__(", ".join(entry.id for entry, _ in culprits))
        self.culprits = culprits


def rendered(render: Callable[[Sequence[Entry]], bytes], entries: Sequence[Entry]) -> bytes:
    """`render(entries)`; when it fails, the entries that fail on their own are named
    (`Unrenderable`); when none does, the document's own failure stands."""
    try:
        return render(entries)
    except Exception:
        culprits = []
        for entry in entries:
            try:
                render([entry])
            except Exception as exc:  # noqa: BLE001 (whatever it is, it is this entry's alone)
                culprits.append((entry, f"could not be rendered ({type(exc).__name__}: {exc})"))
        if culprits:
            raise Unrenderable(culprits) from None
        raise


def _publish_feed(store: Store, settings: Settings, feed: Feed, full: bool, signature: str, report: PublishReport) -> None:
    out = settings.paths.out
    size = settings.feeds.archive_page_size
    document = describe(feed.key, settings)
    head, boundary = store.head(feed.path, settings.feeds.max_entries)
    newest_seq = store.seq_before(feed.path, boundary)
    newest_page = None if newest_seq is None else newest_seq // size
    if full:
        candidates = _all_pages(store, feed.path, boundary, size)
        stale = out / ARCHIVE_FOLDER / feed.path
        if stale.is_dir():
            for old in stale.glob("*.atom"):
                if not old.stem.isdigit() or int(old.stem) - 1 not in candidates:
                    old.unlink()
    else:
        low, high = min(boundary, feed.archived_before), max(boundary, feed.archived_before)
        candidates = set(range(max(0, low // size - 1), (max(high, 1) - 1) // size + 1))
        candidates |= {seq // size for seq in store.removed_seqs(feed.path)}
        for page in list(candidates):
            # A page that lost its last entry takes its neighbours' links with it.
            candidates |= {neighbour for neighbour in _neighbours(store, feed.path, page, size, boundary) if neighbour is not None}
    for page in sorted(candidates):
        _publish_page(store, settings, document, page, boundary, report)
    prev_archive = None if newest_page is None else document.archive_url(newest_page)
    links = Links(file=f"{feed.path}{SUFFIXES['atom']}", self_url=document.url("atom"), prev_archive=prev_archive)
    report.wrote(links.file, write_if_changed(out / links.file, rendered(lambda some: render_atom(document, some, settings, links), head)))
    rss_links = Links(file=f"{feed.path}{SUFFIXES['rss']}", self_url=document.url("rss"), prev_archive=prev_archive)
    report.wrote(rss_links.file, write_if_changed(out / rss_links.file,
                                                 rendered(lambda some: render_rss(document, some, settings, rss_links), head)))
    json_file = f"{feed.path}{SUFFIXES['json']}"
    report.wrote(json_file, write_if_changed(out / json_file, rendered(lambda some: render_json(document, some, settings), head)))
    embed = pages.embed_path(feed.path)
    report.wrote(embed, write_if_changed(out / embed, rendered(lambda some: pages.embed_page(document, some), head)))
    store.feed_rendered(feed.path, signature, boundary, head[0])


def _neighbours(store: Store, path: str, page: int, size: int, boundary: int) -> tuple[int | None, int | None]:
    """The nearest non-empty archive pages before and after `page`."""
    before, after = store.seq_before(path, page * size), store.seq_from(path, (page + 1) * size, boundary)
    return (None if before is None else before // size, None if after is None else after // size)


def _all_pages(store: Store, path: str, boundary: int, size: int) -> set[int]:
    found: set[int] = set()
    seq = store.seq_from(path, 0, boundary)
    while seq is not None:
        page = seq // size
        found.add(page)
        seq = store.seq_from(path, (page + 1) * size, boundary)
    return found


def _publish_page(store: Store, settings: Settings, document: FeedDocument, page: int, boundary: int,
                  report: PublishReport) -> None:
    size = settings.feeds.archive_page_size
    relative = archive_path(document.path, page)
    target = settings.paths.out / relative
    entries = store.page(document.path, page * size, min((page + 1) * size, boundary))
    if not entries:
        if target.exists():
            target.unlink()
            report.removed.append(relative)
        return
    before, after = _neighbours(store, document.path, page, size, boundary)
    links = Links(
        file=relative,
        self_url=document.archive_url(page),
        prev_archive=None if before is None else document.archive_url(before),
        next_archive=None if after is None else document.archive_url(after),
        current=document.url("atom"),
    )
    report.wrote(relative, write_if_changed(target, rendered(lambda some: render_atom(document, some, settings, links), entries)))


def _withdraw(out: Path, path: str) -> None:
    """A feed with no entries left is removed with its twins and archive, not left stale."""
    for suffix in SUFFIXES.values():
        (out / f"{path}{suffix}").unlink(missing_ok=True)
    (out / pages.embed_path(path)).unlink(missing_ok=True)
    # Only this feed's pages: `archive/category/world/` also holds the folder of `category/world/en`.
    for page in (out / ARCHIVE_FOLDER / path).glob("*.atom"):
        page.unlink()
