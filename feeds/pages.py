"""The site around the feeds: index pages per interface language, the OPML list, the stylesheet
that shows a feed as a page, static assets, the search pages, and each feed's embed page.

Pure: from the feeds' states, the catalogue and the interface wording to {path under out/: bytes}.
The index is static and accessible: no external resources, no JavaScript, every feed address in a
read-only text field ready to copy, and `<link rel="alternate">` tags so browsers and readers
discover the main feeds.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping, Sequence

from lxml import etree
from markupsafe import Markup

from feeds import layout
from feeds.catalogue import LANGUAGE_NAMES, Catalogue, FeedDocument
from feeds.collation import sort_key
from feeds.feed_extensions import rfc822
from feeds.layout import INDEX_FILES, OPML_FILE, PARTITION_FILES, SEARCH_FILES, SEARCH_MANIFEST
from feeds.models import FeedState, Published
from feeds.settings import InterfaceSettings
from feeds.stemming import STEM_PATTERN
from feeds.timing import to_datetime
from feeds.wording import DATE_PATTERNS, INTERFACE_LANGUAGES, MONTHS, PAGEFIND_WORDS, Wording, feed_label, human_date

EMBED_HEADLINES = 10
GROUPS = ("lang", "category", "agency", "topic")
SEARCH_FILTERS = ("language", "section", "agency", "topic", "year")  # as article pages name them for Pagefind
XSL_WORDS = ("feed_subscribe", "feed_archive", "feed_newer", "feed_older", "feed_full_text", "article_source", "home", "formats")


def group_of(feed: FeedState) -> str:
    return {"all": "lang", "category-lang": "category"}.get(feed.key.kind, feed.key.kind)


def grouped(feeds: Sequence[FeedState], catalogue: Catalogue, words: Wording) -> list[tuple[str, list[FeedState]]]:
    """The feeds of each group in `GROUPS`, those named by a person's word in the order of the
    page's alphabet (a section first, then its language feeds); languages in their fixed order."""
    language = words.language
    languages = list(LANGUAGE_NAMES)

    def order(feed: FeedState) -> tuple[object, ...]:
        if feed.key.kind in ("category", "category-lang"):
            return (sort_key(catalogue.section_name(feed.key, language), language), feed.key.kind != "category",
                    languages.index(feed.key.language) if feed.key.language else 0)
        return (sort_key(feed_label(feed.key, catalogue, words), language),)

    result = []
    for group in GROUPS:
        members = [feed for feed in feeds if group_of(feed) == group]
        if members:
            result.append((group, members if group == "lang" else sorted(members, key=order)))
    return result


def site_files(feeds: Sequence[FeedState], catalogue: Catalogue, interface: InterfaceSettings,
               search: bool = True) -> dict[str, bytes]:
    listed = sorted(feeds, key=lambda feed: (GROUPS.index(group_of(feed)), feed.key.kind != "all", feed.path))
    result = {INDEX_FILES[language]: index_page(listed, catalogue, Wording(interface, catalogue.site.name, language), search)
              for language in INTERFACE_LANGUAGES}
    if search:
        result.update({SEARCH_FILES[language]: search_page(catalogue, Wording(interface, catalogue.site.name, language))
                       for language in INTERFACE_LANGUAGES})
    english = Wording(interface, catalogue.site.name, "en")
    result[OPML_FILE] = opml(listed, catalogue, english)
    for kind, name in PARTITION_FILES.items():
        result[name] = opml([feed for feed in listed if feed.key.kind == kind], catalogue, english,
                            f"{english('page_title')}: {english(f'partition_{kind}')}")
    result[layout.STYLESHEET] = stylesheet(interface, catalogue)
    result[layout.WIDGET] = layout.page("widget.js", dates=dates_json(INTERFACE_LANGUAGES))
    for asset in layout.ASSETS:
        result[f"{layout.ASSETS_FOLDER}/{asset}"] = layout.asset(asset)
    result[layout.FAVICON] = layout.asset(layout.FAVICON)
    return result


def stylesheet(interface: InterfaceSettings, catalogue: Catalogue) -> bytes:
    """`feed.xsl` with the interface's words, month names, date patterns and index page for each
    language, chosen by the feed's language (or its entries') when a browser applies it."""
    site = catalogue.site
    return layout.page(
        "feed.xsl", keys=XSL_WORDS, languages=INTERFACE_LANGUAGES, others=INTERFACE_LANGUAGES[1:], months=MONTHS,
        home={language: site.address(INDEX_FILES[language]) for language in INTERFACE_LANGUAGES},
        words={language: Wording(interface, site.name, language) for language in INTERFACE_LANGUAGES},
        patterns={language: Markup(_concat(pattern)) for language, pattern in DATE_PATTERNS.items()})  # XPath of ours


def _concat(pattern: str) -> str:
    """A date pattern of `wording` (`{day} {month} {year}`) as an XPath `concat(...)`."""
    variables = {"day": "$day", "month": "$name", "year": "$year"}
    parts = []
    for literal, field, _, _ in string.Formatter().parse(pattern):
        if literal:
            parts.append(f"'{literal}'")
        if field:
            parts.append(variables[field])
    return f"concat({', '.join(parts)}, '')"


