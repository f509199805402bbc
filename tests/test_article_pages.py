"""Article pages on fixed input, and read back from a real build: language, links, text, dates."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import ROOT, dump, run_feeds
from lxml import html

from feeds.article_pages import Translation, article_page
from feeds.catalogue import Catalogue
from feeds.models import Entry
from feeds.settings import load_settings
from feeds.timing import KAZAKHSTAN
from feeds.wording import human_date

SETTINGS = load_settings(ROOT / "config.yaml")
CATALOGUE = Catalogue.of(SETTINGS)
WHEN = datetime(2026, 2, 21, 22, 17, tzinfo=KAZAKHSTAN)
SOURCE = "https://www.gov.kz/memleket/entities/mfa-nairobi/press/news/details/1166722?lang=ru"
RUSSIAN = Entry("urn:uuid:6a5f0c2e-0000-4000-8000-000000000001", "Посол <b>встретился</b> & обсудил", WHEN, WHEN,
                ("Первый абзац с S&P и <i>разметкой</i>.", "Второй абзац."), "Первый абзац с S&P", SOURCE, "ru", "world",
                "World", ("foreign-affairs",), "mfa-nairobi")
ENGLISH = Translation("urn:uuid:11111111-0000-4000-8000-000000000002", "en", "The ambassador met & discussed")


# Long enough for its script to tell its language: lingua's models (0.4 s to load) are not needed.
TALKS = ("Прошли переговоры о торговле, инвестициях и транзите грузов. Стороны обсудили открытие новых авиарейсов, "
         "сотрудничество университетов и подготовку визита министра в следующем месяце, а также культурные обмены "
         "и совместные выставки художников.")


def page_of(entry: Entry, translations: tuple[Translation, ...] = ()) -> html.HtmlElement:
    return html.fromstring(article_page(entry, translations, CATALOGUE, SETTINGS.interface))


def test_a_page_speaks_its_article_language_and_shows_its_text_as_text() -> None:
    page = page_of(RUSSIAN, (ENGLISH,))
    assert page.get("lang") == "ru" and page.findtext(".//h1") == "Посол <b>встретился</b> & обсудил"
    assert [p.text for p in page.xpath("//article/p[not(@class)]")] == list(RUSSIAN.paragraphs)
    assert not page.xpath("//article//b | //article//i | //script | //*[@src]")
    facts = dict(zip(page.xpath("//dt/text()"), page.xpath("//dd"), strict=True))
    assert list(facts) == ["Дата", "Ведомство", "Раздел", "Темы"]
    assert facts["Дата"].findtext("time") == "21 февраля 2026 г." and facts["Дата"].find("time").get("datetime") == "2026-02-21"
    agency = facts["Ведомство"].find("a")
    assert agency.text_content() == "Посольство РК в Кении" and agency.get("href") == "https://www.gov.kz/memleket/entities/mfa-nairobi?lang=ru"
    assert facts["Темы"].xpath("a/bdi/text()") == ["Внешняя политика"] and facts["Раздел"].find("a").get("href") == "../../category/world/ru.atom"
    source = page.find(".//p[@class='source']/a")
    assert source.get("href") == SOURCE and source.text == "Исходный пресс-релиз на gov.kz"


def test_a_page_is_shareable_canonical_and_discovers_its_feeds_and_translations() -> None:
    page = page_of(RUSSIAN, (ENGLISH,))
    url = "http://127.0.0.1:8080/articles/6a/6a5f0c2e-0000-4000-8000-000000000001.html"
    assert page.xpath("//link[@rel='canonical']/@href") == [url]
    meta = {m.get("property"): m.get("content") for m in page.xpath("//meta[@property]")}
    # Open Graph says only what the title, the description and the canonical link do not.
    assert meta["og:locale"] == "ru_RU" and meta["og:site_name"] == "Enbekshi QazaQ" and "og:url" not in meta
    assert meta["og:locale:alternate"] == "en_US" and meta["article:published_time"] == "2026-02-21"
    assert page.xpath("//meta[@name='description']/@content") == [RUSSIAN.summary or RUSSIAN.title]
    # One feed to discover (the section in the page's language); the page lists every feed it is in.
    feeds = page.xpath("//link[@rel='alternate'][@type='application/atom+xml']/@href")
    assert feeds == ["http://127.0.0.1:8080/category/world/ru.atom"]
    assert page.xpath("//aside//a/@href") == [f"../../{path}.atom" for path in (
        "all", "lang/ru", "category/world", "category/world/ru", "agency/mfa-nairobi", "agency/mfa", "topic/foreign-affairs")]
    assert page.xpath("//link[@rel='stylesheet']/@href") == ["../../assets/article.css"] and not page.xpath("//style")
    assert page.xpath("//link[@rel='icon']/@href") == ["../../favicon.ico"]  # where the site is, whatever its path
    assert page.xpath("//link[@hreflang='en']/@href") == ["http://127.0.0.1:8080/articles/11/11111111-0000-4000-8000-000000000002.html"]
    other = page.xpath("//nav[@aria-labelledby='translations']//a")[0]
    assert (other.text_content(), other.get("href"), other.get("hreflang")) == (
        ENGLISH.title, "../11/11111111-0000-4000-8000-000000000002.html", "en")
    assert page.xpath("//header/p/a/@href") == ["../../index.ru.html"]


def test_a_page_without_a_source_says_so_and_has_no_agency() -> None:
    entry = Entry("urn:uuid:22222222-0000-4000-8000-000000000003", "Қостанайда жиын өтті", WHEN, WHEN, (), "", None, "kk",
                  "alem", "Әлем", ())
    page = page_of(entry)
    assert page.get("lang") == "kk" and page.xpath("//dt/text()") == ["Күні", "Бөлім"]
    assert page.xpath("string(//p[@class='source'])") == "Бұл баспасөз хабарламасының gov.kz сайтындағы түпнұсқасына сілтеме белгісіз."
    assert page.xpath("//dd/time/text()") == ["2026 жылғы 21 ақпан"] and not page.xpath("//nav")


@pytest.mark.parametrize(("language", "expected"), [("en", "1 March 2026"), ("ru", "1 марта 2026 г."), ("kk", "2026 жылғы 1 наурыз")])
def test_dates_are_said_the_way_each_language_says_them(language: str, expected: str) -> None:
    assert human_date(date(2026, 3, 1), language) == expected


def test_a_translation_arriving_later_is_linked_from_the_earlier_page(small: Path) -> None:
    project = small
    url = "https://www.gov.kz/memleket/entities/mfa/press/news/details/1170001"
    (project / "seeds/010_en.txt").write_text(dump(("The minister met the ambassador 03.03.2026", f"Talks were held.Source : {url}?lang=en")))
    assert run_feeds("build", cwd=project).returncode == 0
    pages = {path.name: path for path in (project / "out/articles").glob("*/*.html")}
    assert len(pages) == 4
    (project / "seeds/011_ru.txt").write_text(dump(("Министр встретился с послом 03.03.2026", f"{TALKS}Source : {url}?lang=ru")))
    assert run_feeds("build", cwd=project).returncode == 0
    new = {path.name: path for path in (project / "out/articles").glob("*/*.html")}.keys() - pages.keys()
    (russian,) = [path for path in (project / "out/articles").glob("*/*.html") if path.name in new]
    english = next(path for path in pages.values() if "The minister met the ambassador" in path.read_text())
    assert html.parse(str(english)).xpath("//link[@hreflang='ru']/@href")[0].endswith(russian.name)
    assert html.parse(str(russian)).xpath("//nav//a/@href")[0] == f"../{english.parent.name}/{english.name}"


def test_every_link_of_every_page_of_a_build_leads_to_a_file(built_seeds: Path) -> None:
    out = built_seeds / "out"
    pages = sorted((out / "articles").glob("*/*.html"))
    assert len(pages) == 39
    for path in pages:
        page = html.parse(str(path)).getroot()
        for href in page.xpath("//a/@href[not(starts-with(., 'http'))] | //link/@href[not(starts-with(., 'http'))]"):
            assert (path.parent / href).resolve().is_file(), (path, href)
        for href in page.xpath("//link/@href[starts-with(., 'http://127.0.0.1:8080/')]"):
            assert (out / href.removeprefix("http://127.0.0.1:8080/")).is_file(), (path, href)


def test_a_translation_that_retention_removes_is_no_longer_linked(small: Path) -> None:
    project = small
    url = "https://www.gov.kz/memleket/entities/mfa/press/news/details/1001"  # the small project's English article's
    (project / "seeds/010_ru.txt").write_text(dump(("Совет Кении заинтересован в сотрудничестве 10.01.2026",
                                                    f"{TALKS}Source : {url}?lang=ru")))
    assert run_feeds("build", cwd=project).returncode == 0
    english = project / "out/articles/56/567e198e-fa00-506e-91e5-fa97ff1d2601.html"
    (russian,) = html.parse(str(english)).xpath("//link[@hreflang='ru']/@href")
    config = project / "config.yaml"
    config.write_text(config.read_text().replace("  max_articles:\n", "  max_articles: 3\n"))
    assert run_feeds("build", cwd=project).returncode == 0
    assert not (project / "out" / russian.removeprefix("http://127.0.0.1:8080/")).exists()
    assert not html.parse(str(english)).xpath("//link[@hreflang] | //nav")
