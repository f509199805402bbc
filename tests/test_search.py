"""The search index: shards planned (pure), built only when their pages change, left alone by a run
that changed nothing, removed by `--no-search`; and, in headless Chromium from a plain static
server, queries in each language that find what they should and filters that narrow them."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from conftest import ROOT, SMALL_DUMP, dump, project_config, run_feeds
from test_clients import ARTIFACTS, KAZAKH, chromium, wait
from test_serve import free_port, listening

from feeds import search, search_bundle
from feeds.collation import sort_key
from feeds.layout import TEMP_PREFIX
from feeds.models import SearchShard
from feeds.search import FIRST_PAGES, MERGE_AFTER, TOP_LEVEL, Change, capacity, plan
from feeds.store import Store


def shard(name: str, language: str, pages: int, level: int = 0, sealed: bool = False) -> SearchShard:
    return SearchShard(name, language, level, pages, sealed, False, 1, f"{name}-1")


def test_new_pages_join_the_open_first_level_shard_of_their_language() -> None:
    planned = plan([Change(1, "en", None), Change(2, "ru", None), Change(3, "en", None)], [shard("en-1", "en", 10)])
    assert planned.assigned == [(1, "en-1"), (2, "ru-1"), (3, "en-1")]
    assert (planned.shards["en-1"].pages, planned.shards["en-1"].dirty) == (12, True)
    assert (planned.shards["ru-1"].pages, planned.shards["ru-1"].level, planned.shards["ru-1"].bundle) == (1, 0, "")


def test_a_full_shard_takes_no_more_pages() -> None:
    planned = plan([Change(1, "en", None), Change(2, "en", None)], [shard("en-1", "en", FIRST_PAGES - 1)])
    assert planned.assigned == [(1, "en-1"), (2, "en-2")] and planned.shards["en-1"].sealed


def test_enough_full_shards_of_a_level_become_one_of_the_next_up_to_the_top() -> None:
    full = [shard(f"en-{n}", "en", FIRST_PAGES, sealed=True) for n in range(1, MERGE_AFTER)]
    below_top = [shard(f"en-{n}", "en", capacity(TOP_LEVEL - 1), TOP_LEVEL - 1, True) for n in range(10, 10 + MERGE_AFTER - 1)]
    top = [shard(f"en-{n}", "en", capacity(TOP_LEVEL), TOP_LEVEL, True) for n in range(20, 20 + MERGE_AFTER)]
    planned = plan([Change(n, "en", None) for n in range(FIRST_PAGES)], [*full, *below_top, *top, shard("en-99", "en", 0)])
    levels = sorted((s.level, s.pages) for s in planned.shards.values())
    # Five full first-level shards became one of the second level, which made five there: one of the top.
    assert levels == [(TOP_LEVEL, capacity(TOP_LEVEL))] * (MERGE_AFTER + 1)
    assert len(planned.merged) == 2 * MERGE_AFTER and {"en-1", "en-99", "en-10"} <= set(planned.dropped)
    assert sum(s.dirty for s in planned.shards.values()) == 1  # only the new top-level shard is built


def test_a_changed_page_dirties_only_its_shard_and_a_removed_one_leaves_it() -> None:
    shards = [shard("en-1", "en", 2), shard("en-2", "en", 1), shard("ru-1", "ru", 5)]
    planned = plan([Change(1, "en", "en-1"), Change(2, None, "en-2")], shards)
    assert [name for name, s in planned.shards.items() if s.dirty] == ["en-1"]
    assert planned.unassigned == [2] and planned.dropped == ["en-2"] and planned.shards["en-1"].pages == 2


# Long enough for its script to tell its language: lingua's models (0.4 s to load) are not needed.
SCHOOL = ("Школа рассчитана на 600 учеников и открылась в понедельник. В ней есть спортивный зал, библиотека, "
          "столовая и кабинеты робототехники; учителя прошли обучение летом, а родители помогли подготовить классы "
          "к началу занятий. Директор поблагодарила строителей.")


def files_of(folder: Path) -> dict[Path, tuple[bytes, int]]:
    return {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture(scope="session")
def searched_small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small project (two English articles, one Russian) published with the search on, once
    per test process."""
    folder = tmp_path_factory.mktemp("searched-small")
    (folder / "seeds").mkdir()
    (folder / "seeds/001_small.txt").write_text(SMALL_DUMP, encoding="utf-8")
    (folder / "config.yaml").write_text(project_config(search=True))
    result = run_feeds("build", cwd=folder)
    assert result.returncode == 0 and "search index: 2 shards built (3 pages)" in result.stdout, result.stdout
    return folder


