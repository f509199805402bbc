"""The site pages on fixed input: index pages in each interface language, OPML, embed pages."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from conftest import ROOT
from lxml import etree, html

from feeds.catalogue import Catalogue
from feeds.models import Entry, FeedKey, FeedState
from feeds.pages import embed_page, site_files
from feeds.prose import FALLBACK_TITLES
from feeds.settings import Labels, load_settings
from feeds.timing import KAZAKHSTAN

SETTINGS = load_settings(ROOT / "config.yaml")
CATALOGUE = Catalogue.of(SETTINGS)
FEEDS = [
    FeedState(FeedKey("all", "all", ""), 39, False, 0, "", "Latest <headline> & more", 1_772_000_000_000_000),
    FeedState(FeedKey("agency/mfa", "agency", "mfa"), 12, False, 0, "", "Embassy news", 1_771_000_000_000_000),
    FeedState(FeedKey("lang/ru", "lang", "ru"), 4, False, 0, "", "Новости", 1_770_000_000_000_000),
    FeedState(FeedKey("topic/sport", "topic", "sport"), 2, False, 0, "", "Sport news", 1_769_000_000_000_000),
]


def test_each_index_page_speaks_its_language_and_lists_every_feed_grouped() -> None:
    files = site_files(FEEDS, CATALOGUE, SETTINGS.interface)
    english = html.fromstring(files["index.html"])
    assert english.get("lang") == "en" and english.findtext(".//h1") == "Enbekshi QazaQ: news feeds"
    assert [h2.text for h2 in english.iter("h2")] == ["By language", "By agency", "By topic"]
    rows = {row.get("id"): row for row in english.iter("tr") if row.get("id")}
    assert list(rows) == ["all", "lang/ru", "agency/mfa", "topic/sport"]
    assert rows["agency/mfa"].findtext("th/a/bdi") == "Ministry of Foreign Affairs of Kazakhstan"
    assert rows["all"].findall("td")[1].text_content() == "Latest <headline> & more"  # text, never markup
    russian = html.fromstring(files["index.ru.html"])
    assert russian.get("lang") == "ru" and {row.get("id"): row for row in russian.iter("tr") if row.get("id")}[
        "agency/mfa"].findtext("th/a/bdi") == "Министерство иностранных дел РК"
    discovery = [link.get("href") for link in english.iter("link") if link.get("rel") == "alternate"]
    assert discovery == ["all.atom", "lang/ru.atom"]


def test_the_site_has_an_icon_and_every_page_of_it_names_the_icon() -> None:
    files = site_files(FEEDS, CATALOGUE, SETTINGS.interface)
    assert files["favicon.ico"][:4] == b"\x00\x00\x01\x00"  # an ICO file
    for name in ("index.html", "index.ru.html", "index.kk.html", "search.html", "search.kk.html"):
        assert html.fromstring(files[name]).xpath("//link[@rel='icon']/@href") == ["favicon.ico"], name


def test_opml_lists_every_feed_by_its_atom_address() -> None:
    opml = etree.fromstring(site_files(FEEDS, CATALOGUE, SETTINGS.interface)["feeds.opml"])
    urls = [outline.get("xmlUrl") for outline in opml.iter("outline") if outline.get("xmlUrl")]
    assert urls == [f"http://127.0.0.1:8080/{path}.atom" for path in ("all", "lang/ru", "agency/mfa", "topic/sport")]


def test_an_embed_page_has_ten_clickable_headlines_as_text_and_no_script() -> None:
    when = datetime(2026, 2, 21, 9, tzinfo=KAZAKHSTAN)
    entries = [Entry(f"urn:uuid:{n:08x}-0000-0000-0000-000000000000", f"<b>Headline</b> {n}", when, when, (), "",
                     "https://gov.kz/x" if n % 2 else None, "ru" if n == 1 else "en", "world", "World", ()) for n in range(12)]
    page = html.fromstring(embed_page(CATALOGUE.describe(FeedKey("all", "all", "")), entries))
    items = page.findall(".//li")
    assert len(items) == 10 and items[0].text_content().startswith("<b>Headline</b> 0")
    # Without a source, the article's page; with one, gov.kz.
    assert [item.find("a").get("href") for item in items[:2]] == [
        "http://127.0.0.1:8080/articles/00/00000000-0000-0000-0000-000000000000.html", "https://gov.kz/x"]
    assert items[0].find("time").get("datetime") == "2026-02-21" and items[0].findtext("time") == "21 February 2026"
    assert items[1].get("lang") == "ru" and items[1].findtext("time") == "21 февраля 2026 г."  # each in its own words
    assert items[0].find("a").get("title") == "<b>Headline</b> 0"  # cut to one line on screen, whole in its tooltip
    assert not list(page.iter("script"))


def test_the_stylesheet_has_the_interface_words_in_each_language_and_compiles() -> None:
    interface = SETTINGS.interface.model_copy(update={"feed_older": Labels(en="Older", ru="Раньше <&>", kk="Ертерек")})
    stylesheet = site_files(FEEDS, CATALOGUE, interface)["assets/feed.xsl"]
    etree.XSLT(etree.fromstring(stylesheet))
    assert "Раньше &lt;&amp;&gt;".encode() in stylesheet and "Ертерек".encode() in stylesheet
    assert "жылғы".encode() in stylesheet and "февраля".encode() in stylesheet


def test_every_title_and_name_on_every_page_kind_is_isolated_from_the_text_around_it(project) -> None:  # type: ignore[no-untyped-def]
    """A right-to-left override left open in a title, a section or an agency name (U+202E) stays
    inside its own isolate on the index, article, embed and feed-view pages: it cannot reorder the
    date or the words beside it."""
    from conftest import dump, run_feeds

    source = "https://www.gov.kz/memleket/entities/mfa/press/news/details/7000001?lang=kk"
    (project / "seeds/005_rlo.txt").write_text(dump(("Override \u202eevil title 03.03.2026", f"A body.Source : {source}"),
                                                    section="Wor\u202eld"))
    config = project / "config.yaml"
    config.write_text(config.read_text().replace("name: {en: Ministry of Foreign Affairs of Kazakhstan,",
                                                 "name: {en: Ministry \u202eof Foreign Affairs,"))
    assert run_feeds("build", cwd=project).returncode == 0
    out = project / "out"
    view = etree.XSLT(etree.parse(str(out / "assets/feed.xsl")))
    pages = {path.relative_to(out).as_posix(): html.fromstring(path.read_bytes())
             for path in [out / "index.html", *out.glob("embed/**/*.html"), *out.glob("articles/*/*.html")]}
    pages |= {name: html.fromstring(str(view(etree.parse(str(out / name))))) for name in ("all.atom", "all.rss", "agency/mfa.atom")}
    overridden = 0
    for name, page in pages.items():
        for node in page.xpath("//text()[contains(., '\u202e')]"):
            holder = node.getparent().getparent() if node.is_tail else node.getparent()
            if holder.tag in ("title", "style", "script") or holder.getparent() is None:
                continue  # the window's title is plain text; nothing reorders it
            overridden += 1
            isolates = holder.xpath("ancestor-or-self::*[self::bdi or @dir]")
            assert isolates, f"{name}: {node!r} in <{holder.tag}> is not isolated"
    assert overridden >= 10


def test_every_row_of_the_index_has_an_id_of_its_own() -> None:
    """A section "World EN" (`category/world-en`) and the English feed of "World"
    (`category/world/en`) once both had the id `category-world-en`."""
    feeds = [FeedState(FeedKey("category/world-en", "category", "world-en", "World EN"), 1, False, 0, "", "x", 1),
             FeedState(FeedKey("category/world/en", "category-lang", "world/en", "World"), 1, False, 0, "", "y", 1),
             FeedState(FeedKey("category/world", "category", "world", "World"), 1, False, 0, "", "z", 1)]
    page = html.fromstring(site_files(feeds, CATALOGUE, SETTINGS.interface)["index.html"])
    ids = [element.get("id") for element in page.iter() if element.get("id")]
    assert len(ids) == len(set(ids)) and {"category/world-en", "category/world/en"} <= set(ids)


def test_sections_are_named_in_the_page_language_by_the_sections_table() -> None:
    """`sections:` names a section in each language, as `agencies:` names an agency; the dump's
    English label ("World") is only the fallback for a section the table does not name."""
    feeds = [FeedState(FeedKey("category/world", "category", "world", "World"), 3, False, 0, "", "x", 1),
             FeedState(FeedKey("category/world/ru", "category-lang", "world/ru", "World"), 1, False, 0, "", "y", 1),
             FeedState(FeedKey("category/sport", "category", "sport", "Sport"), 1, False, 0, "", "z", 1)]
    files = site_files(feeds, CATALOGUE, SETTINGS.interface)
    for page, world in (("index.html", "World"), ("index.ru.html", "Мир"), ("index.kk.html", "Әлем")):
        rows = {row.get("id"): row for row in html.fromstring(files[page]).iter("tr") if row.get("id")}
        assert rows["category/world"].findtext("th/a/bdi") == world, page
        assert rows["category/sport"].findtext("th/a/bdi") == "Sport", page  # not in the table: the dump's label
    assert CATALOGUE.describe(FeedKey("category/world/ru", "category-lang", "world/ru", "World")).title.endswith("Мир · Русский")


def test_agencies_and_sections_are_sorted_by_their_name_in_the_page_language() -> None:
    """By slug the table read as random (Zhanaozen, Almaty, Penal Dept...); code points would put
    every Қ after Я."""
    slugs = ["zhetysu-archive", "mod", "kostanay", "mfa", "kostanai-kalasy-akimat", "almobl"]
    feeds = [FeedState(FeedKey(f"agency/{slug}", "agency", slug), 1, False, 0, "", slug, 1) for slug in slugs]
    feeds += [FeedState(FeedKey("category/world/ru", "category-lang", "world/ru", "World"), 1, False, 0, "", "w", 1),
              FeedState(FeedKey("category/world", "category", "world", "World"), 1, False, 0, "", "w", 1),
              FeedState(FeedKey("category/economy", "category", "economy", "Economy"), 1, False, 0, "", "e", 1),
              FeedState(FeedKey("category/world/en", "category-lang", "world/en", "World"), 1, False, 0, "", "w", 1)]
    files = site_files(feeds, CATALOGUE, SETTINGS.interface)
    expected = {
        "index.html": ["almobl", "kostanai-kalasy-akimat", "kostanay", "mod", "mfa", "zhetysu-archive"],
        "index.ru.html": ["almobl", "kostanai-kalasy-akimat", "kostanay", "zhetysu-archive", "mfa", "mod"],
        "index.kk.html": ["almobl", "zhetysu-archive", "kostanai-kalasy-akimat", "kostanay", "mod", "mfa"],
    }
    for page, agencies in expected.items():
        ids = [row.get("id") for row in html.fromstring(files[page]).iter("tr") if row.get("id")]
        assert [row for row in ids if row.startswith("agency/")] == [f"agency/{slug}" for slug in agencies], page
    # a section, then its language feeds in their fixed order, and the OPML in the English index's order
    english = [row.get("id") for row in html.fromstring(files["index.html"]).iter("tr") if row.get("id")]
    assert english[:4] == ["category/economy", "category/world", "category/world/en", "category/world/ru"]
    opml = etree.fromstring(files["feeds.opml"])
    assert [outline.get("xmlUrl").split("/", 3)[3] for outline in opml.iter("outline") if outline.get("xmlUrl")][:4] == [
        "category/economy.atom", "category/world.atom", "category/world/en.atom", "category/world/ru.atom"]


def feed_view(document: bytes) -> html.HtmlElement:
    view = etree.XSLT(etree.fromstring(site_files(FEEDS, CATALOGUE, SETTINGS.interface)["assets/feed.xsl"]))
    return html.fromstring(str(view(etree.fromstring(document))))


def atom_of(*languages: str) -> bytes:
    entries = "".join(f'<entry xml:lang="{language}"><title>t</title><published>2026-02-21T10:00:00+05:00</published></entry>'
                      for language in languages)
    return (f'<feed xmlns="http://www.w3.org/2005/Atom"><title>Agency</title>'
            f'<link rel="self" href="http://127.0.0.1:8080/agency/economy.atom"/>{entries}</feed>').encode()


def test_the_feed_view_of_a_feed_of_many_languages_speaks_the_language_of_most_of_its_entries() -> None:
    """An all-Russian agency feed (no language of its own) had English words around Russian entries."""
    assert feed_view(atom_of("ru", "ru", "en")).get("lang") == "ru"
    assert feed_view(atom_of("kk", "ru", "kk")).get("lang") == "kk"
    assert feed_view(atom_of("ru", "en")).get("lang") == "en"  # a tie: English
    rss = ('<rss xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" version="2.0"><channel>'
           '<title>x</title><atom:link rel="self" href="http://127.0.0.1:8080/agency/economy.rss"/>'
           + '<item><title>t</title><pubDate>Sat, 21 Feb 2026 10:00:00 +0500</pubDate><dc:language>ru</dc:language></item>' * 2
           + '</channel></rss>').encode()
    russian = feed_view(rss)
    assert russian.get("lang") == "ru" and "Чтобы подписаться" in russian.xpath("string(//p[@class='subscribe'])")


def test_the_feed_view_offers_its_address_to_copy_and_links_home_and_to_its_other_formats() -> None:
    page = feed_view(atom_of("ru", "ru"))
    assert page.xpath("//p[@class='subscribe']/input[@readonly]/@value") == ["http://127.0.0.1:8080/agency/economy.atom"]
    assert page.xpath("//nav[@class='formats']/a/@href") == ["http://127.0.0.1:8080/index.ru.html", "http://127.0.0.1:8080/agency/economy.rss",
                                              "http://127.0.0.1:8080/agency/economy.json"]
    assert page.xpath("string(//nav[@class='formats']/a[1])") == "Enbekshi QazaQ: все ленты"


# Names, the same in every language; a language is named in its own (an endonym, as on every
# language switch), so "English" is one too.
PROPER_NAMES = {"enbekshi", "qazaq", "gov", "opml", "atom", "rss", "json", "english", "newsboat"}


def english_words(interface: object, dumped: str) -> set[str]:
    """Every word of the English wording table and of the sections', agencies' and topics' English
    names that is not a proper name nor a word of the dumps' own text (an English headline on the
    Russian index is the article's, not the interface's)."""
    site = CATALOGUE.site
    names = [labels["en"] for table in (site.section_labels, site.agency_labels, site.topic_labels)
             for labels in table.values() if "en" in labels]
    table = " ".join([*(getattr(interface, key).en for key in type(interface).model_fields), *names])  # type: ignore[attr-defined]
    words = {word.lower() for word in re.findall(r"[A-Za-z]{3,}", table)}
    return words - PROPER_NAMES - {word.lower() for word in re.findall(r"[A-Za-z]{3,}", dumped)}


def shown_text(page: html.HtmlElement) -> str:
    """What a reader of the page's language sees or hears: its text and the attributes read out,
    without scripts, styles and the parts marked as another language (a link to the English page)."""
    language = page.get("lang")
    for element in page.xpath("//script | //style | //*[@lang and @lang != $language]", language=language):
        element.drop_tree()
    said = page.xpath("//@title | //@aria-label | //@placeholder | //@alt | //input[@type='text']/@value")
    return re.sub(r"https?://\S+", "", " ".join([page.text_content(), *said]).replace("JSON Feed", ""))  # not addresses


@pytest.mark.built
def test_no_russian_or_kazakh_page_shows_a_word_of_the_english_wording(project: Path) -> None:
    from conftest import dump, run_feeds

    (project / "seeds/010_kazakh.txt").write_text(dump(("Қостанай облысында жаңа мектеп ашылды 01.03.2026",
                                                        "Облыс әкімдігінің хабарлауынша, мектеп қыркүйекте ашылады.")))
    assert run_feeds("build", cwd=project).returncode == 0
    out = project / "out"
    titled = re.sub(r"\{\w+\}", "", " ".join(" ".join(titles) for titles in FALLBACK_TITLES.values()))  # headlines made for wordless releases
    dumped = " ".join("\n".join(path.read_text(encoding="utf-8").splitlines()[4:])  # the records, not the section's name
                      for path in (project / "seeds").glob("*.txt")) + titled
    english = english_words(SETTINGS.interface, dumped)
    assert {"agency", "section", "topic", "entries", "subscribe", "search", "formats"} <= english  # the test has teeth
    view = etree.XSLT(etree.parse(str(out / "assets/feed.xsl")))
    files = site_files(FEEDS, CATALOGUE, SETTINGS.interface)
    for language in ("ru", "kk"):
        pages = {f"index.{language}.html": html.fromstring((out / f"index.{language}.html").read_bytes()),
                 f"search.{language}.html": html.fromstring(files[f"search.{language}.html"]),
                 f"embed/lang/{language}.html": html.fromstring((out / f"embed/lang/{language}.html").read_bytes())}
        pages |= {f"{feed} (feed view)": html.fromstring(str(view(etree.parse(str(out / feed)))))
                  for feed in (f"lang/{language}.atom", f"lang/{language}.rss")}
        articles = [path for path in out.glob("articles/*/*.html") if f'lang="{language}"' in path.read_text(encoding="utf-8")[:200]]
        assert articles, language
        pages |= {path.name: html.fromstring(path.read_bytes()) for path in articles}
        for name, page in pages.items():
            assert page.get("lang") == language, name
            shown = {word.lower() for word in re.findall(r"[A-Za-z]{3,}", shown_text(page))}
            assert not shown & english, (name, sorted(shown & english))
    economy = html.fromstring(str(view(etree.parse(str(out / "agency/economy.atom")))))  # an all-Russian agency's feed
    assert economy.get("lang") == "ru" and not {word.lower() for word in re.findall(r"[A-Za-z]{3,}", shown_text(economy))} & english


@pytest.mark.built
def test_the_partition_opml_files_hold_feeds_that_share_no_entry_and_cover_every_article(project: Path) -> None:
    """For readers that key entries by id across feeds (newsboat): after `feeds.opml`, 27 of 29
    feeds looked empty there; each article is in exactly one feed of these files."""
    out = project / "out"
    every = {entry.findtext("{http://www.w3.org/2005/Atom}id") for language in ("en", "ru", "kk")
             if (out / f"lang/{language}.atom").exists()
             for entry in etree.parse(str(out / f"lang/{language}.atom")).iter("{http://www.w3.org/2005/Atom}entry")}
    for name, prefix in (("feeds-by-language.opml", "lang/"), ("feeds-by-section.opml", "category/")):
        urls = [outline.get("xmlUrl") for outline in etree.parse(str(out / name)).iter("outline") if outline.get("xmlUrl")]
        paths = [url.removeprefix("http://127.0.0.1:8080/") for url in urls]
        assert paths and all(path.startswith(prefix) and path.count("/") == 1 for path in paths), paths
        ids = [entry.findtext("{http://www.w3.org/2005/Atom}id") for path in paths
               for entry in etree.parse(str(out / path)).iter("{http://www.w3.org/2005/Atom}entry")]
        assert len(ids) == len(set(ids)) and set(ids) == every, name  # no entry twice, none left out
    index = html.fromstring((out / "index.ru.html").read_bytes())
    assert {"feeds-by-language.opml", "feeds-by-section.opml", "feeds.opml"} <= set(index.xpath("//header//a/@href"))


def test_the_readme_shows_pictures_of_the_index_and_of_an_article_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]+\]\((docs/pictures/[^)]+\.png)\)", readme)
    assert any("index" in picture for picture in pictures) and any("article" in picture for picture in pictures)
    assert all((ROOT / picture).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for picture in pictures)


def test_the_search_page_names_an_agency_in_its_language_whatever_language_it_was_indexed_in() -> None:
    """Filters hold the English name, a result the name in its article's language: both are shown
    by the page's name."""
    from feeds.pages import search_names
    from feeds.wording import Wording

    names = search_names(CATALOGUE, Wording(SETTINGS.interface, "Enbekshi QazaQ", "kk"))
    agencies = names["values"]["agency"]
    assert agencies["Embassy of Kazakhstan in Turkmenistan"] == agencies["Посольство РК в Туркменистане"] == \
        "ҚР-ның Түрікменстандағы елшілігі"
    assert "ҚР-ның Түрікменстандағы елшілігі" not in agencies  # already the page's
    page = site_files(FEEDS, CATALOGUE, SETTINGS.interface)["search.kk.html"].decode()
    script = page[page.index("<script>"):]
    assert "</" not in script.split("</script>")[0].replace("<script>", "")  # nothing in the data can end the script
