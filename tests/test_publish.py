"""Publishing from a store: what changed is written, what did not is left alone, and a full
re-render leaves nothing stale."""

from __future__ import annotations

from pathlib import Path

from feeds.catalogue import Catalogue
from feeds.ingest import Ingest, IngestReport
from feeds.publish import PublishReport, Target, publish
from feeds.settings import Settings, load_settings
from feeds.store import Store

NOW = 1_795_600_000.0


def published(project: Path, **feeds: int) -> tuple[Store, Settings, PublishReport]:
    settings = load_settings(project / "config.yaml")
    settings = settings.model_copy(update={"feeds": settings.feeds.model_copy(update=feeds)})
    store = Store(settings.paths.state)
    catalogue = Catalogue.of(settings)
    Ingest(store, settings, catalogue).seeds(IngestReport(), NOW, lambda problem: None)
    return store, settings, publish(store, Target.of(settings, catalogue), lambda: False, NOW)


def test_a_first_publish_writes_every_feed_and_a_second_writes_nothing(project: Path) -> None:
    store, settings, first = published(project)
    assert len(first.written) == 29 * 4 + 6 and first.problems == []
    again = publish(store, Target.of(settings, Catalogue.of(settings)), lambda: False, NOW)
    assert again.written == [] and again.unchanged == 0  # nothing was even due


def test_other_settings_re_render_everything_and_remove_stale_archive_pages(project: Path) -> None:
    store, settings, _ = published(project, max_entries=5, archive_page_size=7)
    stray = project / "out/archive/all/99.atom"
    stray.write_text("left by someone")
    other = settings.model_copy(update={"feeds": settings.feeds.model_copy(update={"archive_page_size": 10})})
    report = publish(store, Target.of(other, Catalogue.of(other)), lambda: False, NOW)
    assert not stray.exists() and "archive/all/4.atom" in report.written
    assert sorted(path.name for path in (project / "out/archive/all").iterdir()) == ["1.atom", "2.atom", "3.atom", "4.atom"]


def test_a_stop_request_leaves_the_rest_marked_to_do(project: Path) -> None:
    settings = load_settings(project / "config.yaml")
    store = Store(settings.paths.state)
    catalogue = Catalogue.of(settings)
    Ingest(store, settings, catalogue).seeds(IngestReport(), NOW, lambda problem: None)
    asked = iter([False, False, True])  # asked before the fragments, then after each feed
    report = publish(store, Target.of(settings, catalogue), lambda: next(asked, True), NOW)
    assert report.stopped_early and sum(feed.dirty for feed in store.feeds()) == 29 - 2


def test_an_emptied_feed_is_withdrawn_with_its_twins(project: Path) -> None:
    store, settings, _ = published(project)
    with store.transaction():
        for (article_id,) in store.db.execute("SELECT article_id FROM members WHERE feed = 'topic/sport'").fetchall():
            store.leave_feeds(article_id, ["topic/sport"])
    report = publish(store, Target.of(settings, Catalogue.of(settings)), lambda: False, NOW)
    assert "topic/sport" in report.removed
    assert not any((project / "out" / f"topic/sport{suffix}").exists() for suffix in (".atom", ".rss", ".json"))
    assert "topic/sport" not in (project / "out/feeds.opml").read_text()
