"""One HTML page per article, in the article's language. Pure: an entry, its translations, the
catalogue and the wording -> bytes.

The page is what a reader opens from an entry the dump gives no gov.kz source for, and the one
place that shows everything about an article: its full text, date, issuing agency, section and
topics, the gov.kz original, the feeds it is in (with autodiscovery links to them) and its
translations. No scripts; one stylesheet, the site's own (`assets/article.css`), shared by every
page; a canonical link and the Open Graph facts that the title, description and canonical link do
not already say; one autodiscovery link (the section in the article's language: the page lists
every feed). At a million pages every line of markup is a gigabyte. Every piece of article text is
escaped. The suite runs the Nu HTML checker on it.

`data-pagefind-*` attributes tell the search index (`search`) what to index (the article, not
the page's frame), what to filter by (language, year, section, agency, topics: hidden, with one
value per agency and topic across languages) and what to show with a result (date, agency).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from feeds import layout
from feeds.catalogue import LANGUAGE_NAMES, Catalogue
from feeds.models import Entry
from feeds.settings import InterfaceSettings
from feeds.wording import Wording, bdi, feed_label, page_start

OG_LOCALES = {"en": "en_US", "ru": "ru_RU", "kk": "kk_KZ"}


@dataclass(frozen=True)
class Translation:
    """Another language's article of the same gov.kz release."""

    id: str
    language: str
    title: str


def article_page(entry: Entry, translations: Sequence[Translation], catalogue: Catalogue,
                 interface: InterfaceSettings) -> bytes:
    site = catalogue.site
    language = entry.language
    words = Wording(interface, site.name, language)
    file = layout.article_file(entry.id)
    url = site.article_url(entry.id)
    e = html.escape

    def here(target: str) -> str:
        return e(layout.relative(target, file))

    keys = catalogue.feed_keys(entry.language, entry.category, entry.category_label, entry.agency, entry.topics)
    feeds = [(key, catalogue.describe(key)) for key in keys]
    day = entry.published.date()
    head = [
        f'  <link rel="canonical" href="{e(url)}">',
        *(f'  <link rel="alternate" hreflang="{other.language}" href="{e(site.article_url(other.id))}">'
          for other in translations),
        *(f'  <link rel="alternate" type="application/atom+xml" title="{e(document.title)}" href="{e(document.url("atom"))}">'
          for key, document in feeds if key.kind == "category-lang"),
        f'  <link rel="stylesheet" href="{here(layout.ARTICLE_STYLESHEET)}">',
        '  <meta property="og:type" content="article">',
        f'  <meta property="og:site_name" content="{e(site.name)}">',
        f'  <meta property="og:locale" content="{OG_LOCALES[language]}">',
        *(f'  <meta property="og:locale:alternate" content="{OG_LOCALES[other.language]}">' for other in translations),
        f'  <meta property="article:published_time" content="{day.isoformat()}">',
        f'  <meta property="article:section" content="{e(entry.category_label)}">',
        *(f'  <meta property="article:tag" content="{e(catalogue.topic_label(topic, language))}">' for topic in entry.topics),
    ]
    facts = [(f'      <dt>{e(words("article_date"))}</dt><dd><time datetime="{day.isoformat()}" data-pagefind-meta="date">'
              f'{e(words.date(day))}</time></dd>')]
    if entry.agency:
        facts.append(f'      <dt>{e(words("article_agency"))}</dt><dd><a href="{e(site.agency_url(entry.agency, language))}" '
                     f'data-pagefind-meta="agency">{bdi(site.agency_name(entry.agency, language))}</a></dd>')
    section = next(key for key, _ in feeds if key.kind == "category-lang")
    facts.append(f'      <dt>{e(words("article_section"))}</dt><dd><a href="{here(layout.feed_file(section.path))}">'
                 f'{bdi(entry.category_label)}</a></dd>')
    topics = [(key, catalogue.topic_label(key.value, language)) for key, _ in feeds if key.kind == "topic"]
    if topics:
        facts.append(f'      <dt>{e(words("article_topics"))}</dt><dd>' + ", ".join(
            f'<a href="{here(layout.feed_file(key.path))}">{bdi(label)}</a>' for key, label in topics)
                     + "</dd>")
    # The search's filters: one value per agency and topic whatever the article's language (their
    # English names), so that a filter gathers the articles of every language.
    filters = "\n".join(f'    <span hidden data-pagefind-filter="{e(name)}:{e(value)}"></span>' for name, value in (
        ("language", LANGUAGE_NAMES[language]), ("year", str(day.year)), ("section", entry.category_label),
        *((("agency", site.agency_name(entry.agency)),) if entry.agency else ()),
        *(("topic", catalogue.topic_label(topic)) for topic in entry.topics)))
    paragraphs = "\n".join(f"    <p>{e(paragraph)}</p>" for paragraph in entry.paragraphs)
    source = (f'    <p class="source" data-pagefind-ignore><a href="{e(entry.source_url)}">{e(words("article_source"))}</a></p>'
              if entry.source_url else f'    <p class="source" data-pagefind-ignore>{e(words("article_no_source"))}</p>')
    others = ""
    if translations:
        others = (f'  <nav aria-labelledby="translations">\n    <h2 id="translations">{e(words("article_translations"))}</h2>\n'
                  "    <ul>\n" + "\n".join(
                      f'      <li lang="{other.language}"><a href="{here(layout.article_file(other.id))}" '
                      f'hreflang="{other.language}">{bdi(other.title)}</a> ({LANGUAGE_NAMES[other.language]})</li>'
                      for other in translations) + "\n    </ul>\n  </nav>\n")
    listed = "\n".join(f'      <li><a href="{here(layout.feed_file(key.path))}">{bdi(feed_label(key, catalogue, words))}</a></li>'
                       for key, _ in feeds)
    page = page_start(language, f"{e(entry.title)} · {e(site.name)}") + f"""  <meta name="description" content="{e(entry.summary or entry.title)}">
{chr(10).join(head)}
</head>
<body>
  <header>
    <p><a href="{here(layout.INDEX_FILES[language])}">{e(words("home"))}</a></p>
  </header>
  <main>
  <article data-pagefind-body>
    <h1 dir="auto">{e(entry.title)}</h1>
{filters}
    <dl data-pagefind-ignore>
{chr(10).join(facts)}
    </dl>
{paragraphs + chr(10) if paragraphs else ""}{source}
  </article>
{others}  <aside aria-labelledby="feeds">
    <h2 id="feeds">{e(words("article_feeds"))}</h2>
    <ul>
{listed}
    </ul>
  </aside>
  </main>
</body>
</html>
"""
    return page.encode("utf-8")
