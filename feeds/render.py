"""Entries -> fragments, once each; a feed's head and its entries' fragments -> Atom, RSS 2.0 and
JSON Feed 1.1 documents. Pure: equal input, equal bytes.

An entry is rendered once per format, whatever the number of feeds and archive pages it appears
in: its fragment is the bytes it has inside any document (indentation included), and a document
is a head, the fragments of its entries, and a tail, joined; nothing is serialised twice. A
fragment is the entry's brief form (what identifies and describes it, without its text), which is
what archive pages carry by default; subscription documents (and archives under
`archives.content: full`) put the text in at the place feedgen puts it (`full`), built from the
paragraphs the store keeps once, so that the store never holds the text again per format. Every
date comes from the entries, never from the clock. feedgen builds every Atom and RSS element (an
entry's through `FeedEntry`, a head through `FeedGenerator`), `feed_extensions` what it cannot
say; JSON Feed, which no library here covers, is built in this module.

Every entry links somewhere: to its gov.kz original (`alternate`) and its page here (`related`),
or, when the dump gives no source, to its page (`alternate`). Every entry names the agency that
issued it as its author. Article text is never markup in any format: plain text where a format
wants text, escaped HTML where it wants HTML (RSS `description` included, which readers take as
HTML). Archive pages exist in all three formats, linked as RFC 5005 says (JSON Feed: `next_url`).
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from feedgen.entry import FeedEntry
from feedgen.ext.dc import DcEntryExtension, DcExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from feeds import __version__
from feeds.catalogue import FeedDocument, Site
from feeds.feed_extensions import ATOM, CONTENT, DUBLIN_CORE, LOCALE_LOCK, NAME, EntryExtension, FeedExtension, Head, Link
from feeds.layout import stylesheet_href
from feeds.models import Entry, Fragments, Published

GENERATOR = "enbekshi-feeds"
RSS_DOCS = "http://www.rssboard.org/rss-specification"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
ITEM_END = b"\n    </item>"
HTML = "text/html"
RSS_NAMESPACES = {"content": CONTENT, "dc": DUBLIN_CORE, "atom": ATOM}
# Where `full` puts an entry's text into its brief fragment: markup that text, always escaped,
# cannot contain.
ATOM_INDENT, ATOM_LINK = b"\n    ", b"\n    <link "
RSS_INDENT, RSS_DESCRIPTION_END = b"\n      ", b"</description>"
JSON_CONTENT_TEXT = '"content_text":'  # in a JSON string every quote is escaped: the first one is the key
JSON_DECODER = json.JSONDecoder()


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


def text_html(paragraphs: Sequence[str], title: str) -> str:
    """Paragraphs as escaped HTML (the title when there are none): article text is never
    interpreted as markup."""
    return "".join(f"<p>{html.escape(paragraph, quote=False)}</p>" for paragraph in (paragraphs or (title,)))


def description_html(entry: Entry) -> str:
    """The summary as the HTML an RSS reader takes `description` for: text, escaped, no tags."""
    return html.escape(entry.summary or entry.title, quote=False)


def author(entry: Entry, site: Site) -> tuple[str, str]:
    """Who issued the entry, and their page: the agency (named in the entry's language, on gov.kz),
    or the site when the dump names none."""
    if entry.agency:
        return site.agency_name(entry.agency, entry.language), site.agency_url(entry.agency, entry.language)
    return site.author, site.url


def fragments(entry: Entry, site: Site) -> Fragments:
    """The entry in each format, rendered once, in brief. Its text is given to lxml here as well,
    so that text no XML document could hold fails now (and quarantines the entry), not when a
    feed is assembled."""
    etree.Element("content").text = text_html(entry.paragraphs, entry.title)
    return Fragments(_atom_entry(entry, site), _rss_item(entry, site), _json_item(entry, site))


def full(brief: Fragments, paragraphs: Sequence[str], title: str, source_url: str | None) -> Fragments:
    """The entry with its text, in each format, where feedgen puts it: Atom `content` before the
    first link (when there is text, or no gov.kz original to link to), RSS `content:encoded` after
    `description` (when there is text), JSON Feed `content_html` (and `summary`) in place of the
    brief form's `content_text`."""
    text = text_html(paragraphs, title)
    atom = brief.atom
    if paragraphs or not source_url:
        content = etree.Element("content", type="html")
        content.text = text
        at = atom.index(ATOM_LINK)
        atom = atom[:at] + ATOM_INDENT + etree.tostring(content, encoding="utf-8") + atom[at:]
    rss = brief.rss
    if paragraphs:
        encoded = etree.Element(f"{{{CONTENT}}}encoded", nsmap={"content": CONTENT})
        encoded.text = text
        serialised = etree.tostring(encoded, encoding="utf-8").replace(f' xmlns:content="{CONTENT}"'.encode(), b"", 1)
        at = rss.index(RSS_DESCRIPTION_END) + len(RSS_DESCRIPTION_END)
        rss = rss[:at] + RSS_INDENT + serialised + rss[at:]
    start = brief.json.index(JSON_CONTENT_TEXT)
    summary, end = JSON_DECODER.raw_decode(brief.json, start + len(JSON_CONTENT_TEXT))
    json_item = (brief.json[:start] + _json_members({"content_html": text, "summary": summary}) + brief.json[end:])
    return Fragments(atom, rss, json_item)


def with_text(entries: Sequence[Published]) -> list[Published]:
    """The entries as documents that show the text hold them (`full`): each read with its
    paragraphs."""
    return [_with_text(entry) for entry in entries]


@lru_cache(maxsize=1024)
def _with_text(entry: Published) -> Published:
    """Once per entry and process: a new entry is in the heads of about seven feeds."""
    return replace(entry, fragments=full(entry.fragments, _text_of(entry), entry.title, entry.source_url))


def _text_of(entry: Published) -> tuple[str, ...]:
    if entry.paragraphs is None:
        raise ValueError(f"{entry.id} was read without its text")
    return entry.paragraphs


def _feed_entry() -> tuple[FeedEntry, EntryExtension]:
    """A feedgen entry with this project's extension registered, and that extension.
    One per format: feedgen ties RSS `description` to Atom `summary` or `content`, and here they
    say different things (escaped HTML, plain text)."""
    made = FeedEntry()
    made.register_extension(NAME, EntryExtension)
    return made, getattr(made, NAME)


def _categories(entry: Entry, site: Site) -> list[dict[str, str]]:
    """The section and the topics; RSS shows the label, with the scheme as its domain."""
    return [{"term": entry.category, "scheme": site.category_scheme,
             "label": site.section_name(entry.category, entry.category_label, entry.language)},
            *({"term": topic, "scheme": site.topic_scheme, "label": site.topic_label(topic, entry.language)}
              for topic in entry.topics)]


def _atom_entry(entry: Entry, site: Site, with_content: bool = False) -> bytes:
    """The brief entry; `with_content` is feedgen's own full one, which `full` must equal
    (`tests/test_render.py`)."""
    made, extension = _feed_entry()
    made.id(entry.id)
    made.title(entry.title)
    made.updated(entry.updated)
    name, uri = author(entry, site)
    made.author(name=name, uri=uri)
    if with_content and (entry.paragraphs or not entry.source_url):
        made.content(text_html(entry.paragraphs, entry.title), type="html")
    page = site.article_url(entry.id)
    if entry.source_url:
        extension.links = [Link(entry.source_url, "alternate", HTML), Link(page, "related", HTML)]
    else:
        extension.links = [Link(page, "alternate", HTML)]
    made.link([link.as_feedgen() for link in extension.links])
    made.summary(entry.summary or entry.title)
    made.category(_categories(entry, site))
    made.published(entry.published)
    extension.language = entry.language
    element = made.atom_entry()
    etree.indent(element, space="  ", level=1)
    return etree.tostring(element, encoding="utf-8")


def _rss_item(entry: Entry, site: Site, with_content: bool = False) -> bytes:
    """The brief item of a single-language feed; `_with_language` makes the mixed feeds' one.
    `with_content`: feedgen's own full item, as for `_atom_entry`."""
    made, extension = _feed_entry()
    made.register_extension("dc", DcEntryExtension, atom=False)
    made.title(entry.title)
    page = site.article_url(entry.id)
    made.link(href=entry.source_url or page)
    if entry.source_url:
        extension.related = page  # RSS has one link; the page here goes beside it, as in Atom
    made.description(description_html(entry))
    if with_content and entry.paragraphs:
        made.content(text_html(entry.paragraphs, entry.title))
    made.dc.dc_creator(author(entry, site)[0])
    made.guid(entry.id, permalink=False)
    made.category(_categories(entry, site))
    extension.published = entry.published  # not feedgen's: its formatter sets the process locale
    element = made.rss_entry()
    # Declared once, on the document's root: placed there for serialising, then left out of the item.
    holder = etree.Element("rss", nsmap=RSS_NAMESPACES)
    holder.append(element)
    etree.cleanup_namespaces(holder, top_nsmap=RSS_NAMESPACES)
    etree.indent(element, space="  ", level=2)
    serialised = etree.tostring(element, encoding="utf-8")
    for prefix, uri in RSS_NAMESPACES.items():
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
        "content_text": entry.summary or entry.title,  # the brief form's content; `full` puts the text in its place
        "date_published": entry.published.isoformat(),
        "date_modified": entry.updated.isoformat(),
        "authors": [{"name": name, "url": uri}],
        "tags": [site.section_name(entry.category, entry.category_label, entry.language), *(site.topic_label(topic, entry.language) for topic in entry.topics)],
        "language": entry.language,
    })
    # One line per item: JSON Feed is read by programs, and indentation would be a fifth of it.
    return _json_members(item).join("{}")


