"""The article store: one SQLite database (WAL), and only that: schema and migrations,
transactions, typed reads and writes. No rules live here; `ingest` and `publish` decide, the store
remembers. No `sqlite3` exception leaves this module: a failure of the database itself is
`StoreError` (the run stops, naming the path), a value one article cannot store is `RecordError`
(that article is skipped).

Everything that must survive a crash lives here: which seed files were read (size, times, hash,
problems), every article with the instants it was given, which feeds each article is in, which
feeds still need writing, what is held back, the WebSub queue and the last runs.

Feed membership is a log per feed: a new or changed article joins `pending`; when the feed is next
rendered, pending articles get the feed's next sequence numbers in publication order and move to
`members`. The statements that add entries keep every feed's entry count; a trigger on `members`
marks a feed dirty when an entry leaves it and remembers the sequence number removed, so only the
archive pages it was on are rewritten. Tables refer to articles and feeds by integer keys
(`articles.num`, `feeds.num`); the methods here take and give ids and paths.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import zlib
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from feeds.models import (
    GOV_KZ_HOSTS,
    Article,
    Entry,
    FeedKey,
    FeedState,
    FinishedRun,
    Fragments,
    Problem,
    Published,
    SearchShard,
    SeedFile,
)
from feeds.timing import to_datetime

SCHEMA_VERSION = 7
TEXT_COMPRESSION = 6  # zlib's default level: a ninth of level 9's time for 2% more bytes
# `articles.rendered`: what the next publish must do for an article.
RENDER_DUE, RENDERED, PAGE_DUE = 0, 1, 2  # fragments and page / nothing / its page alone
# The search index's shards, which page is in which, and the pages changed since the last update.
SEARCH_SHARDS = """
CREATE TABLE search_shards (
    name TEXT PRIMARY KEY,
    language TEXT NOT NULL,
    level INTEGER NOT NULL,
    pages INTEGER NOT NULL,
    sealed INTEGER NOT NULL,
    dirty INTEGER NOT NULL,
    builds INTEGER NOT NULL,
    bundle TEXT NOT NULL
);
"""
# Schema 5: the date of a shard's newest page, so that searches can take the newest shards first.
SEARCH_NEWEST = "ALTER TABLE search_shards ADD COLUMN newest TEXT NOT NULL DEFAULT '';\n"
# Schema 6: every table that refers to an article or a feed does so by a compact integer key
# (`articles.num`, `feeds.num`) instead of its UUID or path: rows a fifth of the size, and a cold
# build appends to its B-trees instead of inserting at random places. `num`s are never reused
# (AUTOINCREMENT): a removed article's key still names its search page until the index drops it.
KEYED = """
CREATE TABLE articles (
    num INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    day TEXT NOT NULL,
    paragraphs BLOB NOT NULL,  -- `packed_text`
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
    first_line INTEGER NOT NULL,
    rendered INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX articles_by_day ON articles (day, published_us);
CREATE INDEX articles_unrendered ON articles (num) WHERE rendered != 1;
CREATE INDEX articles_recent ON articles (published_us);
CREATE TABLE renderings (article INTEGER PRIMARY KEY, fragments BLOB NOT NULL);
CREATE TABLE aliases (
    id TEXT PRIMARY KEY,
    article INTEGER NOT NULL
);
CREATE INDEX aliases_by_article ON aliases (article);
CREATE TABLE feeds (
    num INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
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
    feed INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    article INTEGER NOT NULL,
    PRIMARY KEY (feed, seq)
) WITHOUT ROWID;
CREATE INDEX members_by_article ON members (article);
CREATE TABLE pending (
    feed INTEGER NOT NULL,
    article INTEGER NOT NULL,
    PRIMARY KEY (feed, article)
) WITHOUT ROWID;
CREATE INDEX pending_by_article ON pending (article);
CREATE TABLE removed (
    feed INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (feed, seq)
) WITHOUT ROWID;
CREATE TABLE gone (article_id TEXT PRIMARY KEY, num INTEGER NOT NULL, source_url TEXT, language TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE search_pages (article INTEGER PRIMARY KEY, shard TEXT NOT NULL);
CREATE INDEX search_pages_by_shard ON search_pages (shard);
CREATE TABLE search_changes (article INTEGER PRIMARY KEY);
CREATE TRIGGER member_removed AFTER DELETE ON members BEGIN
    UPDATE feeds SET entry_count = entry_count - 1, dirty = 1 WHERE num = OLD.feed;
    INSERT OR IGNORE INTO removed (feed, seq) VALUES (OLD.feed, OLD.seq);
END;
"""
# The tables of `KEYED` as schema 5 had them, renamed aside by migration 6 and read from.
REKEYED = ("articles", "renderings", "aliases", "feeds", "members", "pending", "removed", "gone", "search_pages",
           "search_changes")
# Each step takes a store from the version before it to the next one.
MIGRATIONS = {
    2: """
ALTER TABLE seed_files ADD COLUMN ctime_ns INTEGER NOT NULL DEFAULT 0;
ALTER TABLE seed_files ADD COLUMN version TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN error TEXT;
-- Problems were kept as text; files that had any are read again (parsed, not just hashed) to
-- record them anew, and the time of the last new dump starts from the upgrade.
UPDATE seed_files SET problems = '[]', mtime_ns = -1, sha256 = '' WHERE problems != '[]';
INSERT OR IGNORE INTO meta (key, value) SELECT 'last_new_dump_at', strftime('%s', 'now') WHERE EXISTS (SELECT 1 FROM seed_files);
CREATE TABLE quarantine (
    subject TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    version TEXT NOT NULL,
    since REAL NOT NULL
);
""",
    3: """
-- Entry counts are kept by the statements that add and remove entries, a feed at a time, rather
-- than by a trigger per row: a cold build moves millions of rows.
DROP TRIGGER member_added;
DROP TRIGGER pending_added;
DROP TRIGGER pending_removed;
ALTER TABLE articles ADD COLUMN rendered INTEGER NOT NULL DEFAULT 0;
CREATE INDEX articles_unrendered ON articles (id) WHERE rendered = 0;
CREATE TABLE renderings (
    article_id TEXT PRIMARY KEY,
    atom BLOB NOT NULL,
    rss BLOB NOT NULL,
    json TEXT NOT NULL
);
""",
    4: """
-- Articles removed by retention whose pages are still to be deleted from out/.
CREATE TABLE gone (article_id TEXT PRIMARY KEY, source_url TEXT, language TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE search_pages (article_id TEXT PRIMARY KEY, shard TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX search_pages_by_shard ON search_pages (shard);
CREATE TABLE search_changes (article_id TEXT PRIMARY KEY) WITHOUT ROWID;
""" + SEARCH_SHARDS,
    5: """
-- An article's page can be due alone (rendered = 2), its fragments kept.
DROP INDEX articles_unrendered;
CREATE INDEX articles_unrendered ON articles (id) WHERE rendered != 1;
-- Fragments are brief and packed in one compressed value; 0.4 renders every entry again anyway.
DROP TABLE renderings;
CREATE TABLE renderings (article_id TEXT PRIMARY KEY, fragments BLOB NOT NULL);
UPDATE articles SET rendered = 0;
""" + SEARCH_NEWEST,
    6: """
-- Integer keys: the keyed tables are set aside, made again (`KEYED`) and filled from the old ones,
-- articles in publication order. The articles that retention removed get keys after the last one,
-- so that their search pages can still be dropped.
DROP TRIGGER member_removed;
DROP INDEX articles_by_day;
DROP INDEX articles_unrendered;
DROP INDEX articles_recent;
DROP INDEX aliases_by_article;
DROP INDEX members_by_article;
DROP INDEX pending_by_article;
DROP INDEX search_pages_by_shard;
""" + "".join(f"ALTER TABLE {table} RENAME TO old_{table};\n" for table in REKEYED) + KEYED + """
INSERT INTO articles (id, title, day, paragraphs, summary, source_url, agency, news_id, order_id, language, category,
    category_label, topics, published_us, updated_us, content_hash, first_file, first_line, rendered)
SELECT id, title, day, paragraphs, summary, source_url, agency, news_id, order_id, language, category, category_label,
    topics, published_us, updated_us, content_hash, first_file, first_line, rendered
FROM old_articles ORDER BY published_us, id;
INSERT INTO gone (article_id, num, source_url, language)
SELECT article_id, coalesce((SELECT max(num) FROM articles), 0) + row_number() OVER (ORDER BY article_id), source_url,
    language FROM old_gone;
DELETE FROM sqlite_sequence WHERE name = 'articles';
INSERT INTO sqlite_sequence (name, seq)
SELECT 'articles', max(num) FROM (SELECT num FROM articles UNION ALL SELECT num FROM gone) HAVING count(*) > 0;
INSERT INTO feeds (path, kind, value, label, next_seq, entry_count, dirty, archived_before, rendered_with, latest_title,
    latest_published)
SELECT path, kind, value, label, next_seq, entry_count, dirty, archived_before, rendered_with, latest_title,
    latest_published FROM old_feeds ORDER BY path;
INSERT INTO renderings (article, fragments)
SELECT a.num, r.fragments FROM old_renderings r JOIN articles a ON a.id = r.article_id;
INSERT INTO aliases (id, article) SELECT l.id, a.num FROM old_aliases l JOIN articles a ON a.id = l.article_id;
INSERT INTO members (feed, seq, article)
SELECT f.num, m.seq, a.num FROM old_members m JOIN feeds f ON f.path = m.feed JOIN articles a ON a.id = m.article_id;
INSERT INTO pending (feed, article)
SELECT f.num, a.num FROM old_pending p JOIN feeds f ON f.path = p.feed JOIN articles a ON a.id = p.article_id;
INSERT INTO removed (feed, seq) SELECT f.num, r.seq FROM old_removed r JOIN feeds f ON f.path = r.feed;
INSERT INTO search_pages (article, shard)
SELECT coalesce(a.num, g.num), p.shard FROM old_search_pages p LEFT JOIN articles a ON a.id = p.article_id
LEFT JOIN gone g ON g.article_id = p.article_id WHERE coalesce(a.num, g.num) IS NOT NULL;
INSERT INTO search_changes (article)
SELECT coalesce(a.num, g.num) FROM old_search_changes c LEFT JOIN articles a ON a.id = c.article_id
LEFT JOIN gone g ON g.article_id = c.article_id WHERE coalesce(a.num, g.num) IS NOT NULL;
""" + "".join(f"DROP TABLE old_{table};\n" for table in REKEYED),
    7: """
-- What a held thing was held under means one thing: the signature of the settings and program
-- that could not render or write it; another signature tries it again.
ALTER TABLE quarantine RENAME COLUMN version TO held_under;
-- Each announcement of a URL is counted, so that a delivery removes only the one it sent.
ALTER TABLE websub_queue ADD COLUMN announced INTEGER NOT NULL DEFAULT 0;
""",
}


def _foreign_sources(db: sqlite3.Connection) -> None:
    """Before 0.5 any host could be a source: an article whose source is not gov.kz itself loses
    it, and with it its agency (it is rendered again, and the memberships of every article are
    computed again once, which takes it out of that agency's feed). Its id stays: published ids
    never change."""
    rows = db.execute("SELECT num, source_url FROM articles WHERE source_url IS NOT NULL").fetchall()
    foreign = [(num,) for num, url in rows if urlsplit(url).netloc.lower() not in GOV_KZ_HOSTS]
    if foreign:
        db.executemany(f"UPDATE articles SET source_url = NULL, agency = NULL, rendered = {RENDER_DUE} WHERE num = ?", foreign)
        db.execute("DELETE FROM meta WHERE key = 'classification'")


# Repairs in Python after a step's statements, in its transaction.
REPAIRS = {7: _foreign_sources}
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
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE websub_queue (
    url TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at REAL NOT NULL DEFAULT 0,
    announced INTEGER NOT NULL DEFAULT 0
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
    held_under TEXT NOT NULL,
    since REAL NOT NULL
);
""" + SEARCH_SHARDS + SEARCH_NEWEST + KEYED
RUNS_KEPT = 100
CACHE_KIB = 16 * 1024  # page cache per connection (a run has two): more saved no time, cost memory
FULL_BYTES = 1 << 20  # a folder with less room than this is taken for the full one
MAX_PARAMETERS = 400  # ids per `IN (...)`: SQLite allows a few thousand parameters

ENTRY_COLUMNS = ("a.id, a.title, a.published_us, a.updated_us, a.paragraphs, a.summary, a.source_url, "
                 "a.language, a.category, a.category_label, a.topics, a.agency")
PUBLISHED_COLUMNS = "a.id, a.title, a.published_us, a.updated_us, a.source_url, a.language, r.fragments"
ARTICLE_NUM = "(SELECT num FROM articles WHERE id = ?)"  # an article's key, from its id
FEED_NUM = "(SELECT num FROM feeds WHERE path = ?)"  # a feed's key, from its path
# Where the three formats of a packed rendering part: no XML or JSON text can hold a NUL.
FRAGMENT_SEPARATOR = b"\0"
SQLITE_INTEGER = (-(2**63), 2**63 - 1)
ARTICLE = "article"  # kinds of things held back in the quarantine table
FEED = "feed"
PAGE = "page"  # an article page that could not be written (its entry stays in its feeds)
SHARD = "search shard"  # a search shard Pagefind could not build (its last good bundle stays)


def _parts(ids: Sequence[str]) -> Iterator[tuple[Sequence[str], str]]:
    """The ids in parts small enough for one `IN (...)`, each with its `?, ?, ...`."""
    for start in range(0, len(ids), MAX_PARAMETERS):
        part = ids[start:start + MAX_PARAMETERS]
        yield part, ", ".join("?" for _ in part)


class Fingerprint(NamedTuple):
    """What a run compares a seed file in the folder with (a tuple: 50,000 of them at a million articles)."""

    size: int
    mtime_ns: int
    ctime_ns: int
    troubled: bool  # it had problems
    version: str  # of the program that read it


class StoreError(Exception):
    """The store cannot be used (not a database, damaged, read-only, a folder, I/O): the message
    names its path. Stops the run; nothing about one article or file ever raises it."""


class RecordError(Exception):
    """One article's values could not be stored (a constraint, a number too large): that article
    alone is skipped."""


def _temporary_folder() -> str:
    """The folder SQLite keeps its temporary files in: the first usable of SQLITE_TMPDIR, TMPDIR,
    /var/tmp, /usr/tmp and /tmp (its Unix VFS's order)."""
    for folder in (os.environ.get("SQLITE_TMPDIR"), os.environ.get("TMPDIR"), "/var/tmp", "/usr/tmp", "/tmp"):
        if folder and os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK):
            return folder
    return "."


def storable(number: int) -> int:
    """An integer SQLite can hold: file times past the year 2262 do not fit in 64 bits of ns."""
    return min(max(number, SQLITE_INTEGER[0]), SQLITE_INTEGER[1])


@dataclass(frozen=True)
class StoredVersion:
    """What a revision of an article is compared with."""

    content_hash: str
    published_us: int
    updated_us: int


@dataclass(frozen=True)
class Counts:
    articles: int
    by_language: dict[str, int]
    by_category: dict[str, int]
    feeds: int
    seed_files: int


@dataclass(frozen=True)
class Traits:
    """What decides which feeds a stored article is in."""

    id: str
    title: str
    paragraphs: tuple[str, ...]
    agency: str | None
    language: str
    category: str
    category_label: str
    topics: tuple[str, ...]


@dataclass(frozen=True)
class Held:
    subject: str
    kind: str
    reason: str
    since: float
    title: str | None


def _problems(name: str, stored: str) -> tuple[Problem, ...]:
    if stored == "[]":
        return ()  # most files: no JSON to read
    return tuple(Problem(name, item["line"], item["reason"], item["outcome"], item.get("count", 1))
                 for item in json.loads(stored))


def _entry(row: sqlite3.Row) -> Entry:
    return Entry(
        id=row["id"], title=row["title"], published=to_datetime(row["published_us"]),
        updated=to_datetime(row["updated_us"]), paragraphs=_paragraphs(row["paragraphs"]),
        summary=row["summary"], source_url=row["source_url"], language=row["language"],
        category=row["category"], category_label=row["category_label"], topics=tuple(json.loads(row["topics"])),
        agency=row["agency"],
    )


def _published(rows: list[sqlite3.Row], with_text: bool) -> list[Published]:
    """Entries newest first, each with its fragments (rendered before any document needs them),
    and its paragraphs when asked for."""
    entries = []
    for row in rows:
        if row["fragments"] is None:
            raise LookupError(f"{row['id']} has no rendering yet")  # fragments are rendered before documents
        entries.append(Published(row["id"], row["title"], to_datetime(row["published_us"]), to_datetime(row["updated_us"]),
                                 row["source_url"], row["language"], _fragments(row["fragments"]),
                                 _paragraphs(row["paragraphs"]) if with_text else None))
    return sorted(entries, key=lambda entry: (entry.published, entry.id), reverse=True)


def packed_text(paragraphs: Sequence[str]) -> bytes:
    """An article's text as the store keeps it: its paragraphs as JSON, compressed (a third of
    the bytes, at tens of microseconds a read; 0.1 ms to compress, so ingest's workers do it)."""
    return zlib.compress(_json(paragraphs).encode("utf-8"), TEXT_COMPRESSION)


def _paragraphs(stored: bytes | str) -> tuple[str, ...]:
    """The paragraphs back; a store from before 0.4 holds them as JSON text until the article is
    next written."""
    return tuple(json.loads(stored if isinstance(stored, str) else zlib.decompress(stored)))


def packed_fragments(fragments: Fragments) -> bytes:
    """An entry's three fragments as the store keeps them, in one compressed value (packed where
    they are rendered, in a worker for large batches)."""
    return zlib.compress(FRAGMENT_SEPARATOR.join((fragments.atom, fragments.rss, fragments.json.encode("utf-8"))),
                         TEXT_COMPRESSION)


def _fragments(stored: bytes) -> Fragments:
    atom, rss, json_item = zlib.decompress(stored).split(FRAGMENT_SEPARATOR)
    return Fragments(atom, rss, json_item.decode("utf-8"))


def _json(values: Sequence[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


class Store:
    """The database: one connection, its schema and migrations, transactions, and the `meta`
    table; and one repository per stage, each owning its tables (`tests/test_store.py` and the
    README's table of repositories say which)."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        """Open (creating or migrating) the store; `StoreError` names the path when it cannot be
        used. Read-only, for `feeds status` run by a monitoring user: nothing is created or changed."""
        self.path = path
        self.seeds = SeedFiles(self)
        self.articles = Articles(self)
        self.retention = Retention(self)
        self.feeds = Feeds(self)
        self.renderings = Renderings(self)
        self.held = Quarantine(self)
        self.search = SearchIndex(self)
        self.websub = WebSubQueue(self)
        self.runs = Runs(self)
        if path.is_dir():
            raise StoreError(f"the store {path} is a folder, not a database file")
        if read_only and not path.is_file():
            raise StoreError(f"the store {path} does not exist yet: run `feeds build` first")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder of the store {path}: {exc.strerror or exc}") from None
        with self._guard():
            if read_only:
                self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
            else:
                self.db = sqlite3.connect(path, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA busy_timeout = 10000")
            self.db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if read_only:
                if version != SCHEMA_VERSION:
                    raise StoreError(f"the store {path} has schema {version}, this program reads {SCHEMA_VERSION}: "
                                     "run `feeds build` once to upgrade it")
                return
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self._migrate(version)
    def _migrate(self, version: int) -> None:
        if version < 0:
            raise StoreError(f"the store {self.path} has an unknown schema version {version}")
        if version == 0:
            self.db.executescript(f"BEGIN IMMEDIATE; {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
        elif version > SCHEMA_VERSION:
            raise StoreError(f"the store {self.path} was written by a newer version of enbekshi-feeds "
                             f"(schema {version}; this one knows {SCHEMA_VERSION})")
        for step in range(version + 1, SCHEMA_VERSION + 1) if version else ():
            self.db.executescript(f"BEGIN IMMEDIATE; {MIGRATIONS[step]}")
            if step in REPAIRS:
                REPAIRS[step](self.db)
            self.db.execute(f"PRAGMA user_version = {step}")
            self.db.execute("COMMIT")
    @contextmanager
    def _guard(self) -> Iterator[None]:
        """sqlite3's exceptions, told apart: one article's values, or the database itself."""
        try:
            yield
        except (sqlite3.IntegrityError, sqlite3.DataError, sqlite3.InterfaceError, sqlite3.ProgrammingError,
                OverflowError) as exc:
            raise RecordError(f"{type(exc).__name__}: {exc}") from None
        except sqlite3.Error as exc:
            raise StoreError(self._failure(exc)) from None
    def _failure(self, exc: sqlite3.Error) -> str:
        text = str(exc)
        if "readonly" in text:
            # Name the file that refuses: the database, or the journal SQLite keeps beside it.
            for candidate in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm"), self.path.parent):
                if candidate.exists() and not os.access(candidate, os.W_OK):
                    return f"the store {self.path} cannot be used: {text} ({candidate} is read-only)"
        hint = ("not an SQLite database" if "not a database" in text else "damaged" if "malformed" in text
                else "read-only" if "readonly" in text else self._full(text) if "full" in text else "")
        return f"the store {self.path} cannot be used: {text}" + (f" ({hint})" if hint else "")
    def _full(self, text: str) -> str:
        """Which folder is full: SQLite writes temporary files (sorts, statement journals) in the
        temporary folder, not beside the store."""
        temporary = _temporary_folder()
        for folder, name in ((temporary, f"the temporary folder {temporary} (TMPDIR), where SQLite keeps its temporary files,"),
                             (str(self.path.parent), f"the folder of the store {self.path.parent}")):
            try:
                if shutil.disk_usage(folder).free < FULL_BYTES:
                    return f"{name} is full"
            except OSError:
                continue
        return ""
    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._guard():
            return self.db.execute(sql, params).fetchall()
    def _one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        with self._guard():
            return self.db.execute(sql, params).fetchone()
    def _run(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self._guard():
            return self.db.execute(sql, params).rowcount
    def _many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self._guard():
            self.db.executemany(sql, rows)
    def close(self) -> None:
        self.db.close()
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Commits on success and rolls back on any exception, so a file is stored whole or not at
        all. SQLite may have rolled back already (a full disk does that): the error that did it is
        the one raised."""
        self._run("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.db.in_transaction:
                self._run("ROLLBACK")
            raise
        self._run("COMMIT")
    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Inside a transaction: everything in the block is undone alone if it raises."""
        self._run("SAVEPOINT one")
        try:
            yield
        except BaseException:
            if self.db.in_transaction:
                self._run("ROLLBACK TO one")
            raise
        finally:
            if self.db.in_transaction:
                self._run("RELEASE one")
    def meta(self, key: str) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row[0])
    def set_meta(self, key: str, value: str) -> None:
        self._run("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                  (key, value))


class _Tables:
    """What every repository shares: the store's one connection and its guarded statements."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._rows, self._one, self._run, self._many = store._rows, store._one, store._run, store._many


class SeedFiles(_Tables):
    """The seed files read: fingerprints and problems (`seed_files`)."""

    def fingerprints(self) -> dict[str, Fingerprint]:
        """Every seed file the store knows, by name, in one query, as tuples: a run compares each
        file in the folder with them (50,000 at a million articles; `SeedFile`s cost 0.3 s more)."""
        rows = self._rows("SELECT name, size, mtime_ns, ctime_ns, problems != '[]', version FROM seed_files")
        return {name: Fingerprint(size, mtime_ns, ctime_ns, bool(troubled), version)
                for name, size, mtime_ns, ctime_ns, troubled, version in rows}

    def get(self, name: str) -> SeedFile | None:
        """What the store remembers of one seed file: for the few files a run reads."""
        row = self._one("SELECT name, size, mtime_ns, sha256, problems, ctime_ns, version FROM seed_files WHERE name = ?", (name,))
        return None if row is None else SeedFile(row["name"], row["size"], row["mtime_ns"], row["sha256"],
                                                 _problems(row["name"], row["problems"]), row["ctime_ns"], row["version"])

    def record(self, seed: SeedFile) -> None:
        self._run(
            "INSERT INTO seed_files (name, size, mtime_ns, sha256, problems, ctime_ns, version) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, "
            "sha256 = excluded.sha256, problems = excluded.problems, ctime_ns = excluded.ctime_ns, version = excluded.version",
            (seed.name, seed.size, storable(seed.mtime_ns), seed.sha256,
             json.dumps([{"line": p.line, "outcome": p.outcome, "reason": p.reason} | ({"count": p.count} if p.count > 1 else {})
                         for p in seed.problems], ensure_ascii=False),
             storable(seed.ctime_ns), seed.version),
        )

    def forget(self, names: set[str]) -> None:
        self._many("DELETE FROM seed_files WHERE name = ?", [(name,) for name in sorted(names)])

    def problems(self) -> dict[str, tuple[Problem, ...]]:
        """Every seed file that had problems, by name."""
        return {row["name"]: _problems(row["name"], row["problems"])
                for row in self._rows("SELECT name, problems FROM seed_files WHERE problems != '[]' ORDER BY name")}


class Articles(_Tables):
    """Every article with the instants it was given, and the ids it is also known by (`articles`, `aliases`)."""

    def resolve_many(self, article_ids: Sequence[str]) -> dict[str, str]:
        """For each of these ids that is stored (or an alias), the id it is stored under."""
        found: dict[str, str] = {}
        for part, marks in _parts(article_ids):
            found.update((row[0], row[1]) for row in self._rows(
                f"SELECT id, id FROM articles WHERE id IN ({marks}) UNION ALL "
                f"SELECT l.id, a.id FROM aliases l JOIN articles a ON a.num = l.article WHERE l.id IN ({marks})",
                [*part, *part]))
        return found

    def taken_instants(self, low: int, high: int) -> set[int]:
        """The `updated` instants in [low, high) already given."""
        return {row[0] for row in self._rows("SELECT updated_us FROM articles WHERE updated_us >= ? AND updated_us < ?",
                                             (low, high))}

    def sourceless(self, day: date, language: str, limit: int) -> list[tuple[str, str]]:
        """(id, content hash) of the newest `limit` stored articles of a day and language that
        have no source, newest first."""
        return [(row[0], row[1]) for row in self._rows(
            "SELECT id, content_hash FROM articles WHERE day = ? AND language = ? AND source_url IS NULL "
            "ORDER BY published_us DESC LIMIT ?", (day.isoformat(), language, limit))]

    def paragraphs(self, article_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """The paragraphs of those of these articles that are stored, by id."""
        found: dict[str, tuple[str, ...]] = {}
        for part, marks in _parts(article_ids):
            found.update((row[0], _paragraphs(row[1])) for row in self._rows(
                f"SELECT id, paragraphs FROM articles WHERE id IN ({marks})", part))
        return found

    def same_heading(self, file: str, title: str, day: date) -> list[tuple[str, tuple[str, ...], str | None]]:
        """Id, paragraphs and source of the stored articles first read from `file` with this title and day."""
        return [(row[0], _paragraphs(row[1]), row[2]) for row in self._rows(
            "SELECT id, paragraphs, source_url FROM articles WHERE day = ? AND title = ? AND first_file = ?",
            (day.isoformat(), title, file))]

    def text(self, article_id: str) -> tuple[tuple[str, ...], str | None] | None:
        """The paragraphs and source of a stored article."""
        row = self._one("SELECT paragraphs, source_url FROM articles WHERE id = ?", (article_id,))
        return None if row is None else (_paragraphs(row[0]), row[1])

    def add_aliases(self, aliases: Sequence[tuple[str, str]]) -> None:
        """(alias, id) pairs: the alias is recorded when the article with that id is stored."""
        self._many("INSERT OR IGNORE INTO aliases (id, article) SELECT ?, num FROM articles WHERE id = ?", aliases)

    def stored_version(self, article_id: str) -> StoredVersion:
        row = self._one("SELECT content_hash, published_us, updated_us FROM articles WHERE id = ?", (article_id,))
        assert row is not None, article_id
        return StoredVersion(row["content_hash"], row["published_us"], row["updated_us"])

    def instants_on(self, day: date) -> list[tuple[int, int]]:
        """(order id, published instant) of every article stored for a day."""
        return [(row[0], row[1]) for row in self._rows("SELECT order_id, published_us FROM articles WHERE day = ?",
                                                       (day.isoformat(),))]

    def insert(self, placed: Sequence[tuple[Article, int, int]], texts: Mapping[str, bytes] | None = None) -> None:
        """New articles, each with its order id and its instant (both `published` and `updated`);
        `texts`: their texts already packed (`packed_text`), by content hash, where known."""
        texts = texts or {}
        self._many(
            "INSERT INTO articles (id, title, day, paragraphs, summary, source_url, agency, news_id, order_id, language, "
            "category, category_label, topics, published_us, updated_us, content_hash, first_file, first_line) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(article.id, article.title, article.published.isoformat(),
              texts.get(article.content_hash) or packed_text(article.paragraphs),
              article.summary, article.source_url, article.agency, article.news_id, order_id, article.language,
              article.category, article.category_label, json.dumps(article.topics), instant, instant,
              article.content_hash, article.file, article.line) for article, order_id, instant in placed],
        )

    def update(self, article: Article, updated: int) -> None:
        self._run(
            "UPDATE articles SET title = ?, paragraphs = ?, summary = ?, source_url = ?, agency = ?, news_id = ?, "
            "language = ?, category = ?, category_label = ?, topics = ?, updated_us = ?, content_hash = ?, rendered = 0 "
            "WHERE id = ?",
            (article.title, packed_text(article.paragraphs), article.summary, article.source_url,
             article.agency, article.news_id, article.language, article.category, article.category_label,
             json.dumps(article.topics), updated, article.content_hash, article.id),
        )

    def traits_after(self, last_id: str, limit: int) -> list[Traits]:
        """The next `limit` articles by id after `last_id`, quarantined ones left out."""
        return [self._traits(row) for row in self._rows(
            "SELECT id, title, paragraphs, agency, language, category, category_label, topics FROM articles "
            "WHERE id > ? AND id NOT IN (SELECT subject FROM quarantine) ORDER BY id LIMIT ?", (last_id, limit))]

    def traits(self, article_id: str) -> Traits | None:
        row = self._one("SELECT id, title, paragraphs, agency, language, category, category_label, topics FROM articles "
                        "WHERE id = ?", (article_id,))
        return None if row is None else self._traits(row)

    @staticmethod
    def _traits(row: sqlite3.Row) -> Traits:
        return Traits(row["id"], row["title"], _paragraphs(row["paragraphs"]), row["agency"], row["language"],
                      row["category"], row["category_label"], tuple(json.loads(row["topics"])))

    def set_title(self, article_id: str, title: str) -> None:
        self._run("UPDATE articles SET title = ?, rendered = 0 WHERE id = ?", (title, article_id))

    def set_topics(self, article_id: str, topics: Sequence[str]) -> None:
        self._run("UPDATE articles SET topics = ?, rendered = 0 WHERE id = ?", (json.dumps(list(topics)), article_id))

    def is_empty(self) -> bool:
        return self._one("SELECT 1 FROM articles LIMIT 1") is None

    def titles(self, article_ids: Sequence[str]) -> list[tuple[str, str, str]]:
        """(id, language, title) of those of these ids that are stored and not quarantined."""
        found: list[tuple[str, str, str]] = []
        for part, marks in _parts(article_ids):
            found += [(row[0], row[1], row[2]) for row in self._rows(
                f"SELECT id, language, title FROM articles WHERE id IN ({marks}) "
                "AND id NOT IN (SELECT subject FROM quarantine)", part)]
        return found

    def sources(self, article_ids: Sequence[str]) -> list[tuple[str, str, str]]:
        """(id, source URL, language) of those of these ids that are stored with a source."""
        found: list[tuple[str, str, str]] = []
        for part, marks in _parts(article_ids):
            found += [(row[0], row[1], row[2]) for row in self._rows(
                f"SELECT id, source_url, language FROM articles WHERE id IN ({marks}) "
                "AND source_url IS NOT NULL", part)]
        return found

    def counts(self) -> Counts:
        """Articles in all, per language and per category; feeds; seed files."""
        def grouped(column: str) -> dict[str, int]:
            return {row[0]: row[1] for row in self._rows(
                f"SELECT {column}, count(*) FROM articles GROUP BY {column} ORDER BY {column}")}

        def count(table: str) -> int:
            return int(self._one(f"SELECT count(*) FROM {table}")[0])  # type: ignore[index]

        return Counts(count("articles"), grouped("language"), grouped("category"), count("feeds"), count("seed_files"))


class Retention(_Tables):
    """Articles removed by retention, and their pages still to delete (`gone`)."""

    def has_articles_before(self, published_before: int) -> bool:
        return self._one("SELECT 1 FROM articles WHERE published_us < ? LIMIT 1", (published_before,)) is not None

    def newest_published(self, count: int) -> int | None:
        """When the `count`-th newest article was published (None: fewer are stored)."""
        row = self._one("SELECT published_us FROM articles ORDER BY published_us DESC LIMIT 1 OFFSET ?", (count - 1,))
        return None if row is None else int(row[0])

    def prune(self, published_before: int) -> int:
        """Remove the articles published before this instant, with their feed memberships (which
        marks those feeds dirty); their ids join `gone` until their pages are deleted. Returns how
        many were removed."""
        where, params = "published_us < ?", [published_before]
        doomed = f"SELECT num FROM articles WHERE {where}"
        self._run(f"UPDATE feeds SET entry_count = entry_count - (SELECT count(*) FROM pending p WHERE p.feed = feeds.num "
                  f"AND p.article IN ({doomed})) WHERE num IN (SELECT feed FROM pending WHERE article IN ({doomed}))",
                  params + params)
        for table in ("members", "pending"):  # the trigger on members counts those
            self._run(f"DELETE FROM {table} WHERE article IN ({doomed})", params)
        self._run(f"DELETE FROM aliases WHERE article IN ({doomed})", params)
        self._run(f"DELETE FROM quarantine WHERE subject IN (SELECT id FROM articles WHERE {where})", params)
        self._run(f"DELETE FROM renderings WHERE article IN ({doomed})", params)
        self._run(f"INSERT OR IGNORE INTO gone (article_id, num, source_url, language) "
                  f"SELECT id, num, source_url, language FROM articles WHERE {where}", params)
        return self._run(f"DELETE FROM articles WHERE {where}", params)

    def gone(self, limit: int) -> list[tuple[str, str | None, str]]:
        """(id, source URL, language) of removed articles whose pages may still be published."""
        return [(row[0], row[1], row[2]) for row in self._rows("SELECT article_id, source_url, language FROM gone LIMIT ?", (limit,))]

    def forget_gone(self, article_ids: Sequence[str]) -> None:
        self._many("DELETE FROM gone WHERE article_id = ?", [(article_id,) for article_id in article_ids])


class Feeds(_Tables):
    """Feeds, which articles are in them and in what order (`feeds`, `members`, `pending`, `removed`)."""

    def join(self, joins: Sequence[tuple[str, Sequence[FeedKey]]]) -> None:
        """Articles join feeds at their head (as pending, sequenced at the next render): for each
        article id, feeds it is in neither as pending nor as member. A file's joins go in a few
        statements, whatever their number."""
        keys = [key for _, article_keys in joins for key in article_keys]
        self._many(
            "INSERT INTO feeds (path, kind, value, label) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (path) DO UPDATE SET label = CASE WHEN excluded.label = '' THEN label ELSE excluded.label END",
            [(key.path, key.kind, key.value, key.label) for key in keys],
        )
        self._many(f"INSERT INTO pending (feed, article) VALUES ({FEED_NUM}, {ARTICLE_NUM})",
                   [(key.path, article_id) for article_id, article_keys in joins for key in article_keys])
        added = Counter(key.path for key in keys)
        self._many("UPDATE feeds SET entry_count = entry_count + ?, dirty = 1 WHERE path = ?",
                   [(count, path) for path, count in added.items()])

    def leave(self, article_id: str, paths: Sequence[str] | None = None) -> None:
        """The article leaves these feeds (all of them when `paths` is None)."""
        which = "" if paths is None else f" AND feed IN (SELECT num FROM feeds WHERE path IN ({', '.join('?' for _ in paths)}))"
        params = [article_id, *(paths or ())]
        self._run(f"UPDATE feeds SET entry_count = entry_count - 1 WHERE num IN "
                  f"(SELECT feed FROM pending WHERE article = {ARTICLE_NUM}{which})", params)
        for table in ("pending", "members"):  # the trigger on members counts those
            self._run(f"DELETE FROM {table} WHERE article = {ARTICLE_NUM}{which}", params)

    def of(self, article_id: str) -> set[str]:
        return {row[0] for row in self._rows(
            f"SELECT path FROM feeds WHERE num IN (SELECT feed FROM members WHERE article = {ARTICLE_NUM} "
            f"UNION ALL SELECT feed FROM pending WHERE article = {ARTICLE_NUM})", (article_id, article_id))}

    def all(self) -> list[FeedState]:
        return [self._feed(row) for row in self._rows("SELECT * FROM feeds ORDER BY path")]

    @staticmethod
    def _feed(r: sqlite3.Row) -> FeedState:
        return FeedState(FeedKey(r["path"], r["kind"], r["value"], r["label"]), r["entry_count"], bool(r["dirty"]),
                         r["archived_before"], r["rendered_with"], r["latest_title"], r["latest_published"])

    def sequence_pending(self, path: str) -> None:
        """Give a feed's pending articles its next sequence numbers, oldest publication first."""
        feed, start = self._one("SELECT num, next_seq FROM feeds WHERE path = ?", (path,))  # type: ignore[misc]
        moved = self._run(
            "INSERT INTO members (feed, seq, article) SELECT p.feed, ? - 1 + row_number() OVER "
            "(ORDER BY a.published_us, a.id), p.article FROM pending p JOIN articles a ON a.num = p.article "
            "WHERE p.feed = ?", (start, feed))
        if moved:
            # Pending entries become members: the feed's entry count stays as it is.
            self._run("DELETE FROM pending WHERE feed = ?", (feed,))
            self._run("UPDATE feeds SET next_seq = ? WHERE num = ?", (start + moved, feed))

    def head(self, path: str, limit: int) -> tuple[list[Published], list[int]]:
        """The entries with the `limit` highest sequence numbers, newest first, with their
        paragraphs; and those sequence numbers, highest first."""
        rows = self._rows(
            f"SELECT m.seq, {PUBLISHED_COLUMNS}, a.paragraphs FROM members m JOIN articles a ON a.num = m.article "
            f"LEFT JOIN renderings r ON r.article = m.article WHERE m.feed = {FEED_NUM} ORDER BY m.seq DESC LIMIT ?",
            (path, limit))
        return _published(rows, with_text=True), [row["seq"] for row in rows]

    def page(self, path: str, first: int, end: int, with_text: bool = False) -> list[Published]:
        """Archived entries with sequence numbers in [first, end), newest first; their
        paragraphs only when the page shows them."""
        text = ", a.paragraphs" if with_text else ""
        return _published(self._rows(
            f"SELECT {PUBLISHED_COLUMNS}{text} FROM members m JOIN articles a ON a.num = m.article "
            f"LEFT JOIN renderings r ON r.article = m.article WHERE m.feed = {FEED_NUM} AND m.seq >= ? AND m.seq < ?",
            (path, first, end)), with_text)

    def _feed_num(self, path: str) -> int | None:
        row = self._one("SELECT num FROM feeds WHERE path = ?", (path,))
        return None if row is None else int(row[0])

    def seqs_near(self, path: str, ranges: Sequence[tuple[int, int]], below: int) -> list[int]:
        """In one query: for each [first, end) range, below `below`, the highest sequence number
        before it, the lowest one from its end, and whether it holds any (its lowest)."""
        if not ranges:
            return []
        values = ", ".join("(?, ?)" for _ in ranges)
        feed = self._feed_num(path)
        rows = self._rows(
            f"WITH r(first, end_) AS (VALUES {values}) SELECT DISTINCT seq FROM ("
            "SELECT (SELECT max(seq) FROM members WHERE feed = ? AND seq < min(r.first, ?)) AS seq FROM r UNION ALL "
            "SELECT (SELECT min(seq) FROM members WHERE feed = ? AND seq >= r.end_ AND seq < ?) FROM r UNION ALL "
            "SELECT (SELECT min(seq) FROM members WHERE feed = ? AND seq >= r.first AND seq < min(r.end_, ?)) FROM r"
            ") WHERE seq IS NOT NULL ORDER BY seq",
            [*(bound for pair in ranges for bound in pair), feed, below, feed, below, feed, below])
        return [row[0] for row in rows]

    def occupied(self, path: str, size: int, below: int) -> list[int]:
        """Every archive page (sequence numbers below `below`, in pages of `size`) that holds an entry."""
        return [row[0] for row in self._rows(
            f"SELECT DISTINCT seq / ? FROM members WHERE feed = {FEED_NUM} AND seq < ? ORDER BY 1", (size, path, below))]

    def occupied_from(self, path: str, size: int, below: int, first: int, count: int) -> list[int]:
        """The first `count` archive pages from page `first` on that hold an entry, read a stretch
        of `count` pages at a time: checking a few pages a run never reads a feed of a million
        entries, and costs one statement while the pages are full."""
        pages: list[int] = []
        start = first * size
        while len(pages) < count and start < below:
            end = min(below, start + (count - len(pages)) * size)
            pages += [row[0] for row in self._rows(
                f"SELECT DISTINCT seq / ? FROM members WHERE feed = {FEED_NUM} AND seq >= ? AND seq < ? ORDER BY 1",
                (size, path, start, end))]
            start = end
        return pages

    def removed_seqs(self, path: str) -> list[int]:
        return [row[0] for row in self._rows(f"SELECT seq FROM removed WHERE feed = {FEED_NUM}", (path,))]

    def rendered(self, path: str, signature: str, archived_before: int, latest_title: str, latest_published: int) -> None:
        self._run(
            "UPDATE feeds SET dirty = 0, rendered_with = ?, archived_before = ?, latest_title = ?, latest_published = ? "
            "WHERE path = ?", (signature, archived_before, latest_title, latest_published, path))
        self._run(f"DELETE FROM removed WHERE feed = {FEED_NUM}", (path,))
        self.store.held.release(path)

    def forget_renderings(self, path: str | None = None) -> None:
        """Every feed (or the one at `path`) is rendered again at the next publish, in full."""
        if path is None:
            self._run("UPDATE feeds SET rendered_with = ''")
        else:
            self._run("UPDATE feeds SET rendered_with = '' WHERE path = ?", (path,))

    def forget(self, path: str) -> None:
        self._run(f"DELETE FROM removed WHERE feed = {FEED_NUM}", (path,))
        self._run("DELETE FROM feeds WHERE path = ?", (path,))
        self.store.held.release(path)


class Renderings(_Tables):
    """Each entry's fragments, and which articles' fragments and pages are due (`renderings`, `articles.rendered`)."""

    def unrendered(self, limit: int, after: int = 0) -> tuple[list[tuple[Entry, bool]], int]:
        """Articles to render (new, changed, their page or translations changed, or the settings
        that shape them changed), in the order they were stored from after the key `after`, each
        with whether its page alone is due, quarantined ones left out; and the last one's key.
        In that order their renderings are appended, not inserted at random places."""
        rows = self._rows(
            f"SELECT {ENTRY_COLUMNS}, a.rendered, a.num FROM articles a WHERE a.rendered != {RENDERED} AND a.num > ? "
            "AND a.id NOT IN (SELECT subject FROM quarantine) ORDER BY a.num LIMIT ?", (after, limit))
        return [(_entry(row), row["rendered"] == PAGE_DUE) for row in rows], rows[-1]["num"] if rows else after

    def count_unrendered(self) -> int:
        return int(self._one(f"SELECT count(*) FROM articles WHERE rendered != {RENDERED}")[0])  # type: ignore[index]

    def save(self, rendered: Sequence[tuple[str, bytes]]) -> None:
        """(id, `packed_fragments`) of entries rendered."""
        self._many(f"INSERT OR REPLACE INTO renderings (article, fragments) VALUES ({ARTICLE_NUM}, ?)",
                   rendered)

    def mark_rendered(self, article_ids: Sequence[str]) -> None:
        """Rendered (its fragments, or its page alone when that was due) and its page written: not
        to be rendered again until something changes."""
        self._many(f"UPDATE articles SET rendered = {RENDERED} WHERE id = ?", [(article_id,) for article_id in article_ids])

    def forget_fragments(self) -> None:
        """Every article is rendered again: what shapes fragments changed."""
        self._run("DELETE FROM renderings")
        self._run(f"UPDATE articles SET rendered = {RENDER_DUE} WHERE rendered != {RENDER_DUE}")

    def render_in_full(self, article_id: str) -> None:
        """The article is rendered again in full (fragments and page) when it is next due."""
        self._run(f"UPDATE articles SET rendered = {RENDER_DUE} WHERE id = ?", (article_id,))

    def forget_pages(self) -> None:
        """Every article's page is written again, its fragments kept: what only pages show changed."""
        self._run(f"UPDATE articles SET rendered = {PAGE_DUE} WHERE rendered = {RENDERED}")

    def forget_pages_of(self, article_ids: Sequence[str]) -> None:
        """These articles' pages are written again at the next publish (their translations changed)."""
        for part, marks in _parts(article_ids):
            self._run(f"UPDATE articles SET rendered = {PAGE_DUE} WHERE rendered = {RENDERED} AND id IN ({marks})", part)

    def published_pages(self, after: int, limit: int) -> list[tuple[int, str]]:
        """(key, id) of the next `limit` articles after the key `after` whose page is written."""
        return [(row[0], row[1]) for row in self._rows(
            f"SELECT num, id FROM articles WHERE num > ? AND rendered = {RENDERED} ORDER BY num LIMIT ?", (after, limit))]


class Quarantine(_Tables):
    """What is held back, with its reason and what it was held under (`quarantine`)."""

    def hold(self, subject: str, kind: str, reason: str, held_under: str, now: float) -> bool:
        """Remember why `subject` (an article id or a feed path) is held back; True when this is
        news: it was not held, or was held for another reason."""
        old = self._one("SELECT reason FROM quarantine WHERE subject = ?", (subject,))
        self._run("INSERT INTO quarantine (subject, kind, reason, held_under, since) VALUES (?, ?, ?, ?, ?) "
                  "ON CONFLICT (subject) DO UPDATE SET reason = excluded.reason, held_under = excluded.held_under",
                  (subject, kind, reason, held_under, now))
        return old is None or old[0] != reason

    def release(self, subject: str) -> None:
        self._run("DELETE FROM quarantine WHERE subject = ?", (subject,))

    def subjects(self, kind: str) -> set[str]:
        return {row[0] for row in self._rows("SELECT subject FROM quarantine WHERE kind = ?", (kind,))}

    def articles_not_of(self, signature: str) -> list[str]:
        """Quarantined articles held under other settings or another version of the program."""
        return [row[0] for row in self._rows("SELECT q.subject FROM quarantine q JOIN articles a ON a.id = q.subject "
                                             "WHERE q.kind = ? AND q.held_under != ?", (ARTICLE, signature))]

    def all(self) -> list[Held]:
        return [Held(row["subject"], row["kind"], row["reason"], row["since"], row["title"]) for row in self._rows(
            "SELECT q.subject, q.kind, q.reason, q.since, a.title FROM quarantine q "
            "LEFT JOIN articles a ON a.id = q.subject ORDER BY q.kind, q.subject")]


class SearchIndex(_Tables):
    """The search index's shards, which page is in which, and the pages changed since (`search_*`)."""

    def changed(self, article_ids: Sequence[str]) -> None:
        """Pages written or removed: their shards are to be built again."""
        self._many("INSERT OR IGNORE INTO search_changes (article) SELECT num FROM articles WHERE id = ?1 "
                   "UNION ALL SELECT num FROM gone WHERE article_id = ?1", [(article_id,) for article_id in article_ids])

    def start_over(self) -> None:
        """No shard, and every stored article's page to be indexed."""
        self.clear()
        self._run("INSERT INTO search_changes (article) SELECT num FROM articles")

    def clear(self) -> None:
        for table in ("search_shards", "search_pages", "search_changes"):
            self._run(f"DELETE FROM {table}")

    def changes(self) -> list[tuple[int, str | None, str | None]]:
        """Each changed page in publication order: (its article's key, its language or None when
        the article is gone or quarantined, its shard or None)."""
        return [(row[0], row[1], row[2]) for row in self._rows(
            "SELECT c.article, a.language, p.shard FROM search_changes c "
            "LEFT JOIN articles a ON a.num = c.article AND a.id NOT IN (SELECT subject FROM quarantine) "
            "LEFT JOIN search_pages p ON p.article = c.article ORDER BY a.published_us, a.id, c.article")]

    def shards(self) -> list[SearchShard]:
        return [SearchShard(row[0], row[1], row[2], row[3], bool(row[4]), bool(row[5]), row[6], row[7], row[8]) for row in
                self._rows("SELECT name, language, level, pages, sealed, dirty, builds, bundle, newest FROM search_shards "
                           "ORDER BY name")]

    def save(self, shards: Sequence[SearchShard], dropped: Sequence[str], assigned: Sequence[tuple[int, str]],
                    unassigned: Sequence[int], merged: Sequence[tuple[str, str]]) -> None:
        """A planned change of shards, in one go: shards written or dropped, pages given a shard
        or taken out, pages of `merged` (from, into) shards moved; the changes are then done."""
        self._many("DELETE FROM search_pages WHERE article = ?", [(page,) for page in unassigned])
        self._many("INSERT OR REPLACE INTO search_pages (article, shard) VALUES (?, ?)", assigned)
        self._many("UPDATE search_pages SET shard = ? WHERE shard = ?", [(into, source) for source, into in merged])
        self._many("DELETE FROM search_shards WHERE name = ?", [(name,) for name in dropped])
        self._many("INSERT OR REPLACE INTO search_shards (name, language, level, pages, sealed, dirty, builds, bundle, newest) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [(shard.name, shard.language, shard.level, shard.pages, int(shard.sealed), int(shard.dirty), shard.builds,
                     shard.bundle, shard.newest) for shard in shards])
        self._run("DELETE FROM search_changes")

    def members(self, shard: str) -> list[str]:
        """The ids of a shard's articles."""
        return [row[0] for row in self._rows("SELECT a.id FROM search_pages p JOIN articles a ON a.num = p.article "
                                             "WHERE p.shard = ? ORDER BY a.id", (shard,))]

    def due(self) -> bool:
        """Pages changed since the index was last brought in step, or shards still to build."""
        return self._one("SELECT EXISTS (SELECT 1 FROM search_changes) OR EXISTS (SELECT 1 FROM search_shards "
                         "WHERE dirty = 1)")[0] == 1  # type: ignore[index]

    def newest(self, shard: str) -> int:
        """When the newest article among a shard's pages was published (0: it has none)."""
        row = self._one("SELECT max(a.published_us) FROM search_pages p JOIN articles a ON a.num = p.article "
                        "WHERE p.shard = ?", (shard,))
        return int(row[0] or 0) if row is not None else 0

    def rebuild(self, shard: str) -> None:
        """The shard is built again (its bundle is gone or damaged)."""
        self._run("UPDATE search_shards SET dirty = 1 WHERE name = ?", (shard,))

    def built(self, shard: str, builds: int, bundle: str, newest: str) -> None:
        self._run("UPDATE search_shards SET dirty = 0, builds = ?, bundle = ?, newest = ? WHERE name = ?",
                  (builds, bundle, newest, shard))


class WebSubQueue(_Tables):
    """Hub pings to send and retry (`websub_queue`)."""

    def enqueue(self, urls: Sequence[str]) -> None:
        """A changed feed is due at once, even if an earlier ping for it is waiting to be retried;
        each announcement is counted."""
        self._many("INSERT INTO websub_queue (url) VALUES (?) ON CONFLICT (url) DO UPDATE SET due_at = 0, "
                   "announced = announced + 1", [(url,) for url in urls])

    def due(self, now: float) -> list[tuple[str, int, int]]:
        """(url, attempts, announcement count) of the pings due."""
        return [(row[0], row[1], row[2]) for row in self._rows(
            "SELECT url, attempts, announced FROM websub_queue WHERE due_at <= ? ORDER BY url", (now,))]

    def retry(self, url: str, announced: int, attempts: int, due_at: float) -> None:
        """Postpone a ping, unless the URL was announced again since it was read (then it is due now)."""
        self._run("UPDATE websub_queue SET attempts = ?, due_at = ? WHERE url = ? AND announced = ?",
                  (attempts, due_at, url, announced))

    def done(self, url: str, announced: int) -> None:
        """The ping sent (or given up) for this announcement; one made since stays queued."""
        self._run("DELETE FROM websub_queue WHERE url = ? AND announced = ?", (url, announced))


class Runs(_Tables):
    """The last runs and how they ended (`runs`)."""

    def record(self, finished_at: float, summary: str, error: str | None = None) -> None:
        self._run("INSERT INTO runs (finished_at, summary, error) VALUES (?, ?, ?)", (finished_at, summary, error))
        self._run("DELETE FROM runs WHERE id <= (SELECT max(id) FROM runs) - ?", (RUNS_KEPT,))

    def last(self) -> FinishedRun | None:
        row = self._one("SELECT finished_at, summary, error FROM runs ORDER BY id DESC LIMIT 1")
        return None if row is None else FinishedRun(row["finished_at"], row["summary"], row["error"])
