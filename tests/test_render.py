"""Rendering on fixed input: the exact bytes of each format (golden files, validated), what the
formats must say whatever the bytes, and the article text read back exactly from every format.

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
from conftest import ATOM, CONTENT, DC, HISTORY, SCHEMAS, examples, read_html
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from feeds.catalogue import FeedDocument, Site
from feeds.models import Entry, Published
from feeds.render import Links, _atom_entry, _rss_item, atom, fragments, full, json_feed, rss, with_text
from feeds.timing import KAZAKHSTAN

GOLDEN = Path(__file__).parent / "data/render"
SITE = Site("https://feeds.example.org/", "https://enbekshiqazaq.kz/", "Enbekshi QazaQ", "Enbekshi QazaQ",
            "https://hub.example.org/", {"sport": {"en": "Sport", "ru": "Спорт", "kk": "Спорт"}},
            {"mfa": {"en": "Ministry of Foreign Affairs", "ru": "МИД РК", "kk": "СІМ"}})
ALL = FeedDocument("all", "all", "urn:uuid:00000000-0000-0000-0000-000000000001", "Enbekshi QazaQ: all news",
                   "Every article.", None, SITE)
EN = FeedDocument("lang/en", "lang", "urn:uuid:00000000-0000-0000-0000-000000000002", "Enbekshi QazaQ: news in English",
                  "Every article in English.", "en", SITE)
SOURCE = "https://www.gov.kz/memleket/entities/mfa/press/news/details/1166722?lang=kk"
ENTRIES = [
    Entry("urn:uuid:00000000-0000-0000-0000-00000000000b", "A <b>bold</b> & \"quoted\" claim",
          datetime(2026, 2, 21, 9, 0, tzinfo=KAZAKHSTAN), datetime(2026, 2, 22, 10, 30, tzinfo=KAZAKHSTAN),
          ("First paragraph with S&P and <i>markup</i>.", "Second paragraph."), "First paragraph with S&P and <i>markup</i>.",
          SOURCE, "en", "world", "World", ("sport",), "mfa"),
    Entry("urn:uuid:00000000-0000-0000-0000-00000000000a", "Шымкентте тұрғын үй", datetime(2026, 2, 20, 12, 0, tzinfo=KAZAKHSTAN),
          datetime(2026, 2, 20, 12, 0, tzinfo=KAZAKHSTAN), (), "Шымкентте тұрғын үй", None, "kk", "alem", "Әлем", ()),
]
PAGE_B = "https://feeds.example.org/articles/00/00000000-0000-0000-0000-00000000000b.html"
PAGE_A = "https://feeds.example.org/articles/00/00000000-0000-0000-0000-00000000000a.html"


def brief(entries: list[Entry], site: Site = SITE) -> list[Published]:
    """Entries as archive pages are assembled from them: with their fragments, rendered once."""
    return [Published(e.id, e.title, e.published, e.updated, e.source_url, e.language, fragments(e, site), e.paragraphs)
            for e in entries]


def published(entries: list[Entry], site: Site = SITE) -> list[Published]:
    """Entries as subscription documents are assembled from them: with their text."""
    return with_text(brief(entries, site))


def archive_links(form: str) -> Links:
    return Links(f"archive/lang/en/2.{form}", EN.archive_url(1, form), prev_archive=EN.archive_url(0, form),
                 next_archive=EN.archive_url(2, form), current=EN.url(form))


DOCUMENTS = {
    "all.atom": lambda: atom(ALL, published(ENTRIES), Links("all.atom", ALL.url("atom"), prev_archive=ALL.archive_url(3))),
    "all.rss": lambda: rss(ALL, published(ENTRIES), Links("all.rss", ALL.url("rss"), prev_archive=ALL.archive_url(3, "rss"))),
    "all.json": lambda: json_feed(ALL, published(ENTRIES), Links("all.json", ALL.url("json"), ALL.archive_url(3, "json"))),
    "en-archive-2.atom": lambda: atom(EN, brief(ENTRIES[:1]), archive_links("atom")),
    "en-archive-2.rss": lambda: rss(EN, brief(ENTRIES[:1]), archive_links("rss")),
    "en-archive-2.json": lambda: json_feed(EN, brief(ENTRIES[:1]), Links("archive/lang/en/2.json", EN.archive_url(1, "json"),
                                                                         EN.archive_url(0, "json"), current=EN.url("json"))),
    "en.rss": lambda: rss(EN, published(ENTRIES[:1]), Links("lang/en.rss", EN.url("rss"))),
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_documents_are_byte_for_byte_the_golden_ones(name: str) -> None:
    data = DOCUMENTS[name]()
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        (GOLDEN / name).write_bytes(data)
    assert data == (GOLDEN / name).read_bytes()


def test_atom_entries_link_to_gov_kz_and_their_page_and_name_their_agency() -> None:
    root = etree.fromstring(DOCUMENTS["all.atom"]())
    schema = etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng")))
    assert schema.validate(etree.ElementTree(root)), schema.error_log
    sourced, sourceless = root.findall(f"{ATOM}entry")
    assert [e.get("{http://www.w3.org/XML/1998/namespace}lang") for e in (sourced, sourceless)] == ["en", "kk"]
    links = [(link.get("rel"), link.get("href"), link.get("type")) for link in sourced.findall(f"{ATOM}link")]
    assert links == [("alternate", SOURCE, "text/html"), ("related", PAGE_B, "text/html")]
    links = [(link.get("rel"), link.get("href"), link.get("type")) for link in sourceless.findall(f"{ATOM}link")]
    assert links == [("alternate", PAGE_A, "text/html")]
    assert (sourced.findtext(f"{ATOM}author/{ATOM}name"), sourced.findtext(f"{ATOM}author/{ATOM}uri")) == (
        "Ministry of Foreign Affairs", "https://www.gov.kz/memleket/entities/mfa?lang=en")
    # No agency named by the dump: the site is the author, as at feed level.
    assert sourceless.findtext(f"{ATOM}author/{ATOM}name") == "Enbekshi QazaQ"
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "Enbekshi QazaQ"
    assert root.findtext(f"{ATOM}updated") == "2026-02-22T10:30:00+05:00"  # the newest entry's, not the clock's
    assert [link.get("rel") for link in root.findall(f"{ATOM}link")] == ["self", "prev-archive", "hub", "alternate"]


def test_an_archive_page_is_marked_and_links_both_ways_but_names_no_hub() -> None:
    data = DOCUMENTS["en-archive-2.atom"]()
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n<?xml-stylesheet type=\"text/xsl\" href=\"../../../assets/feed.xsl\"?>")
    root = etree.fromstring(data)
    assert root.find(f"{HISTORY}archive") is not None
    assert {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")} == {
        "self": "https://feeds.example.org/archive/lang/en/2.atom", "prev-archive": "https://feeds.example.org/archive/lang/en/1.atom",
        "next-archive": "https://feeds.example.org/archive/lang/en/3.atom", "current": "https://feeds.example.org/lang/en.atom",
        "alternate": "https://enbekshiqazaq.kz/"}


def test_rss_items_link_name_their_agency_and_carry_html_escaped_once_more() -> None:
    mixed = feedparser.parse(DOCUMENTS["all.rss"]())
    assert not mixed.bozo and [item.get("language") for item in mixed.entries] == ["en", "kk"]
    assert [item.guidislink for item in mixed.entries] == [False, False]
    assert [item.link for item in mixed.entries] == [SOURCE, PAGE_A]
    assert [item.author for item in mixed.entries] == ["Ministry of Foreign Affairs", "Enbekshi QazaQ"]
    root = etree.fromstring(DOCUMENTS["all.rss"]())
    assert [link.get("rel") for link in root.iterfind(f"channel/{ATOM}link")] == ["self", "prev-archive", "hub"]
    item = root.find("channel/item")
    assert [(link.get("rel"), link.get("href")) for link in item.findall(f"{ATOM}link")] == [("related", PAGE_B)]
    assert root.findall("channel/item")[1].find(f"{ATOM}link") is None  # its `link` is its page already
    # As stored in the XML: escaped twice, so an HTML parser reads back `S&P` and `<i>`, as text.
    assert b"First paragraph with S&amp;amp;P and &amp;lt;i&amp;gt;markup" in DOCUMENTS["all.rss"]()
    assert read_html(item.findtext("description")) == (["First paragraph with S&P and <i>markup</i>."], [])
    assert read_html(item.findtext(f"{CONTENT}encoded")) == (
        ["", "First paragraph with S&P and <i>markup</i>.", "Second paragraph."], ["p", "p"])
    single = etree.fromstring(DOCUMENTS["en.rss"]())
    assert single.findtext("channel/language") == "en" and single.find(f"channel/item/{DC}language") is None


def test_an_rss_archive_page_links_like_the_atom_one() -> None:
    root = etree.fromstring(DOCUMENTS["en-archive-2.rss"]())
    assert root.find(f"channel/{HISTORY}archive") is not None
    assert {link.get("rel"): link.get("href") for link in root.iterfind(f"channel/{ATOM}link")} == {
        "self": "https://feeds.example.org/archive/lang/en/2.rss", "prev-archive": "https://feeds.example.org/archive/lang/en/1.rss",
        "next-archive": "https://feeds.example.org/archive/lang/en/3.rss", "current": "https://feeds.example.org/lang/en.rss"}
    assert not feedparser.parse(DOCUMENTS["en-archive-2.rss"]()).bozo


def test_json_feed_items_take_the_page_as_url_and_gov_kz_as_external_url() -> None:
    data = json.loads(DOCUMENTS["all.json"]())
    assert data["version"] == "https://jsonfeed.org/version/1.1" and data["hubs"][0]["url"] == "https://hub.example.org/"
    assert data["next_url"] == "https://feeds.example.org/archive/all/4.json"
    assert [item["id"] for item in data["items"]] == [entry.id for entry in ENTRIES]
    sourced, sourceless = data["items"]
    assert (sourced["url"], sourced["external_url"]) == (PAGE_B, SOURCE)
    assert sourceless["url"] == PAGE_A and "external_url" not in sourceless
    assert sourced["authors"] == [{"name": "Ministry of Foreign Affairs", "url": "https://www.gov.kz/memleket/entities/mfa?lang=en"}]
    assert sourced["tags"] == ["World", "Sport"]
    archive = json.loads(DOCUMENTS["en-archive-2.json"]())
    assert archive["feed_url"] == "https://feeds.example.org/lang/en.json" and "hubs" not in archive
    assert archive["next_url"] == "https://feeds.example.org/archive/lang/en/1.json"


def test_an_archived_entry_is_brief_in_every_format_and_a_subscription_one_carries_the_text() -> None:
    """Archive pages carry what identifies and describes an entry, not its text (`archives.content`)."""
    archived = etree.fromstring(DOCUMENTS["en-archive-2.atom"]()).find(f"{ATOM}entry")
    assert archived.find(f"{ATOM}content") is None
    assert archived.findtext(f"{ATOM}summary") == ENTRIES[0].summary
    assert [link.get("rel") for link in archived.findall(f"{ATOM}link")] == ["alternate", "related"]
    assert [c.get("term") for c in archived.findall(f"{ATOM}category")] == ["world", "sport"]
    assert archived.findtext(f"{ATOM}published") and archived.findtext(f"{ATOM}author/{ATOM}name")
    item = etree.fromstring(DOCUMENTS["en-archive-2.rss"]()).find("channel/item")
    assert item.find(f"{CONTENT}encoded") is None and item.findtext("description")
    (json_item,) = json.loads(DOCUMENTS["en-archive-2.json"]())["items"]
    assert "content_html" not in json_item and json_item["content_text"] == ENTRIES[0].summary
    current = etree.fromstring(DOCUMENTS["all.atom"]()).find(f"{ATOM}entry")
    assert read_html(current.findtext(f"{ATOM}content"))[0][1:] == list(ENTRIES[0].paragraphs)
    (first, _) = json.loads(DOCUMENTS["all.json"]())["items"]
    assert "content_text" not in first and first["summary"] == ENTRIES[0].summary


# Text as the dumps bring it once cleaned (`prose`): any printable character, markup-like words,
# entities, quotes and ampersands included; no control characters (XML cannot carry them).
TEXT = st.lists(st.one_of(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    st.sampled_from(["&", "<", ">", '"', "'", "&amp;", "<b>", "</p>", "<script>", "&lt;", "S&P", "]]>", "&#x41;"]),
), min_size=1, max_size=30).map("".join).filter(str.strip)
MOMENT = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)).map(lambda d: d.replace(tzinfo=KAZAKHSTAN))
ENTRY = st.builds(
    lambda n, title, paragraphs, summary, source, language, moment, later, topics, agency: Entry(
        f"urn:uuid:{n:032x}", title, moment, moment + later, tuple(paragraphs), summary, source, language, "world", title,
        tuple(topics), agency),
    st.integers(0, 2**64), TEXT, st.lists(TEXT, max_size=3), st.one_of(st.just(""), TEXT),
    st.one_of(st.none(), st.just("https://www.gov.kz/x?lang=kk&a=1")), st.sampled_from(["en", "ru", "kk"]), MOMENT,
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=9)), st.lists(st.sampled_from(["sport", "other"]), unique=True),
    st.one_of(st.none(), st.sampled_from(["mfa", "kostanay"])))


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(ENTRY, min_size=1, max_size=4, unique_by=lambda entry: entry.id), st.booleans())
def test_every_format_gives_back_exactly_the_article_text_and_never_markup(entries: list[Entry], mixed: bool) -> None:
    """Read as a reader reads each format (XML, then HTML where the format holds HTML), the title,
    summary and paragraphs come back exactly, and no tag but the paragraphs' ever appears."""
    document = ALL if mixed else EN
    ours = published(entries)
    summaries = [entry.summary or entry.title for entry in entries]
    paragraphs = [["", *(entry.paragraphs or (entry.title,))] for entry in entries]
    atom_root = etree.fromstring(atom(document, ours, Links("x.atom", "https://e/1.atom")))
    for element, entry, text in zip(atom_root.iterfind(f"{ATOM}entry"), entries, paragraphs, strict=True):
        assert element.findtext(f"{ATOM}title") == entry.title
        assert element.findtext(f"{ATOM}summary") == (entry.summary or entry.title)
        if element.find(f"{ATOM}content") is not None:
            assert read_html(element.findtext(f"{ATOM}content")) == (text, ["p"] * (len(text) - 1))
    rss_root = etree.fromstring(rss(document, ours, Links("x.rss", "https://e/1.rss")))
    for item, entry, summary, text in zip(rss_root.iterfind("channel/item"), entries, summaries, paragraphs, strict=True):
        assert item.findtext("title") == entry.title
        assert read_html(item.findtext("description")) == ([summary], [])
        if entry.paragraphs:
            assert read_html(item.findtext(f"{CONTENT}encoded")) == (text, ["p"] * (len(text) - 1))
    for item, entry, summary, text in zip(json.loads(json_feed(document, ours, Links("x.json", document.url("json"))))["items"], entries, summaries, paragraphs,
                                          strict=True):
        assert (item["title"], item["summary"]) == (entry.title, summary)
        assert read_html(item["content_html"]) == (text, ["p"] * (len(text) - 1))


@settings(max_examples=examples(200), deadline=None)
@given(ENTRY)
def test_an_entry_with_its_text_put_in_is_feedgens_own_full_entry_byte_for_byte(entry: Entry) -> None:
    """The store keeps the brief form and the text once; `full` joins them where feedgen would."""
    made = full(fragments(entry, SITE), entry.paragraphs, entry.title, entry.source_url)
    assert made.atom == _atom_entry(entry, SITE, with_content=True)
    assert made.rss == _rss_item(entry, SITE, with_content=True)
    item = json.loads(made.json)
    assert item["content_html"].startswith("<p>") and item["summary"] == (entry.summary or entry.title)
    assert "content_text" not in item
