"""The plain data every stage shares, and the one list of languages every table follows."""

from __future__ import annotations

from typing import get_args

from feeds import article_pages, catalogue, layout, wording
from feeds.models import LANGUAGES, Problem
from feeds.settings import LanguageCode


def test_every_table_by_language_follows_the_one_list() -> None:
    assert get_args(LanguageCode) == LANGUAGES
    for table in (catalogue.LANGUAGE_NAMES, catalogue.LANGUAGE_TITLES, catalogue.SECTION_SUBTITLES, layout.INDEX_FILES,
                  layout.SEARCH_FILES, wording.MONTHS, wording.DATE_PATTERNS,
                  article_pages.OG_LOCALES):
        assert tuple(table) == LANGUAGES, table


def test_a_problem_prints_as_a_log_line_with_its_place() -> None:
    assert str(Problem("x.txt", 7, "impossible date 31.02.2026", "record skipped")) == \
        "x.txt:7: record skipped: impossible date 31.02.2026"
    assert str(Problem("x.txt", None, "holds NUL bytes", "file rejected")) == "x.txt: file rejected: holds NUL bytes"
