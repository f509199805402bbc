"""Article ids and the tests of sameness: translations of one release, a record cut short."""

from __future__ import annotations

from datetime import date

from feeds import identity


def test_an_id_depends_on_the_source_and_language_only() -> None:
    url = "https://www.gov.kz/memleket/entities/mfa/press/news/details/1?lang=kk"
    assert identity.article_id(url, "A", date(2026, 1, 1), "en") == identity.article_id(url.replace("kk", "ru"), "B", date(2026, 1, 2), "en")
    assert identity.article_id(url, "A", date(2026, 1, 1), "en") != identity.article_id(url, "A", date(2026, 1, 1), "ru")


def test_a_record_cut_short_is_told_from_a_different_one() -> None:
    source = "https://www.gov.kz/memleket/entities/mfa/press/news/details/1?lang=kk"
    whole = ("The delegation visited the park.", "The parties agreed to continue cooperation.", source)
    assert identity.cut_short(("The delegation visited the pa", ""), whole)  # cut mid-word
    assert identity.cut_short(("The delegation visited the park.", "The parties agreed to continue cooperation.Sour", ""),
                              whole)  # the Source line cut and glued to the text
    assert identity.cut_short(("The delegation visited the park.", "The parties agreed", ""), whole)  # at a word
    assert identity.cut_short((), whole) and not identity.cut_short(whole, whole)
    assert not identity.cut_short(whole, ("The delegation visited the park.",))  # longer is not cut
    assert not identity.cut_short(("The delegation saw the park",), whole)  # another text


def test_a_revision_that_edits_or_adds_a_last_word_is_not_a_cut() -> None:
    assert not identity.cut_short(("Talks were held today.",), ("Talks were held yesterday.",))
    assert not identity.cut_short(("Talks were held yesterday.",), ("Talks were held today.",))
    assert not identity.cut_short(("Talks were held today again.",), ("Talks were held today.",))
