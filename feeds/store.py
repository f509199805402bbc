"""The article store: one SQLite database (WAL) holding every article, seed file and feed state.

Everything that must survive a crash lives here: which seed files were read (size, mtime, hash),
every article with the instants it was given, which feeds each article is in, and which feeds
still need writing. Each seed file is ingested in one transaction, so a run that dies half-way
leaves nothing half-done for the next one.

Feed membership is a log per feed: a new or changed article joins `pending`; when the feed is next
rendered, pending articles get the feed's next sequence numbers in publication order and move to
`members`. Archive pages are fixed ranges of sequence numbers, so a full page never gains an entry
again; triggers keep every feed's entry count and dirty flag, and remember the sequence numbers
removed from a feed, so only the archive pages they were on are rewritten.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from feeds import identity, timing
from feeds.catalogue import FeedKey, feed_keys
from feeds.classify import match_topics
from feeds.models import FILE_REJECTED, RECORD_SKIPPED, Article, Entry, Problem
from feeds.settings import Settings

SCHEMA_VERSION = 2
# Each step takes a store from the version before it to the next one.
MIGRATIONS = {
    2: """
ALTER TABLE seed_files ADD COLUMN ctime_ns INTEGER NOT NULL DEFAULT 0;
ALTER TABLE seed_files ADD COLUMN version TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN error TEXT;
-- Problems were kept as text; files that had any are read again to record them anew.
UPDATE seed_files SET problems = '[]', mtime_ns = -1 WHERE problems != '[]';
CREATE TABLE quarantine (
    subject TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    version TEXT NOT NULL,
    since REAL NOT NULL
);
""",
}
SCHEMA = """
CREATE TABLE seed_files (
    name TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    problems TEXT NOT NULL DEFAULT '[]',
    ctime_ns INTEGER NOT NULL DEFAULT 0,
    version TEXT NOT NULL DEFAULT ''
);
CREATE TABLE articles (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    day TEXT NOT NULL,
    paragraphs TEXT NOT NULL,
    summary TEXT NOT NULL,
    source_url TEXT,
    agency TEXT,
    news_id INTEGER,
    order_id INTEGER NOT NULL,
    language TEXT NOT NULL,
    category TEXT NOT NULL,
    category_label TEXT NOT NULL,
    topics TEXT NOT NULL,
    published_us INTEGER NOT NULL,
    updated_us INTEGER NOT NULL UNIQUE,
    content_hash TEXT NOT NULL,
    first_file TEXT NOT NULL,
    first_line INTEGER NOT NULL
);
CREATE INDEX articles_by_day ON articles (day, published_us);
CREATE INDEX articles_recent ON articles (published_us);
CREATE TABLE aliases (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL
);
CREATE INDEX aliases_by_article ON aliases (article_id);
CREATE TABLE feeds (
    path TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    label TEXT NOT NULL,
    next_seq INTEGER NOT NULL DEFAULT 0,
    entry_count INTEGER NOT NULL DEFAULT 0,
    dirty INTEGER NOT NULL DEFAULT 1,
    archived_before INTEGER NOT NULL DEFAULT 0,
    rendered_with TEXT NOT NULL DEFAULT '',
    latest_title TEXT NOT NULL DEFAULT '',
    latest_published INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE members (
    feed TEXT NOT NULL,
    seq INTEGER NOT NULL,
    article_id TEXT NOT NULL,
    PRIMARY KEY (feed, seq)
) WITHOUT ROWID;
CREATE INDEX members_by_article ON members (article_id);
CREATE TABLE pending (
    feed TEXT NOT NULL,
    article_id TEXT NOT NULL,
    PRIMARY KEY (feed, article_id)
) WITHOUT ROWID;
CREATE INDEX pending_by_article ON pending (article_id);
CREATE TABLE removed (
    feed TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (feed, seq)
) WITHOUT ROWID;
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE websub_queue (
    url TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at REAL NOT NULL DEFAULT 0
);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    finished_at REAL NOT NULL,
    summary TEXT NOT NULL,
    error TEXT
);
CREATE TABLE quarantine (
    subject TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    version TEXT NOT NULL,
    since REAL NOT NULL
);
CREATE TRIGGER member_added AFTER INSERT ON members BEGIN
    UPDATE feeds SET entry_count = entry_count + 1 WHERE path = NEW.feed;