def index_page(feeds: Sequence[FeedState], catalogue: Catalogue, words: Wording, search: bool = True) -> bytes:
    """Every feed, grouped as `GROUPS` says, each with its count, latest headline and the address to
    copy into a reader; the language and search links; the feeds of every language for autodiscovery."""
    language = words.language
    sections = [(group, [(feed, feed_label(feed.key, catalogue, words), catalogue.describe(feed.key).url("atom"))
                         for feed in members]) for group, members in grouped(feeds, catalogue, words)]
    return layout.page(
        "index.html", language=language, words=words, search=search, sections=sections,
        discovery=[catalogue.describe(feed.key) for feed in feeds if feed.key.kind in ("all", "lang")],
        others=[other for other in INTERFACE_LANGUAGES if other != language], index_files=INDEX_FILES,
        language_names=LANGUAGE_NAMES, search_file=SEARCH_FILES[language], opml=OPML_FILE, partitions=PARTITION_FILES,
        icon=layout.FAVICON)


def search_page(catalogue: Catalogue, words: Wording) -> bytes:
    """The search over every article: Pagefind's search box over the shards named by the manifest
    (`search`), the shard in the page's language first, since it decides how a query is stemmed:
    the newest of each language that hold `first_pages` pages, and every shard once asked
    (`?all=1`), so that a first query costs the same however large the archive; Kazakh query words
    reduced to their stems (`stemming`), which Pagefind matches as prefixes. Works from any
    static web server (not from `file://`, where scripts may not fetch)."""
    language = words.language
    translations = script_json(PAGEFIND_WORDS.get(language))  # the script's own words
    names = script_json(search_names(catalogue, words))
    stems = script_json(STEM_PATTERN)  # Kazakh query words to their stems (stemming.py)
    return layout.page("search.html", language=language, words=words, translations=translations, names=names, stems=stems,
                       dates=dates_json([language]),
                       manifest=SEARCH_MANIFEST,
                       index_file=INDEX_FILES[language], search_files=SEARCH_FILES, language_names=LANGUAGE_NAMES,
                       others=[other for other in INTERFACE_LANGUAGES if other != language], icon=layout.FAVICON)


def script_json(value: object) -> Markup:
    """A value as JavaScript inside a `<script>`: `<`, `>` and `&` escaped, so that no name from
    the config can end the script or open a comment in it."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def dates_json(languages: Sequence[str]) -> Markup:
    """Month names and date patterns for a script: browsers' own (`Intl`) lack Kazakh's
    (Chromium writes `2026 M02 21`), so every page's dates come from `wording`'s tables."""
    dates = {language: {"months": MONTHS[language], "pattern": DATE_PATTERNS[language]} for language in languages}
    return script_json(dates)


def search_names(catalogue: Catalogue, words: Wording) -> dict[str, dict[str, object]]:
    """What the search page shows in place of Pagefind's keys: the filters' and the results' labels
    in the page's language, each agency's, section's and topic's name in it for its English name
    (the filters hold English names, so that one value gathers the articles of every language),
    and the order of those names in the page's alphabet (Pagefind lists them as it indexed them)."""
    site, language = catalogue.site, words.language

    def names(table: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
        """Each name of each language (filters hold English ones, a result's agency its article's)."""
        return {name: labels[language] for slug, labels in table.items() if language in labels
                for name in {slug, *labels.values()} if name != labels[language]}

    def shown(table: Mapping[str, Mapping[str, str]]) -> list[str]:
        """Every name as this page shows it, in its alphabet's order."""
        return sorted({labels.get(language, labels.get("en", slug)) for slug, labels in table.items()},
                      key=lambda name: sort_key(name, language))

    tables = {"agency": site.agency_labels, "section": site.section_labels, "topic": site.topic_labels}
    return {"filters": {name: words(f"filter_{name}") for name in SEARCH_FILTERS},
            "meta": {"date": words("article_date"), "agency": words("article_agency")},
            "values": {name: names(table) for name, table in tables.items()},
            "order": {name: shown(table) for name, table in tables.items()}}


def opml(feeds: Sequence[FeedState], catalogue: Catalogue, words: Wording, title: str | None = None) -> bytes:
    """OPML 2.0: one outline per feed (its Atom address), grouped as on the index."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title or words("page_title")
    newest = max((feed.latest_published for feed in feeds), default=0)
    if newest:
        etree.SubElement(head, "dateModified").text = rfc822(to_datetime(newest))
    etree.SubElement(head, "ownerName").text = catalogue.site.author
    etree.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = etree.SubElement(root, "body")
    for group, members in grouped(feeds, catalogue, words):
        folder = etree.SubElement(body, "outline", text=words(group))
        for feed in members:
            document = catalogue.describe(feed.key)
            attributes = {"type": "rss", "text": document.title, "title": document.title,
                          "xmlUrl": document.url("atom"), "htmlUrl": catalogue.site.url}
            if document.language:
                attributes["language"] = document.language
            etree.SubElement(folder, "outline", attrib=attributes)
    etree.indent(root, space="  ")
    return etree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def embed_page(document: FeedDocument, entries: Sequence[Published]) -> bytes:
    """A small self-contained page of a feed's latest headlines, for an `<iframe>`: inline CSS,
    no requests to anywhere, no JavaScript; links (to gov.kz, or to the article's page when the
    dump gives no source) open in the embedding page's top window. Dates alone, as the dumps
    give them. A feed that mixes languages is titled in English; each headline says its own, and its date in
    its own language's words."""
    return layout.page("embed.html", document=document, entries=entries[:EMBED_HEADLINES], language=document.language or "en",
                       human_date=human_date)
