"""The pages' words and dates in the reader's language."""

from __future__ import annotations

from datetime import date

from conftest import ROOT

from feeds.catalogue import Catalogue
from feeds.models import FeedKey
from feeds.settings import load_settings
from feeds.wording import Wording, bdi, feed_label, human_date

SETTINGS = load_settings(ROOT / "config.yaml")


def test_dates_read_as_each_language_writes_them() -> None:
    day = date(2026, 3, 1)
    assert [human_date(day, language) for language in ("en", "ru", "kk")] == [
        "1 March 2026", "1 марта 2026 г.", "2026 жылғы 1 наурыз"]


def test_a_feed_is_called_by_its_name_in_the_page_language() -> None:
    catalogue = Catalogue.of(SETTINGS)
    mfa = FeedKey("agency/mfa", "agency", "mfa")
    assert feed_label(mfa, catalogue, Wording(SETTINGS.interface, "Site", "ru")) == "Министерство иностранных дел РК"


def test_a_name_is_escaped_and_isolated() -> None:
    assert bdi("A <b> \u202e") == "<bdi>A &lt;b&gt; \u202e</bdi>"