END;
CREATE TRIGGER member_removed AFTER DELETE ON members BEGIN
    UPDATE feeds SET entry_count = entry_count - 1, dirty = 1 WHERE path = OLD.feed;
    INSERT OR IGNORE INTO removed (feed, seq) VALUES (OLD.feed, OLD.seq);
END;
CREATE TRIGGER pending_added AFTER INSERT ON pending BEGIN
    UPDATE feeds SET entry_count = entry_count + 1, dirty = 1 WHERE path = NEW.feed;
END;
CREATE TRIGGER pending_removed AFTER DELETE ON pending BEGIN
    UPDATE feeds SET entry_count = entry_count - 1 WHERE path = OLD.feed;
END;
"""
RUNS_KEPT = 100
ENTRY_COLUMNS = ("a.id, a.title, a.published_us, a.updated_us, a.paragraphs, a.summary, a.source_url, "
                 "a.language, a.category, a.category_label, a.topics")
CLASSIFICATION_KEY = "classification"
LAST_DUMP_KEY = "last_new_dump_at"  # when a new or changed dump was last read (epoch seconds)


SQLITE_INTEGER = (-(2**63), 2**63 - 1)
QUARANTINED_ARTICLE = "article"
UNWRITTEN_FEED = "feed"


class StoreError(Exception):
    """The store cannot be used (missing folder, not a database, damaged, read-only): the message
    names its path. Stops the run; nothing about one article or file ever raises it."""


def is_store_failure(exc: BaseException) -> bool:
    """Whether an exception says the database itself failed (I/O, damage, read-only, locked)
    rather than that one article's values could not be stored."""
    return isinstance(exc, sqlite3.Error) and not isinstance(
        exc, (sqlite3.IntegrityError, sqlite3.DataError, sqlite3.InterfaceError, sqlite3.ProgrammingError))


def failure_message(path: Path, exc: BaseException) -> str:
    text = str(exc)
    hint = ("not an SQLite database" if "not a database" in text else "damaged" if "malformed" in text
            else "read-only" if "readonly" in text else "")
    return f"the store {path} cannot be used: {text}" + (f" ({hint})" if hint else "")


def storable(number: int) -> int:
    """An integer SQLite can hold: file times past the year 2262 do not fit in 64 bits of ns."""
    return min(max(number, SQLITE_INTEGER[0]), SQLITE_INTEGER[1])


@dataclass(frozen=True)
class SeedFile:
    name: str
    size: int
    mtime_ns: int
    sha256: str  # empty when the file could not be read
    problems: tuple[Problem, ...]
    ctime_ns: int = 0
    version: str = ""


@dataclass(frozen=True)
class Feed:
    """A feed the store knows of, with what the last render left behind."""

    key: FeedKey
    entry_count: int
    dirty: bool
    archived_before: int
    rendered_with: str
    latest_title: str
    latest_published: int

    @property
    def path(self) -> str:
        return self.key.path


@dataclass
class IngestCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    failed: list[tuple[Article, str]] = field(default_factory=list)


def _problems(name: str, stored: str) -> tuple[Problem, ...]:
    return tuple(Problem(name, item["line"], item["reason"], item["outcome"]) for item in json.loads(stored))


def _entry(row: sqlite3.Row) -> Entry:
    return Entry(
        id=row["id"], title=row["title"], published=timing.to_datetime(row["published_us"]),
        updated=timing.to_datetime(row["updated_us"]), paragraphs=tuple(json.loads(row["paragraphs"])),
        summary=row["summary"], source_url=row["source_url"], language=row["language"],
        category=row["category"], category_label=row["category_label"], topics=tuple(json.loads(row["topics"])),
    )


