"""Real clients against `feeds serve` on 127.0.0.1: Debian's headless Chromium and newsboat."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser
import pytest
from conftest import ROOT, dump, new_project, run_feeds
from lxml import html
from test_serve import Served, start_serving, stop_serving

pytestmark = pytest.mark.slow  # real browsers and feed readers
HOSTILE = "A <b>bold</b> claim & <script>alert(1)</script> in Astana"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium")
NEWSBOAT = shutil.which("newsboat")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The seeds plus one article whose title is markup, published and served."""
    project = new_project(tmp_path_factory.mktemp("clients"))
    (project / "seeds/009_hostile.txt").write_text(dump((f"{HOSTILE} 02.03.2026", "The akimat of Astana published <i>this</i> text.")))
    assert run_feeds("build", cwd=project).returncode == 0
    server = start_serving(project)
    yield server
    stop_serving(server)


def browse(url: str, profile: Path, screenshot: str | None = None) -> html.HtmlElement:
    """The DOM Chromium builds for `url` (scripts run, fetches settle), and optionally a screenshot."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (.ci/run installs Debian's chromium)")
    base = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=5000"]
    if screenshot:
        ARTIFACTS.mkdir(exist_ok=True)
        subprocess.run([*base, "--window-size=1200,900", f"--screenshot={ARTIFACTS / screenshot}", url],
                       capture_output=True, timeout=120, check=True)
        assert (ARTIFACTS / screenshot).stat().st_size > 10_000
    result = subprocess.run([*base, "--dump-dom", url], capture_output=True, timeout=120, check=True)
    return html.fromstring(result.stdout)


def assert_shown_as_text(page: html.HtmlElement) -> None:
    assert HOSTILE in page.text_content()
    assert not page.xpath("//b") and not page.xpath("//body//script[contains(., 'alert')]")


def test_browser_shows_the_index(served: Served, tmp_path: Path) -> None:
    page = browse(f"http://127.0.0.1:{served.port}/", tmp_path, "index.png")
    assert page.findtext(".//h1") == "Enbekshi QazaQ: news feeds"
    row = page.get_element_by_id("all")
    assert row.xpath("td[2]")[0].text_content() == HOSTILE and row.findtext("td") == "40"
    assert len(page.xpath("//tr[@id]")) == 29
    assert_shown_as_text(page)


def test_browser_shows_a_feed_as_a_page(served: Served, tmp_path: Path) -> None:
    page = browse(f"http://127.0.0.1:{served.port}/all.atom", tmp_path, "feed-all.png")
    assert page.findtext(".//h1") == "Enbekshi QazaQ: all news"
    headings = page.xpath("//article/h2")
    assert len(headings) == 40 and headings[0].text_content() == HOSTILE
    links = page.xpath("//article/h2/a/@href")
    assert len(links) == 40 and all(href.startswith(("https://www.gov.kz/memleket/entities/", "http://127.0.0.1:8080/articles/"))
                                    for href in links)
    assert "http://127.0.0.1:8080/all.atom" in page.xpath("string(//p[@class='subscribe'])")
    assert_shown_as_text(page)


def test_browser_shows_an_embed_page(served: Served, tmp_path: Path) -> None:
    page = browse(f"http://127.0.0.1:{served.port}/embed/lang/en.html", tmp_path, "embed-en.png")
    items = page.xpath("//li")
    assert len(items) == 10 and items[0].text_content().startswith(HOSTILE)
    assert items[1].xpath("a/@href")[0].startswith("https://www.gov.kz/") and items[1].xpath("a/@target") == ["_top"]
    assert not page.xpath("//script") and not page.xpath("//@src")
    assert_shown_as_text(page)


def test_browser_runs_the_widget_on_another_site(served: Served, tmp_path: Path) -> None:
    site = tmp_path / "partner"
    site.mkdir()
    feeds = f"http://127.0.0.1:{served.port}"
    (site / "host.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Partner site</title></head><body>\n'
        "<h1>Partner site</h1>\n"
        f'<div id="headlines" data-feed="{feeds}/lang/en.json" data-limit="5"></div>\n'
        f'<script src="{feeds}/assets/widget.js"></script>\n</body></html>\n'
    )
    partner = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(site)))
    threading.Thread(target=partner.serve_forever, daemon=True).start()
    try:
        page = browse(f"http://127.0.0.1:{partner.server_address[1]}/host.html", tmp_path / "profile", "widget.png")
    finally:
        partner.shutdown()
        partner.server_close()
    widget = page.get_element_by_id("headlines")
    assert widget.get("data-feed-state") == "loaded"
    items = widget.xpath(".//li")
    # Each headline links to the article's page (JSON Feed's `url`), which links on to gov.kz.
    assert len(items) == 5 and items[0].xpath("string(a)") == HOSTILE
    assert all(item.xpath("a/@href")[0].startswith("http://127.0.0.1:8080/articles/") for item in items)
    assert items[1].get("lang") == "en"
    assert widget.findtext(".//p") == "Enbekshi QazaQ: news in English"
    assert_shown_as_text(page)


def newsboat(home: Path, urls: list[str]) -> subprocess.CompletedProcess[str]:
    if NEWSBOAT is None:
        pytest.skip("newsboat is not installed (.ci/run installs Debian's newsboat)")
    (home / "urls").write_text("\n".join(urls) + "\n")
    (home / "config").write_text("")
    return subprocess.run(
        [NEWSBOAT, "-u", str(home / "urls"), "-c", str(home / "cache.db"), "-C", str(home / "config"), "-x", "reload"],
        env={"HOME": str(home), "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=120,
        check=False,
    )


def test_newsboat_reads_every_entry_and_then_gets_304(served: Served, tmp_path: Path) -> None:
    feeds = [f"http://127.0.0.1:{served.port}/lang/en.atom", f"http://127.0.0.1:{served.port}/lang/ru.rss"]
    assert newsboat(tmp_path, feeds).returncode == 0
    with sqlite3.connect(tmp_path / "cache.db") as cache:
        stored = {(feed, title, url) for feed, title, url in cache.execute("SELECT feedurl, title, url FROM rss_item")}
    expected = set()
    for feed in feeds:
        for entry in feedparser.parse(str(served.project / "out" / feed.split("/", 3)[3])).entries:
            link = next((l.href for l in entry.get("links", []) if l.rel == "alternate"), "")
            expected.add((feed, entry.title, link))
    assert stored == expected and len(stored) == 36 + 4
    log_before = served.log.read_text().count('" 304 ')
    # newsboat 2.21 stores the validators only after its second fetch (newsboat issue #2734).
    for _ in range(2):
        assert newsboat(tmp_path, feeds).returncode == 0
    log = served.log.read_text()
    assert log.count('"GET /lang/en.atom HTTP/1.1" 304') >= 1 and log.count('"GET /lang/ru.rss HTTP/1.1" 304') >= 1
    assert log.count('" 304 ') >= log_before + 2


def test_newsboat_imports_the_opml_with_every_feed(served: Served, tmp_path: Path) -> None:
    if NEWSBOAT is None:
        pytest.skip("newsboat is not installed (.ci/run installs Debian's newsboat)")
    (tmp_path / "urls").write_text("")
    (tmp_path / "config").write_text("")
    result = subprocess.run(
        [NEWSBOAT, "-u", str(tmp_path / "urls"), "-c", str(tmp_path / "cache.db"), "-C", str(tmp_path / "config"),
         "-i", str(served.project / "out/feeds.opml")],
        env={"HOME": str(tmp_path), "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"}, capture_output=True, text=True,
        timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    imported = {line.split()[0] for line in (tmp_path / "urls").read_text().splitlines() if line.strip()}
    published = {f"http://127.0.0.1:8080/{p.relative_to(served.project / 'out')}"
                 for p in (served.project / "out").rglob("*.atom") if "archive" not in p.parts}
    assert imported == published and len(imported) == 29
