"""What to redo when settings or the program change: every signature in one place.

A signature is a short hash of the settings a kind of output depends on, and of the program's
version; the store keeps the one each output was made under, and a stage redoes what was made
under another. Pure: settings in, strings out.

| signature | kept in | a change redoes |
| --- | --- | --- |
| `feed` | `feeds.rendered_with` | every feed's documents and archive pages, in full |
| `fragment` | meta `fragment_signature` | every entry's fragments and page (a cold render) |
| `page` | meta `page_signature`, `quarantine.held_under` | every article page, no entry; tries quarantined articles again |
| `site` | meta `site_signature` (with what the pages show of each feed) | the index pages, OPML, stylesheet and search pages |
| `classification` | meta `classification` | every article's topics and memberships (only those that differ move) |
| search (`search.signature`) | meta `search_signature` | every search shard (another Pagefind binary too) |
"""

from __future__ import annotations

import hashlib

from feeds import __version__
from feeds.settings import Settings


def _of(settings: Settings, fields: dict[str, object]) -> str:
    used = settings.model_dump_json(include=fields) + __version__  # type: ignore[arg-type]
    return hashlib.sha256(used.encode("utf-8")).hexdigest()[:16]


def feed(settings: Settings) -> str:
    """Only what shows in a feed counts: summary length and default language apply at ingest,
    hub timeouts and the index wording never reach a feed."""
    return _of(settings, {"site": True, "agencies": True, "sections": True, "topics": True, "websub": {"hub"}, "archives": True,
                          "feeds": {"base_url", "max_entries", "archive_page_size"}})


def fragment(settings: Settings) -> str:
    """Entries' fragments show the category and topic schemes and page links (from `base_url`),
    topic labels and agency names (or the site's author)."""
    return _of(settings, {"site": True, "agencies": True, "sections": True, "topics": True, "feeds": {"base_url"}})


def page(settings: Settings) -> str:
    """Article pages show what fragments show, and the interface's words: a change of wording
    writes the pages again, and renders no entry."""
    return _of(settings, {"site": True, "agencies": True, "sections": True, "topics": True, "interface": True, "feeds": {"base_url"}})


def site(settings: Settings) -> str:
    """The index pages and the OPML also show the interface wording, and whether there is a search."""
    return _of(settings, {"site": True, "agencies": True, "sections": True, "topics": True, "interface": True, "feeds": {"base_url"},
                          "search": True})


# What reclassifying does, beside the rules: raised when it learns to do more (2: titles invented
# for releases with no words name their agency in their language), so that stores classified
# before are classified once more.
CLASSIFICATION_RULES = "2"


def classification(settings: Settings) -> str:
    """Memberships computed under other topic or agency rules are computed again (not tied to the
    program's version: only the rules, and what reclassifying does, decide them)."""
    used = settings.model_dump_json(include={"agencies", "topics"}) + CLASSIFICATION_RULES
    return hashlib.sha256(used.encode("utf-8")).hexdigest()[:16]
