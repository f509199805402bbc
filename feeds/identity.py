"""Stable article ids, and the test for two source-less records being one release.

An id never depends on the file name, the record's position or the dump it came from, so the
same article in several dumps is one entry, and an entry's id never changes once published.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from feeds.models import LANGUAGES

ID_NAMESPACE = uuid.UUID("5b0f3d4e-2a51-4c59-9a57-6f1e8e0c2b11")
# `lang=` names the language of the gov.kz original, not of the text in the dump.
IGNORED_QUERY = {"lang"}
WORD = re.compile(r"\w+")
SAME_RELEASE_JACCARD = 0.5
SAME_RELEASE_MIN_WORDS = 20


def normalise_url(url: str) -> str:
    """One spelling per page: https, lower-case host without `www.`, no fragment, no `lang`."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in IGNORED_QUERY))
    return urlunsplit(("https", host, parts.path.rstrip("/") or "/", query, ""))


def normalise_text(text: str) -> str:
    return " ".join(WORD.findall(text.casefold()))


def article_id(source_url: str | None, title: str, published: date, language: str) -> str:
    """`urn:uuid:` of the normalised source URL and language, else of title, date and language."""
    if source_url:
        key = f"source|{normalise_url(source_url)}|{language}"
    else:
        key = f"text|{normalise_text(title)}|{published.isoformat()}|{language}"
    return f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, key)}"


def translation_ids(source_url: str, language: str) -> list[str]:
    """The ids the same gov.kz release has in the other languages: its translations, where stored."""
    return [article_id(source_url, "", date.min, other) for other in LANGUAGES if other != language]


def words(text: str) -> frozenset[str]:
    """The set of words a same-release test compares."""
    return frozenset(WORD.findall(text.casefold()))


def cut_short(shorter: Sequence[str], longer: Sequence[str]) -> bool:
    """Whether the text `shorter` (a record's paragraphs and source) is `longer` cut off: a dump
    copied while it was being written, then whole. All its words but the last, which the cut may
    have split (or glued to the start of a `Source` line), are the first words of `longer`."""
    cut, whole = WORD.findall(" ".join(shorter).casefold()), WORD.findall(" ".join(longer).casefold())
    kept = max(len(cut) - 1, 0)
    # Shorter in characters too: a last word edited, or one word added, is a revision, not a cut.
    return (len(cut) <= len(whole) and sum(map(len, cut)) < sum(map(len, whole)) and cut[:kept] == whole[:kept]
            and (not cut or whole[kept].startswith(cut[-1]) or len(cut) < len(whole)))


def same_release(words: frozenset[str], other: frozenset[str]) -> bool:
    """Two translations of one release share most of their words (Jaccard >= 0.5; unrelated
    releases on one day in the seeds stay below 0.33)."""
    fewer, more = sorted((len(words), len(other)))
    if fewer < SAME_RELEASE_MIN_WORDS or fewer < more * SAME_RELEASE_JACCARD:
        return False  # the Jaccard index is at most fewer / more: no need to count
    shared = len(words & other)
    return shared / (fewer + more - shared) >= SAME_RELEASE_JACCARD
