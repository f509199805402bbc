"""The feed catalogue: which feeds an article belongs to, and what each feed is called and where it lives.

Feed paths are relative to `out/` without a suffix: `all`, `lang/en`, `category/world`,
`category/world/en`, `agency/mfa`, `topic/sport`. Every segment is a slug made by `classify.slug`,
a language code, or an agency or topic slug matched by `[a-z0-9_-]+`, so no path can leave `out/`;
`classify.bounded` keeps each at most 60 characters, unique and stable, so every file name fits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from feeds.classify import agency_matches, bounded
from feeds.identity import ID_NAMESPACE
from feeds.settings import Settings

LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "kk": "Қазақша"}
# A language feed speaks its own language, titles included.
LANGUAGE_TITLES = {
    "en": ("news in English", "Every article in English, newest first."),
    "ru": ("новости на русском языке", "Все статьи на русском языке, сначала новые."),
    "kk": ("қазақ тіліндегі жаңалықтар", "Қазақ тіліндегі барлық мақалалар, жаңалары алдымен."),
}
SUFFIXES = {"atom": ".atom", "json": ".json", "rss": ".rss"}
ARCHIVE_FOLDER = "archive"


@dataclass(frozen=True)
class FeedKey:
    """A feed as the store keeps it: `label` is the section's own name for category feeds."""

    path: str
    kind: str
    value: str
    label: str = ""

    @property
    def language(self) -> str | None:
        """The one language of a language or category×language feed."""
        if self.kind == "lang":
            return self.value
        return self.value.rsplit("/", 1)[1] if self.kind == "category-lang" else None


@dataclass(frozen=True)
class FeedDocument:
    """Everything a renderer needs to know about a feed besides its entries."""

    path: str
    kind: str
    id: str
    title: str
    subtitle: str
    language: str | None
    base_url: str
    category_scheme: str
    topic_scheme: str

    def url(self, form: str = "atom") -> str:
        return f"{self.base_url}{self.path}{SUFFIXES[form]}"

    def archive_url(self, page: int) -> str:
        return f"{self.base_url}{archive_path(self.path, page)}"


def archive_path(path: str, page: int) -> str:
    """Archive page `page` (0-based) of a feed, as a path under `out/`; files count from 1."""
    return f"{ARCHIVE_FOLDER}/{path}/{page + 1}.atom"


def feed_keys(language: str, category: str, category_label: str, agency: str | None, topics: tuple[str, ...],
              settings: Settings) -> list[FeedKey]:
    """Every feed an article with these traits belongs to."""
    keys = [
        FeedKey("all", "all", ""),
        FeedKey(f"lang/{language}", "lang", language),
        FeedKey(f"category/{bounded(category)}", "category", category, category_label),
        FeedKey(f"category/{bounded(category)}/{language}", "category-lang", f"{category}/{language}", category_label),
    ]
    if agency:
        keys.append(FeedKey(f"agency/{bounded(agency)}", "agency", agency))
        keys.extend(
            FeedKey(f"agency/{bounded(parent)}", "agency", parent)
            for parent, named in sorted(settings.agencies.items())
            if parent != agency and agency_matches(agency, named.includes)
        )
    keys.extend(FeedKey(f"topic/{bounded(topic)}", "topic", topic) for topic in topics)
    return keys


def agency_name(slug: str, settings: Settings, language: str = "en") -> str:
    named = settings.agencies.get(slug)
    return named.name.text(language) if named else slug


def topic_label(slug: str, settings: Settings, language: str = "en") -> str:
    topic = next((topic for topic in settings.topics if topic.slug == slug), None)
    return topic.labels.text(language) if topic else slug


def describe(feed: FeedKey, settings: Settings) -> FeedDocument:
    site = settings.site.name
    base = str(settings.feeds.base_url)
    language = feed.language
    origin = "each linking to its gov.kz original"
    if feed.kind == "lang":
        name, subtitle = LANGUAGE_TITLES[feed.value]
        title = f"{site}: {name}"
    elif feed.kind == "category":
        title = f"{site}: {feed.label}"
        subtitle = f"Every article in the section {feed.label}, newest first, {origin}."
    elif feed.kind == "category-lang" and language:
        title = f"{site}: {feed.label} · {LANGUAGE_NAMES[language]}"
        subtitle = f"Every article in the section {feed.label} in {LANGUAGE_NAMES[language]}, newest first, {origin}."
    elif feed.kind == "agency":
        name = agency_name(feed.value, settings)
        title = f"{site}: {name}"
        subtitle = f"Every press release of {name} ({feed.value} on gov.kz), newest first, {origin}."
    elif feed.kind == "topic":
        name = topic_label(feed.value, settings)
        title = f"{site}: {name}"
        subtitle = f"Every article on the topic {name}, newest first, {origin}."
    else:
        title = f"{site}: all news"
        subtitle = f"Every article of {site}, in every language and section, newest first, {origin}."
    return FeedDocument(
        path=feed.path,
        kind=feed.kind,
        id=f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, 'feed|' + feed.path)}",
        title=title,
        subtitle=subtitle,
        language=language,
        base_url=base,
        category_scheme=f"{base}category/",
        topic_scheme=f"{base}topic/",
    )
