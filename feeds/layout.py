"""The layout of `out/`, in one place: every published path, suffix and content type, the
temporary-file prefix, the bundled assets, and the rule that keeps every name a short file name.

The search index lives in `pagefind/` (a bundle per shard, and `pagefind/shards.json` naming the
current ones), searched from `search.html` (and `.ru`, `.kk`).

Feed paths are relative to `out/` without a suffix: `all`, `lang/en`, `category/world`,
`category/world/en`, `agency/mfa`, `topic/sport`. Each feed is published as
`<path>.atom`, `<path>.rss`, `<path>.json`, `embed/<path>.html` and the archive pages
`archive/<path>/<n>.atom`, `.rss` and `.json`. Each article has a page,
`articles/<first two hex digits of its id>/<id>.html`: derived from the entry id alone, so it
never moves, and no folder holds more than 1/256 of a million pages.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from feeds.models import LANGUAGES


@dataclass(frozen=True)
class Format:
    """A format every feed is published in: its name, file suffix, media type, and whether a
    browser that opens it is shown the page the feed stylesheet makes of it. `render.RENDERERS`
    makes its documents; publish, serve and this module read this table and branch on no name."""

    name: str
    suffix: str
    media_type: str
    page_view: bool


FORMATS = (Format("atom", ".atom", "application/atom+xml; charset=utf-8", True),
           Format("rss", ".rss", "application/rss+xml; charset=utf-8", True),
           Format("json", ".json", "application/feed+json; charset=utf-8", False))
SUFFIXES = {form.name: form.suffix for form in FORMATS}
ARCHIVE_FOLDER = "archive"
EMBED_FOLDER = "embed"
ARTICLES_FOLDER = "articles"
ASSETS_FOLDER = "assets"
ASSETS = ("article.css",)  # copied as they are; `feed.xsl` and `widget.js` are templates (`pages`)
ARTICLE_STYLESHEET = f"{ASSETS_FOLDER}/article.css"
STYLESHEET = f"{ASSETS_FOLDER}/feed.xsl"
WIDGET = f"{ASSETS_FOLDER}/widget.js"
FAVICON = "favicon.ico"  # at the root, where browsers look for it unasked; every page names it too
# The site's pages in each language: English under the plain name, the others with theirs in it.
INDEX_FILES = {language: "index.html" if language == "en" else f"index.{language}.html" for language in LANGUAGES}
SEARCH_FILES = {language: "search.html" if language == "en" else f"search.{language}.html" for language in LANGUAGES}
SEARCH_FOLDER = "pagefind"  # one Pagefind bundle per shard, and the list of them
SEARCH_MANIFEST = f"{SEARCH_FOLDER}/shards.json"
OPML_FILE = "feeds.opml"
# Feeds that share no entry, for readers that key entries by id across feeds (newsboat): each
# article in exactly one feed of the file (its language's; its section's).
PARTITION_FILES = {"lang": "feeds-by-language.opml", "category": "feeds-by-section.opml"}
# Files being written start with this; nothing published does, and `feeds serve` never serves them.
TEMP_PREFIX = ".enbekshi-feeds-tmp-"
# What the publisher ever removes is of its own making, by these names: a temporary file (the
# prefix, the name it stands in for, and `mkstemp`'s eight characters), a search bundle (a shard's
# name and build) or one being made, an archive page (a number). Anything else in `out/` is left be.
TEMPORARY = re.compile(re.escape(TEMP_PREFIX) + r"(?:.+\.)?[a-z0-9_]{8}")
SEARCH_BUNDLE = re.compile(f"(?:{re.escape(TEMP_PREFIX)})?[a-z]{{2}}-[0-9]+-[0-9]+")
ARCHIVE_PAGE = re.compile(r"[0-9]+")
CONTENT_TYPES = {
    **{form.suffix: form.media_type for form in FORMATS},
    ".opml": "text/x-opml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".xsl": "text/xsl; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".ico": "image/x-icon",
    # Pagefind's index: compressed WebAssembly and chunks its script reads and decompresses.
    ".pagefind": "application/octet-stream",
    ".pf_meta": "application/octet-stream",
    ".pf_index": "application/octet-stream",
    ".pf_fragment": "application/octet-stream",
    ".pf_filter": "application/octet-stream",
}
FEED_DOCUMENTS = {form.suffix for form in FORMATS if form.page_view}  # what a browser may want as a page
# What readers and other sites fetch from anywhere (CORS): the feeds in every format, and the OPML.
CROSS_ORIGIN = {*SUFFIXES.values(), ".opml"}
SEGMENT_CHARS = 60


def site_files(search: bool) -> list[str]:
    """Every file of the site around the feeds: index pages, OPML, stylesheet, assets, the icon,
    and the search pages when there is a search."""
    return [*INDEX_FILES.values(), OPML_FILE, *PARTITION_FILES.values(), STYLESHEET, WIDGET, FAVICON, *(f"{ASSETS_FOLDER}/{name}" for name in ASSETS),
            *(SEARCH_FILES.values() if search else ())]


def feed_file(path: str, form: str = "atom") -> str:
    return f"{path}{SUFFIXES[form]}"


def archive_file(path: str, page: int, form: str = "atom") -> str:
    """Archive page `page` (0-based) of a feed in one format; files count from 1."""
    return f"{ARCHIVE_FOLDER}/{path}/{page + 1}{SUFFIXES[form]}"


def archive_files(path: str, page: int) -> list[str]:
    """The archive page in every format."""
    return [archive_file(path, page, form) for form in SUFFIXES]


def archive_folder(path: str) -> str:
    return f"{ARCHIVE_FOLDER}/{path}"


def article_file(entry_id: str) -> str:
    """An article's page, from its entry id (`urn:uuid:...`)."""
    name = entry_id.removeprefix("urn:uuid:")
    return f"{ARTICLES_FOLDER}/{name[:2]}/{name}.html"


