"""Publishing from a store: what changed is written, what did not is left alone, and a full
re-render leaves nothing stale."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import ATOM
from lxml import etree

from feeds import article_pages, layout
from feeds.catalogue import Catalogue
from feeds.ingest import Ingest
from feeds.models import Entry
from feeds.publish import PublishReport, Target, publish, quarantine
from feeds.run import apply_retention
from feeds.settings import Labels, RetentionSettings, Settings, load_settings
from feeds.store import Store


def published(project: Path, **feeds: int) -> tuple[Store, Settings, PublishReport]:
    settings = load_settings(project / "config.yaml")
    settings = settings.model_copy(update={"feeds": settings.feeds.model_copy(update=feeds)})
    store = Store(settings.paths.state)
    catalogue = Catalogue.of(settings)
    Ingest(store, settings, catalogue).seeds(time.time())
    return store, settings, publish(store, Target.of(settings, catalogue), lambda: False, time.time())


def test_a_first_publish_writes_every_page_and_feed_and_a_second_writes_nothing(small: Path) -> None:
    store, settings, first = published(small)
    pages = [path for path in first.written if path.startswith("articles/")]
    assert len(pages) == 3 and len(first.written) == 3 + 10 * 4 + 10 and first.problems == []  # ten feeds, four files each
    again = publish(store, Target.of(settings, Catalogue.of(settings)), lambda: False, time.time())
    assert again.written == [] and again.unchanged == 0  # nothing was even due


def test_other_settings_re_render_everything_and_remove_stale_archive_pages(small: Path) -> None:
    project = small
    store, settings, _ = published(project, max_entries=1, archive_page_size=1)
    strays = [project / f"out/archive/all/99.{suffix}" for suffix in ("atom", "rss", "json")]
    for stray in strays:
        stray.write_text("left by someone")
    assert (project / "out/archive/all/2.rss").exists()  # two entries archived, a page each
    other = settings.model_copy(update={"feeds": settings.feeds.model_copy(update={"archive_page_size": 2})})
    report = publish(store, Target.of(other, Catalogue.of(other)), lambda: False, time.time())
    assert not any(stray.exists() for stray in strays) and "archive/all/1.rss" in report.written
    assert sorted(path.name for path in (project / "out/archive/all").iterdir()) == ["1.atom", "1.json", "1.rss"]


def test_a_stop_request_leaves_the_rest_marked_to_do(small: Path) -> None:
    settings = load_settings(small / "config.yaml")
    store = Store(settings.paths.state)
    catalogue = Catalogue.of(settings)
    Ingest(store, settings, catalogue).seeds(time.time())
    asked = iter([False, False, False, True])  # during the fragments, after them, then after each feed
    report = publish(store, Target.of(settings, catalogue), lambda: next(asked, True), time.time())
    assert report.stopped_early and sum(feed.dirty for feed in store.feeds.all()) == 10 - 2


def test_a_stop_request_while_rendering_writes_no_feed_and_holds_nothing_back(small: Path) -> None:
    """Documents are made from fragments rendered before them: with entries left to render, no
    feed is tried (before, the first failed with 'has no rendering yet' and was held back)."""
    settings = load_settings(small / "config.yaml")
    store = Store(settings.paths.state)
    catalogue = Catalogue.of(settings)
    Ingest(store, settings, catalogue).seeds(time.time())
    report = publish(store, Target.of(settings, catalogue), lambda: True, time.time())
    assert report.stopped_early and report.problems == [] and store.held.all() == []
    assert all(feed.dirty for feed in store.feeds.all()) and not (small / "out/all.atom").exists()


@pytest.mark.built
def test_an_emptied_feed_is_withdrawn_with_its_twins(project: Path) -> None:
    store, settings, _ = published(project)
    with store.transaction():
        for (article_id,) in store.db.execute("SELECT a.id FROM members m JOIN articles a ON a.num = m.article "
                                              "JOIN feeds f ON f.num = m.feed WHERE f.path = 'topic/sport'").fetchall():
            store.feeds.leave(article_id, ["topic/sport"])
    report = publish(store, Target.of(settings, Catalogue.of(settings)), lambda: False, time.time())
    assert "topic/sport" in report.removed
    assert not any((project / "out" / f"topic/sport{suffix}").exists() for suffix in (".atom", ".rss", ".json"))
    assert "topic/sport" not in (project / "out/feeds.opml").read_text()


@pytest.mark.built
def test_pages_of_articles_that_retention_removes_are_removed_with_them(project: Path) -> None:
    store, settings, _ = published(project)
    pages = sorted((project / "out/articles").glob("*/*.html"))
    assert len(pages) == 39
    removed = apply_retention(store, RetentionSettings(max_articles=30), 0, time.time())
    report = publish(store, Target.of(settings, Catalogue.of(settings)), lambda: False, time.time())
    kept = sorted((project / "out/articles").glob("*/*.html"))
    assert removed == 9 and len(kept) == 30 and len([path for path in report.removed if path.startswith("articles/")]) == 9
    assert store.retention.gone(100) == []
    linked = {link.get("href").removeprefix("http://127.0.0.1:8080/") for link in
              etree.parse(str(project / "out/all.atom")).getroot().iter(f"{ATOM}link") if link.get("type") == "text/html"}
    assert {str(page.relative_to(project / "out")) for page in kept} <= linked


@pytest.mark.built
def test_an_article_that_cannot_be_rendered_loses_its_page(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store, settings, _ = published(project)
    victim = store.db.execute("SELECT id FROM articles ORDER BY id LIMIT 1").fetchone()[0]
    page = project / "out" / layout.article_file(victim)
    assert page.exists()
    real = article_pages.article_page

    def failing(entry: Entry, *args: object) -> bytes:
        if entry.id == victim:
            raise ValueError("cannot lay this one out")
        return real(entry, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(article_pages, "article_page", failing)
    with store.transaction():
        store.renderings.forget_pages_of([victim])
    report = publish(store, Target.of(settings, Catalogue.of(settings)), lambda: False, time.time())
    assert not page.exists() and layout.article_file(victim) in report.removed
    assert [problem.outcome for problem in report.problems] == ["article quarantined"]
    assert victim not in (project / "out/all.atom").read_text()
    # Its page was due alone; released, it is rendered in full, so the search index takes it back.
    assert store.db.execute("SELECT rendered FROM articles WHERE id = ?", (victim,)).fetchone()[0] == 0
    assert store.db.execute("SELECT 1 FROM search_changes c JOIN articles a ON a.num = c.article WHERE a.id = ?",
                            (victim,)).fetchone()


def test_the_publisher_removes_only_files_named_as_it_names_its_own(small: Path) -> None:
    """Someone else's files in `out/` survive a repaired crash, a full re-render, a withdrawn feed
    and search turned off; the publisher's own leftovers do not."""
    from conftest import run_feeds

    project = small

    assert run_feeds("build", cwd=project).returncode == 0
    out = project / "out"
    theirs = [out / ".tmp-keep.txt", out / "lang/.tmp-en.atom.abc123", out / "archive/all/notes.json",
              out / "archive/all/README.atom", out / "archive/topic/regions/notes.json", out / "pagefind/custom/ui.js",
              out / "pagefind/notes.txt"]
    ours = [out / f"lang/{layout.TEMP_PREFIX}en.atom.abcd_123", out / "pagefind/en-1-1/pagefind-entry.json",
            out / f"pagefind/{layout.TEMP_PREFIX}shards.json.x1y2z3_4"]
    for path in theirs + ours:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("kept")
    store = Store(project / "state/feeds.sqlite3")
    with store.transaction():
        store.set_meta("publishing", "started")  # as a run killed while writing leaves it
        for (article_id,) in store.db.execute("SELECT a.id FROM members m JOIN articles a ON a.num = m.article "
                                              "JOIN feeds f ON f.num = m.feed WHERE f.path = 'topic/regions'").fetchall():
            store.feeds.leave(article_id, ["topic/regions"])
    config = project / "config.yaml"
    config.write_text(config.read_text().replace("max_entries: 50", "max_entries: 1"))  # every feed in full again
    assert run_feeds("build", cwd=project).returncode == 0
    assert not (out / "topic/regions.atom").exists()  # withdrawn
    assert run_feeds("build", "--no-search", cwd=project).returncode == 0
    assert [path for path in theirs if not path.is_file()] == []
    assert [path for path in ours if path.exists()] == []


