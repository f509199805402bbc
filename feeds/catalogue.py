"""What each feed is called and where it lives: titles, subtitles, ids and URLs per feed path."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from feeds.identity import ID_NAMESPACE
from feeds.settings import Settings
from feeds.store import Feed

# A language feed speaks its own language, titles included.
LANGUAGE_TITLES = {
    "en": ("news in English", "Every article in English, newest first."),
    "ru": ("новости на русском языке", "Все статьи на русском языке, сначала новые."),
    "kk": ("қазақ тіліндегі жаңалықтар", "Қазақ тіліндегі барлық мақалалар, жаңалары алдымен."),
}
ATOM_SUFFIX = ".atom"


@dataclass(frozen=True)
class FeedDocument:
    """Everything a renderer needs to know about a feed besides its entries."""

    path: str
    id: str
    title: str
    subtitle: str
    language: str | None
    self_url: str
    category_scheme: str


def describe(feed: Feed, settings: Settings) -> FeedDocument:
    site = settings.site.name
    base = str(settings.feeds.base_url)
    language = None
    if feed.kind == "lang":
        language = feed.value
        name, subtitle = LANGUAGE_TITLES.get(feed.value, (f"news in {feed.value}", f"Every article in {feed.value}."))
        title = f"{site}: {name}"
    elif feed.kind == "category":
        title = f"{site}: {feed.label}"
        subtitle = f"Every article in the section {feed.label}, newest first, each linking to its gov.kz original."
    else:
        title = f"{site}: all news"
        subtitle = f"Every article of {site}, in every language and section, newest first, each linking to its gov.kz original."
    return FeedDocument(
        path=feed.path,
        id=f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, 'feed|' + feed.path)}",
        title=title,
        subtitle=subtitle,
        language=language,
        self_url=f"{base}{feed.path}{ATOM_SUFFIX}",
        category_scheme=f"{base}category/",
    )
