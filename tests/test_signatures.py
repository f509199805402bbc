"""What each signature answers to: a setting that shows in an output changes its signature, one
that does not leaves it alone."""

from __future__ import annotations

from conftest import ROOT

from feeds import signatures
from feeds.settings import Labels, load_settings

SETTINGS = load_settings(ROOT / "config.yaml")


def test_wording_changes_pages_and_the_site_not_fragments_or_feeds() -> None:
    reworded = SETTINGS.model_copy(update={"interface": SETTINGS.interface.model_copy(update={"article_date": Labels(en="On")})})
    changed = {name for name in ("feed", "fragment", "page", "site")
               if getattr(signatures, name)(reworded) != getattr(signatures, name)(SETTINGS)}
    assert changed == {"page", "site"}


def test_a_longer_feed_changes_feeds_only_and_new_topic_rules_reclassify() -> None:
    longer = SETTINGS.model_copy(update={"feeds": SETTINGS.feeds.model_copy(update={"max_entries": 7})})
    changed = {name for name in ("feed", "fragment", "page", "site", "classification")
               if getattr(signatures, name)(longer) != getattr(signatures, name)(SETTINGS)}
    assert changed == {"feed"}
    fewer_topics = SETTINGS.model_copy(update={"topics": SETTINGS.topics[:1]})
    assert signatures.classification(fewer_topics) != signatures.classification(SETTINGS)
