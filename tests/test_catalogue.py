"""The whole catalogue: twins, archives walked like a client would, topics and agencies, index,
OPML and the XSL stylesheet, all read back from a real build of the seeds."""

from __future__ import annotations

import json
import re
import shutil
from itertools import pairwise
from pathlib import Path

import feedparser
import pytest
from conftest import ATOM, BASE, CONTENT, DC, HISTORY, SEEDS, check_atom, check_rss, dump, project_config, run_feeds
from lxml import etree, html

JSON_FEED_REQUIRED = {"version", "title", "items"}
JSON_ITEM_REQUIRED = {"id"}


def configure(folder: Path, *replacements: tuple[str, str]) -> None:
    """The project's config with each (old, new) replaced."""
    config = (folder / "config.yaml").read_text()
    for old, new in replacements:
        assert old in config
        config = config.replace(old, new)
    (folder / "config.yaml").write_text(config)


def make_project(folder: Path, *replacements: tuple[str, str]) -> Path:
    shutil.copytree(SEEDS, folder / "seeds")
    (folder / "config.yaml").write_text(project_config())
    configure(folder, *replacements)
    result = run_feeds("build", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder / "out"


def copy_project(built: Path, folder: Path, *replacements: tuple[str, str]) -> Path:
    """A copy of a built project (`built` is its `out/`) with its config changed, built again."""
    shutil.copytree(built.parent, folder, symlinks=True, dirs_exist_ok=True)
    configure(folder, *replacements)
    result = run_feeds("build", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder / "out"


@pytest.fixture
def built(built_seeds: Path) -> Path:
    """The one build of the seeds per test process, only read here."""
    return built_seeds / "out"


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Small documents, so the 39 seed articles spread over a subscription document and archives."""
    return make_project(tmp_path_factory.mktemp("archived"), ("max_entries: 50", "max_entries: 5\n  archive_page_size: 7"))


def subscription_feeds(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out))[: -len(".atom")] for p in out.rglob("*.atom") if p.parts[len(out.parts)] != "archive")


def test_every_atom_document_of_an_archived_build_is_valid(archived: Path) -> None:
    documents = sorted(archived.rglob("*.atom"), key=str)
    # 34 archived entries in 5 pages of 7 for all, category/world, category/world/en and lang/en;
    # one page each for agency/mfa and the topics foreign-affairs, constitution and regions.
    assert len([d for d in documents if "archive" in d.parts]) == 4 * 5 + 4
    for document in documents:  # feedparser (slow) reads the subscription documents and each first archive page
        check_atom(document, BASE + str(document.relative_to(archived)), read="archive" not in document.parts or document.stem == "1")


def test_json_twins_have_the_required_fields_and_the_atom_entries(built: Path) -> None:
    for feed in subscription_feeds(built):
        data = json.loads((built / f"{feed}.json").read_text(encoding="utf-8"))
        assert JSON_FEED_REQUIRED <= data.keys() and data["version"] == "https://jsonfeed.org/version/1.1"
        assert data["feed_url"] == f"{BASE}{feed}.json" and data["home_page_url"] == "https://enbekshiqazaq.kz/"
        assert all(JSON_ITEM_REQUIRED <= item.keys() and ("content_html" in item or "content_text" in item) for item in data["items"])
        assert [item["id"] for item in data["items"]] == stored_ids(built, feed)
    for feed in ("all", "lang/ru"):  # every entry, item by item, as feedparser (slow) reads its Atom twin
        data = json.loads((built / f"{feed}.json").read_text(encoding="utf-8"))
        atom = feedparser.parse(str(built / f"{feed}.atom"))
        for item, entry in zip(data["items"], atom.entries, strict=True):
            links = {link.rel: link.href for link in entry.links}
            page = links.get("related", links["alternate"])
            source = links["alternate"] if "related" in links else None
            assert item["title"] == entry.title and item["url"] == page and item.get("external_url") == source
            assert item["authors"] == [{"name": entry.author_detail.name, "url": entry.author_detail.href}]
            section = {"en": "World", "ru": "Мир", "kk": "Әлем"}[item["language"]]
            assert item["tags"][0] == entry.tags[0].label == section  # the section's name in the entry's language
            assert item["date_published"] == entry.published
    assert json.loads((built / "lang/ru.json").read_text())["language"] == "ru"


def test_rss_twins_parse_cleanly_with_the_atom_entries(built: Path) -> None:
    for feed in subscription_feeds(built):
        # The same ids and texts; feedparser (slow) reads the two that hold every entry of every language.
        check_rss(built / f"{feed}.rss", built / f"{feed}.atom", read=feed in ("all", "lang/ru"))
        root = etree.parse(str(built / f"{feed}.rss")).getroot()
        atom = etree.parse(str(built / f"{feed}.atom")).getroot()
        assert root.xpath("channel/item/title/text()") == atom.xpath("a:entry/a:title/text()", namespaces={"a": ATOM[1:-1]})
        self_link = root.find(f"channel/{ATOM}link[@rel='self']")
        assert self_link is not None and self_link.get("href") == f"{BASE}{feed}.rss"
        assert {guid.get("isPermaLink") for guid in root.iterfind("channel/item/guid")} == {"false"}
    english = etree.parse(str(built / "lang/en.rss")).getroot()
    assert english.findtext("channel/language") == "en"
    mixed = etree.parse(str(built / "all.rss")).getroot()
    assert [item.findtext(f"{DC}language") for item in mixed.iterfind("channel/item")].count("ru") == 4


def test_opml_lists_exactly_the_feeds_that_exist(built: Path) -> None:
    opml = etree.parse(str(built / "feeds.opml")).getroot()
    assert opml.get("version") == "2.0" and opml.findtext("head/title") == "Enbekshi QazaQ: news feeds"
    listed = [outline.get("xmlUrl") for outline in opml.iter("outline") if outline.get("xmlUrl")]
    assert sorted(listed) == sorted(f"{BASE}{feed}.atom" for feed in subscription_feeds(built))
    english = next(o for o in opml.iter("outline") if o.get("xmlUrl") == f"{BASE}lang/en.atom")
    assert english.get("type") == "rss" and english.get("language") == "en" and english.get("htmlUrl")


def test_index_lists_every_feed_with_counts_headlines_and_addresses(built: Path) -> None:
    page = html.parse(str(built / "index.html")).getroot()
    assert page.get("lang") == "en"
    rows = {row.get("id"): row for row in page.iter("tr") if row.get("id")}
    assert sorted(rows) == sorted(subscription_feeds(built))
    everything = rows["all"]
    assert everything.findtext("td") == "39"
    assert everything.xpath("td[2]")[0].text_content() == "Inter-Religious Council of Kenya is interested in developing cooperation with Kazakhstan"
    assert everything.xpath(".//input/@value") == [f"{BASE}all.atom"]
    mfa = rows["agency/mfa"]
    assert mfa.xpath("th/a")[0].text_content() == "Ministry of Foreign Affairs of Kazakhstan" and mfa.findtext("td") == "11"
    discovery = page.xpath("//link[@rel='alternate']/@href")
    assert discovery == ["all.atom", "lang/en.atom", "lang/ru.atom"]
    assert not page.xpath("//script") and not [src for src in page.xpath("//@src")]
    assert not [href for href in page.xpath("//a/@href | //link/@href") if href.startswith(("http:", "https:", "//"))]


def test_index_is_localised(built: Path) -> None:
    kazakh = html.parse(str(built / "index.kk.html")).getroot()
    assert kazakh.get("lang") == "kk" and kazakh.xpath("//h2/text()")[:2] == ["Тілдер бойынша", "Бөлімдер бойынша"]
    assert "ҚР Сыртқы істер министрлігі" in kazakh.text_content()
    russian = html.parse(str(built / "index.ru.html")).getroot()
    assert "Министерство иностранных дел РК" in russian.text_content() and "Все новости" in russian.text_content()


def walk(out: Path, feed: str, form: str = "atom") -> tuple[list[str], list[Path]]:
    """A small RFC 5005 client: the subscription document, then `prev-archive` links to the end
    (JSON Feed: `next_url`), in one format."""
    seen, documents = [], []
    url: str | None = f"{BASE}{feed}.{form}"
    while url:
        path = out / url.removeprefix(BASE)
        documents.append(path)
        if form == "json":
            data = json.loads(path.read_text(encoding="utf-8"))
            assert data["feed_url"] == f"{BASE}{feed}.json" and ("hubs" in data) == (len(documents) == 1 and "hubs" in data)
            seen.extend(item["id"] for item in data["items"])
            url = data.get("next_url")
            continue
        root = etree.parse(str(path)).getroot()
        head = root if form == "atom" else root.find("channel")
        is_archive = head.find(f"{HISTORY}archive") is not None
        assert is_archive == (len(documents) > 1)
        if is_archive:
            assert head.find(f"{ATOM}link[@rel='current']").get("href") == f"{BASE}{feed}.{form}"
        if form == "atom":
            seen.extend(entry.findtext(f"{ATOM}id") for entry in root.iterfind(f"{ATOM}entry"))
        else:
            seen.extend(item.findtext("guid") for item in head.iterfind("item"))
        previous = head.find(f"{ATOM}link[@rel='prev-archive']")
        url = None if previous is None else previous.get("href")
    return seen, documents


def stored_ids(out: Path, feed: str) -> list[str]:
    """Every entry of a feed, newest first, from a build that keeps everything in one document."""
    return [entry.findtext(f"{ATOM}id") for entry in etree.parse(str(out / f"{feed}.atom")).getroot().iterfind(f"{ATOM}entry")]


@pytest.mark.parametrize("form", ["atom", "rss", "json"])
@pytest.mark.parametrize("feed", ["all", "category/world", "agency/mfa"])
def test_archive_walk_sees_every_entry_exactly_once_newest_to_oldest(archived: Path, built: Path, feed: str, form: str) -> None:
    seen, documents = walk(archived, feed, form)
    assert seen == stored_ids(built, feed)
    assert len(documents) == len(walk(archived, feed)[1])


def test_every_rss_archive_page_says_what_its_atom_twin_says(archived: Path) -> None:
    for page in sorted((archived / "archive").rglob("*.rss"), key=str):
        check_rss(page, page.with_suffix(".atom"), read=page.stem == "1")  # feedparser (slow) reads each first page
        items = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))["items"]
        assert [item["id"] for item in items] == stored_ids(page.parent, page.stem)


def texts(document: Path) -> dict[str, str | None]:
    """Each entry's text (its HTML) in any of the three formats (None: no text), by id: Atom's
    `content`, RSS's `content:encoded`, JSON Feed's `content_html`. Read with lxml: how readers take
    these documents is `check_atom`'s and `check_rss`'s part (feedparser, five times slower)."""
    if document.suffix == ".json":
        return {item["id"]: item.get("content_html") for item in json.loads(document.read_text(encoding="utf-8"))["items"]}
    root = etree.parse(str(document)).getroot()
    if document.suffix == ".atom":
        return {entry.findtext(f"{ATOM}id"): entry.findtext(f"{ATOM}content") for entry in root.iterfind(f"{ATOM}entry")}
    return {item.findtext("guid"): item.findtext(f"{CONTENT}encoded") for item in root.iterfind("channel/item")}


def test_archived_entries_are_brief_and_subscription_documents_carry_every_text(archived: Path, built: Path) -> None:
    """By default an archived entry identifies and describes its article; its page holds the text."""
    whole = {entry.id: entry for entry in feedparser.parse(str(built / "all.atom")).entries}
    for form in ("atom", "rss", "json"):
        _, (current, *pages) = walk(archived, "all", form)
        assert any(texts(current).values())
        for page in pages:
            assert set(texts(page).values()) == {None}, page
    for entry in feedparser.parse(str(archived / "archive/all/1.atom")).entries:
        assert entry.summary == whole[entry.id].summary and entry.title == whole[entry.id].title
        assert [link.rel for link in entry.links] == [link.rel for link in whole[entry.id].links]
        assert entry.author == whole[entry.id].author and entry.tags == whole[entry.id].tags
    item = json.loads((archived / "archive/all/1.json").read_text(encoding="utf-8"))["items"][0]
    assert item["content_text"] == whole[item["id"]].summary


def test_archives_content_full_puts_the_text_in_every_archived_entry(tmp_path: Path, built: Path, archived: Path) -> None:
    out = copy_project(archived, tmp_path, ("retention:", "archives:\n  content: full\nretention:"))
    for form in ("atom", "rss", "json"):
        whole = texts(built / f"all.{form}")
        seen, documents = walk(out, "all", form)
        assert seen == stored_ids(built, "all")
        for page in documents[1:]:
            found = texts(page)
            assert found == {key: whole[key] for key in found} and any(found.values()), page
    for document in sorted((out / "archive").rglob("*.atom"), key=str):
        check_atom(document, BASE + str(document.relative_to(out)), read=False)  # the texts are read above


def test_archive_pages_link_both_ways_and_full_pages_are_left_alone(tmp_path: Path, archived: Path) -> None:
    out = copy_project(archived, tmp_path)
    pages = sorted((out / "archive/all").glob("*.atom"), key=lambda p: int(p.stem))
    assert [p.name for p in pages] == ["1.atom", "2.atom", "3.atom", "4.atom", "5.atom"]
    for older, newer in pairwise(pages):
        assert etree.parse(str(older)).getroot().find(f"{ATOM}link[@rel='next-archive']").get("href") == f"{BASE}archive/all/{newer.name}"
    every = sorted((out / "archive/all").iterdir())
    before = {p: p.stat().st_mtime_ns for p in every}
    (tmp_path / "seeds/010_new.txt").write_text(dump(
        ("Kazakhstan opens a consulate in Osaka 01.03.2026", "The consulate will serve citizens in western Japan."),
    ))
    assert run_feeds("build", cwd=tmp_path).returncode == 0
    after = {p: p.stat().st_mtime_ns for p in every}
    assert [p.name for p in every if before[p] != after[p]] == ["5.atom", "5.json", "5.rss"]
    for form in ("atom", "rss", "json"):
        seen, _ = walk(out, "all", form)
        assert len(seen) == len(set(seen)) == 40 and seen[0] != seen[-1]


def test_a_revision_of_a_recent_entry_keeps_every_chain_whole(tmp_path: Path) -> None:
    """A changed entry leaves its place in the subscription document for the head: no archive
    page may be planned from sequence numbers still in the subscription document."""
    out = make_project(tmp_path / "a", ("max_entries: 50", "max_entries: 5\n  archive_page_size: 3"))
    fresh = shutil.copytree(tmp_path / "a", tmp_path / "b", symlinks=True) / "out"  # the original seeds' build
    seed = next(path for path in (tmp_path / "a/seeds").iterdir() if "Snow Landing" in path.read_text())
    seed.write_text(seed.read_text().replace("took place.", "took place, revised."))
    result = run_feeds("build", cwd=tmp_path / "a")
    assert result.returncode == 0 and "held back" not in result.stdout, result.stdout + result.stderr
    for feed in ("all", "topic/regions", "agency/kostanay"):
        for form in ("atom", "rss", "json"):
            seen, _ = walk(out, feed, form)
            assert len(seen) == len(set(seen)) and set(seen) == set(walk(fresh, feed, form)[0]), (feed, form)


EXPECTED_TOPICS = {
    "Inter-Religious Council of Kenya is interested in developing cooperation with Kazakhstan": {"foreign-affairs"},
    "NEW CONSTITUTION: IMPROVING THE WELFARE OF THE PEOPLE": {"constitution"},
    "The Minister of Defense presented the Sarbaz+ project to members of Parliament in Almaty": set(),
    "Kazakhstan and Mexico Discussed the Priorities of Foreign Policy Cooperation and the Progress of Reforms in Kazakhstan":
        {"foreign-affairs", "constitution"},
    "Международное рейтинговое агентство S&P подтвердило суверенный кредитный рейтинг Республики Казахстан на уровне «BBB-», "
    "сохранив прогноз «Позитивный»": {"economy-trade"},
    "The first stage of the RK Figure Skating Cup has ended in Shymkent": {"sport"},
    "National championship among snipers begins in Shymkent": {"sport"},
    "Shymkent: Maslikhat deputies met with residents of Enbekshy district": {"constitution", "regions"},
    "Almaty Aport enters export: QazTrade and producers sign memorandum": {"economy-trade"},
    "CONSTITUTIONAL REFORMS – THE PATH TO STRONG PARLIAMENTARISM": {"constitution"},
    "Planned power outage": {"regions"},
    "President Tokayev held a series of meetings in Davos": {"foreign-affairs"},
    "The President presented the State Flag to members of the national teams participating in the Winter Olympic Games and "
    "Paralympics": {"sport"},
    "Working Meeting Held at the Department of the Penal Enforcement System of Astana with the Participation of the Head of "
    "the Probation Service Supervision Directorate": set(),
}


def test_topics_on_seed_articles_match_expectations_written_by_hand(built: Path) -> None:
    topics = {}
    for path in (built / "topic").glob("*.atom"):
        for entry in feedparser.parse(str(path)).entries:
            topics.setdefault(entry.title, set()).add(path.stem)
    wrong = {title: (topics.get(title, set()), expected) for title, expected in EXPECTED_TOPICS.items()
             if topics.get(title, set()) != expected}
    assert wrong == {}
    # Precision over every topic given to a seed article, each judged by hand: 37 of 37 are right.
    assert sum(len(found) for found in topics.values()) == 37


def test_agencies_get_readable_titles_and_embassies_roll_up_to_the_ministry(built: Path) -> None:
    mfa = feedparser.parse(str(built / "agency/mfa.atom"))
    assert mfa.feed.title == "Enbekshi QazaQ: Ministry of Foreign Affairs of Kazakhstan"
    links = {entry.link.split("/entities/")[1].split("/")[0] for entry in mfa.entries}
    assert links == {"mfa", "mfa-nairobi", "mfa-ashgabat", "mfa-brussels", "mfa-mexico", "mfa-helsinki", "mfa-athens",
                     "mfa-islamabad", "mfa-washington"}
    nairobi = feedparser.parse(str(built / "agency/mfa-nairobi.atom"))
    assert nairobi.feed.title == "Enbekshi QazaQ: Embassy of Kazakhstan in Kenya" and len(nairobi.entries) == 2
    assert feedparser.parse(str(built / "agency/duisastana.atom")).feed.title.endswith("Penal Enforcement Department of Astana")


def test_an_unnamed_agency_falls_back_to_its_slug(tmp_path: Path, built: Path) -> None:
    out = copy_project(built, tmp_path, ("  mod: {name: {en: Ministry of Defence, ru: Министерство обороны РК, kk: ҚР Қорғаныс министрлігі}}\n", ""))
    assert feedparser.parse(str(out / "agency/mod.atom")).feed.title == "Enbekshi QazaQ: mod"


def test_changing_topic_rules_reclassifies_and_withdraws_a_topic(tmp_path: Path, built: Path) -> None:
    out = copy_project(built, tmp_path)
    assert (out / "topic/sport.atom").exists()
    config = tmp_path / "config.yaml"
    text = config.read_text()
    start = text.index("  - slug: sport")
    end = text.index("  - slug: regions")
    config.write_text(text[:start] + text[end:])
    result = run_feeds("build", cwd=tmp_path)
    assert result.returncode == 0 and "4 reclassified" in result.stdout
    assert not (out / "topic/sport.atom").exists() and not (out / "topic/sport.json").exists()
    assert "topic/sport.atom" not in (out / "feeds.opml").read_text() and "topic-sport" not in (out / "index.html").read_text()
    entry = next(e for e in feedparser.parse(str(out / "all.atom")).entries if e.title.startswith("National championship"))
    assert [tag.term for tag in entry.tags] == ["world"]


def transform(document: Path, stylesheet: Path) -> etree._Element:
    return etree.XSLT(etree.parse(str(stylesheet)))(etree.parse(str(document))).getroot()


def test_stylesheet_renders_every_kind_of_feed_and_shows_markup_as_text(tmp_path: Path, archived: Path) -> None:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds/001_markup.txt").write_text(dump(
        ("A <b>bold</b> claim & <script>alert(1)</script> 02.03.2026", "Body with <i>tags</i> & S&P.Source : https://www.gov.kz/x"),
    ))
    shutil.copytree(tmp_path / "seeds", tmp_path / "p/seeds")
    out = copy_project(archived, tmp_path / "p")
    stylesheet = out / "assets/feed.xsl"
    for document in (out / "all.atom", out / "all.rss", out / "archive/all/1.atom", out / "archive/all/1.rss"):
        first = document.read_bytes().split(b"\n", 2)[1]
        assert first.startswith(b'<?xml-stylesheet type="text/xsl" href="') and b"assets/feed.xsl" in first
        page = transform(document, stylesheet)
        assert page.tag == "html" and page.findtext("head/title").startswith("Enbekshi QazaQ: all news")
        links = page.xpath("//article/h2/a/@href")
        assert len(links) == len(page.xpath("//article/h2")) and all(
            href.startswith(("https://www.gov.kz/", BASE + "articles/")) for href in links)
    for document in (out / "all.atom", out / "all.rss"):
        page = transform(document, stylesheet)
        first = page.xpath("//article")[0]
        assert first.xpath("string(h2)") == "A <b>bold</b> claim & <script>alert(1)</script>"
        assert "Body with <i>tags</i> & S&P." in first.xpath("string(p[2])")
        assert not page.xpath("//b") and not page.xpath("//i") and not page.xpath("//body//script")
        assert "copy its address into a feed reader" in page.xpath("string(//p[@class='subscribe'])")
    for document in (out / "archive/all/1.atom", out / "archive/all/1.rss"):
        archive = transform(document, stylesheet)
        assert "archive of older entries" in archive.xpath("string(//p[@class='subscribe'])")
        assert archive.xpath("//nav[@class='archive']/a/text()") == ["Newer entries"]


def test_a_feed_page_speaks_the_feed_language_and_shows_dates_alone(built: Path) -> None:
    stylesheet = built / "assets/feed.xsl"
    atom, rss = (transform(built / f"lang/ru.{form}", stylesheet) for form in ("atom", "rss"))
    for page in (atom, rss):
        assert page.get("lang") == "ru"
        assert page.xpath("string(//p[@class='subscribe'])").startswith("Это лента новостей. Чтобы подписаться")
    # The same words and dates from both formats: the day as the dump gives it, no time of day.
    assert atom.xpath("//article//time/text()") == rss.xpath("//article//time/text()")
    assert atom.xpath("//article//time/@datetime") == rss.xpath("//article//time/@datetime")
    first = atom.xpath("//article//time")[0]
    assert re.fullmatch(r"\d{1,2} (января|февраля|марта) 2026 г\.", first.text) and len(first.get("datetime")) == 10
    english = transform(built / "lang/en.rss", stylesheet)
    assert re.fullmatch(r"\d{1,2} (January|February|March) 2026", english.xpath("//article//time")[0].text)
    assert english.xpath("//article/p[@class='meta']")[0].xpath("string(.)").count(" · ") >= 2  # agency, section