def _newest_first(entries: list[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda entry: (entry.published, entry.id), reverse=True)


class Store:
    """A connection to the database with the queries the stages need."""

    def __init__(self, path: Path, settings: Settings) -> None:
        """Open (creating or migrating) the store; `StoreError` names the path when it cannot be used."""
        self.settings = settings
        self.path = path
        if path.is_dir():
            raise StoreError(f"the store {path} is a folder, not a database file")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder of the store {path}: {exc.strerror or exc}") from None
        try:
            self.db = sqlite3.connect(path, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA busy_timeout = 10000")
            self._migrate(self.db.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.Error as exc:
            raise StoreError(failure_message(path, exc)) from None

    def _migrate(self, version: int) -> None:
        if version == 0:
            self.db.executescript(f"BEGIN IMMEDIATE; {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
        elif version > SCHEMA_VERSION:
            raise StoreError(f"the store {self.path} was written by a newer version of enbekshi-feeds "
                             f"(schema {version}; this one knows {SCHEMA_VERSION})")
        for step in range(version + 1, SCHEMA_VERSION + 1) if version else ():
            self.db.executescript(f"BEGIN IMMEDIATE; {MIGRATIONS[step]} PRAGMA user_version = {step}; COMMIT;")

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Commits on success and rolls back on any exception, so a file is stored whole or not at all."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # Seed files -----------------------------------------------------------------------------

    def seed_file(self, name: str) -> SeedFile | None:
        row = self.db.execute("SELECT * FROM seed_files WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        return SeedFile(row["name"], row["size"], row["mtime_ns"], row["sha256"], _problems(row["name"], row["problems"]),
                        row["ctime_ns"], row["version"])

    def record_seed_file(self, seed: SeedFile) -> None:
        self.db.execute(
            "INSERT INTO seed_files (name, size, mtime_ns, sha256, problems, ctime_ns, version) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, "
            "sha256 = excluded.sha256, problems = excluded.problems, ctime_ns = excluded.ctime_ns, version = excluded.version",
            (seed.name, seed.size, storable(seed.mtime_ns), seed.sha256,
             json.dumps([{"line": p.line, "outcome": p.outcome, "reason": p.reason} for p in seed.problems], ensure_ascii=False),
             storable(seed.ctime_ns), seed.version),
        )

    def forget_seed_files_except(self, names: set[str]) -> None:
        gone = [row[0] for row in self.db.execute("SELECT name FROM seed_files") if row[0] not in names]
        self.db.executemany("DELETE FROM seed_files WHERE name = ?", [(name,) for name in gone])

    # Articles -------------------------------------------------------------------------------

    def ingest(self, articles: Sequence[Article], revised_at: int) -> IngestCounts:
        """Store one dump's articles (listing order). New ones get instants by the rule in
        `timing`; changed ones keep `published`, get `updated` = `revised_at` (or the next free
        microsecond) and move to the head of their feeds; a source-less translation of a stored
        release is merged into it."""
        counts = IngestCounts()
        orders = timing.order_ids([a.news_id for a in articles])
        newcomers: dict[date, list[tuple[int, int, Article]]] = {}
        pending: dict[str, Article] = {}
        for position, (article, order_id) in enumerate(zip(articles, orders, strict=True)):
            if article.id in pending:
                counts.merged += 1
                continue
            with self._one_article(article, counts):
                known_id = self._resolve(article, pending.values())
                if known_id is None:
                    pending[article.id] = article
                    newcomers.setdefault(article.published, []).append((order_id, -position, article))
                elif known_id != article.id:
                    counts.merged += 1
                elif self._revise(article, revised_at):
                    counts.updated += 1
                else:
                    counts.unchanged += 1
        for day, items in sorted(newcomers.items()):
            items.sort(key=lambda item: (item[0], item[1]))
            taken = [(row["order_id"], row["published_us"]) for row in
                     self.db.execute("SELECT order_id, published_us FROM articles WHERE day = ?", (day.isoformat(),))]
            instants = timing.place(day, taken, [order_id for order_id, _, _ in items])
            for (order_id, _, article), instant in zip(items, instants, strict=True):
                with self._one_article(article, counts):
                    self._insert(article, order_id, self._free_instant(instant))
                    counts.new += 1
        return counts

    @contextmanager
    def _one_article(self, article: Article, counts: IngestCounts) -> Iterator[None]:
        """One article's writes, undone alone if anything about it fails (a savepoint): the rest of
        its dump is stored. A failure of the database itself still stops the run."""
        self.db.execute("SAVEPOINT article")
        try:
            yield
        except Exception as exc:
            if is_store_failure(exc):
                raise
            self.db.execute("ROLLBACK TO article")
            counts.failed.append((article, f"could not be stored ({type(exc).__name__}: {exc})"))
        finally:
            self.db.execute("RELEASE article")

    def _revise(self, article: Article, revised_at: int) -> bool:
        old = self.db.execute("SELECT content_hash, published_us, updated_us FROM articles WHERE id = ?",
                              (article.id,)).fetchone()
        if old["content_hash"] == article.content_hash:
            return False
        # Changed text releases a quarantined article: it is tried again like any revision.
        self.db.execute("DELETE FROM quarantine WHERE subject = ?", (article.id,))
        # `updated` only ever moves forward, even when a dump with an older mtime arrives later.
        updated = self._free_instant(max(revised_at, old["updated_us"] + 1, old["published_us"] + 1))
        self.db.execute(
            "UPDATE articles SET title = ?, paragraphs = ?, summary = ?, source_url = ?, agency = ?, news_id = ?, "
            "language = ?, category = ?, category_label = ?, topics = ?, updated_us = ?, content_hash = ? WHERE id = ?",
            (article.title, json.dumps(article.paragraphs, ensure_ascii=False), article.summary, article.source_url,
             article.agency, article.news_id, article.language, article.category, article.category_label,
             json.dumps(article.topics), updated, article.content_hash, article.id),
        )
        # A changed entry moves to the head of its feeds, where subscribers see it again.
        self._leave_feeds(article.id)
        self._join_feeds(article.id, self._keys(article.language, article.category, article.category_label,
                                                article.agency, article.topics))
        return True

    def _resolve(self, article: Article, pending: Iterable[Article]) -> str | None:
        """The id this article is stored (or about to be stored) under, if any: its own, a recorded
        alias, or, having no source, that of a translation of the same release: a source-less
        article of the same day and language, stored or earlier in this dump, sharing most words."""
        row = self.db.execute(
            "SELECT id FROM articles WHERE id = ? UNION ALL SELECT article_id FROM aliases WHERE id = ?",
            (article.id, article.id),
        ).fetchone()
        if row is not None:
            return str(row[0])
        if article.source_url is not None:
            return None
        body = " ".join(article.paragraphs)
        stored = self.db.execute(
            "SELECT id, paragraphs FROM articles WHERE day = ? AND language = ? AND source_url IS NULL",
            (article.published.isoformat(), article.language),
        )
        candidates = [(r["id"], " ".join(json.loads(r["paragraphs"]))) for r in stored] + [
            (p.id, " ".join(p.paragraphs)) for p in pending
            if p.published == article.published and p.language == article.language and p.source_url is None
        ]
        for candidate_id, candidate_body in candidates:
            if identity.same_release(body, candidate_body):
                self.db.execute("INSERT INTO aliases (id, article_id) VALUES (?, ?)", (article.id, candidate_id))
                return str(candidate_id)
        return None

    def _free_instant(self, instant: int) -> int:
        """`updated` is unique across the store, so no feed ever has two entries sharing one."""
        while self.db.execute("SELECT 1 FROM articles WHERE updated_us = ?", (instant,)).fetchone():
            instant += 1
        return instant

    def _insert(self, article: Article, order_id: int, instant: int) -> None:
        self.db.execute(
            "INSERT INTO articles (id, title, day, paragraphs, summary, source_url, agency, news_id, order_id, language, "
            "category, category_label, topics, published_us, updated_us, content_hash, first_file, first_line) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (article.id, article.title, article.published.isoformat(), json.dumps(article.paragraphs, ensure_ascii=False),
             article.summary, article.source_url, article.agency, article.news_id, order_id, article.language,
             article.category, article.category_label, json.dumps(article.topics), instant, instant,
             article.content_hash, article.file, article.line),
        )
        self._join_feeds(article.id, self._keys(article.language, article.category, article.category_label,
                                                article.agency, article.topics))

    # Feed membership ------------------------------------------------------------------------

    def _keys(self, language: str, category: str, label: str, agency: str | None, topics: Sequence[str]) -> list[FeedKey]:
        return feed_keys(language, category, label, agency, tuple(topics), self.settings)

    def _join_feeds(self, article_id: str, keys: Sequence[FeedKey]) -> None:
        self.db.executemany(
            "INSERT INTO feeds (path, kind, value, label) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (path) DO UPDATE SET label = CASE WHEN excluded.label = '' THEN label ELSE excluded.label END",
            [(key.path, key.kind, key.value, key.label) for key in keys],
        )
        self.db.executemany("INSERT OR IGNORE INTO pending (feed, article_id) VALUES (?, ?)",
                            [(key.path, article_id) for key in keys])

    def _leave_feeds(self, article_id: str, paths: Sequence[str] | None = None) -> None:
        for table in ("members", "pending"):
            if paths is None:
                self.db.execute(f"DELETE FROM {table} WHERE article_id = ?", (article_id,))
            else:
                self.db.executemany(f"DELETE FROM {table} WHERE article_id = ? AND feed = ?", [(article_id, p) for p in paths])

    def _feeds_of(self, article_id: str) -> set[str]:
        return {row[0] for row in self.db.execute(
            "SELECT feed FROM members WHERE article_id = ? UNION SELECT feed FROM pending WHERE article_id = ?",
            (article_id, article_id))}

    def reclassify(self, signature: str, batch: int = 2000) -> int:
        """After topic or agency rules change: recompute every article's topics and feeds, moving
        only the memberships that differ. Runs once per change of rules; returns articles changed."""
        stored = self.meta(CLASSIFICATION_KEY)
        if stored == signature or (stored is None and self._empty()):
            # Unchanged rules, or a new store whose articles will be classified as they arrive.
            self.set_meta(CLASSIFICATION_KEY, signature)
            return 0
        changed = 0
        last = ""
        while True:
            rows = self.db.execute(
                "SELECT id, title, paragraphs, agency, language, category, category_label, topics FROM articles "
                "WHERE id > ? AND id NOT IN (SELECT subject FROM quarantine) ORDER BY id LIMIT ?", (last, batch)).fetchall()
            if not rows:
                break
            for row in rows:
                topics = match_topics(row["title"], json.loads(row["paragraphs"]), row["agency"], self.settings.topics)
                keys = self._keys(row["language"], row["category"], row["category_label"], row["agency"], topics)
                wanted, current = {key.path for key in keys}, self._feeds_of(row["id"])
                if wanted == current and list(topics) == json.loads(row["topics"]):
                    continue
                changed += 1
                self.db.execute("UPDATE articles SET topics = ? WHERE id = ?", (json.dumps(topics), row["id"]))
                self._leave_feeds(row["id"], sorted(current - wanted))
                self._join_feeds(row["id"], [key for key in keys if key.path not in current])
            last = rows[-1]["id"]
        self.set_meta(CLASSIFICATION_KEY, signature)
        return changed

    # Quarantine --------------------------------------------------------------------------

    def quarantine_article(self, article_id: str, reason: str, version: str, now: float) -> bool:
        """Hold a stored article out of every feed (its feeds are marked to re-render without it).
        True when this is news: the article was not held, or was held for another reason."""
        old = self.db.execute("SELECT reason FROM quarantine WHERE subject = ?", (article_id,)).fetchone()
        self._leave_feeds(article_id)
        self._hold(article_id, QUARANTINED_ARTICLE, reason, version, now)
        return old is None or old[0] != reason

    def release_quarantined(self, version: str) -> int:
        """Articles held by another version of the program are tried again: they rejoin their feeds."""
        rows = self.db.execute(
            "SELECT a.id, a.language, a.category, a.category_label, a.agency, a.topics FROM quarantine q "
            "JOIN articles a ON a.id = q.subject WHERE q.kind = ? AND q.version != ?", (QUARANTINED_ARTICLE, version)).fetchall()
        for row in rows:
            self.db.execute("DELETE FROM quarantine WHERE subject = ?", (row["id"],))
            self._join_feeds(row["id"], self._keys(row["language"], row["category"], row["category_label"], row["agency"],
                                                   json.loads(row["topics"])))
        return len(rows)

    def feed_not_written(self, path: str, reason: str, version: str, now: float) -> bool:
        """Remember why a feed could not be written; True when this is news."""
        old = self.db.execute("SELECT reason FROM quarantine WHERE subject = ?", (path,)).fetchone()
        self._hold(path, UNWRITTEN_FEED, reason, version, now)
        return old is None or old[0] != reason

    def release(self, subject: str) -> None:
        self.db.execute("DELETE FROM quarantine WHERE subject = ?", (subject,))

    def _hold(self, subject: str, kind: str, reason: str, version: str, now: float) -> None:
        self.db.execute(
            "INSERT INTO quarantine (subject, kind, reason, version, since) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (subject) DO UPDATE SET reason = excluded.reason, version = excluded.version",
            (subject, kind, reason, version, now))

    def _empty(self) -> bool:
        return self.db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is None

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        (key, value))

    # Feeds ----------------------------------------------------------------------------------

    def feeds(self) -> list[Feed]:
        return [
            Feed(FeedKey(r["path"], r["kind"], r["value"], r["label"]), r["entry_count"], bool(r["dirty"]),
                 r["archived_before"], r["rendered_with"], r["latest_title"], r["latest_published"])
            for r in self.db.execute("SELECT * FROM feeds ORDER BY path")
        ]

    def sequence_pending(self, path: str) -> None:
        """Give a feed's pending articles its next sequence numbers, oldest publication first."""
        start = self.db.execute("SELECT next_seq FROM feeds WHERE path = ?", (path,)).fetchone()[0]
        rows = self.db.execute(
            "SELECT p.article_id FROM pending p JOIN articles a ON a.id = p.article_id WHERE p.feed = ? "
            "ORDER BY a.published_us, a.id", (path,)).fetchall()
        if not rows:
            return
        self.db.executemany("INSERT INTO members (feed, seq, article_id) VALUES (?, ?, ?)",
                            [(path, start + offset, row[0]) for offset, row in enumerate(rows)])
        self.db.execute("DELETE FROM pending WHERE feed = ?", (path,))
        self.db.execute("UPDATE feeds SET next_seq = ? WHERE path = ?", (start + len(rows), path))

    def head(self, path: str, limit: int) -> tuple[list[Entry], int]:
        """The subscription document's entries (the `limit` highest sequence numbers), newest
        first, and the sequence number below which entries are archived."""
        rows = self.db.execute(
            f"SELECT m.seq, {ENTRY_COLUMNS} FROM members m JOIN articles a ON a.id = m.article_id "
            "WHERE m.feed = ? ORDER BY m.seq DESC LIMIT ?", (path, limit)).fetchall()
        boundary = rows[-1]["seq"] if len(rows) == limit else 0
        return _newest_first([_entry(row) for row in rows]), boundary

    def page(self, path: str, first: int, end: int) -> list[Entry]:
        """Archived entries with sequence numbers in [first, end), newest first."""
        rows = self.db.execute(
            f"SELECT {ENTRY_COLUMNS} FROM members m JOIN articles a ON a.id = m.article_id "
            "WHERE m.feed = ? AND m.seq >= ? AND m.seq < ?", (path, first, end))
        return _newest_first([_entry(row) for row in rows])

    def seq_before(self, path: str, seq: int) -> int | None:
        """The highest sequence number below `seq`, to find the previous non-empty archive page."""
        return self.db.execute("SELECT max(seq) FROM members WHERE feed = ? AND seq < ?", (path, seq)).fetchone()[0]

    def seq_from(self, path: str, seq: int, below: int) -> int | None:
        """The lowest sequence number in [seq, below), to find the next non-empty archive page."""
        return self.db.execute("SELECT min(seq) FROM members WHERE feed = ? AND seq >= ? AND seq < ?",
                               (path, seq, below)).fetchone()[0]

    def removed_seqs(self, path: str) -> list[int]:
        return [row[0] for row in self.db.execute("SELECT seq FROM removed WHERE feed = ?", (path,))]

    def feed_rendered(self, path: str, signature: str, archived_before: int, latest: Entry) -> None:
        self.db.execute(
            "UPDATE feeds SET dirty = 0, rendered_with = ?, archived_before = ?, latest_title = ?, latest_published = ? "
            "WHERE path = ?",
            (signature, archived_before, latest.title, int(latest.published.timestamp() * timing.SECOND), path),
        )
        self.db.execute("DELETE FROM removed WHERE feed = ?", (path,))
        self.db.execute("DELETE FROM quarantine WHERE subject = ?", (path,))

    def forget_feed(self, path: str) -> None:
        self.db.execute("DELETE FROM removed WHERE feed = ?", (path,))
        self.db.execute("DELETE FROM feeds WHERE path = ?", (path,))
        self.db.execute("DELETE FROM quarantine WHERE subject = ?", (path,))

    # Retention and runs ---------------------------------------------------------------------

    def has_articles_before(self, published_before: int) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE published_us < ? LIMIT 1", (published_before,)).fetchone() is not None

    def prune(self, published_before: int | None, max_articles: int | None) -> int:
        """Remove articles published before the cutoff or beyond the newest `max_articles`, with
        their feed memberships (which marks those feeds dirty). Returns how many were removed."""
        conditions: list[str] = []
        params: list[int] = []
        if published_before is not None:
            conditions.append("published_us < ?")
            params.append(published_before)
        if max_articles is not None:
            conditions.append("published_us < coalesce((SELECT published_us FROM articles "
                              "ORDER BY published_us DESC LIMIT 1 OFFSET ?), -1)")
            params.append(max_articles - 1)
        where = " OR ".join(conditions) or "0"
        doomed = f"SELECT id FROM articles WHERE {where}"
        for table in ("members", "pending"):
            self.db.execute(f"DELETE FROM {table} WHERE article_id IN ({doomed})", params)
        self.db.execute(f"DELETE FROM aliases WHERE article_id IN ({doomed})", params)
        self.db.execute(f"DELETE FROM quarantine WHERE subject IN ({doomed})", params)
        return int(self.db.execute(f"DELETE FROM articles WHERE {where}", params).rowcount)

    def websub_enqueue(self, urls: Sequence[str]) -> None:
        """A changed feed is due at once, even if an earlier ping for it is waiting to be retried."""
        self.db.executemany("INSERT INTO websub_queue (url) VALUES (?) ON CONFLICT (url) DO UPDATE SET due_at = 0",
                            [(url,) for url in urls])

    def websub_due(self, now: float) -> list[tuple[str, int]]:
        return [(row[0], row[1]) for row in
                self.db.execute("SELECT url, attempts FROM websub_queue WHERE due_at <= ? ORDER BY url", (now,))]

    def websub_retry(self, url: str, attempts: int, due_at: float) -> None:
        self.db.execute("UPDATE websub_queue SET attempts = ?, due_at = ? WHERE url = ?", (attempts, due_at, url))

    def websub_done(self, url: str) -> None:
        self.db.execute("DELETE FROM websub_queue WHERE url = ?", (url,))

    def record_run(self, finished_at: float, summary: str, error: str | None = None) -> None:
        self.db.execute("INSERT INTO runs (finished_at, summary, error) VALUES (?, ?, ?)", (finished_at, summary, error))
        self.db.execute("DELETE FROM runs WHERE id <= (SELECT max(id) FROM runs) - ?", (RUNS_KEPT,))

    # What an operator asks ------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        """Articles per language and category, the last run, and files with problems."""
        def grouped(column: str) -> dict[str, int]:
            query = f"SELECT {column} AS key, count(*) AS n FROM articles GROUP BY {column} ORDER BY {column}"
            return {row["key"]: row["n"] for row in self.db.execute(query)}

        last = self.db.execute("SELECT finished_at, summary, error FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        troubled = {row["name"]: _problems(row["name"], row["problems"]) for row in
                    self.db.execute("SELECT name, problems FROM seed_files WHERE problems != '[]' ORDER BY name")}
        held = self.db.execute("SELECT q.subject, q.kind, q.reason, q.since, a.title FROM quarantine q "
                               "LEFT JOIN articles a ON a.id = q.subject ORDER BY q.kind, q.subject").fetchall()
        return {
            "articles": self.db.execute("SELECT count(*) FROM articles").fetchone()[0],
            "by_language": grouped("language"),
            "by_category": grouped("category"),
            "feeds": self.db.execute("SELECT count(*) FROM feeds").fetchone()[0],
            "seed_files": self.db.execute("SELECT count(*) FROM seed_files").fetchone()[0],
            "last_run": None if last is None else {"finished_at": last["finished_at"], "summary": last["summary"],
                                                   "error": last["error"]},
            "last_new_dump_at": float(self.meta(LAST_DUMP_KEY) or 0) or None,
            "quarantined_articles": [{"id": r["subject"], "title": r["title"], "reason": r["reason"], "since": r["since"]}
                                     for r in held if r["kind"] == QUARANTINED_ARTICLE],
            "feeds_not_written": {r["subject"]: r["reason"] for r in held if r["kind"] == UNWRITTEN_FEED},
            "files_with_problems": {name: [str(problem) for problem in found] for name, found in troubled.items()},
            "files_rejected": sum(any(p.outcome == FILE_REJECTED for p in found) for found in troubled.values()),
            "records_skipped": sum(p.outcome == RECORD_SKIPPED for found in troubled.values() for p in found),
        }
