"""Feed documents -> Atom bytes: a pure function of its inputs, so equal input gives equal bytes.

feedgen builds the document; lxml then adds what feedgen cannot express: `xml:lang` on entries
and the attributes of entry links (feedgen keeps only `href`, so every link would be read as
`alternate` without its type and language).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from importlib.metadata import version

from feedgen.feed import FeedGenerator
from lxml import etree

from feeds.catalogue import FeedDocument
from feeds.models import Entry
from feeds.settings import SiteSettings

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
GENERATOR = "enbekshi-feeds"
GENERATOR_VERSION = version("enbekshi-feeds")


def content_html(entry: Entry) -> str:
    """Paragraphs as escaped HTML: article text is never interpreted as markup."""
    return "".join(f"<p>{html.escape(paragraph, quote=False)}</p>" for paragraph in entry.paragraphs)


def render_atom(document: FeedDocument, entries: Sequence[Entry], site: SiteSettings) -> bytes:
    """An RFC 4287 feed of `entries` (newest first). `updated` is the newest entry's, never the
    clock, so the bytes depend on nothing but the arguments."""
    generator = FeedGenerator()
    generator.id(document.id)
    generator.title(document.title)
    generator.subtitle(document.subtitle)
    generator.link(href=document.self_url, rel="self", type="application/atom+xml")
    generator.link(href=str(site.url), rel="alternate", type="text/html")
    generator.author({"name": site.author, "uri": str(site.url)})
    generator.generator(GENERATOR, version=GENERATOR_VERSION)
    if document.language:
        generator.language(document.language)
    generator.updated(max(entry.updated for entry in entries))
    for entry in entries:
        item = generator.add_entry(order="append")
        item.id(entry.id)
        item.title(entry.title)
        item.published(entry.published)
        item.updated(entry.updated)
        if entry.source_url:
            item.link(href=entry.source_url)
        if entry.summary:
            item.summary(entry.summary)
        if entry.paragraphs or not entry.source_url:
            # Without a link, an entry must carry content (RFC 4287 4.1.1.1): the title at least.
            item.content(content_html(entry) or f"<p>{html.escape(entry.title, quote=False)}</p>", type="html")
        item.category(term=entry.category, scheme=document.category_scheme, label=entry.category_label)
    root = etree.fromstring(generator.atom_str(pretty=False))
    for element, entry in zip(root.iterfind(f"{{{ATOM}}}entry"), entries, strict=True):
        element.set(XML_LANG, entry.language)
        for link in element.iterfind(f"{{{ATOM}}}link"):
            link.set("rel", "alternate")
            link.set("type", "text/html")
    etree.indent(root, space="  ")
    return etree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