@pytest.mark.built
def test_a_quarantined_article_is_tried_again_when_the_wording_changes_not_when_max_entries_does(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """It is held under what shapes its fragments and its page (`page_signature`): new wording may
    render it; a longer feed does not change how it renders (before, it was the other way round)."""
    store, settings, _ = published(project)
    victim = store.db.execute("SELECT id FROM articles ORDER BY id LIMIT 1").fetchone()[0]
    real = article_pages.article_page
    monkeypatch.setattr(article_pages, "article_page",
                        lambda entry, *args: (_ for _ in ()).throw(ValueError("no")) if entry.id == victim else real(entry, *args))
    with store.transaction():
        store.renderings.forget_pages_of([victim])
    publish(store, Target.of(settings, Catalogue.of(settings)), lambda: False, time.time())
    assert [held.subject for held in store.held.all()] == [victim]
    longer = settings.model_copy(update={"feeds": settings.feeds.model_copy(update={"max_entries": 7})})
    reworded = settings.model_copy(update={"interface": settings.interface.model_copy(
        update={"article_date": Labels(en="Published")})})
    ingest = Ingest(store, settings, Catalogue.of(settings))
    with store.transaction():
        assert ingest.release_quarantined(Target.of(longer, Catalogue.of(longer)).page_signature) == 0
        assert ingest.release_quarantined(Target.of(reworded, Catalogue.of(reworded)).page_signature) == 1


@pytest.mark.built
def test_quarantine_takes_an_article_out_of_every_feed_to_be_rendered_in_full_once_released(project: Path) -> None:
    store, _, _ = published(project)
    victim = store.db.execute("SELECT id FROM articles ORDER BY id LIMIT 1").fetchone()[0]
    with store.transaction():
        assert quarantine(store, victim, "could not be rendered", "1.0", 0.0)
        assert not quarantine(store, victim, "could not be rendered", "1.0", 0.0)  # no news
    assert store.feeds.of(victim) == set() and [held.subject for held in store.held.all()] == [victim]
    assert store.db.execute("SELECT rendered FROM articles WHERE id = ?", (victim,)).fetchone()[0] == 0


@pytest.mark.built
def test_a_feed_that_cannot_be_withdrawn_is_named_and_every_other_feed_written(project: Path) -> None:
    """An emptied feed whose file has a folder in its place: that feed is held back, never exit 70."""
    store, settings, _ = published(project)
    (project / "out/topic/sport.json").unlink()
    (project / "out/topic/sport.json").mkdir()
    (project / "out/topic/sport.json/keep").write_text("someone's")
    with store.transaction():
        for (article_id,) in store.db.execute("SELECT a.id FROM members m JOIN articles a ON a.num = m.article "
                                              "JOIN feeds f ON f.num = m.feed WHERE f.path = 'topic/sport'").fetchall():
            store.feeds.leave(article_id, ["topic/sport"])
    report = publish(store, Target.of(settings, Catalogue.of(settings)), lambda: False, time.time())
    assert [(problem.file, problem.outcome) for problem in report.problems] == [("topic/sport", "feed not written")]
    assert (project / "out/topic/sport.json/keep").exists() and [held.subject for held in store.held.all()] == ["topic/sport"]


@pytest.mark.built
def test_the_page_of_an_article_held_back_and_then_removed_by_retention_is_no_longer_held(project: Path) -> None:
    store, settings, _ = published(project)
    oldest = store.db.execute("SELECT id FROM articles ORDER BY published_us LIMIT 1").fetchone()[0]
    with store.transaction():
        store.held.hold(layout.article_file(oldest), "page", "could not be written (x)", "s", 0.0)
    apply_retention(store, RetentionSettings(max_articles=38), 0, time.time())
    publish(store, Target.of(settings, Catalogue.of(settings)), lambda: False, time.time())
    assert store.held.all() == []


def test_archive_pages_are_checked_in_turns_without_skipping_any(small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Archive pages are checked a few a run, feed after feed, from where the last run stopped:
    whatever the budget, every lost one is found within one pass."""
    from feeds import publish as publish_module

    store, settings, _ = published(small, max_entries=1, archive_page_size=1)
    target = Target.of(settings, Catalogue.of(settings))
    pages = sorted((small / "out/archive").rglob("*.json"))
    assert len(pages) == 6  # all and category/world: two pages each; lang/en and category/world/en: one
    for budget in (3, 6):  # archive files per run: one page, two pages
        monkeypatch.setattr(publish_module, "VERIFY_PAGES", budget)
        for page in pages:
            page.unlink()
        for _ in range(len(pages) * 3 // budget + 2):  # one pass, and a little
            publish(store, target, lambda: False, time.time())
        assert [page for page in pages if not page.exists()] == [], budget
