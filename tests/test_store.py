"""The store on its own: schema and migrations, its own exceptions, memberships and sequences."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT

from feeds.models import Article, FeedKey, Fragments, Problem, SeedFile
from feeds.store import ARTICLE, SCHEMA_VERSION, RecordError, Store, StoreError, packed_fragments
from feeds.timing import day_start

ALL, EN = FeedKey("all", "all", ""), FeedKey("lang/en", "lang", "en")


def article(n: int, day: date = date(2026, 2, 1), source: str | None = None) -> Article:
    return Article(id=f"urn:uuid:{n:08d}", title=f"Title {n}", published=day, paragraphs=(f"Body {n}.",),
                   summary=f"Body {n}.", source_url=source, agency=None, news_id=None, language="en",
                   category="world", category_label="World", topics=(), file="x.txt", line=n, content_hash=f"hash{n}")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "state/feeds.sqlite3")


def stored(store: Store, *articles: Article, keys: tuple[FeedKey, ...] = (ALL, EN)) -> None:
    with store.transaction():
        for n, item in enumerate(articles):
            store.articles.insert([(item, n, day_start(item.published) + n)])
            store.feeds.join([(item.id, keys)])


def test_a_new_store_has_the_current_schema(store: Store) -> None:
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.articles.is_empty() and store.feeds.all() == [] and store.runs.last() is None


def test_a_version_1_store_is_migrated_and_its_problem_files_read_again(tmp_path: Path) -> None:
    path = tmp_path / "feeds.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript((ROOT / "tests/data/store-v1.sql").read_text())
    store = Store(path)
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    seed = store.seeds.get("001_a.txt")
    assert seed is not None and seed.problems == () and seed.mtime_ns == -1 and seed.sha256 == ""  # read again
    assert store.articles.counts().articles == 1 and store.held.all() == []


def schema(db: sqlite3.Connection) -> list[tuple[object, ...]]:
    """What a store's schema is, as SQLite reports it: each table's columns, keys and indexes, each
    index's columns and condition, each trigger; not the text of the statements that made them
    (`ALTER TABLE ... ADD COLUMN` words a table differently from a `CREATE TABLE` that has it)."""
    described: list[tuple[object, ...]] = []
    for kind, name, table, sql in db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"):
        if kind == "table":
            described.append((kind, name, tuple(db.execute(f"PRAGMA table_xinfo({name})")),
                              tuple(db.execute(f"PRAGMA index_list({name})")), "WITHOUT ROWID" in (sql or "")))
        elif kind == "index":
            described.append((kind, name, table, tuple(db.execute(f"PRAGMA index_xinfo({name})")),
                              " ".join((sql or "").split())))
        else:
            described.append((kind, name, table, " ".join(sql.split())))
    return described


def test_a_migrated_store_has_the_schema_of_a_new_one(tmp_path: Path) -> None:
    fresh = Store(tmp_path / "fresh.sqlite3")
    for old in ("store-v1.sql", "store-v5.sql"):
        path = tmp_path / f"{old}.sqlite3"
        with sqlite3.connect(path) as db:
            db.executescript((ROOT / "tests/data" / old).read_text())
        assert schema(Store(path).db) == schema(fresh.db), old


def test_a_version_5_store_keeps_every_membership_rendering_and_search_page_under_integer_keys(tmp_path: Path) -> None:
    path = tmp_path / "feeds.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript((ROOT / "tests/data/store-v5.sql").read_text())
        old_members = db.execute("SELECT feed, seq, article_id FROM members ORDER BY feed, seq").fetchall()
        (alias, target), = db.execute("SELECT id, article_id FROM aliases").fetchall()
        (waiting,), = db.execute("SELECT article_id FROM pending").fetchall()
    store = Store(path)
    assert [tuple(row) for row in store.db.execute(
        "SELECT f.path, m.seq, a.id FROM members m JOIN feeds f ON f.num = m.feed JOIN articles a ON a.num = m.article "
        "ORDER BY f.path, m.seq")] == old_members
    head, _ = store.feeds.head("all", 50)  # every entry with its fragments
    assert len(head) == 6 and all(entry.fragments.atom.startswith(b"<entry") for entry in head)
    assert "lang/en" in store.feeds.of(waiting) and store.articles.resolve_many([alias]) == {alias: target}
    assert store.feeds.removed_seqs("all") == [0] and store.renderings.unrendered(10) == ([], 0)
    # The page of an article that retention removed still leaves the index; a changed one is rebuilt.
    changes = store.search.changes()
    assert [(language, shard) for _, language, shard in changes] == [(None, "en-1"), ("en", "en-1")]
    gone_key = changes[0][0]
    with store.transaction():  # keys are never given twice, the removed article's included
        store.articles.insert([(article(1), 0, 1)])
    assert store.db.execute("SELECT num FROM articles WHERE id = ?", (article(1).id,)).fetchone()[0] > gone_key


def test_a_store_from_a_newer_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "feeds.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="written by a newer version"):
        Store(path)


def test_no_sqlite3_exception_leaves_the_store(store: Store, tmp_path: Path) -> None:
    stored(store, article(1))
    with pytest.raises(RecordError, match="UNIQUE constraint failed"), store.transaction():
        store.articles.insert([(article(1), 0, 99)])
    (tmp_path / "junk.sqlite3").write_bytes(b"not a database at all" * 50)
    with pytest.raises(StoreError, match="not an SQLite database"):
        Store(tmp_path / "junk.sqlite3")


def test_a_savepoint_undoes_one_article_and_keeps_the_rest(store: Store) -> None:
    with store.transaction():
        store.articles.insert([(article(1), 0, 1)])
        with pytest.raises(RecordError), store.savepoint():
            store.articles.insert([(article(2), 1, 2)])
            store.articles.insert([(article(3), 2, 2)])  # the same `updated` instant: refused
        store.articles.insert([(article(4), 3, 4)])
    assert store.articles.counts().articles == 2 and store.articles.resolve_many([article(2).id]) == {}


def test_seed_files_keep_their_fingerprint_and_problems(store: Store) -> None:
    problem = Problem("a.txt", 7, "impossible date", "record skipped")
    store.seeds.record(SeedFile("a.txt", 10, 2**70, "abc", (problem,), 5, "1.0"))
    assert store.seeds.get("a.txt") == SeedFile("a.txt", 10, 2**63 - 1, "abc", (problem,), 5, "1.0")
    assert store.seeds.fingerprints() == {"a.txt": (10, 2**63 - 1, 5, True, "1.0")}
    assert store.seeds.problems() == {"a.txt": (problem,)}
    store.seeds.forget({"a.txt"})
    assert store.seeds.get("a.txt") is None and store.seeds.fingerprints() == {}


def test_pending_entries_are_numbered_in_publication_order_and_counted(store: Store) -> None:
    stored(store, article(2, date(2026, 2, 2)), article(1, date(2026, 2, 1)), article(3, date(2026, 2, 3)))
    (feed,) = [feed for feed in store.feeds.all() if feed.path == "all"]
    assert feed.entry_count == 3 and feed.dirty
    with store.transaction():
        store.feeds.sequence_pending("all")
    with pytest.raises(LookupError):  # documents are assembled from fragments rendered before them
        store.feeds.page("all", 0, 10)
    due, last = store.renderings.unrendered(10)
    # In the order they were stored, which is the order their renderings are appended in.
    assert [(entry.title, page_only) for entry, page_only in due] == [("Title 2", False), ("Title 1", False), ("Title 3", False)]
    with store.transaction():
        store.renderings.save([(item.id, packed_fragments(Fragments(b"<entry/>", b"<item/>", "{}"))) for item, _ in due])
    assert store.renderings.unrendered(10) == (due, last)  # fragments kept, but a page not yet written
    first, after = store.renderings.unrendered(1)
    assert [entry.title for entry, _ in store.renderings.unrendered(10, after=after)[0]] == ["Title 1", "Title 3"]
    with store.transaction():
        store.renderings.mark_rendered([item.id for item, _ in due])
    assert store.renderings.unrendered(10) == ([], 0)
    with store.transaction():
        store.renderings.forget_pages_of([first[0][0].id])
    assert [(entry.id, page_only) for entry, page_only in store.renderings.unrendered(10)[0]] == [(first[0][0].id, True)]
    head, seqs = store.feeds.head("all", 2)
    assert [entry.title for entry in head] == ["Title 3", "Title 2"] and seqs == [2, 1]
    assert [entry.title for entry in store.feeds.page("all", 0, 1)] == ["Title 1"]
    with store.transaction():
        store.renderings.forget_fragments()
    assert [page_only for _, page_only in store.renderings.unrendered(10)[0]] == [False, False, False]


def test_seqs_near_finds_the_neighbours_of_pages_in_one_query(store: Store) -> None:
    stored(store, *(article(n, date(2026, 2, n)) for n in range(1, 11)))
    with store.transaction():
        store.feeds.sequence_pending("all")
        store.feeds.leave(article(5).id, ["all"])
        store.feeds.leave(article(6).id, ["all"])
    # Sequence numbers 0..9 with 4 and 5 gone; pages of 2 below a boundary of 9.
    assert store.feeds.seqs_near("all", [(4, 6)], 9) == [3, 6]
    assert store.feeds.seqs_near("all", [(2, 4), (8, 10)], 9) == [1, 2, 6, 7, 8]
    assert store.feeds.occupied("all", 2, 9) == [0, 1, 3, 4]
    assert store.feeds.occupied_from("all", 2, 9, 1, 2) == [1, 3] and store.feeds.occupied_from("all", 2, 9, 2, 5) == [3, 4]
    assert store.feeds.removed_seqs("all") == [4, 5]


def test_holding_an_article_keeps_its_reason_until_released(store: Store) -> None:
    stored(store, article(1), article(2))
    with store.transaction():
        assert store.held.hold(article(1).id, ARTICLE, "could not be rendered", "1.0", 0.0)
        assert not store.held.hold(article(1).id, ARTICLE, "could not be rendered", "1.0", 0.0)  # no news
    assert [held.subject for held in store.held.all()] == [article(1).id] and store.held.all()[0].title == "Title 1"
    assert store.held.articles_not_of("1.0") == [] and store.held.articles_not_of("2.0") == [article(1).id]
    store.held.release(article(1).id)
    assert store.held.all() == []


def test_prune_removes_what_was_published_before_an_instant_with_its_memberships(store: Store) -> None:
    stored(store, *(article(n, date(2026, 2, n)) for n in range(1, 5)))
    third = store.retention.newest_published(3)
    assert third is not None and store.retention.newest_published(5) is None
    with store.transaction():
        assert store.retention.prune(third) == 1
    assert store.articles.counts().articles == 3 and store.articles.resolve_many([article(1).id]) == {}
    assert [feed.entry_count for feed in store.feeds.all()] == [3, 3]


def test_runs_and_the_websub_queue(store: Store) -> None:
    store.runs.record(1.0, "first")
    store.runs.record(2.0, "second", "cannot write into out")
    assert store.runs.last() is not None and store.runs.last().error == "cannot write into out"
    store.websub.enqueue(["http://x/all.atom"])
    assert store.websub.due(0.0) == [("http://x/all.atom", 0, 0)]
    store.websub.retry("http://x/all.atom", 0, 1, 30.0)
    assert store.websub.due(10.0) == [] and store.websub.due(30.0) == [("http://x/all.atom", 1, 0)]
    store.websub.enqueue(["http://x/all.atom"])  # announced again (another run) while a ping is under way
    store.websub.done("http://x/all.atom", 0)  # the ping for the first announcement
    assert store.websub.due(0.0) == [("http://x/all.atom", 1, 1)]  # the second is still to send
    store.websub.done("http://x/all.atom", 1)
    assert store.websub.due(99.0) == []


def test_every_repository_and_table_has_one_line_in_the_readme(store: Store) -> None:
    """The README's table of repositories names each repository the store opens and the tables it
    owns; every table of the schema has one owner (the core keeps `meta`)."""
    import re

    from feeds import store as store_module

    section = (ROOT / "README.md").read_text(encoding="utf-8").split("| repository | class | owns the tables | for |", 1)[1]
    rows = re.findall(r"^\| `store\.(\w+)` \| `(\w+)` \| ([^|]*) \|", section, re.MULTILINE)
    assert {attribute: name for attribute, name, _ in rows} == {
        attribute: type(value).__name__ for attribute, value in vars(store).items()
        if isinstance(value, store_module._Tables)}
    owned = [table for _, _, tables in rows for table in re.findall(r"`(\w+)`", tables)]
    schema = {row[0] for row in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert sorted(owned) == sorted(schema - {"meta", "sqlite_sequence"})


def test_no_class_grows_past_25_public_methods_or_250_lines() -> None:
    import ast

    for path in (ROOT / "feeds").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                public = [item for item in node.body if isinstance(item, ast.FunctionDef) and not item.name.startswith("_")]
                assert len(public) <= 25 and node.end_lineno - node.lineno < 250, (path.name, node.name)  # type: ignore[operator]


def test_a_store_of_before_gov_kz_only_loses_the_sources_on_other_hosts(tmp_path: Path) -> None:
    path = tmp_path / "feeds.sqlite3"
    spoof = "https://www.gov.kz.evil.com/memleket/entities/mfa/press/news/details/1?lang=kk"
    with sqlite3.connect(path) as db:
        db.executescript((ROOT / "tests/data/store-v5.sql").read_text())
        victim, kept = [row[0] for row in db.execute("SELECT id FROM articles WHERE source_url IS NOT NULL ORDER BY id LIMIT 2")]
        db.execute("UPDATE articles SET source_url = ?, agency = 'mfa' WHERE id = ?", (spoof, victim))
        db.execute("INSERT INTO meta (key, value) VALUES ('classification', 'x') ON CONFLICT (key) DO UPDATE SET value = 'x'")
    store = Store(path)
    assert store.articles.text(victim) == (store.articles.text(victim)[0], None)  # type: ignore[index]
    assert tuple(store.db.execute("SELECT agency, rendered FROM articles WHERE id = ?", (victim,)).fetchone()) == (None, 0)
    assert store.articles.text(kept)[1] is not None and store.meta("classification") is None  # type: ignore[index]
