"""The article store: one SQLite database (WAL) holding every article, seed file and feed state.

Everything that must survive a crash lives here: which seed files were read (size, mtime, hash),
every article with the instants it was given, and which feeds still need writing. Each seed file
is ingested in one transaction that also marks the feeds it touched, so a run that dies half-way
leaves nothing half-done for the next one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from feeds import identity, timing
from feeds.models import Article, Entry

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE seed_files (
    name TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    problems TEXT NOT NULL DEFAULT '[]'
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
    published_us INTEGER NOT NULL,
    updated_us INTEGER NOT NULL UNIQUE,
    content_hash TEXT NOT NULL,
    first_file TEXT NOT NULL,
    first_line INTEGER NOT NULL
);
CREATE INDEX articles_by_day ON articles (day, published_us);
CREATE INDEX articles_recent ON articles (published_us);
CREATE INDEX articles_by_language ON articles (language, published_us);
CREATE INDEX articles_by_category ON articles (category, published_us);
CREATE TABLE aliases (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles (id)
);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    finished_at REAL NOT NULL,
    summary TEXT NOT NULL
);
CREATE TABLE feeds (
    path TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    label TEXT NOT NULL,
    dirty INTEGER NOT NULL DEFAULT 1,
    rendered_with TEXT NOT NULL DEFAULT '',
    sha256 TEXT NOT NULL DEFAULT ''
);
"""
ENTRY_COLUMNS = "id, title, published_us, updated_us, paragraphs, summary, source_url, language, category, category_label"
RUNS_KEPT = 100
FEED_FILTERS = {"all": "1 = 1", "lang": "language = ?", "category": "category = ?"}


@dataclass(frozen=True)
class SeedFile:
    name: str
    size: int
    mtime_ns: int
    sha256: str
    problems: tuple[str, ...]


@dataclass(frozen=True)
class Feed:
    """A feed the store knows of: `path` is relative to `out/` without the `.atom` suffix."""

    path: str
    kind: str
    value: str
    label: str
    dirty: bool
    rendered_with: str
    sha256: str


@dataclass
class IngestCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0


def feed_keys(language: str, category: str, category_label: str) -> list[tuple[str, str, str, str]]:
    """(path, kind, value, label) of every feed an article of this language and category is in."""
    return [
        ("all", "all", "", ""),
        (f"lang/{language}", "lang", language, ""),
        (f"category/{category}", "category", category, category_label),
    ]