@pytest.fixture
def searched(searched_small: Path, tmp_path: Path) -> Path:
    """A copy of that build with the search on, for one test to change."""
    shutil.copytree(searched_small, tmp_path, dirs_exist_ok=True, symlinks=True)
    return tmp_path


@pytest.mark.slow  # Pagefind's process
def test_a_build_publishes_a_shard_per_language_and_search_pages_linked_from_the_index(searched: Path) -> None:
    out = searched / "out"
    manifest = json.loads((out / "pagefind/shards.json").read_text())
    assert manifest == {"first_pages": 2_500, "shards": [
        {"language": "en", "bundle": "pagefind/en-1-1/", "pages": 2, "newest": manifest["shards"][0]["newest"]},
        {"language": "ru", "bundle": "pagefind/ru-1-1/", "pages": 1, "newest": manifest["shards"][1]["newest"]}]}
    assert manifest["shards"][0]["newest"].startswith("2026-02-20T")
    for shard in manifest["shards"]:
        assert (out / shard["bundle"] / "pagefind-entry.json").is_file() and (out / shard["bundle"] / "pagefind-ui.js").is_file()
    for index, page in (("index.html", "search.html"), ("index.ru.html", "search.ru.html"), ("index.kk.html", "search.kk.html")):
        assert f'href="{page}"' in (out / index).read_text() and (out / page).is_file()
    assert '"placeholder": "Іздеу"' in (out / "search.kk.html").read_text()


@pytest.mark.slow  # Pagefind's process
def test_a_run_that_changed_nothing_leaves_the_index_untouched(searched: Path) -> None:
    before = files_of(searched / "out/pagefind")
    time.sleep(0.01)
    result = run_feeds("build", cwd=searched)
    assert result.returncode == 0 and "search index" not in result.stdout
    assert files_of(searched / "out/pagefind") == before


@pytest.mark.slow  # Pagefind's process
def test_a_new_dump_rebuilds_only_the_shard_of_its_pages(searched: Path) -> None:
    out = searched / "out"
    english = files_of(out / "pagefind/en-1-1")
    (searched / "seeds/010_ru.txt").write_text(dump(("Новая школа открылась в Шымкенте 03.03.2026",
                                                     SCHOOL)))
    result = run_feeds("build", cwd=searched)
    assert "search index: 1 shards built (2 pages)" in result.stdout
    assert not (out / "pagefind/ru-1-1").exists() and (out / "pagefind/ru-1-2/pagefind-entry.json").is_file()
    assert files_of(out / "pagefind/en-1-1") == english
    assert [shard["bundle"] for shard in json.loads((out / "pagefind/shards.json").read_text())["shards"]] == [
        "pagefind/en-1-1/", "pagefind/ru-1-2/"]


@pytest.mark.slow  # Pagefind's process
def test_no_search_removes_the_index_and_its_pages_and_the_next_build_brings_them_back(searched: Path) -> None:
    out = searched / "out"
    assert run_feeds("build", "--no-search", cwd=searched).returncode == 0
    assert not (out / "pagefind").exists() and not list(out.glob("search*.html"))
    assert "search.html" not in (out / "index.html").read_text()
    result = run_feeds("build", cwd=searched)
    assert "search index: 2 shards built (3 pages)" in result.stdout and (out / "search.html").is_file()


