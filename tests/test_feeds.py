"""Every feed a build on the seeds publishes, read back as a feed reader and a validator would."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import feedparser
import pytest
from conftest import ATOM, BASE, SEED_002, check_atom, dump, run_feeds
from lxml import etree

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FEEDS = ["all.atom", "category/world.atom", "lang/en.atom", "lang/ru.atom"]
AGENCIES = ["akimat-goroda-zhanaozen", "almobl", "duisastana", "economy", "kostanai-kalasy-akimat", "kostanay", "mfa",
            "mfa-ashgabat", "mfa-athens", "mfa-brussels", "mfa-helsinki", "mfa-islamabad", "mfa-mexico", "mfa-nairobi",
            "mfa-washington", "mod", "mti", "zhetysu-archive"]
TOPICS = ["constitution", "economy-trade", "foreign-affairs", "regions", "sport"]
EVERY_FEED = sorted(FEEDS + ["category/world/en.atom", "category/world/ru.atom"]
                    + [f"agency/{slug}.atom" for slug in AGENCIES] + [f"topic/{slug}.atom" for slug in TOPICS])


@pytest.fixture
def built(built_seeds: Path) -> Path:
    """The one build of the seeds per test process, only read here."""
    return built_seeds / "out"


@cache
def read(path: Path) -> feedparser.FeedParserDict:
    """A document as feedparser reads it, once per test process (pure Python: slow)."""
    return feedparser.parse(str(path))


def feed_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.atom"), key=str)


def test_the_seeds_give_these_feeds(built: Path) -> None:
    assert [str(p.relative_to(built)) for p in feed_files(built)] == EVERY_FEED


def test_every_feed_is_valid_atom_and_passes_what_the_schema_cannot_check(built: Path) -> None:
    for path in feed_files(built):  # feedparser reads the feeds that hold every entry; the schemas check all
        check_atom(path, BASE + str(path.relative_to(built)), read=str(path.relative_to(built)) in FEEDS)


def test_every_entry_links_to_gov_kz_or_to_its_page_and_every_page_exists(built: Path) -> None:
    parsed = read(built / "all.atom")
    assert len(parsed.entries) == 39
    sourced = [e for e in parsed.entries if len(e.links) == 2]
    assert len(sourced) == 27
    for entry in sourced:
        source, page = entry.links
        assert (source.rel, source.type, page.rel, page.type) == ("alternate", "text/html", "related", "text/html")
        assert re.match(r"^https://www\.gov\.kz/memleket/entities/[a-z-]+/press/news/details/\d+\?lang=kk$", source.href)
    for entry in parsed.entries:
        page = entry.links[-1]
        assert page.href.startswith(BASE + "articles/") and (built / page.href.removeprefix(BASE)).is_file()
        assert (page.rel == "alternate") == (entry not in sourced)


def test_the_two_translations_of_one_release_are_one_entry(built: Path) -> None:
    titles = [e.title for e in read(built / "all.atom").entries]
    assert "In Shymkent, work continues to provide housing for socially vulnerable groups." in titles
    assert "Socially vulnerable citizens are being provided with housing in Shymkent" not in titles


def test_language_feeds_and_entries_carry_xml_lang(built: Path) -> None:
    for language in ("en", "ru"):
        root = etree.parse(str(built / f"lang/{language}.atom")).getroot()
        assert root.get(XML_LANG) == language
        assert {e.get(XML_LANG) for e in root.iterfind(f"{ATOM}entry")} == {language}
    everything = etree.parse(str(built / "all.atom")).getroot()
    assert everything.get(XML_LANG) is None
    assert [e.get(XML_LANG) for e in everything.iterfind(f"{ATOM}entry")].count("ru") == 4


def test_entry_has_text_title_summary_html_content_and_category(built: Path) -> None:
    root = etree.parse(str(built / "category/world.atom")).getroot()
    entry = next(e for e in root.iterfind(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == "Studying the Kazakh language")
    assert entry.find(f"{ATOM}content").get("type") == "html"
    assert entry.findtext(f"{ATOM}content").startswith("<p>Dear compatriots!</p><p>Continuing its mission")
    summary = entry.findtext(f"{ATOM}summary")
    assert summary.startswith("Dear compatriots! Continuing") and len(summary) <= 300 and "<" not in summary
    category = entry.find(f"{ATOM}category")
    assert (category.get("term"), category.get("label"), category.get("scheme")) == ("world", "World", BASE + "category/")
    assert entry.findtext(f"{ATOM}published").startswith("2026-02-21T")


def test_feed_titles_say_what_they_hold(built: Path) -> None:
    titles = {name: etree.parse(str(built / name)).getroot().findtext(f"{ATOM}title") for name in FEEDS}
    assert titles == {
        "all.atom": "Enbekshi QazaQ: all news",
        "category/world.atom": "Enbekshi QazaQ: World",
        "lang/en.atom": "Enbekshi QazaQ: news in English",
        "lang/ru.atom": "Enbekshi QazaQ: новости на русском языке",
    }


@pytest.mark.built
def test_a_second_build_rewrites_nothing(project: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in feed_files(project / "out")}
    second = run_feeds("build", cwd=project)
    assert second.returncode == 0 and "0 read" in second.stdout and "0 written" in second.stdout
    assert {p: p.stat().st_mtime_ns for p in feed_files(project / "out")} == before


def test_max_entries_bounds_every_feed(project: Path) -> None:
    config = project / "config.yaml"
    config.write_text(config.read_text().replace("max_entries: 50", "max_entries: 5"))
    assert run_feeds("build", cwd=project).returncode == 0
    counts = {str(p.relative_to(project / "out")): len(etree.parse(str(p)).getroot().findall(f"{ATOM}entry"))
              for p in feed_files(project / "out") if not str(p).startswith(str(project / "out/archive"))}
    assert max(counts.values()) == 5 and counts["all.atom"] == 5 and counts["lang/ru.atom"] == 4


def atom_entries(path: Path) -> list[dict[str, str]]:
    """Each entry's id, title, dates, summary and first link, as lxml reads them (feedparser reads
    the feeds as readers do in the tests above; here only the store's identity rules are checked)."""
    fields = ("id", "title", "published", "updated", "summary")
    return [{**{field: entry.findtext(f"{ATOM}{field}") or "" for field in fields}, "link": entry.find(f"{ATOM}link").get("href", "")}
            for entry in etree.parse(str(path)).getroot().iterfind(f"{ATOM}entry")]