def _json_members(members: dict[str, object]) -> str:
    """`"key":value` pairs, compact, as they stand inside an item."""
    return json.dumps(members, ensure_ascii=False, separators=(",", ":"))[1:-1]


def _generator(document: FeedDocument, entries: Sequence[Published], links: Links) -> tuple[FeedGenerator, Head]:
    """A feedgen generator with what both formats' heads say, and the head's extension data."""
    site = document.site
    made = FeedGenerator()
    made.register_extension(NAME, FeedExtension, EntryExtension)
    made.id(document.id)
    made.title(document.title)
    made.updated(max(entry.updated for entry in entries))
    made.author(name=site.author, uri=site.url)
    made.subtitle(document.subtitle)
    made.generator(GENERATOR, version=__version__)
    if document.language:
        made.language(document.language)
    head: Head = getattr(made, NAME).head
    head.stylesheet, head.archive = stylesheet_href(links.file), links.is_archive
    return made, head


def _chain(links: Links) -> list[tuple[str, str]]:
    """The RFC 5005 links beyond `self`, in order: (rel, href)."""
    return [(rel, href) for rel, href in (("prev-archive", links.prev_archive), ("next-archive", links.next_archive),
                                          ("current", links.current)) if href]


def _assemble(head: bytes, entries: Sequence[bytes], indent: bytes, end: bytes) -> bytes:
    """feedgen's document without entries, with each entry's fragment put in on its own line at
    its depth before the end."""
    return b"".join((head.removesuffix(end + b"\n"), *(indent + entry for entry in entries), end, b"\n"))


