"""Kazakh words reduced to their stems for the search, by a small table of suffixes.

Pagefind has no Kazakh stemmer, but it matches every query word as a prefix of the words it
indexed (`мектеп` finds `мектептің` and `мектептерге`). What it cannot do is find `мектептің`
for the query `мектептерге`, or `Жетісудағы` for `Жетісуда`: the search pages therefore reduce
each query word to its stem (`search.html` runs `STEM_PATTERN` in the browser) and Pagefind
matches the stem as a prefix of the words as written. The pattern is one regular expression, the
same in this module's tests and in the page's script.

A Kazakh noun is its stem, then a plural suffix, a possessive one and a case ending, each
optional, in that order; the pattern takes the shortest stem (at least `MIN_STEM` letters) that
leaves such a chain (verb endings and `-дағы` adjectives count as case endings). Possessive `-сы`
follows a vowel other than `ы`/`і`, so `облысы` is `облыс-ы`, not `облы-сы`. Consonants that
alternate before a vowel (`мектеп`/`мектебі`) are not undone: `мектеп` does not find `мектебі`.
"""

from __future__ import annotations

import re

MIN_STEM = 3
VOWELS = "аәеёиіоөуұүыэюя"
PLURAL = ("лар", "лер", "дар", "дер", "тар", "тер")
# (suffix, what must come before it: "c" a consonant, "v" a vowel other than ы and і)
POSSESSIVE = (*((suffix, "c") for suffix in ("ы", "і", "ым", "ім", "ың", "ің", "ымыз", "іміз", "ыңыз", "іңіз")),
              *((suffix, "v") for suffix in ("сы", "сі", "м", "ң", "мыз", "міз", "ңыз", "ңіз")))
# (suffix, what must come before it: as for POSSESSIVE, or "V" any vowel, or "y" the ы/і of a possessive)
CASE = (
    # genitive, dative, accusative, locative, ablative, instrumental, and `-дағы` adjectives
    *((suffix, "") for suffix in ("ға", "ге", "да", "де", "мен", "дағы", "дегі")),
    *((suffix, "c") for suffix in ("дың", "дің", "тың", "тің", "қа", "ке", "ды", "ді", "ты", "ті", "та", "те", "дан",
                                   "ден", "тан", "тен", "бен", "пен", "тағы", "тегі")),
    *((suffix, "V") for suffix in ("ның", "нің", "ны", "ні")),
    *((suffix, "y") for suffix in ("н", "на", "не", "нда", "нде", "нан", "нен", "ндағы", "ндегі")),
    # verbs: participles, present and habitual
    *((suffix, "") for suffix in ("ған", "ген", "қан", "кен", "ады", "еді", "йды", "йді", "атын", "етін", "йтын", "йтін")),
)
_AFTER = {"": "", "c": f"(?<=[^{VOWELS}])", "V": f"(?<=[{VOWELS}])",
          "v": f"(?<=[{VOWELS.replace('ы', '').replace('і', '')}])", "y": "(?<=[ыі])"}


def _either(suffixes: tuple[tuple[str, str], ...]) -> str:
    """One optional suffix of the list, the longest tried first, each behind what it must follow."""
    ordered = sorted(suffixes, key=lambda pair: len(pair[0]), reverse=True)
    return "(?:" + "|".join(_AFTER[after] + suffix for suffix, after in ordered) + ")?"


STEM_PATTERN = (f"^(.{{{MIN_STEM},}}?)" + _either(tuple((suffix, "") for suffix in PLURAL)) + _either(POSSESSIVE)
                + _either(CASE) + "$")
_STEM = re.compile(STEM_PATTERN)


def stem(word: str) -> str:
    """The word without its Kazakh suffixes, lower-cased."""
    word = word.lower()
    match = _STEM.match(word)
    return match.group(1) if match else word