@pytest.mark.slow  # Pagefind's process
def test_a_shard_that_cannot_be_built_is_named_and_built_by_the_next_run(searched: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (searched / "seeds/010_ru.txt").write_text(dump(("Новая школа открылась в Шымкенте 03.03.2026", SCHOOL)))
    known = search.signature()  # the same Pagefind as far as the store can tell, but failing
    monkeypatch.setattr(search, "pagefind", lambda: Path("/bin/false"))
    monkeypatch.setattr(search, "signature", lambda: known)
    result = run_feeds("build", cwd=searched)
    assert result.returncode == 0 and "search index ru-1: search shard not built: could not be built (pagefind exited with 1" in result.stderr
    assert (searched / "out/pagefind/ru-1-1").is_dir()  # the last good build stays published
    status = run_feeds("status", cwd=searched).stdout
    assert "search index: pages changed since it was last complete are still to be indexed" in status
    assert "search shards not built: 1\n  search index ru-1: could not be built" in status
    check = run_feeds("status", "--check", cwd=searched)
    assert check.returncode == 1 and "1 search shard not built" in check.stdout
    complete_before = re.search(r"^search index complete: (.+)$", status, re.MULTILINE)
    monkeypatch.undo()
    assert "search index: 1 shards built (2 pages)" in run_feeds("build", cwd=searched).stdout
    status = run_feeds("status", cwd=searched).stdout
    assert "still to be indexed" not in status and "search shards not built: 0" in status
    complete = re.search(r"^search index complete: (.+)$", status, re.MULTILINE)
    assert complete_before and complete and complete.group(1) >= complete_before.group(1) != "never"


@pytest.mark.slow  # Pagefind's process
def test_a_manifest_left_half_written_by_a_killed_run_is_swept(searched: Path) -> None:
    left = searched / f"out/pagefind/{TEMP_PREFIX}shards.json.4242_1ab"
    left.write_text('{"shards": [')
    (searched / "seeds/010_ru.txt").write_text(dump(("Новая школа открылась в Шымкенте 03.03.2026", SCHOOL)))
    assert run_feeds("build", cwd=searched).returncode == 0
    assert not left.exists() and json.loads((searched / "out/pagefind/shards.json").read_text())["shards"]


@pytest.mark.slow  # Pagefind's process
def test_another_pagefind_binary_builds_every_shard_again(searched: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "signature", lambda: "another Pagefind")
    assert "search index: 2 shards built (3 pages)" in run_feeds("build", cwd=searched).stdout
    assert sorted(path.name for path in (searched / "out/pagefind").iterdir()) == ["en-1-1", "ru-1-1", "shards.json"]


@pytest.fixture(scope="module")
def static_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The seeds and one Kazakh article, published with search, served by Python's plain static
    server: the search needs nothing from `feeds serve`."""
    project = tmp_path_factory.mktemp("search-site")
    shutil.copytree(Path(__file__).parent.parent / "seeds", project / "seeds")
    (project / "seeds/010_kazakh.txt").write_text(dump((f"{KAZAKH} 01.03.2026",
        "Облыс әкімдігінің хабарлауынша, жаңа мектеп қыркүйекте оқушыларын қабылдайды.")))
    (project / "seeds/011_kazakh.txt").write_text(dump((f"{INFLECTED} 02.03.2026",
        "Облыстағы ауруханаларға жаңа жабдықтар әкелінді. Мектептерге де көмек көрсетілді.")))
    (project / "config.yaml").write_text(project_config(search=True))
    assert run_feeds("build", cwd=project).returncode == 0
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(project / "out")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert listening(port)
    yield f"http://127.0.0.1:{port}/"
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One Chromium for the module (a start costs a second)."""
    driver = chromium(tmp_path_factory.mktemp("chromium"), size="1200,1000")
    yield driver
    driver.quit()  # type: ignore[attr-defined]


def results(driver: object, page: str, query: str) -> tuple[list[str], str]:
    """The result titles and the message Pagefind's search box shows for `query`, given in the
    address (`?q=`, as a link to a search does; typed in: the Kazakh test)."""
    driver.get(page + ("&" if "?" in page else "?") + urlencode({"q": query}))  # type: ignore[attr-defined]
    return settled(driver, query)


PAGE_SIZE = 5  # results Pagefind's UI draws before "Load more"
SEARCHING = ("Searching for {}...", "Поиск по запросу: {}", "{} ізделуде...")  # what it says before it has an answer
SHOWN = """return {
  message: Array.from(document.querySelectorAll(".pagefind-ui__message"), (m) => m.innerText.trim()).join(" "),
  results: document.querySelectorAll(".pagefind-ui__result").length,
  loading: document.querySelectorAll(".pagefind-ui__loading").length,
  titles: Array.from(document.querySelectorAll(".pagefind-ui__result-title"), (t) => t.innerText.trim())};"""


def settled(driver: object, query: str, after: str = "") -> tuple[list[str], str]:
    """The result titles and the message once Pagefind has answered `query` (a message that is not
    "searching", nor `after`, the one before a filter was chosen) and drawn every result it shows:
    the first page of the count in the message, none a loading placeholder. Read in one script, so
    never from a half-redrawn list."""
    def answered(d: Any) -> dict[str, Any] | None:
        shown = d.execute_script(SHOWN)
        message = shown["message"]
        if query not in message or message == after or message in (words.format(query) for words in SEARCHING):
            return None
        count = re.search(r"\d+", message.replace(query, ""))
        drawn = shown["results"] == min(int(count.group()) if count else 0, PAGE_SIZE) and not shown["loading"]
        return shown if drawn else None

    shown = wait(driver, answered)
    return shown["titles"], shown["message"]


INFLECTED = "Жетісудағы ауруханалардың құрылысы басталды"  # аурухана, құрылыс: only inflected


# A stem as written, an inflected word, one in quotes and a comma, a capital, several words: what the
# page's script does differently. Which stem each inflection has is `test_stemming.py`'s to check.
KAZAKH_QUERIES = ["аурухана", "ауруханалары", "«ауруханада»,", "Жетісуда", "мектептерге жабдықтар"]


@pytest.mark.slow
def test_a_kazakh_query_finds_the_other_inflections_of_its_words(static_site: str, browser: object) -> None:
    """Pagefind has no Kazakh stemmer: Kazakh pages are indexed as written, and each Kazakh query
    word is cut to its stem (`stemming.STEM_PATTERN`), which Pagefind matches as a prefix. The
    queries are typed one after another into one page, as a reader refines a search."""
    from selenium.webdriver.common.by import By

    titles, message = results(browser, static_site + "search.kk.html", KAZAKH_QUERIES[0])
    assert INFLECTED in titles, (KAZAKH_QUERIES[0], titles)
    box = browser.find_element(By.CSS_SELECTOR, ".pagefind-ui__search-input")  # type: ignore[attr-defined]
    for query in KAZAKH_QUERIES[1:]:
        box.clear()
        box.send_keys(query)
        titles, message = settled(browser, query, after=message)
        assert INFLECTED in titles, (query, titles)


README_QUERIES = re.search(r"search\.html> \(try ([^)]*)\)", (ROOT / "README.md").read_text(encoding="utf-8"))


SEED_ANSWERS = {  # what each query the README suggests finds in the bundled seeds
    "Kenya": "Inter-Religious Council of Kenya is interested in developing cooperation with Kazakhstan",
    "агентства": "Международное рейтинговое агентство S&P подтвердило суверенный кредитный рейтинг",
    "Жумангарин": "Серик Жумангарин встретился с бизнесом Западно-Казахстанской области",
}


@pytest.mark.slow
@pytest.mark.parametrize("query", re.findall(r"`([^`]+)`", README_QUERIES.group(1)) if README_QUERIES else ["missing"])
def test_each_query_the_readme_suggests_finds_its_article_of_the_bundled_seeds(static_site: str, browser: object,
                                                                               query: str) -> None:
    assert query in SEED_ANSWERS, f"the README suggests {query!r}: say here what it finds"
    titles, _ = results(browser, static_site + "search.html", query)
    assert any(title.startswith(SEED_ANSWERS[query][:60]) for title in titles), (query, titles)


@pytest.mark.slow
@pytest.mark.parametrize(("page", "query", "expected"), [
    ("search.html", "Kenya", "Inter-Religious Council of Kenya is interested in developing cooperation with Kazakhstan"),
    ("search.ru.html", "рейтинг", "Международное рейтинговое агентство S&P подтвердило суверенный кредитный рейтинг"),
    ("search.kk.html", "мектеп", KAZAKH),
])
def test_a_query_in_each_language_finds_its_article(static_site: str, browser: object, page: str, query: str,
                                                    expected: str) -> None:
    titles, _ = results(browser, static_site + page, query)
    assert any(title.startswith(expected[:60]) for title in titles), titles
    titles, message = results(browser, static_site + page, "qwzxvbnmoo")
    assert titles == [] and "qwzxvbnmoo" in message


@pytest.mark.slow
def test_filters_narrow_the_results_and_a_result_leads_to_its_page(static_site: str, browser: object) -> None:
    from selenium.webdriver.common.by import By

    def count(message: str) -> int:  # "12 results for Kazakhstan": only the first page of titles is drawn
        return int(message.split()[0])

    _, message = results(browser, static_site + "search.html", "Kazakhstan")
    browser.find_element(By.XPATH, "//summary[contains(., 'Topic')]").click()  # type: ignore[attr-defined]
    browser.find_element(By.XPATH, "//label[contains(., 'Foreign affairs')]").click()  # type: ignore[attr-defined]
    narrowed, narrower = settled(browser, "Kazakhstan", after=message)
    assert 0 < count(narrower) < count(message) and narrowed
    metas = [tags.text for tags in browser.find_elements(By.CSS_SELECTOR, ".pagefind-ui__result-tags")]  # type: ignore[attr-defined]
    assert metas and all(re.search(r"Date: \d{1,2} (January|February|March) 2026", meta) for meta in metas), metas
    assert any("Issued by: Embassy of Kazakhstan in" in meta for meta in metas), metas
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "search.png"))  # type: ignore[attr-defined]
    browser.find_element(By.CSS_SELECTOR, ".pagefind-ui__result-link").click()  # type: ignore[attr-defined]
    assert "/articles/" in browser.current_url and browser.find_element(By.TAG_NAME, "h1").text in narrowed  # type: ignore[attr-defined]


