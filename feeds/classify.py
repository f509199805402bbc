"""Language and category of an article: pure functions over its text and its dump's section."""

from __future__ import annotations

import fnmatch
import hashlib
import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING

from feeds import identity, layout, prose
from feeds.models import Article, Record
from feeds.settings import AgencySettings, FeedSettings, Pattern, TopicSettings, compile_pattern

if TYPE_CHECKING:
    from lingua import LanguageDetector

LINGUA_NAMES = {"ENGLISH": "en", "RUSSIAN": "ru", "KAZAKH": "kk"}
# Long bodies say nothing more about their language than their first thousand characters do.
SAMPLE_CHARS = 1500
LATIN = re.compile("[A-Za-z]+")
CYRILLIC = re.compile("[\u0400-\u04ff]+")
KAZAKH_LETTERS = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
SCRIPT_SHARE = 0.9
RUSSIAN_MIN_LETTERS = 200  # enough Cyrillic without a Kazakh letter to say Russian


@cache
def _detector() -> LanguageDetector:
    """lingua's models, loaded the first time a text needs them (most never do)."""
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(*(getattr(Language, name) for name in LINGUA_NAMES)).build()


def detect_language(text: str, default: str) -> str:
    """`en`, `ru` or `kk`; `default` when there are no letters to judge by. The script decides
    where it can: nine letters in ten Latin is English, nine in ten Cyrillic is Kazakh when any
    letter is one only Kazakh has (ә ғ қ ң ө ұ ү һ і), else Russian once the text is long enough to
    be sure no Kazakh letter would have come. Otherwise lingua's statistical models judge the whole
    sample, so one stray word of another language does not flip it."""
    sample = text[:SAMPLE_CHARS]
    if sample.isascii():
        return "en" if LATIN.search(sample) else default
    latin, cyrillic = sum(map(len, LATIN.findall(sample))), sum(map(len, CYRILLIC.findall(sample)))
    letters = latin + cyrillic
    kazakh = KAZAKH_LETTERS.search(sample) is not None
    if letters and cyrillic >= SCRIPT_SHARE * letters and (kazakh or cyrillic >= RUSSIAN_MIN_LETTERS):
        return "kk" if kazakh else "ru"
    if letters and latin >= SCRIPT_SHARE * letters and not kazakh:
        return "en"
    if not any(ch.isalpha() for ch in sample):
        return default
    found = _detector().detect_language_of(sample)
    return LINGUA_NAMES.get(found.name, default) if found else default


def slug(name: str) -> str:
    """A readable, stable ASCII path segment: Cyrillic and Kazakh letters transliterated, anything
    that could climb out of a folder (`/`, `..`) flattened, never empty, never too long."""
    from anyascii import anyascii  # at classification only: start-up stays short
    from slugify import slugify

    made = slugify(anyascii(name))
    if made:
        return layout.bounded(made, name)
    return "x-" + layout.digest_of(name)


@cache
def _patterns(expressions: tuple[str, ...]) -> tuple[Pattern, ...]:
    return tuple(compile_pattern(expression) for expression in expressions)


@cache
def _keywords(keywords: tuple[str, ...]) -> tuple[str, ...]:
    """Case-folded keywords without those containing another one (`олимпиада` holds `олимпи`),
    so no occurrence is counted twice."""
    folded = {keyword.casefold() for keyword in keywords}
    return tuple(sorted(k for k in folded if not any(other != k and other in k for other in folded)))


def _hits(text: str, topic: TopicSettings) -> int:
    """Occurrences of the topic's keywords (plain substring counts: fast on 10,000-character
    bodies) and patterns in already case-folded `text`."""
    return sum(text.count(keyword) for keyword in _keywords(tuple(topic.keywords))) + sum(
        len(pattern.findall(text)) for pattern in _patterns(tuple(topic.patterns)))


def agency_matches(agency: str | None, patterns: Sequence[str]) -> bool:
    return agency is not None and any(fnmatch.fnmatchcase(agency, pattern) for pattern in patterns)


def match_topics(title: str, paragraphs: Sequence[str], agency: str | None, topics: Sequence[TopicSettings]) -> tuple[str, ...]:
    """Slugs of every topic the article matches: a keyword or pattern in the title, at least
    `min_body_hits` of them in the body, or an agency the topic names."""
    body = " ".join(paragraphs).casefold()
    heading = title.casefold()
    found = []
    for topic in topics:
        if agency_matches(agency, topic.agencies):
            found.append(topic.slug)
            continue
        if _hits(heading, topic) or _hits(body, topic) >= topic.min_body_hits:
            found.append(topic.slug)
    return tuple(found)


def agency_name(slug: str | None, language: str, agencies: Mapping[str, AgencySettings] | None) -> str | None:
    """What a title says of an agency: its name in `language` from `agencies:`, else its slug."""
    named = (agencies or {}).get(slug or "")
    return named.name.text(language) if named else slug


def retitled(title: str, paragraphs: Sequence[str], agency: str | None, language: str,
             agencies: Mapping[str, AgencySettings]) -> str | None:
    """A title invented for a release with no words, invented again under today's agency names
    (and in its language: one stored before titles spoke it has the English form); None when it is
    not such a title or reads the same."""
    day = None if paragraphs else prose.invented_day(title)
    if day is None:
        return None
    again = prose.fallback_title((), agency_name(agency, language, agencies), day, language)
    return again if again != title else None


def to_article(record: Record, section: str, settings: FeedSettings, topics: Sequence[TopicSettings] = (),
               agencies: Mapping[str, AgencySettings] | None = None) -> Article:
    """A parsed record made publishable: text shaped, title made meaningful, language, category, id."""
    paras = prose.paragraphs(record.body, record.title)
    title = id_title = record.title
    if prose.needs_title(title):
        # An invented title says nothing of the language: judge by the body alone.
        language = detect_language(" ".join(paras), settings.default_language)
        day = record.published.strftime("%d.%m.%Y")
        title = prose.fallback_title(paras, agency_name(record.agency, language, agencies), day, language)
        # The id of a release with no words (and no source) is of the title first invented for it,
        # in English by slug: one stored before titles spoke the record's language keeps its id.
        id_title = prose.fallback_title(paras, record.agency, day)
    else:
        language = detect_language(" ".join((title, *paras)), settings.default_language)
    article_id = identity.article_id(record.source_url, id_title, record.published, language)
    source = identity.normalise_url(record.source_url) if record.source_url else ""
    fields = (title, record.published.isoformat(), *paras, source, language, section)
    return Article(
        id=article_id,
        title=title,
        published=record.published,
        paragraphs=paras,
        summary=prose.summary(paras, settings.summary_chars) if paras else title,
        source_url=record.source_url,
        agency=record.agency,
        news_id=record.news_id,
        language=language,
        category=slug(section),
        category_label=section,
        topics=match_topics(title, paras, record.agency, topics),
        file=record.file,
        line=record.line,
        content_hash=hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest(),
    )
