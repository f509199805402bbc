"""The words of the human-facing pages in the reader's language: the interface's labels (from
`interface:` in the settings) and dates. Pure.

The dumps give a day, never a time of day (the time an entry carries in a feed is placed by
`timing`), so pages show the date alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from feeds.catalogue import LANGUAGE_NAMES, Catalogue
from feeds.models import LANGUAGES, FeedKey
from feeds.settings import InterfaceSettings, Labels

INTERFACE_LANGUAGES = LANGUAGES  # every language a page can speak
MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    # The genitive, as a Russian date says it: 24 февраля.
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
           "ноября", "декабря"),
    "kk": ("қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек", "қазан", "қараша",
           "желтоқсан"),
}
# Where the day, month name and year go; the XSL view (`pages.stylesheet`) follows the same patterns.
DATE_PATTERNS = {"en": "{day} {month} {year}", "ru": "{day} {month} {year} г.", "kk": "{year} жылғы {day} {month}"}


@dataclass(frozen=True)
class Wording:
    """The interface's words in one language, `{site}` filled in."""

    interface: InterfaceSettings
    site: str
    language: str

    def __call__(self, key: str) -> str:
        labels: Labels = getattr(self.interface, key)
        return labels.text(self.language).replace("{site}", self.site)

    def date(self, day: date) -> str:
        return human_date(day, self.language)


def human_date(day: date, language: str) -> str:
    """`24 February 2026`, `24 февраля 2026 г.`, `2026 жылғы 24 ақпан`: the date alone."""
    months = MONTHS.get(language, MONTHS["en"])
    pattern = DATE_PATTERNS.get(language, DATE_PATTERNS["en"])
    return pattern.format(day=day.day, month=months[day.month - 1], year=day.year)


def feed_label(key: FeedKey, catalogue: Catalogue, words: Wording) -> str:
    """A feed's name on a page, in the page's language where the settings give one."""
    if key.kind == "all":
        return words("all")
    if key.kind == "lang" and key.language:
        return LANGUAGE_NAMES[key.language]
    if key.kind == "category":
        return catalogue.section_name(key, words.language)
    if key.kind == "category-lang" and key.language:
        return f"{catalogue.section_name(key, words.language)} · {LANGUAGE_NAMES[key.language]}"
    if key.kind == "agency":
        return catalogue.agency_name(key.value, words.language)
    return catalogue.topic_label(key.value, words.language)


# Pagefind's search box speaks English and Russian by itself, not Kazakh.
PAGEFIND_WORDS = {
    "kk": {
        "placeholder": "Іздеу",
        "clear_search": "Тазалау",
        "load_more": "Тағы көрсету",
        "search_label": "Осы сайттан іздеу",
        "filters_label": "Сүзгілер",
        "zero_results": "[SEARCH_TERM] бойынша ештеңе табылмады",
        "many_results": "[SEARCH_TERM] бойынша [COUNT] нәтиже",
        "one_result": "[SEARCH_TERM] бойынша [COUNT] нәтиже",
        "alt_search": "[SEARCH_TERM] бойынша ештеңе табылмады. [DIFFERENT_TERM] бойынша нәтижелер көрсетілді",
        "search_suggestion": "[SEARCH_TERM] бойынша ештеңе табылмады. Басқа сөздермен іздеп көріңіз:",
        "searching": "[SEARCH_TERM] ізделуде...",
    },
}
