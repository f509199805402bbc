"""Every document of a generated 2,500-article corpus (the `corpus` fixture) passes the suite's
checks: RELAX NG and Schematron for Atom, and the text round trip of each RSS item against its Atom
twin, on every document; feedparser reads one document of each kind.

A kind is a subscription document or an archive page, of one family of feeds (`all`, `lang`,
`category`, ...), in one language: what decides how a document is put together. Reading every
entry's text with feedparser (pure Python: two thirds of the two tests' time) would add nothing that
the strict XML parse and the schemas of every document do not check already: whether any text reads
back exactly is the property tests' job (`test_properties.py`, `test_render.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BASE, check_atom, check_rss
from lxml import etree

pytestmark = pytest.mark.slow  # a 2,500-article build, 700 documents

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def first_of_each_kind(out: Path, documents: list[Path]) -> list[bool]:
    """For each document, whether it is the first of its kind (see above)."""
    seen: set[tuple[bool, str, str | None]] = set()
    first = []
    for document in documents:
        parts = document.relative_to(out).parts
        archived = parts[0] == "archive"
        root = etree.parse(str(document)).getroot()
        kind = archived, parts[archived].removesuffix(document.suffix), root.get(XML_LANG) or root.findtext("channel/language")
        first.append(kind not in seen)
        seen.add(kind)
    return first


def test_every_atom_document_is_valid(corpus: Path) -> None:
    out = corpus / "out"
    documents = sorted(out.rglob("*.atom"))
    assert len(documents) > 300
    read = first_of_each_kind(out, documents)
    assert 10 < sum(read) < len(documents) / 10
    for document, first in zip(documents, read):
        check_atom(document, BASE + str(document.relative_to(out)), first)


def test_every_rss_document_says_in_html_exactly_what_its_atom_twin_says(corpus: Path) -> None:
    out = corpus / "out"
    documents = sorted(out.rglob("*.rss"))
    assert len(documents) == len(list(out.rglob("*.atom")))
    read = first_of_each_kind(out, documents)
    assert 10 < sum(read) < len(documents) / 10
    for document, first in zip(documents, read):
        check_rss(document, document.with_suffix(".atom"), first)
