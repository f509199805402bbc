"""Entries -> fragments, once each; a feed's head and its entries' fragments -> Atom, RSS 2.0 and
JSON Feed 1.1 documents. Pure: equal input, equal bytes.

An entry is rendered once per format, whatever the number of feeds and archive pages it appears
in: its fragment is the bytes it has inside any document (indentation included), and a document
is a head, the fragments of its entries, and a tail, joined; nothing is serialised twice. Every
date comes from the entries, never from the clock.

Every entry links somewhere: to its gov.kz original (`alternate`) and its page here (`related`),
or, when the dump gives no source, to its page (`alternate`). Every entry names the agency that
issued it as its author. Article text is never markup in any format: plain text where a format
wants text, escaped HTML where it wants HTML (RSS `description` included, which readers take as
HTML). Archive pages exist in all three formats, linked as RFC 5005 says (JSON Feed: `next_url`).
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from feeds import __version__
from feeds.catalogue import FeedDocument, Site
from feeds.layout import stylesheet_href
from feeds.models import Entry, Fragments, Published

ATOM = "http://www.w3.org/2005/Atom"
HISTORY = "http://purl.org/syndication/history/1.0"
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
GENERATOR = "enbekshi-feeds"
RSS_DOCS = "http://www.rssboard.org/rss-specification"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DECLARATION = b"<?xml version='1.0' encoding='utf-8'?>\n"
ITEM_END = b"\n    </item>"
SubElement = etree.SubElement


@dataclass(frozen=True)
class Links:
    """Where a document sits in its feed's RFC 5005 chain, and which file it is."""

    file: str  # path under out/, for the stylesheet's relative address
    self_url: str
    prev_archive: str | None = None
    next_archive: str | None = None
    current: str | None = None  # set on archive documents only

    @property
    def is_archive(self) -> bool:
        return self.current is not None


def content_html(entry: Entry) -> str:
    """Paragraphs as escaped HTML: article text is never interpreted as markup."""
    paragraphs = entry.paragraphs or (entry.title,)
    return "".join(f"<p>{html.escape(paragraph, quote=False)}</p>" for paragraph in paragraphs)


def description_html(entry: Entry) -> str:
    """The summary as the HTML an RSS reader takes `description` for: text, escaped, no tags."""
    return html.escape(entry.summary or entry.title, quote=False)


def author(entry: Entry, site: Site) -> tuple[str, str]:
    """Who issued the entry, and their page: the agency (named in the entry's language, on gov.kz),
    or the site when the dump names none."""
    if entry.agency:
        return site.agency_name(entry.agency, entry.language), site.agency_url(entry.agency, entry.language)
    return site.author, site.url


def rfc822(moment: datetime) -> str:
    """RFC 822 dates in English whatever the locale, as RSS wants them."""
    return f"{DAYS[moment.weekday()]}, {moment:%d} {MONTHS[moment.month - 1]} {moment:%Y %H:%M:%S %z}"


def fragments(entry: Entry, site: Site) -> Fragments:
    """The entry in each format, rendered once."""
    return Fragments(_atom_entry(entry, site), _rss_item(entry, site), _json_item(entry, site))


def _atom_entry(entry: Entry, site: Site) -> bytes:
    element = etree.Element("entry")
    element.set(XML_LANG, entry.language)
    SubElement(element, "id").text = entry.id
    SubElement(element, "title").text = entry.title
    SubElement(element, "updated").text = entry.updated.isoformat()
    name, uri = author(entry, site)
    issuer = SubElement(element, "author")
    SubElement(issuer, "name").text = name
    SubElement(issuer, "uri").text = uri
    if entry.paragraphs or not entry.source_url:
        # What the dump has of the text, or the title at least (RFC 4287 4.1.1.1).
        SubElement(element, "content", type="html").text = content_html(entry)
    page = site.article_url(entry.id)
    if entry.source_url:
        SubElement(element, "link", href=entry.source_url, rel="alternate", type="text/html")
        SubElement(element, "link", href=page, rel="related", type="text/html")
    else:
        SubElement(element, "link", href=page, rel="alternate", type="text/html")
    if entry.summary:
        SubElement(element, "summary").text = entry.summary
    SubElement(element, "category", term=entry.category, scheme=site.category_scheme, label=entry.category_label)
    for topic in entry.topics:
        SubElement(element, "category", term=topic, scheme=site.topic_scheme, label=site.topic_label(topic, entry.language))
    SubElement(element, "published").text = entry.published.isoformat()
    etree.indent(element, space="  ", level=1)
    return etree.tostring(element, encoding="utf-8")


