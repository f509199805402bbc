"""One run under the lock, stage by stage, and what `feeds status` reads back."""

from __future__ import annotations

from pathlib import Path

from conftest import dump

from feeds.run import INTERRUPTED_KEY, STAGE_KEY, build, status
from feeds.settings import load_settings
from feeds.store import Store


def small(project: Path) -> Path:
    """The project with its seeds replaced by one dump of three articles."""
    for seed in (project / "seeds").iterdir():
        seed.unlink()
    (project / "seeds/001_three.txt").write_text(dump(*((f"Article {n} 03.03.2026", f"Text {n}.") for n in range(3))))
    return project / "config.yaml"


def test_a_finished_run_leaves_no_stage_and_status_says_what_it_holds(project: Path) -> None:
    settings = load_settings(small(project))
    report = build(settings)
    assert report.articles_new == 3 and set(report.stage_seconds) >= {"ingest", "retention", "render", "feeds", "site", "sync", "search"}
    store = Store(settings.paths.state)
    assert store.meta(STAGE_KEY) == "" and store.meta(INTERRUPTED_KEY) == ""
    held = status(settings)
    assert (held.articles, held.by_language, held.run_stage, held.run_in_progress) == (3, {"en": 3}, None, False)


def test_a_stopped_run_is_incomplete_in_the_stage_it_stopped_in_until_one_finishes(project: Path) -> None:
    settings = load_settings(small(project))
    asked = iter([False] * 4)  # ingest and retention go through; the stop comes while rendering
    report = build(settings, should_stop=lambda: next(asked, True))
    assert report.stopped_early and not (project / "out/all.atom").exists()
    assert status(settings).run_stage == "rendering entries and pages"
    build(settings)
    assert status(settings).run_stage is None
