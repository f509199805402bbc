"""Seed files -> the store: find, read and hash dumps; parse and classify them; merge translations;
place entry times; decide feed memberships; and reclassify the store when the rules change.

One bad thing is one bad thing: a file that cannot be read, decoded or parsed is rejected, a record
that cannot be classified or stored is skipped (a savepoint per article), each with its reason,
and the rest is stored. Only a failure of the store itself (`StoreError`) goes further.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import itertools
import logging
import os
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import NamedTuple, TypeVar

from feeds import __version__, identity, timing
from feeds.catalogue import Catalogue
from feeds.classify import match_topics, retitled, to_article
from feeds.models import FILE_REJECTED, RECORD_SKIPPED, WARNING, Article, FeedKey, Problem, SeedFile, StageReport, capped
from feeds.parse import NotText, decode, parse_dump
from feeds.pool import Pool
from feeds.progress import Progress
from feeds.settings import AgencySettings, ConfigError, FeedSettings, Settings, TopicSettings
from feeds.store import Fingerprint, RecordError, Store, StoreError, Traits, packed_text
from feeds.timing import SECOND, to_datetime

SEED_SUFFIX = ".txt"
# A dump still being written or left by an editor is never read.
IGNORED_SUFFIXES = (".part", ".tmp", "~")
CLOCK_SKEW_SECONDS = 1
ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
MAX_FILE_BYTES = 32 * 1024 * 1024  # the seed dumps are 50 kB; see README, "When things go wrong"
LAST_DUMP_KEY = "last_new_dump_at"  # when a new or changed dump was last read (epoch seconds)
CLASSIFICATION_KEY = "classification"
RECLASSIFY_BATCH = 2000
POOL_FILES = 40  # dumps to read at once before worker processes are worth starting
FILES_PER_TRANSACTION = 50
STOP_CHECK_EVERY = 200  # articles
FREE_INSTANT_PROBE = 1_000  # microseconds of `updated` instants asked of the store at once
RELEASE_CANDIDATES = 100  # source-less articles of a day and language a newcomer is compared with
WORDS_KEPT = 2_000  # word sets of texts kept across the dumps of a run (about 15 KB each)
log = logging.getLogger("feeds.ingest")
T = TypeVar("T")


@dataclass
class IngestReport(StageReport):
    """What reading the seeds folder did, for the run's summary."""

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
    records_skipped: int = 0

    def add(self, other: IngestReport) -> None:
        """Another report's counts added to these: every count this class has, whatever fields come later."""
        for name in (item.name for item in fields(IngestReport) if item.type in ("int", int)):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Counts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    failed: list[tuple[Article, str]] = field(default_factory=list)


class Candidate(NamedTuple):
    """A file in the seeds folder: where it is, its name as people can read it, its stat. A tuple,
    and the path made only for files that are read: a million-article folder holds 50,000 files,
    and most of them are only compared."""

    location: str
    name: str
    stat: os.stat_result

    @property
    def path(self) -> Path:
        return Path(self.location)


def printable(name: str) -> str:
    """A file name as a log line and the store can carry it, so that two names never print alike:
    a byte that is not UTF-8 as `\\xff`, any other character that does not print as `\\n`, `\\t`,
    `\\r` or `\\u0085`, and a backslash doubled."""
    if name.isprintable() and "\\" not in name:
        return name  # every name a person gives a dump: nothing to escape
    shown = []
    for char in name:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, as os.fsdecode keeps it
            shown.append(f"\\x{code - 0xDC00:02x}")
        elif char == "\\":
            shown.append("\\\\")
        elif char in ESCAPES:
            shown.append(ESCAPES[char])
        elif not char.isprintable():
            shown.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            shown.append(char)
    return "".join(shown)


def is_seed(path: Path) -> bool:
    """Dump files only: `*.txt`, neither hidden nor named like a temporary or backup file."""
    return _is_seed_name(path.name)


def _is_seed_name(name: str) -> bool:
    return name.endswith(SEED_SUFFIX) and not name.startswith(".") and not name.endswith(IGNORED_SUFFIXES)