class Store:
    """A connection to the database with the few queries the stages need."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("PRAGMA busy_timeout = 10000")
        if self.db.execute("PRAGMA user_version").fetchone()[0] == 0:
            self.db.executescript(f"BEGIN IMMEDIATE; {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")

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
        return SeedFile(row["name"], row["size"], row["mtime_ns"], row["sha256"], tuple(json.loads(row["problems"])))

    def record_seed_file(self, seed: SeedFile) -> None:
        self.db.execute(
            "INSERT INTO seed_files (name, size, mtime_ns, sha256, problems) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, "
            "sha256 = excluded.sha256, problems = excluded.problems",
            (seed.name, seed.size, seed.mtime_ns, seed.sha256, json.dumps(list(seed.problems), ensure_ascii=False)),
        )

    # Articles -------------------------------------------------------------------------------

    def ingest(self, articles: Sequence[Article], revised_at: int) -> IngestCounts:
        """Store one dump's articles (listing order). New ones get instants by the rule in
        `timing`; changed ones keep `published` and get `updated` = `revised_at` (or the next free
        microsecond); a source-less translation of a stored release is merged into it."""
        counts = IngestCounts()
        orders = timing.order_ids([a.news_id for a in articles])
        newcomers: dict[date, list[tuple[int, int, Article]]] = {}
        pending: list[Article] = []
        for position, (article, order_id) in enumerate(zip(articles, orders, strict=True)):
            known_id = self._resolve(article, pending)
            if known_id is None:
                pending.append(article)
                newcomers.setdefault(article.published, []).append((order_id, -position, article))
                continue
            if known_id != article.id:
                counts.merged += 1
                continue
            old = self.db.execute("SELECT * FROM articles WHERE id = ?", (article.id,)).fetchone()
            if old["content_hash"] == article.content_hash:
                counts.unchanged += 1
                continue
            counts.updated += 1
            self._mark_dirty(feed_keys(old["language"], old["category"], old["category_label"]))
            updated = self._free_instant(max(revised_at, old["published_us"] + 1))
            self.db.execute(
                "UPDATE articles SET title = ?, paragraphs = ?, summary = ?, source_url = ?, agency = ?, "
                "news_id = ?, language = ?, category = ?, category_label = ?, updated_us = ?, content_hash = ? "
                "WHERE id = ?",
                (article.title, json.dumps(article.paragraphs, ensure_ascii=False), article.summary,
                 article.source_url, article.agency, article.news_id, article.language, article.category,
                 article.category_label, updated, article.content_hash, article.id),
            )
            self._mark_dirty(feed_keys(article.language, article.category, article.category_label))
        for day, items in sorted(newcomers.items()):
            items.sort(key=lambda item: (item[0], item[1]))
            taken = [(row["order_id"], row["published_us"]) for row in
                     self.db.execute("SELECT order_id, published_us FROM articles WHERE day = ?", (day.isoformat(),))]
            instants = timing.place(day, taken, [order_id for order_id, _, _ in items])
            for (order_id, _, article), instant in zip(items, instants, strict=True):
                self._insert(article, order_id, self._free_instant(instant))
                counts.new += 1
        return counts

    def _resolve(self, article: Article, pending: Sequence[Article]) -> str | None:
        """The id this article is stored (or about to be stored) under, if any: its own, a recorded
        alias, or, having no source, that of a translation of the same release: a source-less
        article of the same day and language, stored or earlier in this dump, sharing most words."""
        row = self.db.execute(
            "SELECT id FROM articles WHERE id = ? UNION ALL SELECT article_id FROM aliases WHERE id = ?",
            (article.id, article.id),
        ).fetchone()
        if row is not None:
            return row[0]
        if article.source_url is not None:
            return None
        body = " ".join(article.paragraphs)
        stored = self.db.execute(
            "SELECT id, paragraphs FROM articles WHERE day = ? AND language = ? AND source_url IS NULL",
            (article.published.isoformat(), article.language),
        )
        candidates = [(r["id"], " ".join(json.loads(r["paragraphs"]))) for r in stored] + [
            (p.id, " ".join(p.paragraphs)) for p in pending
            if p.id != article.id and p.published == article.published and p.language == article.language and p.source_url is None
        ]
        for candidate_id, candidate_body in candidates:
            if identity.same_release(body, candidate_body):
                self.db.execute("INSERT INTO aliases (id, article_id) VALUES (?, ?)", (article.id, candidate_id))
                return candidate_id
        return None

    def _free_instant(self, instant: int) -> int:
        """`updated` is unique across the store, so no feed ever has two entries sharing one."""
        while self.db.execute("SELECT 1 FROM articles WHERE updated_us = ?", (instant,)).fetchone():
            instant += 1
        return instant

    def _insert(self, article: Article, order_id: int, instant: int) -> None:
        self.db.execute(
            "INSERT INTO articles (id, title, day, paragraphs, summary, source_url, agency, news_id, order_id, "
            "language, category, category_label, published_us, updated_us, content_hash, first_file, first_line) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (article.id, article.title, article.published.isoformat(), json.dumps(article.paragraphs, ensure_ascii=False),
             article.summary, article.source_url, article.agency, article.news_id, order_id, article.language,
             article.category, article.category_label, instant, instant, article.content_hash, article.file, article.line),
        )
        self._mark_dirty(feed_keys(article.language, article.category, article.category_label))

    # Feeds ----------------------------------------------------------------------------------

    def _mark_dirty(self, keys: Iterable[tuple[str, str, str, str]]) -> None:
        self.db.executemany(
            "INSERT INTO feeds (path, kind, value, label) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (path) DO UPDATE SET dirty = 1, "
            "label = CASE WHEN excluded.label = '' THEN label ELSE excluded.label END",
            list(keys),
        )

    def feeds(self) -> list[Feed]:
        return [Feed(r["path"], r["kind"], r["value"], r["label"], bool(r["dirty"]), r["rendered_with"], r["sha256"])
                for r in self.db.execute("SELECT * FROM feeds ORDER BY path")]

    def feed_written(self, path: str, rendered_with: str, sha256: str) -> None:
        self.db.execute("UPDATE feeds SET dirty = 0, rendered_with = ?, sha256 = ? WHERE path = ?", (rendered_with, sha256, path))

    def entries(self, feed: Feed, limit: int) -> list[Entry]:
        """The newest `limit` entries of a feed, newest first, read through an index."""
        where = FEED_FILTERS[feed.kind]
        params = () if feed.kind == "all" else (feed.value,)
        rows = self.db.execute(
            f"SELECT {ENTRY_COLUMNS} FROM articles WHERE {where} ORDER BY published_us DESC LIMIT ?", (*params, limit)
        )
        return [
            Entry(
                id=r["id"], title=r["title"], published=timing.to_datetime(r["published_us"]),
                updated=timing.to_datetime(r["updated_us"]), paragraphs=tuple(json.loads(r["paragraphs"])),
                summary=r["summary"], source_url=r["source_url"], language=r["language"],
                category=r["category"], category_label=r["category_label"],
            )
            for r in rows
        ]

    def forget_feed(self, path: str) -> None:
        self.db.execute("DELETE FROM feeds WHERE path = ?", (path,))

    # Retention and runs ---------------------------------------------------------------------

    def prune(self, published_before: int | None, max_articles: int | None) -> int:
        """Remove articles published before the cutoff or beyond the newest `max_articles`;
        the feeds they were in are marked dirty. Returns how many were removed."""
        conditions, params = [], []
        if published_before is not None:
            conditions.append("published_us < ?")
            params.append(published_before)
        if max_articles is not None:
            conditions.append("published_us < coalesce((SELECT published_us FROM articles "
                              "ORDER BY published_us DESC LIMIT 1 OFFSET ?), -1)")
            params.append(max_articles - 1)
        where = " OR ".join(conditions) or "0"
        for row in self.db.execute(f"SELECT DISTINCT language, category, category_label FROM articles WHERE {where}", params):
            self._mark_dirty(feed_keys(row["language"], row["category"], row["category_label"]))
        self.db.execute(f"DELETE FROM aliases WHERE article_id IN (SELECT id FROM articles WHERE {where})", params)
        return self.db.execute(f"DELETE FROM articles WHERE {where}", params).rowcount

    def record_run(self, finished_at: float, summary: str) -> None:
        self.db.execute("INSERT INTO runs (finished_at, summary) VALUES (?, ?)", (finished_at, summary))
        self.db.execute("DELETE FROM runs WHERE id <= (SELECT max(id) FROM runs) - ?", (RUNS_KEPT,))

    # What an operator asks ------------------------------------------------------------------

    def status(self) -> dict[str, object]:
        """Articles per language and category, the last run, and files with problems."""
        def grouped(column: str) -> dict[str, int]:
            query = f"SELECT {column} AS key, count(*) AS n FROM articles GROUP BY {column} ORDER BY {column}"
            return {row["key"]: row["n"] for row in self.db.execute(query)}

        last = self.db.execute("SELECT finished_at, summary FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        return {
            "articles": self.db.execute("SELECT count(*) FROM articles").fetchone()[0],
            "by_language": grouped("language"),
            "by_category": grouped("category"),
            "seed_files": self.db.execute("SELECT count(*) FROM seed_files").fetchone()[0],
            "last_run": None if last is None else {"finished_at": last["finished_at"], "summary": last["summary"]},
            "files_with_problems": {
                row["name"]: json.loads(row["problems"])
                for row in self.db.execute("SELECT name, problems FROM seed_files WHERE problems != '[]' ORDER BY name")
            },
        }
