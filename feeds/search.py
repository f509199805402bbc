"""The full-text search over every article page: a static Pagefind index in shards under
`out/pagefind/`, merged by the search pages when a query is made, kept in step with the pages.

Pagefind builds an index whole, so the index is cut into shards and a run builds only the shards
whose pages changed; a run that changed no page touches nothing. A shard holds pages of one
language (Pagefind keeps an index per language, each with its own stemmer). The shards of a
language form levels, as in a log-structured merge tree: new pages go to its open level-0 shard,
which takes at most `FIRST_PAGES`, so a run that adds a dump builds at most that many pages per
language; when `MERGE_AFTER` shards of one level are full, they become one shard of the next
level, up to `TOP_LEVEL` (2,500 pages: Pagefind needs about 150 KB of memory per page while it
builds). Below the top there are at most `MERGE_AFTER` shards per level and language, and shards
merge oldest first, so the newest pages are in the small shards: a first query merges the newest
shards of each language that hold a top-level shard's worth of pages (the manifest lists them
newest first), the rest on request. A changed or removed page has only its own shard built again.

Pagefind writes some of a bundle in an arbitrary order; `search_bundle` puts it in a fixed one,
so that the same pages always give the same bytes (a repaired `out/` equals a clean build).

A shard is published in a new folder each time it is built (`<shard>-<build>`), and
`pagefind/shards.json` names the current folders: a search page never meets half a shard, and
folders no longer named are removed. Which page is in which shard, what is to be built and which
pages changed since the last update are kept in the store, so a run that stops half way leaves the
rest to the next one. The planning is pure (`plan`); building runs the `pagefind` binary that
PyPI's `pagefind[bin]` ships, one process per core.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from feeds import __version__, layout
from feeds.models import SHARD_NOT_BUILT, Problem, SearchShard, StageReport
from feeds.progress import Progress
from feeds.search_bundle import ENTRY, BundleError, make_reproducible, verify
from feeds.store import SHARD, Store
from feeds.timing import to_datetime
from feeds.write import OutputError, flush, intact, is_global_failure, write_if_changed

FIRST_PAGES = 100  # a level-0 shard's pages: about 0.15 s of Pagefind
MERGE_AFTER = 5  # full shards of one level that become one of the next
TOP_LEVEL = 2  # shards of 100, 500 and 2,500 pages
SIGNATURE_KEY = "search_signature"
PROCESSES = min(2, os.cpu_count() or 1)  # each Pagefind may take a few hundred MB
SEARCH_SUBJECT = "search index"
PAGEFIND_SECONDS = 600  # one shard; far more than 2,000 pages need


@dataclass(frozen=True)
class Change:
    """A page written or removed since the last update: its article's key in the store, its
    language (None when the article is gone), and its shard (None when it has none yet)."""

    page: int
    language: str | None
    shard: str | None


@dataclass
class Plan:
    """What an update changes: the shards afterwards, those dropped, pages given a shard or taken
    out of theirs, and shards merged into one of the next level (from, into)."""

    shards: dict[str, SearchShard]
    dropped: list[str] = field(default_factory=list)
    assigned: list[tuple[int, str]] = field(default_factory=list)
    unassigned: list[int] = field(default_factory=list)
    merged: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class SearchReport(StageReport):
    shards_built: int = 0
    pages_indexed: int = 0
    seconds: float = 0.0  # from the start of the update to the end of its last build


def capacity(level: int) -> int:
    return FIRST_PAGES * MERGE_AFTER**level


def plan(changes: Sequence[Change], shards: Sequence[SearchShard]) -> Plan:
    """Shards after these changes, pure: a changed page's shard is built again; a removed page
    leaves its shard; a new page joins its language's open level-0 shard (a new one when that is
    full); `MERGE_AFTER` full shards of one level below the top become one of the next."""
    result = Plan({shard.name: shard for shard in shards})
    current = result.shards
    # Looked up per change, kept as they change: a cold build of a million pages plans a million
    # changes into ten thousand shards before they merge.
    open_shards = {shard.language: shard.name for shard in shards if shard.level == 0 and not shard.sealed}
    numbers: dict[str, int] = {}
    for shard in shards:
        numbers[shard.language] = max(numbers.get(shard.language, 0), _number(shard.name))

    def new_name(language: str) -> str:
        numbers[language] = numbers.get(language, 0) + 1
        return f"{language}-{numbers[language]}"

    def touch(name: str, pages: int = 0) -> None:
        shard = current[name]
        total = shard.pages + pages
        current[name] = replace(shard, pages=total, dirty=True, sealed=shard.sealed or total >= capacity(shard.level))

    for change in changes:
        if change.shard is not None and change.shard in current:
            if change.language is None:
                result.unassigned.append(change.page)
                touch(change.shard, -1)
            else:
                touch(change.shard)
        elif change.language is not None:
            name = open_shards.get(change.language)
            if name is None or current[name].sealed:
                name = open_shards[change.language] = new_name(change.language)
                current[name] = SearchShard(name, change.language, 0, 0, False, True, 0, "")
            result.assigned.append((change.page, name))
            touch(name, 1)
    for language in sorted({shard.language for shard in current.values()}):
        for level in range(TOP_LEVEL):
            # Oldest first (by number, not as text: `en-10` is newer than `en-9`), so that a merged
            # shard holds pages of neighbouring ages and the newest stay in the small shards.
            full = sorted((name for name, shard in current.items()
                           if shard.language == language and shard.level == level and shard.sealed), key=_number)
            while len(full) >= MERGE_AFTER:
                group, full = full[:MERGE_AFTER], full[MERGE_AFTER:]
                merged = SearchShard(new_name(language), language, level + 1,
                                     sum(current[name].pages for name in group), True, True, 0, "")
                current[merged.name] = merged
                for name in group:
                    result.merged.append((name, merged.name))
                    result.dropped.append(name)
                    del current[name]
    for name, shard in list(current.items()):
        if shard.pages <= 0:
            result.dropped.append(name)
            del current[name]
    return result


def reading_order(shards: Sequence[SearchShard]) -> list[SearchShard]:
    """Per language, the newest first (a first query takes the newest of each language that hold
    a top-level shard's worth of pages), then the largest, then by number."""
    ordered = sorted(shards, key=lambda shard: (-shard.level, _number(shard.name)))
    ordered.sort(key=lambda shard: shard.newest, reverse=True)  # ISO dates: stable sorts, one key each
    ordered.sort(key=lambda shard: shard.language)
    return ordered


def _number(name: str) -> int:
    return int(name.rsplit("-", 1)[1])


def signature() -> str:
    """Shards made by another program or another Pagefind binary are made again. The binary is
    known by its size and time, not by package metadata, whose lookup costs a run 0.15 s."""
    try:
        binary = os.stat(pagefind())
        pagefind_id = f"{binary.st_size}-{binary.st_mtime_ns}"
    except (ImportError, OSError):
        pagefind_id = "none"
    return f"{__version__}|pagefind {pagefind_id}|{FIRST_PAGES}x{MERGE_AFTER}^{TOP_LEVEL}"


def update(store: Store, out: Path, enabled: bool, should_stop: Callable[[], bool],
           progress: Progress | None = None) -> SearchReport:
    """Bring `out/pagefind/` in step with the pages, once the feeds are out: plan the change of
    shards (kept in the store), build the dirty ones (one Pagefind process per core), flush them,
    record them and publish the manifest of the current bundles; or remove the whole index when
    search is off. Each shard is one unit of failure. Raises `OutputError` only when `out/`
    itself cannot be written."""
    report = SearchReport()
    folder = out / layout.SEARCH_FOLDER
    if not enabled:
        with store.transaction():
            store.search.clear()
            for subject in store.held.subjects(SHARD):  # no index: no shard is due
                store.held.release(subject)
        _remove_stale(folder, set(), report)
        try:
            (out / layout.SEARCH_MANIFEST).unlink()
            report.removed.append(layout.SEARCH_MANIFEST)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise OutputError(f"cannot remove {out / layout.SEARCH_MANIFEST}: {exc.strerror or exc}") from None
        with contextlib.suppress(OSError):
            folder.rmdir()  # only when nothing else is in it
        return report
    started = time.monotonic()
    dirty = _planned(store, out)
    if dirty:
        progress = progress or Progress()
        progress.begin("indexing for search", sum(len(members) for _, members in dirty), "pages")
        built: list[tuple[SearchShard, int, str | None]] = []
        with ThreadPoolExecutor(PROCESSES) as pool:
            futures = [(shard, len(members), pool.submit(_build_one, out, shard, members, should_stop))
                       for shard, members in dirty]
            for shard, pages, future in futures:
                built.append((shard, pages, future.result()))
                progress.advance(pages)
        progress.end()
        report.seconds = time.monotonic() - started
        flush(out)  # the store names no bundle that is not on disk
        _record(store, built, report)
    shards = store.search.shards()
    manifest = {"first_pages": capacity(TOP_LEVEL),
                "shards": [{"language": shard.language, "bundle": f"{layout.SEARCH_FOLDER}/{shard.bundle}/",
                            "pages": shard.pages, "newest": shard.newest} for shard in reading_order(shards) if shard.bundle]}
    data = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if write_if_changed(out / layout.SEARCH_MANIFEST, data):
            report.written.append(layout.SEARCH_MANIFEST)
    except OSError as exc:  # the one file every search reads first: the output folder's failure
        raise OutputError(f"cannot write {out / layout.SEARCH_MANIFEST}: {exc.strerror or exc}") from None
    _remove_stale(folder, {shard.bundle for shard in shards}, report)
    if report.written or report.removed:
        flush(out)
    return report


def _remove_stale(folder: Path, named: set[str], report: SearchReport) -> None:
    """Bundles no shard names any more (earlier builds, merged or emptied shards, crashed builds)
    and a manifest's temporary file left by a run killed while writing it; nothing that is not
    named as this program names them."""
    if not folder.is_dir():
        return
    for stale in folder.iterdir():
        try:
            if stale.is_dir() and layout.SEARCH_BUNDLE.fullmatch(stale.name) and stale.name not in named:
                shutil.rmtree(stale)
                report.removed.append(f"{layout.SEARCH_FOLDER}/{stale.name}")
            elif stale.is_file() and layout.TEMPORARY.fullmatch(stale.name):
                stale.unlink()
        except OSError as exc:
            raise OutputError(f"cannot remove {stale}: {exc.strerror or exc}") from None


def _planned(store: Store, out: Path) -> list[tuple[SearchShard, list[str]]]:
    """The shards to build and their pages, after planning the changes since the last update
    (everything again under another program or Pagefind, or when the manifest is gone)."""
    current = signature()
    if store.meta(SIGNATURE_KEY) != current or not (out / layout.SEARCH_MANIFEST).exists():
        with store.transaction():
            store.search.start_over()
            store.set_meta(SIGNATURE_KEY, current)
    folder = out / layout.SEARCH_FOLDER
    gone = [shard.name for shard in store.search.shards()
            if shard.bundle and not shard.dirty and not intact(folder / shard.bundle / ENTRY)]
    if gone:  # a bundle deleted or damaged since it was built: built again
        with store.transaction():
            for name in gone:
                store.search.rebuild(name)
    changes = [Change(*row) for row in store.search.changes()]
    if changes:
        planned = plan(changes, store.search.shards())
        with store.transaction():
            store.search.save(list(planned.shards.values()), planned.dropped, planned.assigned, planned.unassigned,
                              planned.merged)
            for name in planned.dropped:  # merged or emptied: a failure to build it no longer matters
                store.held.release(f"{SEARCH_SUBJECT} {name}")
    return [(replace(shard, newest=to_datetime(store.search.newest(shard.name)).isoformat()),
             store.search.members(shard.name)) for shard in store.search.shards() if shard.dirty]


def _record(store: Store, built: list[tuple[SearchShard, int, str | None]], report: SearchReport) -> None:
    """Each shard built and named (released, if it was held back), or held back as not built
    ("": a stop came first) and built next run, its last good bundle still named."""
    for shard, pages, failure in built:
        subject = f"{SEARCH_SUBJECT} {shard.name}"
        with store.transaction():
            if failure is None:
                store.search.built(shard.name, shard.builds + 1, f"{shard.name}-{shard.builds + 1}", shard.newest)
                store.held.release(subject)
                report.shards_built += 1
                report.pages_indexed += pages
            elif failure:
                reason = f"could not be built ({failure}); retried next run"
                if store.held.hold(subject, SHARD, reason, signature(), time.time()):
                    report.problems.append(Problem(subject, None, reason, SHARD_NOT_BUILT))


def _build_one(out: Path, shard: SearchShard, members: list[str], should_stop: Callable[[], bool]) -> str | None:
    """One shard's bundle, written beside the published one under its next name; None when
    built, "" when a stop was asked for first, else why it failed."""
    if should_stop():
        return ""
    target = out / layout.SEARCH_FOLDER / f"{shard.name}-{shard.builds + 1}"
    building = target.with_name(f"{layout.TEMP_PREFIX}{target.name}")
    try:
        staging = Path(tempfile.mkdtemp(prefix="enbekshi-search-"))
    except OSError as exc:
        return f"cannot stage its pages in the temporary folder {tempfile.gettempdir()}: {exc.strerror or exc}"
    try:
        try:
            _stage(out, staging, members)
        except OSError as exc:  # links in the temporary folder, not files of out/
            return f"cannot stage its pages in the temporary folder {staging.parent}: {exc.strerror or exc}"
        shutil.rmtree(building, ignore_errors=True)
        result = subprocess.run([str(pagefind()), "--site", str(staging), "--output-path", str(building), "--silent"],
                                capture_output=True, encoding="utf-8", errors="replace", timeout=PAGEFIND_SECONDS, check=False)
        if result.returncode != 0:
            return f"pagefind exited with {result.returncode}: {(result.stderr or result.stdout).strip()[-300:]}"
        verify(building)  # never named, nor put in the place of a good one, unless whole
        make_reproducible(building)
        shutil.rmtree(target, ignore_errors=True)
        os.replace(building, target)
    except OSError as exc:
        if is_global_failure(exc, out):
            raise OutputError(f"cannot write into {out}: {exc.strerror or exc}") from None
        return f"{type(exc).__name__}: {exc.strerror or exc}"
    except subprocess.TimeoutExpired:
        return f"pagefind took more than {PAGEFIND_SECONDS} s"
    except BundleError as exc:
        return str(exc)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(building, ignore_errors=True)
    return None


def _stage(out: Path, staging: Path, members: list[str]) -> None:
    """A folder that looks like `out/` to Pagefind but holds only the shard's pages (as links),
    so result addresses are the pages' own."""
    for article_id in members:
        page = layout.article_file(article_id)
        source = out / page
        if not source.is_file():
            continue  # a page that could not be written is indexed once it is
        link = staging / page
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(source.resolve())


def pagefind() -> Path:
    """The Pagefind binary that `pagefind[bin]` installs."""
    from pagefind_bin import get_executable

    return Path(get_executable())