def seed_files(folder: Path) -> list[Candidate]:
    """Dump files with their stat, in the folder's order (only the files read are put in order:
    `oldest_first`). A file that vanishes while being listed is simply not there."""
    found = []
    try:
        entries = list(os.scandir(folder))
    except OSError as exc:
        raise ConfigError(f"paths.seeds: {folder} cannot be listed: {exc.strerror or exc}") from None
    for entry in entries:
        if not _is_seed_name(entry.name):
            continue
        try:
            if not entry.is_file():
                continue
            stat = entry.stat()
        except OSError:
            continue
        found.append(Candidate(entry.path, printable(entry.name), stat))
    return found


def oldest_first(seed: Candidate) -> tuple[int, str]:
    """The order files are read in: oldest mtime first, so that later content revises earlier."""
    return seed.stat.st_mtime_ns, seed.name


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


def being_written(path: Path) -> bool | None:
    """Whether some process has the file open for writing; None when the system cannot tell.
    Linux refuses a read lease (F_SETLEASE) on a file open for writing anywhere; a lease needs the
    file's owner (or CAP_LEASE) and a local file system, so elsewhere the settle period decides."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        fcntl.fcntl(handle, fcntl.F_SETLEASE, fcntl.F_RDLCK)
    except (OSError, AttributeError) as exc:
        return True if isinstance(exc, OSError) and exc.errno == errno.EAGAIN else None
    else:
        fcntl.fcntl(handle, fcntl.F_SETLEASE, fcntl.F_UNLCK)
        return False
    finally:
        os.close(handle)


def read_bounded(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, refusing (ValueError) a file over the limit without reading it."""
    with open(path, "rb") as stream:
        if os.fstat(stream.fileno()).st_size > limit:
            raise ValueError(f"larger than the {limit // 2**20} MiB a dump may have")
        data = stream.read(limit + 1)  # it may have grown since
    if len(data) > limit:
        raise ValueError(f"larger than the {limit // 2**20} MiB a dump may have")
    return data


class Stopped(Exception):
    """A stop was asked for in the middle of a file: its transaction is rolled back, and the
    file is read whole by the next run."""


