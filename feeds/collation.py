"""Names sorted as a reader of each interface language expects, not by code point.

Code points put `Ә`, `Қ`, `Ө`, `І` after `я`, and capitals before small letters. This follows the
Unicode Collation Algorithm's root order (CLDR), which is the Russian one, for the letters our
names use, at the primary level: case and accents count only between names that are otherwise
equal; spaces and punctuation sort before digits, digits before Latin letters, Latin before Cyrillic.
Kazakh pages use CLDR's Kazakh tailoring: `Ё` is a letter of its own after `Е`, `Ұ` comes before
`Ү`, and `І` after `Ы` (in the root order `І` follows `И`). Not ICU itself: PyICU has no wheel and
would be compiled on every fresh machine, and pure-Python UCA tables cost 0.3 s to load in a run
that writes one index page; the few dozen names we sort need only the letters' order.
"""

from __future__ import annotations

import unicodedata

LATIN = "abcdefghijklmnopqrstuvwxyz"
# The root order: Russian's alphabet with the other letters of Kazakh at their UCA places; `ё` is `е`.
ROOT_CYRILLIC = "аәбвгғдежзиійкқлмнңоөпрстуүұфхһцчшщъыьэюя"
KAZAKH_CYRILLIC = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
PUNCTUATION, DIGIT, LATIN_LETTER, CYRILLIC_LETTER, OTHER = range(5)


def _ranks(cyrillic: str) -> dict[str, tuple[int, int]]:
    ranks = {letter: (LATIN_LETTER, rank) for rank, letter in enumerate(LATIN)}
    ranks.update({letter: (CYRILLIC_LETTER, rank) for rank, letter in enumerate(cyrillic)})
    return ranks


RANKS = {"root": _ranks(ROOT_CYRILLIC) | {"ё": (CYRILLIC_LETTER, ROOT_CYRILLIC.index("е"))},
         "kk": _ranks(KAZAKH_CYRILLIC)}


def _primary(character: str, ranks: dict[str, tuple[int, int]]) -> tuple[int, int]:
    if character in ranks:
        return ranks[character]
    if character.isdigit():
        return (DIGIT, unicodedata.digit(character, 0))
    if not character.isalnum():
        return (PUNCTUATION, ord(character))
    base = unicodedata.normalize("NFD", character)[0]  # é -> e, ï -> i: accents are secondary
    return ranks.get(base, (OTHER, ord(character)))


def sort_key(text: str, language: str) -> tuple[tuple[tuple[int, int], ...], str, str]:
    """Orders by letters in the language's alphabet, then by accents and case (small first)."""
    ranks = RANKS.get(language, RANKS["root"])
    folded = unicodedata.normalize("NFC", text).casefold()
    return tuple(_primary(character, ranks) for character in folded), folded, text.swapcase()
