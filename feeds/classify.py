"""Language and category of an article: pure functions over its text and its dump's section."""

from __future__ import annotations

import hashlib
from functools import cache

from anyascii import anyascii
from lingua import Language, LanguageDetector, LanguageDetectorBuilder
from slugify import slugify

from feeds import identity, prose
from feeds.models import Article, Record
from feeds.settings import FeedSettings

LANGUAGES = {Language.ENGLISH: "en", Language.RUSSIAN: "ru", Language.KAZAKH: "kk"}
# Long bodies say nothing more about their language than their first thousand characters do.
SAMPLE_CHARS = 1500
SLUG_CHARS = 60


@cache
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*LANGUAGES).build()


def detect_language(text: str, default: str) -> str:
    """`en`, `ru` or `kk` by lingua's statistical models over the whole sample, so one stray word
    of another language does not flip it; `default` when there are no letters to judge by."""
    sample = text[:SAMPLE_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return default
    found = _detector().detect_language_of(sample)
    return LANGUAGES.get(found, default) if found else default


def slug(name: str) -> str:
    """A readable, stable ASCII path segment: Cyrillic and Kazakh letters transliterated, anything
    that could climb out of a folder (`/`, `..`) flattened, never empty."""
    made = slugify(anyascii(name), max_length=SLUG_CHARS, word_boundary=True)
    if made:
        return made
    return "x-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]


def to_article(record: Record, section: str, settings: FeedSettings) -> Article:
    """A parsed record made publishable: text shaped, title made meaningful, language, category, id."""
    paras = prose.paragraphs(record.body, record.title)
    title = record.title
    if prose.needs_title(title):
        # An invented title says nothing of the language: judge by the body alone.
        title = prose.fallback_title(paras, record.agency, record.published.strftime("%d.%m.%Y"))
        language = detect_language(" ".join(paras), settings.default_language)
    else:
        language = detect_language(" ".join((title, *paras)), settings.default_language)
    article_id = identity.article_id(record.source_url, title, record.published, language)
    fields = (title, record.published.isoformat(), *paras, record.source_url or "", language, section)
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
        file=record.file,
        line=record.line,
        position=record.position,
        content_hash=hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest(),
    )