FILTER_NAMES = {"search.ru.html": {"Язык", "Раздел", "Ведомство", "Тема", "Год"},
                "search.kk.html": {"Тіл", "Бөлім", "Мекеме", "Тақырып", "Жыл"}}


@pytest.mark.slow
@pytest.mark.parametrize(("page", "query", "group", "value", "labels", "date", "agency"), [
    ("search.ru.html", "Kazakhstan", "Тема", "Внешняя политика", ("Дата:", "Ведомство:"), r"Дата: \d{1,2} [а-я]+ 2026 г\.",
     "Ведомство: Посольство РК в "),
    ("search.kk.html", "Kazakhstan", "Мекеме", "ҚР-ның Түрікменстандағы елшілігі", ("Күні:", "Жариялаған мекеме:"),
     r"Күні: 2026 жылғы \d{1,2} [а-яәғқңөұүһі]+", "Жариялаған мекеме: ҚР-ның Түрікменстандағы елшілігі"),
])
def test_the_search_box_names_its_filters_values_and_labels_in_the_page_language(
        static_site: str, browser: object, page: str, query: str, group: str, value: str, labels: tuple[str, str],
        date: str, agency: str) -> None:
    """Pagefind shows its keys as indexed (`agency`, `Foreign affairs`): in English on every page
    until the page's own words replaced them."""
    from selenium.webdriver.common.by import By

    _, message = results(browser, static_site + page, query)
    shown = browser.execute_script("""return {
      names: Array.from(document.querySelectorAll(".pagefind-ui__filter-name"), (n) => n.textContent.trim()),
      legends: Array.from(document.querySelectorAll(".pagefind-ui__filter-group-label"), (n) => n.textContent.trim()),
      values: Array.from(document.querySelectorAll(".pagefind-ui__filter-label"), (n) => n.textContent.trim())};""")  # type: ignore[attr-defined]
    assert set(shown["names"]) == set(shown["legends"]) == FILTER_NAMES[page], shown
    english = ("Foreign affairs", "Ministry of", "Embassy of", "Akimat of", "World (")
    assert not [shown for shown in shown["values"] if shown.startswith(english)], shown["values"]
    agencies = [re.sub(r" \(\d+\)$", "", label) for label in browser.execute_script(  # type: ignore[attr-defined]
        "return Array.from(document.querySelectorAll('.pagefind-ui__filter-value input[name=agency] + label'), (l) => l.textContent.trim())")]
    language = page.split(".")[1]
    assert len(agencies) > 5 and agencies == sorted(agencies, key=lambda name: sort_key(name, language)), agencies
    browser.find_element(By.XPATH, f"//summary[. = '{group}']").click()  # type: ignore[attr-defined]
    browser.find_element(By.XPATH, f"//label[starts-with(., '{value} (')]").click()  # type: ignore[attr-defined]
    narrowed, narrower = settled(browser, query, after=message)  # the renamed value still filters
    assert narrowed and narrower != message
    metas = [tags.text for tags in browser.find_elements(By.CSS_SELECTOR, ".pagefind-ui__result-tags")]  # type: ignore[attr-defined]
    assert metas and all(labels[0] in meta for meta in metas) and any(labels[1] in meta for meta in metas), metas
    assert all(re.search(date, meta) for meta in metas) and any(agency in meta for meta in metas), metas  # their words too
    english = ("Embassy of", "Ministry of", "Akimat of")
    assert not [meta for meta in metas if any(f"{labels[1]} {name}" in meta for name in english)], metas


