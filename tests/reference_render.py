"""The renderer `feeds/render.py` replaced, kept as the reference its output must equal byte for
byte (`test_render.py`): whole documents built by feedgen, then patched with lxml.

Feed documents -> bytes in Atom, RSS 2.0 and JSON Feed 1.1. Pure: equal input, equal bytes.

feedgen builds the Atom and RSS documents; lxml then adds what feedgen cannot express: `xml:lang`
on entries, the attributes of entry links (feedgen keeps only `href`, so every link would be read
as `alternate` without its type), the RFC 5005 `fh:archive` marker and the stylesheet instruction.
Every date comes from the entries, never from the clock: feedgen would default `updated` and
`lastBuildDate` to now.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass

from feedgen.feed import FeedGenerator
from lxml import etree

from feeds import __version__
from feeds.catalogue import FeedDocument
from feeds.layout import stylesheet_href
from feeds.models import Entry

ATOM = "http://www.w3.org/2005/Atom"
HISTORY = "http://purl.org/syndication/history/1.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
GENERATOR = "enbekshi-feeds"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


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


def _generator(document: FeedDocument, entries: Sequence[Entry], links: Links) -> FeedGenerator:
    """The parts Atom and RSS share; RSS takes the last link given as its channel link."""
    generator = FeedGenerator()
    generator.id(document.id)
    generator.title(document.title)
    generator.subtitle(document.subtitle)  # feedgen makes it the RSS description too
    generator.link(href=links.self_url, rel="self", type="application/atom+xml" if links.file.endswith(".atom") else "application/rss+xml")
    for rel, href in (("prev-archive", links.prev_archive), ("next-archive", links.next_archive), ("current", links.current)):
        if href:
            generator.link(href=href, rel=rel, type="application/atom+xml")
    site = document.site
    if site.hub and not links.is_archive:
        generator.link(href=site.hub, rel="hub")
    generator.link(href=site.url, rel="alternate", type="text/html")
    generator.author({"name": site.author, "uri": site.url})
    generator.generator(GENERATOR, version=__version__)
    if document.language:
        generator.language(document.language)
    newest = max(entry.updated for entry in entries)
    generator.updated(newest)
    generator.lastBuildDate(newest)
    for entry in entries:
        item = generator.add_entry(order="append")
        item.id(entry.id)
        item.guid(entry.id, permalink=False)
        item.title(entry.title)
        item.published(entry.published)
        item.updated(entry.updated)
        if entry.source_url:
            item.link(href=entry.source_url)
        if entry.summary:
            item.summary(entry.summary)  # feedgen makes it the RSS description too
        if entry.paragraphs or not entry.source_url:
            # Without a link, an entry must carry content (RFC 4287 4.1.1.1): the title at least.
            item.content(content_html(entry), type="html")
        item.category(term=entry.category, scheme=site.category_scheme, label=entry.category_label)
        for topic in entry.topics:
            item.category(term=topic, scheme=site.topic_scheme, label=site.topic_label(topic))
    return generator


def _serialise(root: etree._Element, file: str) -> bytes:
    """Declaration, the stylesheet instruction that makes browsers show a readable page, the feed."""
    etree.indent(root, space="  ")
    instruction = etree.ProcessingInstruction("xml-stylesheet", f'type="text/xsl" href="{stylesheet_href(file)}"')
    return b"".join((b"<?xml version='1.0' encoding='utf-8'?>\n", etree.tostring(instruction), b"\n",
                     etree.tostring(root, encoding="utf-8"), b"\n"))


def render_atom(document: FeedDocument, entries: Sequence[Entry], links: Links) -> bytes:
    """An RFC 4287 feed document: the subscription document or one RFC 5005 archive page."""
    root = etree.fromstring(_generator(document, entries, links).atom_str(pretty=False))
    if links.is_archive:
        root.insert(0, etree.Element(f"{{{HISTORY}}}archive", nsmap={"fh": HISTORY}))
        root = _with_history_namespace(root)
    for element, entry in zip(root.iterfind(f"{{{ATOM}}}entry"), entries, strict=True):
        element.set(XML_LANG, entry.language)
        for link in element.iterfind(f"{{{ATOM}}}link"):
            link.set("rel", "alternate")
            link.set("type", "text/html")
    return _serialise(root, links.file)


def _with_history_namespace(root: etree._Element) -> etree._Element:
    """The same feed with `xmlns:fh` declared once on the root instead of on `fh:archive`."""
    rebuilt = etree.Element(root.tag, attrib=dict(root.attrib), nsmap={None: ATOM, "fh": HISTORY})
    rebuilt.extend(list(root))
    etree.cleanup_namespaces(rebuilt)
    return rebuilt


def render_rss(document: FeedDocument, entries: Sequence[Entry], links: Links) -> bytes:
    """RSS 2.0 with `atom:link rel="self"`, `guid isPermaLink="false"` and the language: the
    channel's where the feed has one, else `dc:language` on every item."""
    generator = _generator(document, entries, links)
    if not document.language:
        generator.load_extension("dc", atom=False, rss=True)
        for item, entry in zip(generator.entry(), entries, strict=True):
            item.dc.dc_language(entry.language)
    root = etree.fromstring(generator.rss_str(pretty=False))
    if document.site.hub:
        # feedgen writes only the self link into RSS; WebSub subscribers look for the hub beside it.
        self_link = root.find(f"channel/{{{ATOM}}}link")
        hub = etree.Element(f"{{{ATOM}}}link", href=document.site.hub, rel="hub")
        self_link.addnext(hub)
    return _serialise(root, links.file)


def render_json(document: FeedDocument, entries: Sequence[Entry]) -> bytes:
    """JSON Feed 1.1 with the same entries, order and ids as the Atom document."""
    feed: dict[str, object] = {
        "version": JSON_FEED_VERSION,
        "title": document.title,
        "home_page_url": document.site.url,
        "feed_url": document.url("json"),
        "description": document.subtitle,
        "authors": [{"name": document.site.author, "url": document.site.url}],
    }
    if document.language:
        feed["language"] = document.language
    if document.site.hub:
        feed["hubs"] = [{"type": "WebSub", "url": document.site.hub}]
    items = []
    for entry in entries:
        item: dict[str, object] = {"id": entry.id}
        if entry.source_url:
            item["url"] = entry.source_url
            item["external_url"] = entry.source_url
        item.update({
            "title": entry.title,
            "content_html": content_html(entry),
            "summary": entry.summary or entry.title,
            "date_published": entry.published.isoformat(),
            "date_modified": entry.updated.isoformat(),
            "tags": [entry.category_label, *(document.site.topic_label(topic) for topic in entry.topics)],
            "language": entry.language,
        })
        items.append(item)
    feed["items"] = items
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
