"""The RFC 5005 archive plan: which archive pages of a feed to write, and how they link. Pure.

Pages are fixed ranges of a feed's sequence numbers: page k holds the entries numbered
[k*P, (k+1)*P) once they have left the subscription document (sequence numbers below the
feed's boundary). A full page never gains an entry again, so a run writes only the pages the
boundary moved through, the pages that lost entries, and the nearest occupied neighbours of
those (whose links change when a page fills or empties); a full re-render writes every page that
holds an entry.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    """One archive page to write (or, when it holds nothing any more, to remove)."""

    number: int
    first: int
    end: int  # exclusive: the page's sequence numbers that are archived
    prev: int | None  # the nearest older page that holds entries
    next: int | None  # the nearest newer one
    occupied: bool


def candidates(boundary: int, archived_before: int, removed: Iterable[int], size: int) -> set[int]:
    """Pages whose entries an incremental run may change: those between the old and the new
    boundary, and those that lost entries. Only these can fill or empty, so only their nearest
    occupied neighbours (`with_neighbours`) may need new links."""
    low, high = min(boundary, archived_before), max(boundary, archived_before)
    pages = set(range(low // size, (max(high, 1) - 1) // size + 1))
    return pages | {seq // size for seq in removed}


def ranges(pages: Iterable[int], size: int) -> list[tuple[int, int]]:
    """The sequence number range of each page, for the store's one query."""
    return [(page * size, (page + 1) * size) for page in sorted(pages)]


def occupied_pages(seqs: Iterable[int], size: int) -> list[int]:
    return sorted({seq // size for seq in seqs})


def with_neighbours(pages: Iterable[int], occupied: Sequence[int]) -> set[int]:
    """The pages and their nearest occupied neighbours: when a page empties, the pages on either
    side of it must link past it."""
    result = set(pages)
    for page in list(result):
        result.update(side for side in _neighbours(page, occupied) if side is not None)
    return result


def plan(pages: Iterable[int], occupied: Sequence[int], size: int, boundary: int) -> list[Page]:
    """Every page in `pages`, oldest first, with its links. `occupied` (sorted) must hold every
    occupied page among `pages` and the nearest occupied page on either side of each."""
    known = set(occupied)
    planned = []
    for page in sorted(pages):
        first, end = page * size, min((page + 1) * size, boundary)
        # A page at or past the boundary holds nothing archived, whatever `occupied` says.
        planned.append(Page(page, first, end, *_neighbours(page, occupied), occupied=page in known and first < end))
    return planned


def _neighbours(page: int, occupied: Sequence[int]) -> tuple[int | None, int | None]:
    before, after = bisect_left(occupied, page), bisect_right(occupied, page)
    return (occupied[before - 1] if before else None, occupied[after] if after < len(occupied) else None)
