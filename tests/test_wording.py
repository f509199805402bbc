"""The pages' words and dates in the reader's language."""

from __future__ import annotations

from datetime import date

from conftest import ROOT

from feeds.catalogue import Catalogue
from feeds.layout import page
from feeds.models import FeedKey
from feeds.settings import load_settings
from feeds.wording import Wording, feed_label, human_date

SETTINGS = load_settings(ROOT / "config.yaml")


def test_dates_read_as_each_language_writes_them() -> None:
    day = date(2026, 3, 1)
    assert [human_date(day, language) for language in ("en", "ru", "kk")] == [
        "1 March 2026", "1 марта 2026 г.", "2026 жылғы 1 наурыз"]


def test_a_feed_is_called_by_its_name_in_the_page_language() -> None:
    catalogue = Catalogue.of(SETTINGS)
    mfa = FeedKey("agency/mfa", "agency", "mfa")
    assert feed_label(mfa, catalogue, Wording(SETTINGS.interface, "Site", "ru")) == "Министерство иностранных дел РК"


def test_the_templates_escape_every_value_and_isolate_names() -> None:
    from datetime import datetime

    from feeds.catalogue import Catalogue
    from feeds.models import Fragments, Published

    document = Catalogue.of(SETTINGS).describe(FeedKey("all", "all", ""))
    entry = Published("urn:uuid:1", "A <b>bold</b> \u202e\"title\"", datetime(2026, 3, 1), datetime(2026, 3, 1), None, "en",
                      Fragments(b"", b"", ""))
    made = page("embed.html", document=document, entries=[entry], language="en", human_date=human_date).decode()
    assert "<bdi>A &lt;b&gt;bold&lt;/b&gt; \u202e&#34;title&#34;</bdi>" in made and "<b>" not in made