def test_the_manifest_lists_the_newest_shards_of_each_language_first() -> None:
    shards = [replace(shard("en-1", "en", 500, 1, True), newest="2026-01-31"), replace(shard("en-7", "en", 40), newest="2026-03-02"),
              replace(shard("ru-2", "ru", 100, 0, True), newest="2026-02-10"), replace(shard("en-6", "en", 100, 0, True),
                                                                                          newest="2026-03-01")]
    assert [s.name for s in search.reading_order(shards)] == ["en-7", "en-6", "en-1", "ru-2"]


@pytest.mark.slow
def test_a_first_query_searches_the_newest_shards_and_the_older_ones_on_request(
        tmp_path: Path, browser: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """Shards of 3 pages and a top level of 15: the seeds' 35 English articles make shards of 2, 3,
    15 and 15 pages, and a first query searches the newest 20 (the shards that reach 15 pages)."""
    from selenium.webdriver.common.by import By

    monkeypatch.setattr(search, "FIRST_PAGES", 3)
    monkeypatch.setattr(search, "TOP_LEVEL", 1)
    shutil.copytree(Path(__file__).parent.parent / "seeds", tmp_path / "seeds")
    (tmp_path / "config.yaml").write_text(project_config(search=True))
    assert run_feeds("build", cwd=tmp_path).returncode == 0
    manifest = json.loads((tmp_path / "out/pagefind/shards.json").read_text())
    english = [entry["pages"] for entry in manifest["shards"] if entry["language"] == "en"]
    assert manifest["first_pages"] == 15 and english == [2, 3, 15, 15]
    with closing(sqlite3.connect(tmp_path / "state/feeds.sqlite3")) as db:
        (oldest,) = db.execute("SELECT title FROM articles WHERE language = 'en' ORDER BY published_us, id LIMIT 1").fetchone()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(tmp_path / "out")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert listening(port)
        titles, _ = results(browser, f"http://127.0.0.1:{port}/search.html", oldest)
        assert not any(title.startswith(oldest[:60]) for title in titles), titles
        notice = browser.find_element(By.ID, "older")  # type: ignore[attr-defined]
        assert notice.is_displayed() and "(15)" in notice.text
        notice.find_element(By.TAG_NAME, "a").click()
        assert "all=1" in browser.current_url  # type: ignore[attr-defined]
        titles, _ = settled(browser, oldest)
        assert any(title.startswith(oldest[:60]) for title in titles), titles
        assert not browser.find_element(By.ID, "older").is_displayed()  # type: ignore[attr-defined]
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.slow
@pytest.mark.parametrize("lost", ["pagefind-entry.json", "pagefind.js", "pagefind-ui.css"])
def test_a_disk_that_fills_up_inside_pagefind_never_publishes_a_broken_bundle(
        searched: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lost: str) -> None:
    """Pagefind's writes of one file fail with ENOSPC (strace injects it): Pagefind still exits
    0, leaving that file empty. The bundle is checked before the manifest names it: the shard is
    held back, the last good bundle stays named, the next run builds it."""
    strace = shutil.which("strace")
    if strace is None:
        pytest.skip("strace is not installed (.ci/run installs Debian's strace)")
    real, known = search.pagefind(), search.signature()
    building = searched / f"out/pagefind/{TEMP_PREFIX}ru-1-2/{lost}"
    wrapper = tmp_path / "pagefind-on-a-full-disk"
    wrapper.write_text(f'#!/bin/sh\nexec {strace} -f -qq -o /dev/null -P {building} -e trace=write,pwrite64,writev '
                       f'-e inject=write,pwrite64,writev:error=ENOSPC {real} "$@"\n')
    wrapper.chmod(0o755)
    (searched / "seeds/010_ru.txt").write_text(dump(("Новая школа открылась в Шымкенте 03.03.2026", SCHOOL)))
    monkeypatch.setattr(search, "pagefind", lambda: wrapper)
    monkeypatch.setattr(search, "signature", lambda: known)
    result = run_feeds("build", cwd=searched)
    assert result.returncode == 0 and "search index ru-1: search shard not built:" in result.stderr
    assert '"bundle": "pagefind/ru-1-1/"' in (searched / "out/pagefind/shards.json").read_text()  # the last good one
    search_bundle.verify(searched / "out/pagefind/ru-1-1")
    assert run_feeds("status", "--check", cwd=searched).returncode == 1
    monkeypatch.undo()
    assert "search index: 1 shards built (2 pages)" in run_feeds("build", cwd=searched).stdout
    assert run_feeds("status", "--check", cwd=searched).returncode == 0


@pytest.mark.slow  # Pagefind's process
def test_a_manifest_that_cannot_be_written_stops_the_run_with_exit_3_naming_it(searched: Path) -> None:
    (searched / "seeds/010_ru.txt").write_text(dump(("Новая школа открылась в Шымкенте 03.03.2026", SCHOOL)))
    manifest = searched / "out/pagefind/shards.json"
    manifest.unlink()
    manifest.mkdir()  # something in its place that no file can replace
    result = run_feeds("build", cwd=searched)
    assert result.returncode == 3 and f"cannot write {manifest}: Is a directory" in result.stderr
    assert "internal error" not in result.stderr
    check = run_feeds("status", "--check", cwd=searched)
    assert check.returncode == 1 and "incomplete: the last run stopped while building the search index" in check.stdout
    manifest.rmdir()
    assert run_feeds("build", cwd=searched).returncode == 0 and run_feeds("status", "--check", cwd=searched).returncode == 0


@pytest.mark.slow  # Pagefind's process
def test_no_search_lets_go_of_every_shard_held_back(searched: Path) -> None:
    store = Store(searched / "state/feeds.sqlite3")
    with store.transaction():
        store.held.hold("search index en-1", "search shard", "could not be built (x)", "s", 0.0)
    assert run_feeds("build", "--no-search", cwd=searched).returncode == 0
    assert store.held.all() == [] and run_feeds("status", "--check", "--no-search", cwd=searched).returncode == 0


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_the_search_page_fits_a_phone_and_a_desktop_and_is_pictured(static_site: str, browser: object, language: str) -> None:
    """The search page's screenshots beside the other page kinds' (`test_clients.py`), with results
    and the filters open, at 390 and 1280 pixels; nothing wider than the screen."""
    from test_clients import SCREENS

    page = "search.html" if language == "en" else f"search.{language}.html"
    for screen, (width, height) in SCREENS.items():
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",  # type: ignore[attr-defined]
                                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": screen == "phone"})
        try:
            results(browser, static_site + page, "Kazakhstan")
            browser.execute_script("document.querySelectorAll('details').forEach((d) => d.open = true)")  # type: ignore[attr-defined]
            assert browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth") <= 1  # type: ignore[attr-defined]
            ARTIFACTS.mkdir(exist_ok=True)
            assert browser.save_screenshot(str(ARTIFACTS / f"search-{language}-{width}.png"))  # type: ignore[attr-defined]
        finally:
            browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})  # type: ignore[attr-defined]