@pytest.mark.built
def test_the_same_article_in_a_later_dump_stays_one_entry_and_a_change_updates_it(project: Path) -> None:
    before = atom_entries(project / "out/all.atom")
    original = next(e for e in before if e["title"] == "Planned power outage")
    source_line = (project / "seeds" / SEED_002).read_text().split("\n")[35]
    (project / "seeds/003_repeat.txt").write_text(dump(("Planned power outage 23.01.2026", source_line)))
    assert run_feeds("build", cwd=project).returncode == 0
    again = atom_entries(project / "out/all.atom")
    assert [(e["id"], e["updated"]) for e in again] == [(e["id"], e["updated"]) for e in before]
    revised = dump(("Planned power outage 23.01.2026", f"Rescheduled.Source : {original['link']}"))
    (project / "seeds/003_repeat.txt").write_text(revised)
    result = run_feeds("build", cwd=project)
    assert result.returncode == 0 and "1 updated" in result.stdout
    after = atom_entries(project / "out/all.atom")
    changed = [e for e in after if e["id"] == original["id"]]
    assert len(after) == 39 and len(changed) == 1
    assert changed[0]["published"] == original["published"] and changed[0]["updated"] > original["updated"]
    assert changed[0]["summary"] == "Rescheduled."


@pytest.mark.built
def test_markup_and_control_characters_in_a_dump_cannot_break_a_feed(project: Path) -> None:
    (project / "seeds/004_hostile.txt").write_text(dump(
        ("A <b>bold</b> & <script>alert(1)</script> title\x01 02.03.2026", "Text with \x08control\x1f characters & <i>tags</i>."),
    ))
    assert run_feeds("build", cwd=project).returncode == 0
    parsed = feedparser.parse(str(project / "out/all.atom"))
    assert parsed.bozo == 0
    entry = parsed.entries[0]
    assert entry.title == "A <b>bold</b> & <script>alert(1)</script> title"
    assert entry.title_detail.type == "text/plain"
    assert "&lt;i&gt;tags&lt;/i&gt;" in entry.content[0].value