def _rss_item(entry: Entry, site: Site) -> bytes:
    """The item of a single-language feed; `_with_language` makes the mixed feeds' one."""
    element = etree.Element("item", nsmap={"content": CONTENT, "dc": DUBLIN_CORE, "atom": ATOM})
    SubElement(element, "title").text = entry.title
    SubElement(element, "link").text = entry.source_url or site.article_url(entry.id)
    if entry.source_url:
        # RSS has one link; the page here goes beside it, as in Atom.
        SubElement(element, f"{{{ATOM}}}link", href=site.article_url(entry.id), rel="related", type="text/html")
    SubElement(element, "description").text = description_html(entry)
    if entry.paragraphs:
        SubElement(element, f"{{{CONTENT}}}encoded").text = content_html(entry)
    SubElement(element, f"{{{DUBLIN_CORE}}}creator").text = author(entry, site)[0]
    SubElement(element, "guid", isPermaLink="false").text = entry.id
    SubElement(element, "category", domain=site.category_scheme).text = entry.category_label
    for topic in entry.topics:
        SubElement(element, "category", domain=site.topic_scheme).text = site.topic_label(topic, entry.language)
    SubElement(element, "pubDate").text = rfc822(entry.published)
    etree.indent(element, space="  ", level=2)
    # The namespaces are declared once, on the document's root.
    serialised = etree.tostring(element, encoding="utf-8")
    for prefix, uri in (("content", CONTENT), ("dc", DUBLIN_CORE), ("atom", ATOM)):
        serialised = serialised.replace(f' xmlns:{prefix}="{uri}"'.encode(), b"", 1)
    return serialised


def _with_language(item: bytes, language: str) -> bytes:
    """An RSS item with `dc:language`, for feeds that mix languages."""
    return item[: -len(ITEM_END)] + f"\n      <dc:language>{language}</dc:language>".encode() + ITEM_END


def _json_item(entry: Entry, site: Site) -> str:
    # The page here is the item's permalink; gov.kz is where the text came from.
    item: dict[str, object] = {"id": entry.id, "url": site.article_url(entry.id)}
    if entry.source_url:
        item["external_url"] = entry.source_url
    name, uri = author(entry, site)
    item.update({
        "title": entry.title,
        "content_html": content_html(entry),
        "summary": entry.summary or entry.title,
        "date_published": entry.published.isoformat(),
        "date_modified": entry.updated.isoformat(),
        "authors": [{"name": name, "url": uri}],
        "tags": [entry.category_label, *(site.topic_label(topic, entry.language) for topic in entry.topics)],
        "language": entry.language,
    })
    # As it stands in the document: two levels in, under "items".
    return json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n    ")


def _serialise(root: etree._Element, file: str, entries: Sequence[bytes], indent: bytes, end: bytes) -> bytes:
    """Declaration, the stylesheet instruction that makes browsers show a readable page, the head,
    each entry on its own line at its depth, the end."""
    etree.indent(root, space="  ")
    head = etree.tostring(root, encoding="utf-8")
    instruction = etree.ProcessingInstruction("xml-stylesheet", f'type="text/xsl" href="{stylesheet_href(file)}"')
    return b"".join((DECLARATION, etree.tostring(instruction), b"\n", head.removesuffix(end),
                     *(indent + entry for entry in entries), end, b"\n"))


