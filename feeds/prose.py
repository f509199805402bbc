"""Text shaping for dump bodies, which arrive as one line with paragraphs glued together.

Pure functions: paragraphs for an entry's HTML content, a bounded plain-text summary, a title for
records whose title is just `-`, and removal of characters XML 1.0 or HTML cannot carry.
"""

from __future__ import annotations

import re

UPPER = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
LOWER = "a-zа-яёәғқңөұүһі"
# `place.The`: a sentence end glued to a capital is where the page had a paragraph break.
# The letter before the stop must be lower-case, so initials (`Y.Ashikbayev`) stay whole.
GLUED_BREAK = re.compile(rf"(?<=[{LOWER}0-9)\]»”%])([.!?…]+)(?=[«“\"]?[{UPPER}])")
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
SPACES = re.compile(r"\s*")
# C0 and C1 controls (but tab and line breaks), DEL, lone surrogates, and the non-characters
# (U+FDD0..U+FDEF, and the last two code points of every plane).
# Checked in two steps: a class of BMP characters only compiles to a bitmap (fast); the astral
# non-characters are looked for only in the rare text that holds any astral character.
NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
ASTRAL = re.compile("[\U00010000-\U0010FFFF]")
ASTRAL_NOT_TEXT = re.compile("[" + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}"
                                           for plane in range(1, 17)) + "]")
LETTER = re.compile(rf"[{UPPER}{LOWER}]", re.IGNORECASE)
FALLBACK_TITLE_CHARS = 120
# A title for a release with no words at all, in its language: by whom (when known), and when.
FALLBACK_TITLES = {
    "en": ("Press release of {agency}, {day}", "Press release, {day}"),
    "ru": ("Пресс-релиз: {agency}, {day}", "Пресс-релиз, {day}"),
    "kk": ("Баспасөз релизі: {agency}, {day}", "Баспасөз релизі, {day}"),
}


def xml_safe(text: str) -> str:
    """Drop controls, lone surrogates and non-characters: XML 1.0 cannot carry the C0 controls
    and surrogates at all, and HTML forbids the rest (the Nu checker rejects a page holding them)."""
    text = NOT_TEXT.sub("", text)
    return ASTRAL_NOT_TEXT.sub("", text) if ASTRAL.search(text) else text


def paragraphs(body: str, title: str) -> tuple[str, ...]:
    """The body as paragraphs: glued sentence ends split apart, a repeated title dropped."""
    text = _without_repeated_title(body, title)
    pieces = GLUED_BREAK.sub("\\1\n", text).split("\n")
    return tuple(" ".join(piece.split()) for piece in pieces if piece.strip())


def _without_repeated_title(body: str, title: str) -> str:
    """`...in the City of ZhanaozenOn 22 January` starts by repeating its title: drop the repeat.
    The title's words must open the body in order, in any case, separated by any whitespace."""
    words = title.split()
    if not words or len(title) <= 3:
        return body
    position = _spaces_end(body, 0)
    for index, word in enumerate(words):
        if index:
            gap = _spaces_end(body, position)
            if gap == position:
                return body
            position = gap
        if body[position:position + len(word)].lower() != word.lower():
            return body
        position += len(word)
    return body[position:].lstrip(" .:;-–—\u00a0") or body


def _spaces_end(text: str, position: int) -> int:
    """Where the run of whitespace at `position` ends (`position` when there is none)."""
    match = SPACES.match(text, position)
    return match.end() if match else position


def sentences(text: str) -> list[str]:
    return [part for part in SENTENCE_END.split(text) if part]


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis when cut at all."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–") + "…"


def cut_at_sentence(text: str, limit: int) -> str:
    """At most `limit` characters, ending with the last whole sentence that fits (or, when no
    sentence ends in the second half of the limit, at a word boundary with an ellipsis)."""
    if len(text) <= limit:
        return text
    window = text[:limit]
    end = max(window.rfind(mark) for mark in ".!?…")
    if end >= limit // 2:
        return window[: end + 1].rstrip()
    return shorten(text, limit)


def summary(paras: tuple[str, ...], limit: int) -> str:
    """Whole first sentences up to `limit` characters; a single long first sentence is shortened."""
    chosen = ""
    for sentence in sentences(" ".join(paras)):
        candidate = f"{chosen} {sentence}".strip()
        if len(candidate) > limit:
            break
        chosen = candidate
    return chosen or shorten(" ".join(paras), limit)


def needs_title(title: str) -> bool:
    """A title with no letters at all (`-`, empty) says nothing to a reader."""
    return not LETTER.search(title)


def _invented(pattern: str) -> re.Pattern[str]:
    escaped = re.escape(pattern).replace(r"\{agency\}", "(?P<agency>.+)").replace(r"\{day\}", r"(?P<day>\d\d\.\d\d\.\d{4})")
    return re.compile(escaped)


INVENTED = [_invented(pattern) for patterns in FALLBACK_TITLES.values() for pattern in patterns]


def invented_day(title: str) -> str | None:
    """The day of a title `fallback_title` invented for a release with no words (in any language,
    by any name of its agency), else None: such a title can be invented again."""
    for pattern in INVENTED:
        if match := pattern.fullmatch(title):
            return match.group("day")
    return None


def fallback_title(paras: tuple[str, ...], agency: str | None, day: str, language: str = "en") -> str:
    """A title for a record titled `-`: its first sentence, else who published it (the agency's
    name) and when, in the record's language."""
    if paras:
        return shorten(sentences(paras[0])[0], FALLBACK_TITLE_CHARS)
    by_agency, plain = FALLBACK_TITLES.get(language, FALLBACK_TITLES["en"])
    return by_agency.format(agency=agency, day=day) if agency else plain.format(day=day)
