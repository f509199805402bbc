"""WebSub publishing against a real HTTP server on 127.0.0.1 acting as the hub."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser
import pytest
from conftest import ATOM, BASE, dump, run_feeds
from lxml import etree

from feeds.run import build
from feeds.settings import load_settings


class Hub(ThreadingHTTPServer):
    """Records every publish ping; can be told to fail or to answer slowly."""

    daemon_threads = True
    request_queue_size = 64  # the publisher's 8 pings at once: socketserver's 5 drops connections (a 1 s SYN retry)

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), HubRequest)
        self.pings: list[dict[str, list[str]]] = []
        self.status = 204
        self.delay = 0.0
        self.during: Callable[[], object] | None = None  # done while a ping is held, before it is answered
        self.busy = 0  # requests being answered now
        self.most_busy = 0
        self.counting = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hub"

    def topics(self) -> list[str]:
        return sorted(url for ping in self.pings for url in ping["hub.url"])


class HubRequest(BaseHTTPRequestHandler):
    server: Hub

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        form = urllib.parse.parse_qs(self.rfile.read(length).decode("ascii"))
        with self.server.counting:
            self.server.busy += 1
            self.server.most_busy = max(self.server.most_busy, self.server.busy)
        time.sleep(self.server.delay)
        if self.server.during is not None:
            self.server.during()
        with self.server.counting:
            self.server.busy -= 1
        if self.server.status < 300:
            assert self.headers["Content-Type"] == "application/x-www-form-urlencoded"
            self.server.pings.append(form)
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """The hub's own request log would only clutter the test output."""


@pytest.fixture
def hub() -> Iterator[Hub]:
    server = Hub()
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def with_hub(project: Path, url: str, timeout: float = 5) -> None:
    config = project / "config.yaml"
    text = config.read_text().replace("websub:\n  hub:\n  timeout_seconds: 5", f"websub:\n  hub: {url}\n  timeout_seconds: {timeout}")
    config.write_text(text)


def subscription_urls(out: Path, feeds: list[str]) -> list[str]:
    return sorted(f"{BASE}{feed}{suffix}" for feed in feeds for suffix in (".atom", ".json", ".rss"))


def every_feed(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out))[:-5] for p in out.rglob("*.atom") if "archive" not in p.parts)


NEW_DUMP = dump(("Kazakhstan opens a consulate in Osaka 01.03.2026", "The consulate will serve citizens in western Japan."))


def test_feeds_name_the_hub_and_the_hub_hears_of_exactly_the_changed_feeds(small: Path, hub: Hub) -> None:
    project = small  # ten feeds, thirty documents to announce
    with_hub(project, hub.url)
    first = run_feeds("build", cwd=project)
    assert first.returncode == 0 and "WebSub hub: 30 notified, 0 to retry, 0 given up" in first.stdout
    out = project / "out"
    assert all(ping["hub.mode"] == ["publish"] and len(ping["hub.url"]) == 1 for ping in hub.pings)
    assert hub.topics() == subscription_urls(out, every_feed(out))
    atom = etree.parse(str(out / "lang/en.atom")).getroot()
    assert [link.get("href") for link in atom.iterfind(f"{ATOM}link[@rel='hub']")] == [hub.url]
    rss = etree.parse(str(out / "lang/en.rss")).getroot()
    assert [link.get("href") for link in rss.iterfind(f"channel/{ATOM}link[@rel='hub']")] == [hub.url]
    assert rss.find(f"channel/{ATOM}link[@rel='self']") is not None
    assert json.loads((out / "lang/en.json").read_text())["hubs"] == [{"type": "WebSub", "url": hub.url}]
    assert feedparser.parse(str(out / "lang/en.atom")).bozo == 0
    hub.pings.clear()
    (project / "seeds/010_new.txt").write_text(NEW_DUMP)
    assert run_feeds("build", cwd=project).returncode == 0
    assert hub.topics() == subscription_urls(out, ["all", "category/world", "category/world/en", "lang/en"])
    hub.pings.clear()
    assert run_feeds("build", cwd=project).returncode == 0
    assert hub.pings == []


def test_a_hub_that_is_down_never_fails_publishing_and_is_retried_later(small: Path, hub: Hub) -> None:
    project = small  # ten feeds, thirty documents to announce
    with_hub(project, hub.url)
    settings = load_settings(project / "config.yaml")
    hub.status = 503
    start = time.time()
    report = build(settings, now=lambda: start)
    assert report.articles_new == 3 and (project / "out/all.atom").exists()
    assert report.hub_notified == 0 and report.hub_deferred == 30
    assert build(settings, now=lambda: start + 10).hub_deferred == 0  # backing off: not due yet
    hub.status = 204
    retried = build(settings, now=lambda: start + 31)
    assert retried.hub_notified == 30 and len(hub.pings) == 30
    assert build(settings, now=lambda: start + 3600).hub_notified == 0


