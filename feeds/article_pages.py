"""One HTML page per article, in the article's language. Pure: an entry, its translations, the
catalogue and the wording -> bytes.

The page is what a reader opens from an entry the dump gives no gov.kz source for, and the one
place that shows everything about an article: its full text, date, issuing agency, section and
topics, the gov.kz original, the feeds it is in (with autodiscovery links to them) and its
translations. No scripts; one stylesheet, the site's own (`assets/article.css`), shared by every
page; a canonical link and the Open Graph facts that the title, description and canonical link do
not already say; one autodiscovery link (the section in the article's language: the page lists
every feed). At a million pages every line of markup is a gigabyte. Every piece of article text is
escaped. The suite runs the Nu HTML checker on it.

`data-pagefind-*` attributes tell the search index (`search`) what to index (the article, not
the page's frame), what to filter by (language, year, section, agency, topics: hidden, with one
value per agency and topic across languages) and what to show with a result (date, agency).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from feeds import layout
from feeds.catalogue import LANGUAGE_NAMES, Catalogue
from feeds.models import Entry
from feeds.settings import InterfaceSettings
from feeds.wording import Wording, feed_label

OG_LOCALES = {"en": "en_US", "ru": "ru_RU", "kk": "kk_KZ"}
# The interface's words a page shows, looked up once per page rather than from the template.
WORDS = ("home", "article_date", "article_agency", "article_section", "article_topics", "article_source",
         "article_no_source", "article_translations", "article_feeds")


@dataclass(frozen=True)
class Translation:
    """Another language's article of the same gov.kz release."""

    id: str
    language: str
    title: str


def article_page(entry: Entry, translations: Sequence[Translation], catalogue: Catalogue,
                 interface: InterfaceSettings) -> bytes:
    site = catalogue.site
    language = entry.language
    words = Wording(interface, site.name, language)
    file = layout.article_file(entry.id)
    keys = catalogue.feed_keys(entry.language, entry.category, entry.category_label, entry.agency, entry.topics)
    feeds = [(key, catalogue.describe(key)) for key in keys]
    day = entry.published.date()
    section = next(key for key, _ in feeds if key.kind == "category-lang")
    # The search's filters: one value per agency and topic whatever the article's language (their
    # English names), so that a filter gathers the articles of every language.
    filters = [("language", LANGUAGE_NAMES[language]), ("year", str(day.year)), ("section", site.section_name(entry.category, entry.category_label)),
               *((("agency", site.agency_name(entry.agency)),) if entry.agency else ()),
               *(("topic", catalogue.topic_label(topic)) for topic in entry.topics)]
    here = partial(layout.relative, file=file)
    return layout.page(
        "article.html", entry=entry, site=site, language=language, day=day.isoformat(), date=words.date(day),
        w={key: words(key) for key in WORDS}, url=site.article_url(entry.id),
        translations=[(other, site.article_url(other.id), here(layout.article_file(other.id))) for other in translations],
        discovery=[(document.title, document.url("atom")) for key, document in feeds if key.kind == "category-lang"],
        stylesheet=here(layout.ARTICLE_STYLESHEET), icon=here(layout.FAVICON), index=here(layout.INDEX_FILES[language]), locales=OG_LOCALES,
        tags=[catalogue.topic_label(topic, language) for topic in entry.topics], filters=filters,
        agency=entry.agency and site.agency_name(entry.agency, language),
        agency_url=entry.agency and site.agency_url(entry.agency, language),
        section=here(layout.feed_file(section.path)), section_name=catalogue.section_name(section, language),
        language_names=LANGUAGE_NAMES,
        topics=[(here(layout.feed_file(key.path)), catalogue.topic_label(key.value, language)) for key, _ in feeds
                if key.kind == "topic"],
        listed=[(here(layout.feed_file(key.path)), feed_label(key, catalogue, words)) for key, _ in feeds])