class Ingest:
    """Seeds into the store, for one run: which dumps to read, read in worker processes, and each
    file stored whole (its articles merged by `Merge`); memberships recomputed when the rules change."""

    def __init__(self, store: Store, settings: Settings, catalogue: Catalogue,
                 should_stop: Callable[[], bool] = lambda: False, progress: Progress | None = None) -> None:
        self.store = store
        self.settings = settings
        self.catalogue = catalogue
        self.should_stop = should_stop
        self.progress = progress or Progress()
        self.merge = Merge(store, catalogue, should_stop)

    def seeds(self, now: float) -> IngestReport:
        """The ingest stage: read every new or changed dump that has settled. Reading, decoding, parsing and
        classifying need no store: for many files they run in worker processes, while this one
        stores the files already prepared, in order, many files to a transaction (a savepoint
        each, so a file is stored whole or not at all)."""
        report = IngestReport()
        present = seed_files(self.settings.paths.seeds)
        known = self.store.seeds.fingerprints()
        # A dump that is gone leaves its articles published; only its bookkeeping goes.
        self.store.seeds.forget(set(known) - {seed.name for seed in present})
        jobs = [job for seed in present if (job := self._job(seed, known.get(seed.name), report, now))]
        jobs.sort(key=lambda job: oldest_first(job.seed))
        latest = to_datetime(int(now * SECOND)).date() + timedelta(days=1)
        work = partial(prepare, feeds=self.settings.feeds, topics=tuple(self.settings.topics), latest=latest,
                       agencies=self.settings.agencies)
        self.progress.begin("reading dumps", len(jobs), "files")
        with Pool() as pool:
            files = [(job.seed.path, job.seed.name) for job in jobs]
            prepared = zip(jobs, pool.imap(work, files, large=len(jobs) >= POOL_FILES, chunk=2), strict=True)
            for chunk in _batched(prepared, FILES_PER_TRANSACTION):
                stopped = self._store_chunk(chunk, report, now)
                self.progress.advance(len(chunk))
                if stopped:
                    break
        self.progress.end()
        return report

    def _job(self, seed: Candidate, known: Fingerprint | None, report: IngestReport, now: float) -> Job | None:
        """Whether a seed file is to be read: new or changed (by size and times), and settled."""
        report.files_seen += 1
        # A file held back by another version of the program is read again: the new one may take it.
        retry = known is not None and known.troubled and known.version != __version__
        stat = seed.stat
        if known and (known.size, known.mtime_ns, known.ctime_ns) == (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns) and not retry:
            report.files_unchanged += 1
            return None
        mtime = stat.st_mtime_ns
        recent = (now - self.settings.watch.settle_seconds) * 1e9 < mtime <= (now + CLOCK_SKEW_SECONDS) * 1e9
        if recent and being_written(seed.path) is not False:
            # Written to within the settle period, and open for writing (or no way to tell):
            # perhaps still being written. Next run. (A mtime further in the future says nothing
            # about writing, only about another clock.)
            report.files_deferred += 1
            return None
        return Job(seed, None if known is None else self.store.seeds.get(seed.name), retry)

    def _store_chunk(self, chunk: Sequence[tuple[Job, Prepared]], report: IngestReport, now: float) -> bool:
        """Some prepared files in one transaction; True when a stop was asked for."""
        done = IngestReport()
        stopped = False
        with self.store.transaction():
            for job, prepared in chunk:
                if self.should_stop():
                    stopped = True
                    break
                try:
                    with self.store.savepoint():
                        problems = self._store_file(job, prepared, done, now)
                except Stopped:
                    stopped = True
                    break
                except StoreError:
                    raise
                except Exception as exc:
                    log.debug("storing %s failed", job.seed.name, exc_info=True)
                    problems = [Problem(job.seed.name, None, f"could not be ingested ({type(exc).__name__}: {exc})", FILE_REJECTED)]
                    self.store.seeds.record(_fingerprint(job.seed, prepared.digest, problems))
                done.files_rejected += any(p.outcome == FILE_REJECTED for p in problems)
                done.records_skipped += sum(p.count for p in problems if p.outcome == RECORD_SKIPPED)
                done.problems.extend(problems)
        report.add(done)  # counted once committed: a failed transaction adds nothing to the report
        report.problems += done.problems
        report.stopped_early = report.stopped_early or stopped
        return stopped

    def _store_file(self, job: Job, prepared: Prepared, report: IngestReport, now: float) -> list[Problem]:
        """One prepared seed file into the store, with its fingerprint and its problems: a record
        that cannot be stored is skipped alone."""
        seed, known = job.seed, job.known
        fresh = _fingerprint(seed, prepared.digest, [])
        if prepared.missing:
            return []  # gone since the folder was listed: simply not there
        if not prepared.digest:  # not read at all
            self.store.seeds.record(replace(fresh, problems=prepared.problems, mtime_ns=-1 if prepared.retry else fresh.mtime_ns))
            return list(prepared.problems)
        if known and known.sha256 == prepared.digest and not job.retry:
            self.store.seeds.record(replace(fresh, problems=known.problems))
            report.files_unchanged += 1
            return []
        if known:
            report.files_changed += 1
        else:
            report.files_new += 1
        revised_at, distrust = written_at(seed.stat.st_mtime_ns, now)
        problems = [Problem(seed.name, None, distrust, WARNING)] if distrust else []
        problems.extend(prepared.problems)
        counts = self.merge.articles(prepared.articles, revised_at, prepared.texts, seen_before=known is not None)
        problems.extend(Problem(seed.name, article.line, reason) for article, reason in counts.failed)
        problems = capped(problems)
        self.store.seeds.record(replace(fresh, problems=tuple(problems)))
        self.store.set_meta(LAST_DUMP_KEY, repr(now))
        report.articles_new += counts.new
        report.articles_updated += counts.updated
        report.articles_unchanged += counts.unchanged
        report.articles_merged += counts.merged
        return problems

    def reclassify(self, signature: str) -> int:
        """After topic or agency rules change: recompute every article's topics and feeds, moving
        only the memberships that differ, and the titles invented from agencies' names. Runs once
        per change of rules; returns articles changed."""
        stored = self.store.meta(CLASSIFICATION_KEY)
        if stored == signature or (stored is None and self.store.articles.is_empty()):
            # Unchanged rules, or a new store whose articles will be classified as they arrive.
            self.store.set_meta(CLASSIFICATION_KEY, signature)
            return 0
        changed = 0
        last = ""
        while batch := self.store.articles.traits_after(last, RECLASSIFY_BATCH):
            for article in batch:
                topics = match_topics(article.title, article.paragraphs, article.agency, self.settings.topics)
                keys = self.merge.keys(article, topics)
                wanted, current = {key.path for key in keys}, self.store.feeds.of(article.id)
                title = retitled(article.title, article.paragraphs, article.agency, article.language, self.settings.agencies)
                if wanted == current and topics == article.topics and title is None:
                    continue
                changed += 1
                if title is not None:
                    self.store.articles.set_title(article.id, title)
                self.store.articles.set_topics(article.id, topics)
                self.store.feeds.leave(article.id, sorted(current - wanted))
                self.store.feeds.join([(article.id, [key for key in keys if key.path not in current])])
            last = batch[-1].id
        self.store.set_meta(CLASSIFICATION_KEY, signature)
        return changed

    def release_quarantined(self, signature: str) -> int:
        """Articles held back under other render settings or by another version of the program
        (another `signature`) are tried again: they rejoin their feeds."""
        released = self.store.held.articles_not_of(signature)
        for article_id in released:
            traits = self.store.articles.traits(article_id)
            self.store.held.release(article_id)
            if traits is not None:
                self.store.feeds.join([(article_id, self.merge.keys(traits))])
        # Their translations' pages link to them again.
        self.store.renderings.forget_pages_of([other for _, source, language in self.store.articles.sources(released)
                                    for other in identity.translation_ids(source, language)])
        return len(released)