@pytest.mark.slow  # a real hub that answers late: seconds of waiting
def test_a_slow_hub_is_cut_off_by_the_timeout(project: Path, hub: Hub) -> None:
    with_hub(project, hub.url, timeout=0.5)
    hub.delay = 3
    started = time.monotonic()
    result = run_feeds("build", cwd=project)
    assert result.returncode == 0 and "WebSub hub: 0 notified, 87 to retry, 0 given up" in result.stdout
    assert time.monotonic() - started < 6
    assert "hub unreachable" in result.stderr and (project / "out/all.atom").exists()


def test_an_unreachable_hub_is_given_up_after_max_attempts(small: Path, hub: Hub) -> None:
    project = small  # ten feeds, thirty documents to announce
    port = hub.server_address[1]
    hub.shutdown()
    hub.server_close()
    with_hub(project, f"http://127.0.0.1:{port}/hub")
    config = project / "config.yaml"
    config.write_text(config.read_text().replace("max_attempts: 8", "max_attempts: 2"))
    settings = load_settings(config)
    start = time.time()
    first = build(settings, now=lambda: start)
    assert (first.hub_notified, first.hub_deferred, first.hub_given_up) == (0, 30, 0)
    second = build(settings, now=lambda: start + 31)
    assert (second.hub_deferred, second.hub_given_up) == (0, 30)
    assert build(settings, now=lambda: start + 10_000).hub_given_up == 0  # nothing left to try


def test_a_hub_answering_garbage_is_retried_like_one_that_is_down(small: Path) -> None:
    project = small  # ten feeds, thirty documents to announce
    import socket
    garbage = socket.socket()
    garbage.bind(("127.0.0.1", 0))
    garbage.listen()

    def answer() -> None:
        while True:
            try:
                connection, _ = garbage.accept()
            except OSError:
                return
            connection.recv(65536)
            connection.sendall(b"NONSENSE\r\n\r\n")
            connection.close()

    threading.Thread(target=answer, daemon=True).start()
    with_hub(project, f"http://127.0.0.1:{garbage.getsockname()[1]}/hub")
    try:
        result = run_feeds("build", cwd=project)
    finally:
        garbage.close()
    assert result.returncode == 0 and "hub answered nonsense" in result.stderr and "30 to retry" in result.stdout


def test_changing_only_hub_timeouts_rewrites_nothing(small: Path, hub: Hub) -> None:
    project = small  # ten feeds, thirty documents to announce
    with_hub(project, hub.url)
    assert run_feeds("build", cwd=project).returncode == 0
    config = project / "config.yaml"
    config.write_text(config.read_text().replace("timeout_seconds: 5", "timeout_seconds: 7").replace("max_attempts: 8", "max_attempts: 3"))
    result = run_feeds("build", cwd=project)
    assert result.returncode == 0 and "output files: 0 written, 0 unchanged" in result.stdout


@pytest.mark.slow  # a real hub that answers late: seconds of waiting
def test_a_slow_hub_is_pinged_in_parallel_and_a_round_is_time_bounded(small: Path, hub: Hub,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    project = small  # ten feeds, thirty documents to announce
    with_hub(project, hub.url)
    hub.delay = 0.05
    assert run_feeds("build", cwd=project).returncode == 0
    assert len(hub.pings) == 30 and hub.most_busy == 8  # eight at a time, not one by one
    from feeds import websub
    monkeypatch.setattr(websub, "ROUND_SECONDS", 0.2)
    hub.pings.clear()
    hub.delay = 0.3
    (project / "seeds/010_new.txt").write_text(NEW_DUMP)
    settings = load_settings(project / "config.yaml")
    report = build(settings)
    assert report.hub_notified == 8 and report.hub_deferred == 0  # one wave, then the rest waits, counting no attempt
    assert build(settings).hub_notified == 4


def test_a_feed_announced_again_while_its_ping_is_under_way_is_pinged_again(hub: Hub, small: Path) -> None:
    """Delivery runs outside the run lock: another run may announce the same feed while its ping
    is on the wire. That announcement is not lost with the first one's queue row."""
    project = small  # ten feeds, thirty documents to announce
    from feeds.store import Store
    from feeds.websub import deliver

    with_hub(project, hub.url)
    settings = load_settings(project / "config.yaml")
    topic = BASE + "all.atom"
    store = Store(settings.paths.state)
    store.websub.enqueue([topic])
    # While the ping is at the hub, the other run (its own connection) announces the feed again.
    hub.during = lambda: Store(settings.paths.state).websub.enqueue([topic])
    delivery = deliver(store, settings.websub, time.time())
    assert delivery.sent == [topic] and [url for url, _, _ in store.websub.due(time.time())] == [topic]
    hub.during = None
    assert deliver(store, settings.websub, time.time()).sent == [topic] and store.websub.due(time.time()) == []
