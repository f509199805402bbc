"""Kazakh words reduced to their stems for the search, by a small table of suffixes.

Pagefind has no Kazakh stemmer, but it matches every query word as a prefix of the words it
indexed (`мектеп` finds `мектептің` and `мектептерге`). What it cannot do is find `мектептің`
for the query `мектептерге`, or `Жетісудағы` for `Жетісуда`: the search pages therefore reduce
each query word to its stem (`search.html` runs `STEM_PATTERN` in the browser) and Pagefind
matches the stem as a prefix of the words as written. The pattern is one regular expression, the
same in this module's tests and in the page's script.

A Kazakh noun is its stem, then a plural suffix, a possessive one and a case ending, each
optional, in that order; the pattern takes the shortest stem (at least `MIN_STEM` letters) that
leaves such a chain (verb endings and `-дағы` adjectives count as case endings). Possessives are
the third person's alone, and `-сы` follows a vowel other than `ы`/`і`, so `облысы` is `облыс-ы`,
not `облы-сы`, and `білім` keeps its `-ім`. Consonants that
alternate before a vowel (`мектеп`/`мектебі`) are not undone: `мектеп` does not find `мектебі`.
"""

from __future__ import annotations

import re

MIN_STEM = 3
VOWELS = "аәеёиіоөуұүыэюя"
PLURAL = ("лар", "лер", "дар", "дер", "тар", "тер")
# The third person only (press releases speak of "its", not "my" or "your"; `-ым`, `-ің` would cut
# білім, ғылым, бөлім). (suffix, what must come before it: "c" a consonant, "v" a vowel other than ы and і)
POSSESSIVE = (("ы", "c"), ("і", "c"), ("сы", "v"), ("сі", "v"))
# (suffix, what must come before it: as for POSSESSIVE, or "V" any vowel, "N" a vowel or м, н, ң,
# or "y" the ы/і of a possessive)
CASE = (
    # genitive, dative, accusative, locative, ablative, instrumental, and `-дағы` adjectives
    *((suffix, "") for suffix in ("ға", "ге", "да", "де", "мен", "дағы", "дегі")),
    *((suffix, "c") for suffix in ("дың", "дің", "тың", "тің", "қа", "ке", "ды", "ді", "ты", "ті", "та", "те", "дан",
                                   "ден", "тан", "тен", "бен", "пен", "тағы", "тегі")),
    *((suffix, "N") for suffix in ("ның", "нің")),
    *((suffix, "V") for suffix in ("ны", "ні")),
    *((suffix, "y") for suffix in ("н", "на", "не", "нда", "нде", "нан", "нен", "ндағы", "ндегі")),
    # verbs: participles, present and habitual
    *((suffix, "") for suffix in ("ған", "ген", "қан", "кен", "ады", "еді", "йды", "йді", "атын", "етін", "йтын", "йтін")),
)
_AFTER = {"": "", "c": f"(?<=[^{VOWELS}])", "V": f"(?<=[{VOWELS}])", "N": f"(?<=[{VOWELS}мнң])",
          "v": f"(?<=[{VOWELS.replace('ы', '').replace('і', '')}])", "y": "(?<=[ыі])"}


def _either(suffixes: tuple[tuple[str, str], ...]) -> str:
    """One optional suffix of the list, each behind what it must follow (the order of the list does
    not matter: the lazy stem makes the pattern take the shortest stem any split of the rest allows)."""
    return "(?:" + "|".join(_AFTER[after] + suffix for suffix, after in suffixes) + ")?"


STEM_PATTERN = (f"^(.{{{MIN_STEM},}}?)" + _either(tuple((suffix, "") for suffix in PLURAL)) + _either(POSSESSIVE)
                + _either(CASE) + "$")
_STEM = re.compile(STEM_PATTERN)


def stem(word: str) -> str:
    """The word without its Kazakh suffixes, lower-cased."""
    word = word.lower()
    match = _STEM.match(word)
    return match.group(1) if match else word