class Merge:
    """One dump's articles into the store: new ones placed by the entry-time rule, revisions,
    translations and records that gained a source or were cut short merged, memberships decided."""

    def __init__(self, store: Store, catalogue: Catalogue, should_stop: Callable[[], bool]) -> None:
        self.store = store
        self.catalogue = catalogue
        self.should_stop = should_stop
        self._words: OrderedDict[str, frozenset[str]] = OrderedDict()  # `_release_of`'s words, by content hash

    def articles(self, articles: Sequence[Article], revised_at: int, texts: Mapping[str, bytes] | None = None,
                 seen_before: bool = False) -> Counts:
        """Store one dump's articles (listing order). New ones get instants by the rule in
        `timing`; changed ones keep `published`, get `updated` = `revised_at` (or the next free
        microsecond) and move to the head of their feeds; a source-less translation of a stored
        release is merged into it. A file costs a few statements, not a few per article. `texts`:
        the articles' texts as the store keeps them, packed by the worker that read the file.
        `seen_before`: an earlier version of this file was read, which may have held records cut
        short (a dump copied while it was written): a record that is one of them whole revises it."""
        counts = Counts()
        orders = timing.order_ids([a.news_id for a in articles])
        # A sourced record may be a stored source-less one that has gained its Source line: look
        # up the id it had without one as well.
        unsourced = {article.id: identity.article_id(None, article.title, article.published, article.language)
                     for article in articles if article.source_url is not None}
        known = self.store.articles.resolve_many([article.id for article in articles] + list(unsourced.values()))
        ids = {article.id for article in articles}
        newcomers: dict[date, list[tuple[int, int, Article]]] = {}
        pending: set[str] = set()
        releases: dict[tuple[date, str], list[tuple[str, frozenset[str]]]] = {}
        joins: dict[str, list[FeedKey]] = {}  # the file's new memberships, stored together at its end
        aliases: list[tuple[str, str]] = []  # (alias, id) of translations merged, stored once their article is
        revised: list[Article] = []  # new and changed
        for position, (article, order_id) in enumerate(zip(articles, orders, strict=True)):
            self._check_stop(position)
            if article.id in pending:
                counts.merged += 1
                continue
            known_id = known.get(article.id)
            sourced_id = None  # the id this article has, when it is stored under another one (an alias)
            if known_id is None:
                earlier = None if article.source_url is None else self._gained_source(article, known.get(unsourced[article.id]))
                if earlier is None and seen_before:
                    earlier, longer = self._cut_version(article, ids)
                    if earlier is not None and not longer:
                        counts.unchanged += 1  # a cut copy of a stored article: the whole one stays
                        pending.add(article.id)
                        continue
                if earlier is None and article.source_url is not None:
                    pending.add(article.id)
                    newcomers.setdefault(article.published, []).append((order_id, -position, article))
                    continue
                if earlier is not None:
                    sourced_id, known_id = article.id, earlier
                    known[sourced_id] = known_id  # a repeat of it later in the file is a duplicate
                    article = replace(article, id=known_id)
            with self._one_article(article, counts):
                if sourced_id is not None:
                    self.store.articles.add_aliases([(sourced_id, article.id)])
                known_id = known_id or self._release_of(article, releases)
                if known_id is None:
                    pending.add(article.id)
                    newcomers.setdefault(article.published, []).append((order_id, -position, article))
                elif known_id != article.id:
                    aliases.append((article.id, known_id))
                    counts.merged += 1
                elif self._revise(article, revised_at, seen_before):
                    joins[article.id] = self.keys(article)
                    revised.append(article)
                    counts.updated += 1
                else:
                    counts.unchanged += 1
        placed = []
        for day, items in sorted(newcomers.items()):
            items.sort(key=lambda item: (item[0], item[1]))
            instants = timing.place(day, self.store.articles.instants_on(day), [order_id for order_id, _, _ in items])
            asked_below = timing.day_start(day) + timing.DAY + len(items)
            taken = self.store.articles.taken_instants(timing.day_start(day), asked_below)
            for (order_id, _, article), instant in zip(items, instants, strict=True):
                free = self._free_instant(instant, taken, asked_below)
                taken.add(free)
                placed.append((article, order_id, free))
        for article, _, _ in self._insert(placed, counts, texts):
            joins[article.id] = self.keys(article)
            revised.append(article)
            counts.new += 1
        self.store.articles.add_aliases(aliases)
        self.store.feeds.join(list(joins.items()))
        # The pages of their translations list them: rendered again.
        self.store.renderings.forget_pages_of([other for article in revised if article.source_url
                                    for other in identity.translation_ids(article.source_url, article.language)])
        return counts

    def _insert(self, placed: list[tuple[Article, int, int]], counts: Counts,
                texts: Mapping[str, bytes] | None) -> list[tuple[Article, int, int]]:
        """New articles into the store in one statement; should one of them fail, one at a time, so
        that only the one that fails is skipped. Returns those stored."""
        try:
            with self.store.savepoint():
                self.store.articles.insert(placed, texts)
            return placed
        except StoreError:
            raise
        except Exception:  # noqa: BLE001 (found out below, one by one)
            stored = []
            for row in placed:
                with self._one_article(row[0], counts):
                    self.store.articles.insert([row], texts)
                    stored.append(row)
            return stored

    def _gained_source(self, article: Article, candidate: str | None) -> str | None:
        """The id of the stored source-less article this sourced one is, when it is the same record
        with its Source line added: the same title, day and language, and the same text (or the
        same release by `identity.same_release`). Its id becomes an alias of that article, which
        gains the source, instead of a second entry appearing."""
        found = None if candidate is None else self.store.articles.text(candidate)
        if found is None or found[1] is not None or candidate is None:
            return None
        stored = found[0]
        if stored != article.paragraphs and not identity.same_release(
                identity.words(" ".join(stored)), identity.words(" ".join(article.paragraphs))):
            return None
        return candidate

    def _cut_version(self, article: Article, ids: set[str]) -> tuple[str | None, bool]:
        """A stored article of this article's file, title and day that is this one cut short, or
        whole where this one is cut short (`identity.cut_short`): its id, and whether this one is
        the longer. Its id may differ (the cut lost the source, or changed the language); one that
        is another record of the same dump is not a version of this one."""
        text = (*article.paragraphs, article.source_url or "")
        for candidate, paragraphs, source in self.store.articles.same_heading(article.file, article.title, article.published):
            if candidate in ids:
                continue
            if identity.cut_short((*paragraphs, source or ""), text):
                return candidate, True
            if identity.cut_short(text, (*paragraphs, source or "")):
                return candidate, False
        return None, False

    def _check_stop(self, done: int) -> None:
        """Between articles of a long file, now and then: a stop request need not wait for its end."""
        if done and done % STOP_CHECK_EVERY == 0 and self.should_stop():
            raise Stopped

    @contextmanager
    def _one_article(self, article: Article, counts: Counts) -> Iterator[None]:
        """One article's writes, undone alone if anything about it fails (a savepoint): the rest of
        its dump is stored. A failure of the store itself still stops the run."""
        try:
            with self.store.savepoint():
                yield
        except StoreError:
            raise
        except Exception as exc:  # noqa: BLE001 (whatever it is, it is this article's alone)
            reason = exc if isinstance(exc, RecordError) else f"{type(exc).__name__}: {exc}"
            counts.failed.append((article, f"could not be stored ({reason})"))

    def _release_of(self, article: Article, releases: dict[tuple[date, str], list[tuple[str, frozenset[str]]]]) -> str | None:
        """For an article without a source that is not stored, the id of a translation of the same
        release, if any: one of the newest `RELEASE_CANDIDATES` source-less articles of the same day
        and language, stored or earlier in this dump, sharing most words (the caller records the
        alias once that article is stored).
        Bounded, so a dump of thousands of source-less records of one day costs time linear in its
        length. `releases` holds those candidates' words."""
        key = (article.published, article.language)
        if key not in releases:
            stored = self.store.articles.sourceless(article.published, article.language, RELEASE_CANDIDATES)
            # Words are kept by content across the run's dumps: a day's candidates are read once,
            # not once per dump of that day (a million articles have hundreds a day).
            unread = [stored_id for stored_id, content in stored if content not in self._words]
            read = self.store.articles.paragraphs(unread)
            known = {content: self._words.get(content) for _, content in stored}
            for stored_id, content in stored:
                if known[content] is None and stored_id in read:
                    known[content] = self._remember(content, identity.words(" ".join(read[stored_id])))
            releases[key] = [(stored_id, found) for stored_id, content in reversed(stored)
                             if (found := known[content]) is not None]
        candidates = releases[key]
        words = self._words.get(article.content_hash) or self._remember(
            article.content_hash, identity.words(" ".join(article.paragraphs)))
        for candidate_id, candidate_words in candidates:
            if identity.same_release(words, candidate_words):
                return candidate_id
        candidates.append((article.id, words))
        del candidates[:-RELEASE_CANDIDATES]
        return None

    def _remember(self, content: str, words: frozenset[str]) -> frozenset[str]:
        """Keep the words of a text (by its content hash), the least recently used dropped."""
        self._words[content] = words
        self._words.move_to_end(content)
        while len(self._words) > WORDS_KEPT:
            self._words.popitem(last=False)
        return words

    def _revise(self, article: Article, revised_at: int, seen_before: bool) -> bool:
        """Store a changed article's new text, unless it is the stored one cut short (a dump of
        `seen_before` copied while it was written): False when nothing changed."""
        old = self.store.articles.stored_version(article.id)
        if old.content_hash == article.content_hash:
            return False
        if seen_before and (stored := self.store.articles.text(article.id)) is not None and identity.cut_short(
                (*article.paragraphs, article.source_url or ""), (*stored[0], stored[1] or "")):
            return False
        # Changed text releases a quarantined article: it is tried again like any revision.
        self.store.held.release(article.id)
        # `updated` only ever moves forward, even when a dump with an older mtime arrives later.
        updated = self._free_instant(max(revised_at, old.updated_us + 1, old.published_us + 1), set())
        self.store.articles.update(article, updated)
        # A changed entry moves to the head of its feeds, where subscribers see it again (it joins
        # them again with the rest of the file's articles).
        self.store.feeds.leave(article.id)
        return True

    def _free_instant(self, instant: int, taken: set[int], asked_below: int = 0) -> int:
        """`updated` is unique across the store, so no feed ever has two entries sharing one.
        `taken` holds the instants known to be taken, every one of them from `instant` up to
        `asked_below`; beyond that the store is asked about a stretch of instants at a time (one
        question, however many are taken in a row), and `taken` keeps what it said."""
        while True:
            if instant >= asked_below:
                asked_below = instant + FREE_INSTANT_PROBE
                taken.update(self.store.articles.taken_instants(instant, asked_below))
            if instant not in taken:
                return instant
            instant += 1

    def keys(self, article: Article | Traits, topics: Sequence[str] | None = None) -> list[FeedKey]:
        """The feeds an article is in (by its topics, or these)."""
        return self.catalogue.feed_keys(article.language, article.category, article.category_label, article.agency,
                                        article.topics if topics is None else topics)


