"""What feedgen 1.0.0 cannot say, added through its extension API (`BaseExtension`,
`BaseEntryExtension`, `register_extension`): feedgen builds every element it knows, these add
the rest to the elements it returns, and nothing of feedgen's own is replaced or copied.

- Entries: `xml:lang` on each Atom entry (feeds mix languages); the `rel` and `type` of Atom
  entry links, which feedgen 1.0.0 drops when it writes them (lkiesow/python-feedgen#135; the fix,
  PR #136, is unmerged), set again on the link elements it wrote, in the order it wrote them;
  the page here as an `atom:link` beside an RSS item's one `link`; an RSS item's `pubDate`.
- Feed heads: RFC 5005's `fh:archive` (Atom and RSS); in RSS, the `atom:link`s beyond `self`
  (prev-archive, next-archive, current, hub: feedgen writes only the first `self` link); the
  `xml-stylesheet` instruction before the root, which makes browsers show a readable page.

Dates in RSS are written here, in English whatever the locale (`rfc822`): feedgen's formatter
sets the process-wide locale to C around each date, which is unsafe beside other threads (the
HTTP server of `feeds serve --watch`, Pagefind's waiting threads). feedgen is never given an RSS
date it would format, except the channel's `lastBuildDate`, which it always writes: those calls
are serialised under `LOCALE_LOCK` so that two of them never interleave, and nothing in this
project depends on the locale meanwhile (all text I/O names its encoding).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from lxml import etree

ATOM = "http://www.w3.org/2005/Atom"
HISTORY = "http://purl.org/syndication/history/1.0"
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NAME = "enbekshi"  # what the extensions are registered as: `entry.enbekshi`, `generator.enbekshi`
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LOCALE_LOCK = threading.Lock()  # held around each feedgen call that sets the locale (RSS heads)


def rfc822(moment: datetime) -> str:
    """RFC 822 dates in English whatever the locale, as RSS wants them."""
    return f"{DAYS[moment.weekday()]}, {moment:%d} {MONTHS[moment.month - 1]} {moment:%Y %H:%M:%S %z}"


@dataclass(frozen=True)
class Link:
    """An Atom link as it must come out: feedgen is given it whole and keeps only `href`."""

    href: str
    rel: str
    type: str

    def as_feedgen(self) -> dict[str, str]:
        return {"href": self.href, "rel": self.rel, "type": self.type}


class EntryExtension(BaseEntryExtension):
    """One entry's additions, set by the renderer before it asks feedgen for the element."""

    def __init__(self) -> None:
        self.language: str | None = None
        self.links: list[Link] = []  # the Atom entry's links, as given to `FeedEntry.link`
        self.related: str | None = None  # RSS: the page here, beside the item's link
        self.published: datetime | None = None  # RSS: `pubDate`

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        if self.language:
            entry.set(XML_LANG, self.language)
        for element, link in zip(entry.findall("link"), self.links, strict=True):  # feedgen keeps their order
            element.set("rel", link.rel)
            element.set("type", link.type)
        return entry

    def extend_rss(self, item: etree._Element) -> etree._Element:
        if self.related:
            related = etree.Element(f"{{{ATOM}}}link", href=self.related, rel="related", type="text/html")
            item.find("link").addnext(related)  # type: ignore[union-attr]
        if self.published:
            etree.SubElement(item, "pubDate").text = rfc822(self.published)
        return item


@dataclass
class Head:
    """What a document's head needs beyond what feedgen writes."""

    stylesheet: str = ""  # the instruction's address, relative to the document
    archive: bool = False  # an RFC 5005 archive page
    rss_links: list[tuple[str, str]] = field(default_factory=list)  # RSS: (rel, href) after `self`


class FeedExtension(BaseExtension):
    """A document head's additions, set by the renderer before it asks feedgen for the document."""

    def __init__(self) -> None:
        self.head = Head()

    def extend_ns(self) -> dict[str, str]:
        return {"fh": HISTORY} if self.head.archive else {}

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        if self.head.archive:
            feed.insert(0, etree.Element(f"{{{HISTORY}}}archive"))
        self._stylesheet(feed)
        return feed

    def extend_rss(self, rss: etree._Element) -> etree._Element:
        after = rss.find(f"channel/{{{ATOM}}}link")  # feedgen's `self` link
        for rel, href in self.head.rss_links:
            link = etree.Element(f"{{{ATOM}}}link", href=href, rel=rel)
            if rel != "hub":
                link.set("type", "application/rss+xml")
            after.addnext(link)  # type: ignore[union-attr]
            after = link
        if self.head.archive:
            after.addnext(etree.Element(f"{{{HISTORY}}}archive"))  # type: ignore[union-attr]
        self._stylesheet(rss)
        return rss

    def _stylesheet(self, root: etree._Element) -> None:
        if self.head.stylesheet:
            root.addprevious(etree.ProcessingInstruction("xml-stylesheet",
                                                         f'type="text/xsl" href="{self.head.stylesheet}"'))
