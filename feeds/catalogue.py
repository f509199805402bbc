"""The feed catalogue: which feeds an article belongs to, and what each feed is called. Pure.

Built once per run from the settings. Every path segment is a slug made by `classify.slug`, a
language code, or an agency or topic slug matched by `[a-z0-9_-]+`, so no path can leave `out/`;
`layout.bounded` keeps each at most 60 characters, unique and stable, so every file name fits.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from feeds import layout
from feeds.classify import agency_matches
from feeds.identity import ID_NAMESPACE
from feeds.models import FeedKey
from feeds.settings import AgencySettings, SectionSettings, Settings

LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "kk": "Қазақша"}
# A language feed speaks its own language, titles included.
LANGUAGE_TITLES = {
    "en": ("news in English", "Every article in English, newest first."),
    "ru": ("новости на русском языке", "Все статьи на русском языке, сначала новые."),
    "kk": ("қазақ тіліндегі жаңалықтар", "Қазақ тіліндегі барлық мақалалар, жаңалары алдымен."),
}
ORIGIN = "each linking to its gov.kz original where the dump names one"
# A section feed in one language is described in that language.
SECTION_SUBTITLES = {
    "en": "Every article in the section {section} in English, newest first, " + ORIGIN + ".",
    "ru": "Все статьи раздела «{section}» на русском языке, сначала новые; у каждой ссылка на оригинал на gov.kz, "
          "если выгрузка его называет.",
    "kk": "«{section}» бөліміндегі қазақ тіліндегі барлық мақалалар, жаңалары алдымен; түпнұсқасы белгілі болса, "
          "gov.kz сілтемесімен.",
}
GOV_KZ_ENTITY = "https://www.gov.kz/memleket/entities/"


@dataclass(frozen=True)
class Site:
    """What every document shows besides its own feed: the site, its author, the hub, and the
    names of topics (for entries' `category` labels) and agencies (for entries' authors) in each
    language."""

    base_url: str
    url: str
    name: str
    author: str
    hub: str | None
    topic_labels: Mapping[str, Mapping[str, str]]  # slug -> language -> label
    agency_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # slug -> language -> name
    section_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # slug -> language -> name

    def address(self, relative: str) -> str:
        """The public URL of a path under `out/`: the one place a URL of this site is made."""
        return f"{self.base_url}{relative}"

    @property
    def category_scheme(self) -> str:
        return self.address("category/")

    @property
    def topic_scheme(self) -> str:
        return self.address("topic/")

    def topic_label(self, slug: str, language: str = "en") -> str:
        """The topic's label in `language` (from `topics:`), else its slug."""
        return self.topic_labels.get(slug, {}).get(language, slug)

    def agency_name(self, slug: str, language: str = "en") -> str:
        """The agency's readable name in `language` (from `agencies:`), else its slug."""
        return self.agency_labels.get(slug, {}).get(language, slug)

    def section_name(self, slug: str, dumped: str, language: str = "en") -> str:
        """The section's name in `language` (from `sections:`), else what the dump calls it."""
        return self.section_labels.get(slug, {}).get(language, dumped)

    @staticmethod
    def agency_url(slug: str, language: str) -> str:
        """The agency's own page on gov.kz, in `language`."""
        return f"{GOV_KZ_ENTITY}{quote(slug, safe='-_.~')}?lang={language}"

    def article_url(self, entry_id: str) -> str:
        return self.address(layout.article_file(entry_id))


@dataclass(frozen=True)
class FeedDocument:
    """Everything a renderer needs to know about a feed besides its entries."""

    path: str
    kind: str
    id: str
    title: str
    subtitle: str
    language: str | None
    site: Site

    def url(self, form: str = "atom") -> str:
        return self.site.address(layout.feed_file(self.path, form))

    def archive_url(self, page: int, form: str = "atom") -> str:
        return self.site.address(layout.archive_file(self.path, page, form))


@dataclass(frozen=True)
class Catalogue:
    site: Site
    agencies: Mapping[str, AgencySettings]
    # Each feed described once per run: every article page names about seven.
    _described: dict[FeedKey, FeedDocument] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, settings: Settings) -> Catalogue:
        names = {topic.slug: {language: topic.labels.text(language) for language in LANGUAGE_NAMES}
                 for topic in settings.topics}
        def by_language(table: Mapping[str, AgencySettings | SectionSettings]) -> dict[str, dict[str, str]]:
            return {slug: {language: named.name.text(language) for language in LANGUAGE_NAMES} for slug, named in table.items()}

        agencies, sections = by_language(settings.agencies), by_language(settings.sections)
        site = Site(str(settings.feeds.base_url), str(settings.site.url), settings.site.name, settings.site.author,
                    str(settings.websub.hub) if settings.websub.hub else None,
                    names, agencies, sections)
        return cls(site, dict(settings.agencies))

    def feed_keys(self, language: str, category: str, category_label: str, agency: str | None,
                  topics: Sequence[str]) -> list[FeedKey]:
        """Every feed an article with these traits belongs to."""
        bounded = layout.bounded
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
                for parent, named in sorted(self.agencies.items())
                if parent != agency and agency_matches(agency, named.includes)
            )
        keys.extend(FeedKey(f"topic/{bounded(topic)}", "topic", topic) for topic in topics)
        return keys

    def agency_name(self, slug: str, language: str = "en") -> str:
        return self.site.agency_name(slug, language)

    def topic_label(self, slug: str, language: str = "en") -> str:
        return self.site.topic_label(slug, language)

    def section_name(self, feed: FeedKey, language: str = "en") -> str:
        """A section feed's section, named in `language`."""
        return self.site.section_name(feed.value.split("/")[0], feed.label, language)

    def describe(self, feed: FeedKey) -> FeedDocument:
        described = self._described.get(feed)
        if described is None:
            described = self._described[feed] = self._describe(feed)
        return described

    def _describe(self, feed: FeedKey) -> FeedDocument:
        site = self.site.name
        language = feed.language
        if feed.kind == "lang":
            name, subtitle = LANGUAGE_TITLES[feed.value]
            title = f"{site}: {name}"
        elif feed.kind == "category":
            name = self.section_name(feed)
            title = f"{site}: {name}"
            subtitle = f"Every article in the section {name}, newest first, {ORIGIN}."
        elif feed.kind == "category-lang" and language:
            name = self.section_name(feed, language)
            title = f"{site}: {name} · {LANGUAGE_NAMES[language]}"
            subtitle = SECTION_SUBTITLES[language].format(section=name)
        elif feed.kind == "agency":
            name = self.agency_name(feed.value)
            title = f"{site}: {name}"
            subtitle = f"Every press release of {name} ({feed.value} on gov.kz), newest first, {ORIGIN}."
        elif feed.kind == "topic":
            name = self.topic_label(feed.value)
            title = f"{site}: {name}"
            subtitle = f"Every article on the topic {name}, newest first, {ORIGIN}."
        else:
            title = f"{site}: all news"
            subtitle = f"Every article of {site}, in every language and section, newest first, {ORIGIN}."
        return FeedDocument(
            path=feed.path,
            kind=feed.kind,
            id=f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, 'feed|' + feed.path)}",
            title=title,
            subtitle=subtitle,
            language=language,
            site=self.site,
        )