@dataclass(frozen=True)
class Job:
    """A seed file to read, with what the store knew of it."""

    seed: Candidate
    known: SeedFile | None
    retry: bool


@dataclass(frozen=True)
class Prepared:
    """A dump read, decoded, parsed and classified: everything that needs no store."""

    digest: str  # empty when the file could not be read
    articles: tuple[Article, ...] = ()
    problems: tuple[Problem, ...] = ()
    missing: bool = False
    texts: dict[str, bytes] = field(default_factory=dict)  # each article's `packed_text`, by content hash
    retry: bool = False  # not read for a reason that may pass (an I/O error): read again next run


def prepare(file: tuple[Path, str], feeds: FeedSettings, topics: tuple[TopicSettings, ...], latest: date,
            agencies: Mapping[str, AgencySettings] | None = None) -> Prepared:
    """Read, hash, decode, parse and classify one seed file (in a worker process, for many files).
    Whatever goes wrong is this file's or this record's alone, and comes back as problems."""
    path, name = file
    try:
        try:
            data = read_bounded(path)
        except FileNotFoundError:
            return Prepared("", missing=True)
        except (OSError, ValueError) as exc:
            reason = f"cannot be read: {exc.strerror}" if isinstance(exc, OSError) and exc.strerror else str(exc)
            # Permissions are read again when they change (the file's ctime); any other error may pass.
            retry = isinstance(exc, OSError) and not isinstance(exc, PermissionError)
            reason += "; read again next run" if retry else ""
            return Prepared("", problems=(Problem(name, None, reason, FILE_REJECTED),), retry=retry)
        digest = hashlib.sha256(data).hexdigest()
        try:
            decoded = decode(data)
        except NotText as exc:
            return Prepared(digest, problems=(Problem(name, None, str(exc), FILE_REJECTED),))
        # A record dated after tomorrow (in Kazakhstan) cannot be news yet, and would pin every feed's
        # `updated` in the future. Judged against the clock, not the mtime: a file copied with its
        # times kept from a machine with a wrong clock can look older than what it holds.
        dump = parse_dump(decoded.text, name, latest)
        problems = []
        if decoded.replaced_lines:
            lines = ", ".join(map(str, decoded.replaced_lines[:10])) + (", ..." if len(decoded.replaced_lines) > 10 else "")
            problems.append(Problem(name, decoded.replaced_lines[0], f"bytes that are not UTF-8 replaced by "
                                    f"U+FFFD on {len(decoded.replaced_lines)} line(s): {lines}", WARNING))
        problems.extend(dump.problems)
        if dump.section and not dump.records and not dump.problems:
            problems.append(Problem(name, None, "no records found", WARNING))
        articles = []
        for record in dump.records:
            try:
                articles.append(to_article(record, dump.section, feeds, topics, agencies))
            except Exception as exc:  # noqa: BLE001 (whatever it is, it is this record's alone)
                problems.append(Problem(name, record.line, f"could not be classified ({type(exc).__name__}: {exc})"))
        texts = {article.content_hash: packed_text(article.paragraphs) for article in articles}
        return Prepared(digest, tuple(articles), tuple(problems), texts=texts)
    except Exception as exc:  # noqa: BLE001 (whatever it is, it is this file's alone)
        return Prepared("", problems=(Problem(name, None, f"could not be ingested ({type(exc).__name__}: {exc})", FILE_REJECTED),))


def _batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of `size` items (the last one shorter), as they come."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _fingerprint(seed: Candidate, digest: str, problems: list[Problem]) -> SeedFile:
    return SeedFile(seed.name, seed.stat.st_size, seed.stat.st_mtime_ns, digest, tuple(problems),
                    seed.stat.st_ctime_ns, __version__)
