"""Every document of a generated 5,000-article corpus (the `corpus` fixture) passes the suite's
checks: RELAX NG and Schematron for Atom, feedparser, and the text round trip of each RSS item
against its Atom twin.

An entry is rendered once per format and the same bytes go into every document that holds it, so
the costly reading (feedparser is pure Python, three quarters of the time) is done on a covering
set: every document is parsed and validated, and read as a reader does when it holds an entry in a
form that no document before it held. Every other document holds only forms already read, which is
checked byte for byte (exclusive C14N, so the namespaces a document declares do not count; an RSS
item's `dc:language`, which only a channel of several languages carries, is set aside)."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from conftest import ATOM, BASE, check_atom, check_rss
from lxml import etree

pytestmark = pytest.mark.slow  # a 5,000-article build, 1,400 documents


def widest_first(out: Path, suffix: str) -> list[Path]:
    """The documents of every feed, those of `all` first: its chain holds every entry, so reading
    it first leaves the fewest documents to read."""
    def rank(document: Path) -> tuple[bool, Path]:
        parts = document.relative_to(out).parts
        feed = parts[1] if parts[0] == "archive" else parts[0].removesuffix(suffix)
        return feed != "all", document
    return sorted(out.rglob(f"*{suffix}"), key=rank)


def to_read(documents: list[Path], entry: str, ignoring: str | None = None) -> list[bool]:
    """For each document, whether it holds an `entry` element in a form no document before it held
    (the element's `ignoring` child aside)."""
    seen: set[bytes] = set()
    fresh = []
    for document in documents:
        forms = set()
        for element in etree.parse(str(document)).getroot().iterfind(entry):
            for ignored in element.findall(ignoring) if ignoring else ():
                previous = ignored.getprevious()  # its line goes, and the line break before it with it
                if previous is not None:
                    previous.tail = ignored.tail
                element.remove(ignored)
            forms.add(etree.tostring(element, method="c14n", exclusive=True, with_tail=False))
        fresh.append(bool(forms - seen))
        seen |= forms
    return fresh


def test_every_atom_document_is_valid(corpus: Path) -> None:
    out = corpus / "out"
    documents = widest_first(out, ".atom")
    assert len(documents) > 500
    read = to_read(documents, f"{ATOM}entry")
    assert 0 < sum(read) < len(documents) / 4
    with ProcessPoolExecutor() as pool:  # a core each
        list(pool.map(check_atom, documents, [BASE + str(document.relative_to(out)) for document in documents], read,
                      chunksize=20))


def test_every_rss_document_says_in_html_exactly_what_its_atom_twin_says(corpus: Path) -> None:
    out = corpus / "out"
    documents = widest_first(out, ".rss")
    assert len(documents) == len(list(out.rglob("*.atom")))
    # An item names its language where its channel does not: that line aside, it is the same item.
    read = to_read(documents, "channel/item", ignoring="{http://purl.org/dc/elements/1.1/}language")
    assert 0 < sum(read) < len(documents) / 4
    with ProcessPoolExecutor() as pool:
        list(pool.map(check_rss, documents, [document.with_suffix(".atom") for document in documents], read,
                      chunksize=20))