def relative(target: str, file: str) -> str:
    """The address of `target` relative to the document at `file` (both paths under out/, as
    this module makes them: no `.` or `..` segments). String work only: pages make thousands."""
    folders, parts = file.split("/")[:-1], target.split("/")
    shared = 0
    while shared < len(folders) and shared < len(parts) - 1 and folders[shared] == parts[shared]:
        shared += 1
    return "/".join([".."] * (len(folders) - shared) + parts[shared:])


def embed_file(path: str) -> str:
    return f"{EMBED_FOLDER}/{path}.html"


def feed_files(path: str) -> list[str]:
    """Every file of a feed but its archive pages: what withdrawing the feed removes."""
    return [*(feed_file(path, form) for form in SUFFIXES), embed_file(path)]


def is_subscription_document(relative: str) -> bool:
    """A feed's own Atom, RSS or JSON document (what a WebSub hub hears of), not an archive page."""
    return relative.endswith(tuple(SUFFIXES.values())) and not relative.startswith(f"{ARCHIVE_FOLDER}/")


def stylesheet_href(file: str) -> str:
    """The stylesheet's address relative to the document at `file`."""
    return relative(STYLESHEET, file)


@cache
def asset(name: str) -> bytes:
    """A bundled file of `feeds/assets/`, read once per process."""
    return files("feeds").joinpath(ASSETS_FOLDER, name).read_bytes()


def bounded(segment: str, name: str | None = None) -> str:
    """A path segment of at most `SEGMENT_CHARS` characters: a longer one keeps its readable start
    and ends in a hash of the whole `name` (default: the segment), so it stays unique and stable."""
    if len(segment) <= SEGMENT_CHARS:
        return segment
    digest = digest_of(segment if name is None else name)
    return f"{segment[: SEGMENT_CHARS - len(digest) - 1].rstrip('-_')}-{digest}"


def digest_of(name: str) -> str:
    """Ten hex digits naming `name` in a file name."""
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:10]


@cache
def _templates() -> Any:
    """The page templates (`feeds/templates/`), HTML escaped by default (autoescape): no value
    reaches a page unescaped unless marked as markup, as `bdi` does."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
    from markupsafe import Markup, escape

    # auto_reload off: the templates ship with the program, and a check of each file's time per
    # page would cost a million pages a million stats.
    environment = Environment(loader=PackageLoader("feeds", "templates"), autoescape=select_autoescape(("html", "xsl")),
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, undefined=StrictUndefined,
                              auto_reload=False)
    # A title or name, isolated from the text around it: a right-to-left override in it (left
    # open by mistake or on purpose) cannot reorder the date or words beside it.
    environment.filters["bdi"] = lambda text: Markup(f"<bdi>{escape(text)}</bdi>")
    return environment


def page(template: str, **context: Any) -> bytes:
    """A page made from one of the templates with these values."""
    return _templates().get_template(template).render(**context).encode("utf-8")