def atom(document: FeedDocument, entries: Sequence[Published], links: Links) -> bytes:
    """An RFC 4287 feed document: the subscription document or one RFC 5005 archive page."""
    site = document.site
    made, _ = _generator(document, entries, links)
    made.link(href=links.self_url, rel="self", type="application/atom+xml")
    for rel, href in _chain(links):
        made.link(href=href, rel=rel, type="application/atom+xml")
    if site.hub and not links.is_archive:
        made.link(href=site.hub, rel="hub")
    made.link(href=site.url, rel="alternate", type=HTML)
    head = made.atom_str(pretty=True, encoding="utf-8")
    return _assemble(head, [entry.fragments.atom for entry in entries], b"\n  ", b"\n</feed>")


def rss(document: FeedDocument, entries: Sequence[Published], links: Links) -> bytes:
    """RSS 2.0 with `atom:link rel="self"`, `guid isPermaLink="false"` and the language: the
    channel's where the feed has one, else `dc:language` on every item. Archive pages and the
    links between them as in Atom (RFC 5005 allows its link relations in RSS)."""
    site = document.site
    made, head = _generator(document, entries, links)
    made.register_extension("dc", DcExtension, DcEntryExtension, atom=False)  # declares `dc`, which the items use
    made.link(href=links.self_url, rel="self", type="application/rss+xml")
    made.link(href=site.url, rel="alternate", type=HTML)  # the last link is RSS's `link`
    made.docs(RSS_DOCS)
    # WebSub subscribers look for the hub beside the self link.
    head.rss_links = _chain(links) + ([("hub", site.hub)] if site.hub and not links.is_archive else [])
    with LOCALE_LOCK:  # feedgen formats `lastBuildDate` between two calls of `locale.setlocale`
        head_bytes = made.rss_str(pretty=True, encoding="utf-8")
    items = [entry.fragments.rss if document.language else _with_language(entry.fragments.rss, entry.language)
             for entry in entries]
    return _assemble(head_bytes, items, b"\n    ", b"\n  </channel>\n</rss>")


def json_feed(document: FeedDocument, entries: Sequence[Published], links: Links) -> bytes:
    """JSON Feed 1.1 with the same entries, order and ids as the Atom document. The subscription
    document and each archive page name the next older page (`links.prev_archive`) as `next_url`,
    so a client that follows them sees every entry once; `feed_url` is always the subscription
    document's. JSON Feed has no way to name newer pages or the current one."""
    site = document.site
    next_url, archive = links.prev_archive, links.is_archive
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


# Each format's documents, from a feed, its entries and its links (`layout.FORMATS` says the rest).
RENDERERS: dict[str, Callable[[FeedDocument, Sequence[Published], Links], bytes]] = {
    "atom": atom, "rss": rss, "json": json_feed}
