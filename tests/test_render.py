"""Rendering on fixed input: the exact bytes of each format (golden files, validated once), and
what the formats must say whatever the bytes.

The golden files are what `render` makes of `ENTRIES`; after an intended change of output, write
them anew with `UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_render.py` and read the diff.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

import feedparser
import pytest
import reference_render as reference
from conftest import ATOM, SCHEMAS
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from feeds.catalogue import FeedDocument, Site
from feeds.models import Entry, Published
from feeds.render import Links, atom, fragments, json_feed, rss
from feeds.timing import KAZAKHSTAN

GOLDEN = Path(__file__).parent / "data/render"
SITE = Site("https://feeds.example.org/", "https://enbekshiqazaq.kz/", "Enbekshi QazaQ", "Enbekshi QazaQ",
            "https://hub.example.org/", {"sport": "Sport"})
ALL = FeedDocument("all", "all", "urn:uuid:00000000-0000-0000-0000-000000000001", "Enbekshi QazaQ: all news",
                   "Every article.", None, SITE)
EN = FeedDocument("lang/en", "lang", "urn:uuid:00000000-0000-0000-0000-000000000002", "Enbekshi QazaQ: news in English",
                  "Every article in English.", "en", SITE)
ENTRIES = [
    Entry("urn:uuid:00000000-0000-0000-0000-00000000000b", "A <b>bold</b> & \"quoted\" claim",
          datetime(2026, 2, 21, 9, 0, tzinfo=KAZAKHSTAN), datetime(2026, 2, 22, 10, 30, tzinfo=KAZAKHSTAN),
          ("First paragraph with S&P and <i>markup</i>.", "Second paragraph."), "First paragraph with S&P and <i>markup</i>.",
          "https://www.gov.kz/memleket/entities/mfa/press/news/details/1166722?lang=kk", "en", "world", "World", ("sport",)),
    Entry("urn:uuid:00000000-0000-0000-0000-00000000000a", "Шымкентте тұрғын үй", datetime(2026, 2, 20, 12, 0, tzinfo=KAZAKHSTAN),
          datetime(2026, 2, 20, 12, 0, tzinfo=KAZAKHSTAN), (), "Шымкентте тұрғын үй", None, "kk", "alem", "Әлем", ()),
]


def published(entries: list[Entry], site: Site = SITE) -> list[Published]:
    """Entries as documents are assembled from them: with their fragments, rendered once."""
    return [Published(e.id, e.title, e.published, e.updated, e.source_url, e.language, fragments(e, site)) for e in entries]


DOCUMENTS = {
    "all.atom": lambda: atom(ALL, published(ENTRIES), Links("all.atom", ALL.url("atom"), prev_archive=ALL.archive_url(3))),
    "all.rss": lambda: rss(ALL, published(ENTRIES), Links("all.rss", ALL.url("rss"), prev_archive=ALL.archive_url(3))),
    "all.json": lambda: json_feed(ALL, published(ENTRIES)),
    "en-archive-2.atom": lambda: atom(EN, published(ENTRIES[:1]), Links(
        "archive/lang/en/2.atom", EN.archive_url(1), prev_archive=EN.archive_url(0), next_archive=EN.archive_url(2),
        current=EN.url("atom"))),
    "en.rss": lambda: rss(EN, published(ENTRIES[:1]), Links("lang/en.rss", EN.url("rss"))),
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_documents_are_byte_for_byte_the_golden_ones(name: str) -> None:
    data = DOCUMENTS[name]()
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        (GOLDEN / name).write_bytes(data)
    assert data == (GOLDEN / name).read_bytes()


def test_atom_is_valid_and_says_what_feedgen_cannot() -> None:
    root = etree.fromstring(DOCUMENTS["all.atom"]())
    if (SCHEMAS / "atom.rng").exists():
        schema = etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng")))
        assert schema.validate(etree.ElementTree(root)), schema.error_log
    entries = root.findall(f"{ATOM}entry")
    assert [e.get("{http://www.w3.org/XML/1998/namespace}lang") for e in entries] == ["en", "kk"]
    (link,) = entries[0].findall(f"{ATOM}link")
    assert (link.get("rel"), link.get("type")) == ("alternate", "text/html")
    assert entries[1].find(f"{ATOM}content").text == "<p>Шымкентте тұрғын үй</p>"  # no link: the title as content
    assert root.findtext(f"{ATOM}updated") == "2026-02-22T10:30:00+05:00"  # the newest entry's, not the clock's
    rels = [link.get("rel") for link in root.findall(f"{ATOM}link")]
    assert rels == ["self", "prev-archive", "hub", "alternate"]


def test_an_archive_page_is_marked_and_links_both_ways_but_names_no_hub() -> None:
    data = DOCUMENTS["en-archive-2.atom"]()
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n<?xml-stylesheet type=\"text/xsl\" href=\"../../../assets/feed.xsl\"?>")
    root = etree.fromstring(data)
    assert root.find("{http://purl.org/syndication/history/1.0}archive") is not None
    assert {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")} == {
        "self": "https://feeds.example.org/archive/lang/en/2.atom", "prev-archive": "https://feeds.example.org/archive/lang/en/1.atom",
        "next-archive": "https://feeds.example.org/archive/lang/en/3.atom", "current": "https://feeds.example.org/lang/en.atom",
        "alternate": "https://enbekshiqazaq.kz/"}


def test_rss_names_languages_hub_and_guids() -> None:
    mixed = feedparser.parse(DOCUMENTS["all.rss"]())
    assert not mixed.bozo and [item.get("language") for item in mixed.entries] == ["en", "kk"]
    assert [item.guidislink for item in mixed.entries] == [False, False]
    root = etree.fromstring(DOCUMENTS["all.rss"]())
    assert [link.get("rel") for link in root.iterfind(f"channel/{ATOM}link")] == ["self", "hub"]
    single = etree.fromstring(DOCUMENTS["en.rss"]())
    assert single.findtext("channel/language") == "en"


def test_json_feed_has_the_same_entries_in_the_same_order() -> None:
    data = json.loads(DOCUMENTS["all.json"]())
    assert data["version"] == "https://jsonfeed.org/version/1.1" and data["hubs"][0]["url"] == "https://hub.example.org/"
    assert [item["id"] for item in data["items"]] == [entry.id for entry in ENTRIES]
    assert data["items"][0]["tags"] == ["World", "Sport"] and "url" not in data["items"][1]


TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\x01\x02\x03\x04\x05\x06\x07\x08"
                             "\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d"
                             "\x1e\x1f\ufffe\uffff"), min_size=1, max_size=60).filter(str.strip)
MOMENT = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)).map(lambda d: d.replace(tzinfo=KAZAKHSTAN))
ENTRY = st.builds(
    lambda n, title, paragraphs, summary, source, language, moment, later, topics: Entry(
        f"urn:uuid:{n:032x}", title, moment, moment + later, tuple(paragraphs), summary, source, language, "world", title,
        tuple(topics)),
    st.integers(0, 2**64), TEXT, st.lists(TEXT, max_size=3), st.one_of(st.just(""), TEXT),
    st.one_of(st.none(), st.just("https://www.gov.kz/x?lang=kk&a=1")), st.sampled_from(["en", "ru", "kk"]), MOMENT,
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=9)), st.lists(st.sampled_from(["sport", "other"]), unique=True))


@settings(max_examples=200, deadline=None)
@given(st.lists(ENTRY, min_size=1, max_size=4, unique_by=lambda entry: entry.id), st.booleans(), st.booleans())
def test_documents_assembled_from_fragments_are_what_feedgen_makes(entries: list[Entry], archive: bool, mixed: bool) -> None:
    """The replacement is byte-compatible with the feedgen-built documents it replaced
    (`reference_render.py`, kept here as the reference)."""
    document = ALL if mixed else EN
    links = ({"prev_archive": document.archive_url(0), "next_archive": document.archive_url(2), "current": document.url("atom")}
             if archive else {})
    ours = published(entries)
    assert atom(document, ours, Links("x/y.atom", "https://e/1.atom", **links)) == reference.render_atom(
        document, entries, reference.Links("x/y.atom", "https://e/1.atom", **links))
    assert rss(document, ours, Links("x.rss", "https://e/1.rss")) == reference.render_rss(
        document, entries, reference.Links("x.rss", "https://e/1.rss"))
    assert json_feed(document, ours) == reference.render_json(document, entries)
