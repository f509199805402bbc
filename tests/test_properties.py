"""Property-based tests (hypothesis): no text, bytes or file name can make parsing raise or render
an invalid document, and every document holds the article's text exactly."""

from __future__ import annotations

import html
import json
from datetime import date
from random import Random

import feedparser
from conftest import ATOM, ROOT, SCHEMAS, dump, examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from feeds.catalogue import Catalogue
from feeds.classify import to_article
from feeds.models import Entry, FeedKey, Published
from feeds.parse import NotText, decode, parse_dump, title_line
from feeds.render import Links, atom, fragments, json_feed, rss, with_text
from feeds.settings import load_settings
from feeds.timing import KAZAKHSTAN, day_start, to_datetime

SETTINGS = load_settings(ROOT / "config.yaml")
RELAX_NG = etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng")))
# Text of one line: any character but line breaks, which end a line of a dump.
LINE = st.text(st.characters(blacklist_characters="\r\n"), max_size=400)
SLOW = settings(deadline=None, max_examples=examples(150), suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(st.text(max_size=3000))
def test_parsing_any_text_never_raises(text: str) -> None:
    parsed = parse_dump(text, "any.txt", date(2026, 11, 25))
    for record in parsed.records:
        assert record.title == record.title.strip() and "\n" not in record.title


@SLOW
@given(st.binary(max_size=3000))
def test_decoding_any_bytes_gives_text_or_says_it_is_not(data: bytes) -> None:
    try:
        text = decode(data).text
    except NotText:
        return
    parse_dump(text, "any.txt")


@SLOW
@given(st.lists(LINE.filter(lambda line: line.strip() and not title_line(line.strip())), max_size=6), st.randoms())
def test_any_lines_between_records_never_cost_a_record(junk: list[str], rng: Random) -> None:
    good = [(f"Good record number {n} 0{n}.02.2026", f"Body number {n}.") for n in range(1, 4)]
    lines = [line for record in good for line in record]
    for line in junk:
        # Anywhere after the first title: before it, junk would be the dump's header.
        lines.insert(rng.randint(1, len(lines)), line)
    parsed = parse_dump("Enbekshi QazaQ\n\nWorld\n\n" + "\n".join(lines), "any.txt")
    assert [record.title for record in parsed.records] == [f"Good record number {n}" for n in range(1, 4)]


def entry_of(title: str, body: str) -> Entry:
    """The article a dump record with this title and body becomes, as the store would give it."""
    (record,) = parse_dump(dump((f"{title} 01.02.2026", body)), "any.txt").records
    article = to_article(record, "World", SETTINGS.feeds, SETTINGS.topics)
    instant = day_start(article.published) + 3_600_000_000
    return Entry(article.id, article.title, to_datetime(instant), to_datetime(instant), article.paragraphs,
                 article.summary, article.source_url, article.language, article.category, article.category_label,
                 article.topics)


def paragraphs_of(content: str) -> list[str]:
    """The text of each `<p>` of an entry's HTML content, as an HTML parser reads it."""
    return [html.unescape(part.removesuffix("</p>")) for part in content.split("<p>")[1:]]


@SLOW
@given(title=LINE.filter(lambda t: t.strip()), body=LINE)
def test_any_article_text_renders_valid_documents_holding_the_text_exactly(title: str, body: str) -> None:
    entry = entry_of(title, body)
    document = Catalogue.of(SETTINGS).describe(FeedKey("all", "all", ""))
    ours = with_text([Published(entry.id, entry.title, entry.published, entry.updated, entry.source_url, entry.language,
                                fragments(entry, document.site), entry.paragraphs)])
    root = etree.fromstring(atom(document, ours, Links("all.atom", document.url("atom"))))
    assert RELAX_NG.validate(etree.ElementTree(root)), RELAX_NG.error_log
    (element,) = root.iterfind(f"{ATOM}entry")
    assert element.findtext(f"{ATOM}title") == entry.title
    assert paragraphs_of(element.findtext(f"{ATOM}content")) == list(entry.paragraphs or (entry.title,))
    rss_document = rss(document, ours, Links("all.rss", document.url("rss")))
    item = etree.fromstring(rss_document).find("channel/item")
    assert item.findtext("title") == entry.title
    assert not feedparser.parse(rss_document).bozo
    data = json.loads(json_feed(document, ours, Links("x.json", document.url("json"))))
    assert data["items"][0]["title"] == entry.title
    assert paragraphs_of(data["items"][0]["content_html"]) == list(entry.paragraphs or (entry.title,))
    assert to_datetime(0).tzinfo == KAZAKHSTAN