def atom(document: FeedDocument, entries: Sequence[Published], links: Links) -> bytes:
    """An RFC 4287 feed document: the subscription document or one RFC 5005 archive page."""
    site = document.site
    root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM, "fh": HISTORY} if links.is_archive else {None: ATOM})
    if document.language:
        root.set(XML_LANG, document.language)
    if links.is_archive:
        SubElement(root, f"{{{HISTORY}}}archive")
    _atom_element(root, "id").text = document.id
    _atom_element(root, "title").text = document.title
    _atom_element(root, "updated").text = max(entry.updated for entry in entries).isoformat()
    owner = _atom_element(root, "author")
    _atom_element(owner, "name").text = site.author
    _atom_element(owner, "uri").text = site.url
    _atom_element(root, "link", href=links.self_url, rel="self", type="application/atom+xml")
    for rel, href in (("prev-archive", links.prev_archive), ("next-archive", links.next_archive), ("current", links.current)):
        if href:
            _atom_element(root, "link", href=href, rel=rel, type="application/atom+xml")
    if site.hub and not links.is_archive:
        _atom_element(root, "link", href=site.hub, rel="hub")
    _atom_element(root, "link", href=site.url, rel="alternate", type="text/html")
    _atom_element(root, "generator", version=__version__).text = GENERATOR
    _atom_element(root, "subtitle").text = document.subtitle
    return _serialise(root, links.file, [entry.fragments.atom for entry in entries], b"\n  ", b"\n</feed>")


def _atom_element(parent: etree._Element, name: str, **attributes: str) -> etree._Element:
    return SubElement(parent, f"{{{ATOM}}}{name}", attributes)


def rss(document: FeedDocument, entries: Sequence[Published], links: Links) -> bytes:
    """RSS 2.0 with `atom:link rel="self"`, `guid isPermaLink="false"` and the language: the
    channel's where the feed has one, else `dc:language` on every item. Archive pages and the
    links between them as in Atom (RFC 5005 allows its link relations in RSS)."""
    site = document.site
    namespaces = {"dc": DUBLIN_CORE, "atom": ATOM, "content": CONTENT} | ({"fh": HISTORY} if links.is_archive else {})
    root = etree.Element("rss", nsmap=namespaces, version="2.0")
    channel = SubElement(root, "channel")
    SubElement(channel, "title").text = document.title
    SubElement(channel, "link").text = site.url
    SubElement(channel, "description").text = document.subtitle
    SubElement(channel, f"{{{ATOM}}}link", href=links.self_url, rel="self", type="application/rss+xml")
    for rel, href in (("prev-archive", links.prev_archive), ("next-archive", links.next_archive), ("current", links.current)):
        if href:
            SubElement(channel, f"{{{ATOM}}}link", href=href, rel=rel, type="application/rss+xml")
    if links.is_archive:
        SubElement(channel, f"{{{HISTORY}}}archive")
    elif site.hub:
        # WebSub subscribers look for the hub beside the self link.
        SubElement(channel, f"{{{ATOM}}}link", href=site.hub, rel="hub")
    SubElement(channel, "docs").text = RSS_DOCS
    SubElement(channel, "generator").text = GENERATOR
    if document.language:
        SubElement(channel, "language").text = document.language
    SubElement(channel, "lastBuildDate").text = rfc822(max(entry.updated for entry in entries))
    items = [entry.fragments.rss if document.language else _with_language(entry.fragments.rss, entry.language)
             for entry in entries]
    return _serialise(root, links.file, items, b"\n    ", b"\n  </channel>\n</rss>")


def json_feed(document: FeedDocument, entries: Sequence[Published], next_url: str | None = None,
              archive: bool = False) -> bytes:
    """JSON Feed 1.1 with the same entries, order and ids as the Atom document. The subscription
    document and each archive page name the next older page as `next_url`, so a client that
    follows them sees every entry once; `feed_url` is always the subscription document's."""
    site = document.site
    feed: dict[str, object] = {
        "version": JSON_FEED_VERSION,
        "title": document.title,
        "home_page_url": site.url,
        "feed_url": document.url("json"),
        "description": document.subtitle,
        "authors": [{"name": site.author, "url": site.url}],
    }
    if document.language:
        feed["language"] = document.language
    if next_url:
        feed["next_url"] = next_url
    if site.hub and not archive:
        feed["hubs"] = [{"type": "WebSub", "url": site.hub}]
    head = json.dumps(feed, ensure_ascii=False, indent=2)
    items = ",\n    ".join(entry.fragments.json for entry in entries)
    return f'{head[:-2]},\n  "items": [\n    {items}\n  ]\n}}\n'.encode()
