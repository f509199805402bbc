"""What the extensions add to feedgen's elements: entry links that keep `rel` and `type` (which
feedgen 1.0.0 drops), and RSS dates in English under any locale, with the process's locale left as
it was even when threads render at once."""

from __future__ import annotations

import locale
import re
import sys
import threading
from collections.abc import Iterator

import pytest
from feedgen.entry import FeedEntry
from lxml import etree
from test_render import EN, ENTRIES, PAGE_B, SITE, SOURCE, published

from feeds.render import Links, fragments, rss

RFC822_ENGLISH = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
                            r"\d\d:\d\d:\d\d [+-]\d{4}$")


def test_feedgen_alone_drops_an_entry_links_rel_and_type() -> None:
    """Why the extension sets them (lkiesow/python-feedgen#135): should a release fix it, this
    fails, and the extension's part for links can go."""
    entry = FeedEntry()
    entry.id("urn:x")
    entry.title("t")
    entry.link(href="https://example.org/", rel="related", type="text/html")
    entry.content("c")
    (link,) = entry.atom_entry().findall("link")
    assert dict(link.attrib) == {"href": "https://example.org/"}


def test_entry_links_keep_their_rel_and_type() -> None:
    atom = etree.fromstring(fragments(ENTRIES[0], SITE).atom)
    assert [dict(link.attrib) for link in atom.findall("link")] == [
        {"href": SOURCE, "rel": "alternate", "type": "text/html"}, {"href": PAGE_B, "rel": "related", "type": "text/html"}]
    (related,) = etree.fromstring(rss_document()).findall("channel/item/{http://www.w3.org/2005/Atom}link")
    assert dict(related.attrib) == {"href": PAGE_B, "rel": "related", "type": "text/html"}


@pytest.fixture
def kazakh_locale() -> Iterator[str]:
    """The whole process in Kazakh, as a program embedding this one might set it (`.ci/run`
    generates the locale)."""
    before = locale.setlocale(locale.LC_ALL)
    try:
        locale.setlocale(locale.LC_ALL, "kk_KZ.UTF-8")
    except locale.Error:
        pytest.skip("the kk_KZ.UTF-8 locale is not generated here (localedef -i kk_KZ -f UTF-8 kk_KZ.UTF-8)")
    try:
        yield locale.setlocale(locale.LC_ALL)
    finally:
        locale.setlocale(locale.LC_ALL, before)


def rss_document() -> bytes:
    return rss(EN, published(ENTRIES[:1]), Links("lang/en.rss", EN.url("rss")))


def test_rss_dates_are_english_rfc_822_under_a_kazakh_locale(kazakh_locale: str) -> None:
    channel = etree.fromstring(rss_document()).find("channel")
    dates = [channel.findtext("lastBuildDate"), *(item.findtext("pubDate") for item in channel.iterfind("item"))]
    assert dates == ["Sun, 22 Feb 2026 10:30:00 +0500", "Sat, 21 Feb 2026 09:00:00 +0500"]
    assert all(RFC822_ENGLISH.match(date) for date in dates)
    assert locale.setlocale(locale.LC_ALL) == kazakh_locale


@pytest.mark.slow  # a load: 600 documents on four threads switching as often as they can
def test_threads_rendering_rss_at_once_leave_the_process_locale_as_it_was(kazakh_locale: str) -> None:
    """feedgen sets the locale to C and back around the channel's date: two such calls that
    interleave would leave the process in C for good."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch as often as they can
    try:
        # 150 documents a thread: without the lock, 20 runs out of 20 failed (100: 19 of 20).
        threads = [threading.Thread(target=lambda: [rss_document() for _ in range(150)]) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert locale.setlocale(locale.LC_ALL) == kazakh_locale
