"""Kazakh words to their stems, for the search: real inflections of real words."""

from __future__ import annotations

import pytest

from feeds.stemming import MIN_STEM, stem

FAMILIES = {  # a stem and forms of it as they appear in press releases
    "мектеп": ["мектеп", "мектептің", "мектептерге", "мектепке", "мектептерде", "мектептерінің"],
    "аурухана": ["аурухана", "ауруханада", "ауруханалары", "ауруханалардың", "ауруханасының", "ауруханасына"],
    "білім": ["білім", "білімнің", "білімге", "білімді"],
    "облыс": ["облыс", "облысы", "облысының", "облысына", "облыстағы", "облыстар"],
    "жетісу": ["Жетісу", "Жетісуда", "Жетісудағы"],
    "құрылыс": ["құрылыс", "құрылысы", "құрылысқа"],
    "қала": ["қала", "қаласының", "қалада", "қалалар"],
    "оқушы": ["оқушы", "оқушыларын", "оқушыларға"],
    "астана": ["Астана", "Астанаға", "Астанада"],
}


@pytest.mark.parametrize("family", FAMILIES)
def test_every_inflected_form_has_its_stem_and_every_form_finds_every_other(family: str) -> None:
    """What the search needs: each form, cut to its stem, is a prefix of every form of the word
    (Pagefind matches query words as prefixes). `оқушы` alone may lose its final vowel (it reads as
    a possessive), and still finds them all."""
    forms = FAMILIES[family]
    assert {form: stem(form) for form in forms[1:]} == dict.fromkeys(forms[1:], family)
    assert all(other.lower().startswith(stem(form)) for form in forms for other in forms)


def test_a_stem_keeps_at_least_three_letters_and_other_words_are_left_alone() -> None:
    assert stem("ата") == "ата" and stem("елге") == "елге"  # ел-ге would leave two letters
    # words of government that only look like a first or second person's possessive
    assert [stem(word) for word in ("білім", "ғылым", "бөлім", "адам", "сенім")] == ["білім", "ғылым", "бөлім", "адам", "сенім"]
    assert all(len(stem(word)) >= MIN_STEM for family in FAMILIES.values() for word in family)
    assert stem("Kazakhstan") == "kazakhstan" and stem("рейтинг") == "рейтинг"


def test_consonants_that_alternate_before_a_vowel_are_not_undone() -> None:
    """A known limit, said in the module: `мектебі` keeps its б, so `мектеп` does not find it."""
    assert stem("мектебі") == "мектеб"
