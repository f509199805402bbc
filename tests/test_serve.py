"""`feeds serve` on 127.0.0.1, spoken to over real HTTP connections: one real process for the tests
that only read, a server in this process for the tests that change what is published."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import feedparser
import pytest
from conftest import dump, run_feeds, wait_for

from feeds import serve
from feeds.daemon import ConfigWatch, health
from feeds.layout import TEMP_PREFIX
from feeds.settings import load_settings
from feeds.write import write_if_changed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    """A real `feeds serve` process (or, for `Local`, a server in this process)."""

    project: Path
    port: int
    process: subprocess.Popen[str] | None
    log: Path | None

    def request(self, method: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, {name.lower(): value for name, value in response.getheaders()}, body


def start_serving(project: Path, *extra: str, port: int | None = None) -> Served:
    """A real `feeds serve` on a free port, the project's `feeds.base_url` made to name it (as
    `feeds serve` demands when the base is this machine), its /healthz listener on another free
    port: the default, the next port up, may be another test process's server."""
    port = port or free_port()
    if "--health-port" not in extra:
        extra = (*extra, "--health-port", str(free_port()))
    config = project / "config.yaml"
    config.write_text(re.sub(r"base_url: http://127\.0\.0\.1:\d+/", f"base_url: http://127.0.0.1:{port}/", config.read_text()))
    log = project / "serve.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "feeds", "serve", "--port", str(port), *extra], cwd=project,
        stdout=subprocess.DEVNULL, stderr=log.open("w"), text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    if listening(port):
        return Served(project, port, process, log)
    process.kill()
    raise AssertionError(log.read_text())


def listening(port: int, seconds: float = 20) -> bool:
    """Whether something accepts connections on 127.0.0.1:`port` within `seconds`."""
    def accepts() -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0
    return wait_for(accepts, seconds)


def stop_serving(served: Served) -> None:
    assert served.process is not None and served.log is not None
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=30) == 0, served.log.read_text()


@dataclass
class Local(Served):
    """A server in this process, on a real socket: for tests that change what is published."""

    server: serve.FeedServer | None = None


@pytest.fixture
def served(built_seeds: Path, tmp_path: Path) -> Iterator[Served]:
    """A copy of one build of the seeds (per test process), served from this process."""
    project = shutil.copytree(built_seeds, tmp_path / "project", symlinks=True)
    config = project / "config.yaml"
    settings = load_settings(config)
    current = ConfigWatch(settings, config, lambda: load_settings(config))
    server = serve.start_server(project / "out", "127.0.0.1", 0, settings.serve.cache_control, lambda: health(current))
    yield Local(project, server.port, None, None, server)
    server.shutdown()


@pytest.fixture(scope="module")
def shared(built_seeds: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server in this process, on a real socket, over a copy of one build of the seeds, for
    the tests that only read (the real `feeds serve` process is started by the slow tests)."""
    project = shutil.copytree(built_seeds, tmp_path_factory.mktemp("served") / "project", symlinks=True)
    server = serve.start_server(project / "out", "127.0.0.1", 0, load_settings(project / "config.yaml").serve.cache_control)
    yield Local(project, server.port, None, None, server)
    server.shutdown()


@pytest.fixture(scope="module")
def real(built_seeds: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A real `feeds serve` process over a copy of one build of the seeds, for the slow tests."""
    project = shutil.copytree(built_seeds, tmp_path_factory.mktemp("real") / "project", symlinks=True)
    server = start_serving(project)
    yield server
    stop_serving(server)


@pytest.mark.parametrize(("path", "content_type", "cross_origin"), [
    ("/all.atom", "application/atom+xml; charset=utf-8", True),
    ("/lang/en.rss", "application/rss+xml; charset=utf-8", True),
    ("/lang/en.json", "application/feed+json; charset=utf-8", True),
    ("/feeds.opml", "text/x-opml; charset=utf-8", True),
    ("/", "text/html; charset=utf-8", False),
    ("/index.ru.html", "text/html; charset=utf-8", False),
    ("/embed/all.html", "text/html; charset=utf-8", False),
    ("/assets/feed.xsl", "text/xsl; charset=utf-8", False),
    ("/assets/widget.js", "text/javascript; charset=utf-8", False),
    ("/favicon.ico", "image/x-icon", False),
    ("/archive/all/1.atom", None, None),
])
def test_types_validators_caching_and_cors(shared: Served, path: str, content_type: str | None, cross_origin: bool | None) -> None:
    status, headers, body = shared.request("GET", path)
    if content_type is None:
        assert status == 404  # the default config keeps all 39 entries in the subscription document
        return
    assert status == 200 and headers["content-type"] == content_type
    target = shared.project / "out" / (path.lstrip("/") or "index.html")
    assert body == target.read_bytes() and headers["content-length"] == str(len(body))
    assert headers["etag"].startswith('"') and not headers["etag"].startswith("W/")
    assert headers["last-modified"] and headers["cache-control"] == "public, max-age=300"
    assert ("access-control-allow-origin" in headers) == cross_origin
    if cross_origin:
        assert headers["access-control-allow-origin"] == "*"


def test_conditional_requests_get_304_until_the_feed_changes(served: Served) -> None:
    _, headers, _ = served.request("GET", "/lang/en.atom")
    status, again, body = served.request("GET", "/lang/en.atom", {"If-None-Match": headers["etag"]})
    assert status == 304 and body == b"" and again["etag"] == headers["etag"]
    assert served.request("GET", "/lang/en.atom", {"If-Modified-Since": headers["last-modified"]})[0] == 304
    assert served.request("GET", "/lang/en.atom", {"If-None-Match": '"other", ' + headers["etag"]})[0] == 304
    assert served.request("GET", "/lang/en.atom", {"If-None-Match": '"other"'})[0] == 200
    (served.project / "seeds/010_new.txt").write_text(dump(("Kazakhstan opens a consulate in Osaka 01.03.2026", "Text.")))
    assert run_feeds("build", cwd=served.project).returncode == 0
    status, changed, body = served.request("GET", "/lang/en.atom", {"If-None-Match": headers["etag"]})
    assert status == 200 and changed["etag"] != headers["etag"] and b"Osaka" in body
    # Feeds this dump did not touch keep their validators.
    assert served.request("GET", "/lang/ru.atom", {"If-None-Match": served.request("GET", "/lang/ru.atom")[1]["etag"]})[0] == 304


def test_gzip_on_request_with_its_own_etag(shared: Served) -> None:
    plain = shared.request("GET", "/all.atom")
    status, headers, body = shared.request("GET", "/all.atom", {"Accept-Encoding": "br;q=1, gzip;q=0.8"})
    assert status == 200 and headers["content-encoding"] == "gzip" and headers["vary"] == "Accept, Accept-Encoding"
    assert gzip.decompress(body) == plain[2] and headers["etag"] != plain[1]["etag"]
    assert shared.request("GET", "/all.atom", {"Accept-Encoding": "gzip", "If-None-Match": headers["etag"]})[0] == 304
    assert "content-encoding" not in shared.request("GET", "/all.atom", {"Accept-Encoding": "gzip;q=0"})[1]


def test_head_and_other_methods(shared: Served) -> None:
    status, headers, body = shared.request("HEAD", "/all.atom")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 1000
    for method in ("POST", "PUT", "DELETE", "OPTIONS", "PATCH"):
        status, headers, _ = shared.request(method, "/all.atom")
        assert status == 405 and headers["allow"] == "GET, HEAD"


def test_nothing_outside_out_is_ever_served(shared: Served, tmp_path: Path) -> None:
    out = shared.project / "out"
    secret = tmp_path / "secret.atom"
    secret.write_text("secret")
    (out / "leak.atom").symlink_to(secret)
    (out / "store.atom").symlink_to(shared.project / "state/feeds.sqlite3")
    (out / f"lang/{TEMP_PREFIX}en.atom.x").write_text("half")
    (out / "notes.txt").write_text("not a published kind of file")
    for path in ("/../config.yaml", "/%2e%2e/config.yaml", "/%2E%2E%2Fconfig.yaml", "/lang/..%2f..%2fconfig.yaml",
                 "//etc/passwd", "/etc/passwd", "/leak.atom", "/store.atom", f"/lang/{TEMP_PREFIX}en.atom.x", "/notes.txt",
                 "/state/feeds.sqlite3", "/..%5c..%5cconfig.yaml", "/all.atom%00.html", "/missing.atom"):
        status, _, body = shared.request("GET", path)
        assert status == 404 and b"secret" not in body and b"SQLite" not in body, path


@pytest.mark.slow
def test_binds_to_loopback_by_default(real: Served) -> None:
    assert real.log is not None
    log = real.log
    # The line is written once both listeners are bound, a moment after the port first accepts.
    assert wait_for(lambda: f"serving {real.project / 'out'} on http://127.0.0.1:{real.port}/" in log.read_text(), 10)


@pytest.mark.slow
def test_concurrent_clients_always_get_a_whole_feed_while_it_is_rewritten(served: Served) -> None:
    target = served.project / "out/all.atom"
    versions = [target.read_bytes(), target.read_bytes().replace(b"all news", b"every news item")]
    assert not any(feedparser.parse(version).bozo for version in versions)  # so any whole version is a good feed
    failures: list[str] = []
    stop = threading.Event()

    def writer() -> None:
        turn = 0
        while not stop.is_set():
            write_if_changed(target, versions[turn % 2])
            turn += 1

    def reader() -> None:
        for _ in range(15):
            status, _, body = served.request("GET", "/all.atom")
            if status != 200 or body not in versions:
                failures.append(f"{status} {len(body)}")

    writing = threading.Thread(target=writer)
    writing.start()
    readers = [threading.Thread(target=reader) for _ in range(8)]
    for thread in readers:
        thread.start()
    for thread in readers:
        thread.join(timeout=60)
    stop.set()
    writing.join()
    assert failures == []


@pytest.mark.slow
def test_serve_with_watch_publishes_and_serves_in_one_process(project: Path) -> None:
    server = start_serving(project, "--watch", "--interval", "3600")
    try:
        assert wait_for(lambda: server.request("GET", "/all.atom")[0] == 200, 30)
        (project / "seeds/010_new.txt").write_text(dump(("Kazakhstan opens a consulate in Osaka 01.03.2026", "Text.")))
        assert wait_for(lambda: b"Osaka" in server.request("GET", "/all.atom")[2], 15)
    finally:
        stop_serving(server)


def test_odd_requests_get_plain_answers(shared: Served) -> None:
    assert shared.request("GET", "/" + "a" * 300 + ".atom")[0] == 404
    smuggled = b"GET /all.atom HTTP/1.1\r\nHost: x\r\n\r\n"
    with socket.create_connection(("127.0.0.1", shared.port), timeout=10) as raw:
        raw.sendall(b"POST /all.atom HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(smuggled), smuggled))
        answer = b""
        while chunk := raw.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 405") and answer.count(b"HTTP/1.1 ") == 1 and b"Connection: close" in answer


def test_only_a_browser_navigation_gets_the_feed_as_a_page(shared: Served) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    status, headers, body = shared.request("GET", "/lang/ru.atom", {"Accept": browser})
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8" and b"<article" in body
    for reader in ("*/*", "application/atom+xml, text/html;q=0.5", "application/xml, text/html"):
        assert shared.request("GET", "/lang/ru.atom", {"Accept": reader})[1]["content-type"].startswith("application/atom+xml")


@pytest.mark.slow  # 500 connections at once
def test_five_hundred_concurrent_connections_are_all_answered(real: Served) -> None:
    async def fetch() -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", real.port)
        writer.write(b"GET /lang/ru.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        await writer.drain()
        response = await reader.read()
        writer.close()
        return int(response.split(b" ", 2)[1])

    async def burst() -> list[int | BaseException]:
        return await asyncio.wait_for(asyncio.gather(*(fetch() for _ in range(500)), return_exceptions=True), 60)

    answers = asyncio.run(burst())
    assert answers == [200] * 500


@pytest.fixture
def quick_timeouts(built_seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """A server in this process, over a copy of one build of the seeds, whose request deadline is a
    tenth of a second, not ten."""
    project = shutil.copytree(built_seeds, tmp_path / "project", symlinks=True)
    monkeypatch.setattr(serve, "REQUEST_SECONDS", 0.1)
    server = serve.start_server(project / "out", "127.0.0.1", 0, "no-cache")
    yield server.port
    server.shutdown()


def test_idle_and_slow_connections_are_closed_after_the_request_deadline(quick_timeouts: int) -> None:
    idle = socket.create_connection(("127.0.0.1", quick_timeouts), timeout=5)
    slow = socket.create_connection(("127.0.0.1", quick_timeouts), timeout=5)
    started = time.monotonic()
    for piece in (b"GET /all.atom HTTP/1.1\r\n", b"Host: x\r\n", b"X-Slow: 1\r\n", b"X-Slow: 2\r\n"):
        try:
            slow.sendall(piece)
        except OSError:
            break
        time.sleep(0.06)  # each piece well within a per-read timeout; all of them past the deadline
    assert idle.recv(1024) == b"" and slow.recv(1024) == b""  # closed by the server, not answered
    assert time.monotonic() - started < 3
    idle.close()
    slow.close()


def test_healthz_answers_the_status_check_verdict_as_json(served: Served) -> None:
    status, headers, body = served.request("GET", "/healthz")
    verdict = json.loads(body)
    assert status == 200 and headers["content-type"] == "application/json; charset=utf-8"
    assert verdict["healthy"] is True and verdict["problems"] == [] and headers["cache-control"] == "no-store"
    (served.project / "seeds/006_binary.txt").write_bytes(b"\x00\x01" * 10)
    assert run_feeds("build", cwd=served.project).returncode == 0
    status, _, body = served.request("GET", "/healthz")
    assert status == 503 and json.loads(body)["problems"] == ["1 file rejected"]


def test_a_future_if_modified_since_is_ignored_and_a_request_body_closes_the_connection(served: Served) -> None:
    status, _, _ = served.request("GET", "/all.atom", {"If-Modified-Since": "Fri, 31 Dec 9999 23:59:59 GMT"})
    assert status == 200
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as raw:
        raw.sendall(b"GET /all.atom HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nGET /\r\n0\r\n\r\n")
        answer = b""
        while chunk := raw.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200") and answer.count(b"HTTP/1.1 ") == 1 and b"Connection: close" in answer


def test_a_file_in_out_that_is_not_a_feed_is_sent_as_it_is_to_a_browser(served: Served) -> None:
    (served.project / "out/broken.atom").write_text("not xml at all")
    status, headers, body = served.request("GET", "/broken.atom", {"Accept": "text/html"})
    assert status == 200 and body == b"not xml at all" and headers["content-type"].startswith("application/atom+xml")


@pytest.mark.slow
@pytest.mark.built
def test_serves_on_ipv6_loopback(project: Path) -> None:
    try:
        server = serve.start_server(project / "out", "::1", 0, "no-cache")
    except OSError as exc:
        pytest.skip(f"no IPv6 loopback here: {exc}")
    try:
        connection = http.client.HTTPConnection("::1", server.port, timeout=10)
        connection.request("GET", "/all.atom")
        assert connection.getresponse().status == 200
    finally:
        server.shutdown()


def test_a_stop_closes_idle_keep_alive_connections_at_once(tmp_path: Path) -> None:
    """A feed reader's idle keep-alive connection has no answer under way: a stop does not wait
    `STOP_SECONDS` for it (before, every stop with one open took the whole two seconds)."""
    (tmp_path / "all.atom").write_text("<feed/>")
    server = serve.start_server(tmp_path, "127.0.0.1", 0, "no-cache")
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", "/all.atom")
    assert connection.getresponse().read() == b"<feed/>"  # answered; the connection stays open, idle
    started = time.monotonic()
    server.shutdown()
    assert time.monotonic() - started < serve.STOP_SECONDS / 4
    connection.close()


def test_a_client_that_resets_its_connection_is_a_log_line_not_a_traceback(served: Served, capfd: pytest.CaptureFixture[str]) -> None:
    for _ in range(5):
        raw = socket.create_connection(("127.0.0.1", served.port), timeout=10)
        raw.sendall(b"GET /all.atom HTTP/1.1\r\nHost: x\r\n")
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # close = RST
        raw.close()
    time.sleep(0.1)  # the resets reach the server at once on loopback
    assert served.request("GET", "/all.atom")[0] == 200
    assert "Traceback" not in capfd.readouterr().err


@pytest.fixture
def hostile(built_seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[serve.FeedServer]:
    """A server in this process over a copy of one build of the seeds, with a request deadline of a
    second (not ten), a send deadline and a lingering of half a second (not 30 and 2) and a cap of
    200 connections, with its health listener: what hostile clients meet, scaled down in time."""
    project = shutil.copytree(built_seeds, tmp_path / "project", symlinks=True)
    monkeypatch.setattr(serve, "REQUEST_SECONDS", 1.0)
    monkeypatch.setattr(serve, "SEND_SECONDS", 0.5)
    monkeypatch.setattr(serve, "LINGER_SECONDS", 0.5)
    monkeypatch.setattr(serve, "MAX_CONNECTIONS", 200)
    config = project / "config.yaml"
    current = ConfigWatch(load_settings(config), config, lambda: load_settings(config))
    server = serve.start_server(project / "out", "127.0.0.1", 0, "no-cache", lambda: health(current), 0)
    yield server
    server.shutdown()


def raw_exchange(port: int, request: bytes) -> tuple[bytes, bool]:
    """Everything the server answers to `request`, and whether it then closed the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        raw.sendall(request)
        answer = b""
        try:
            while chunk := raw.recv(65536):
                answer += chunk
        except TimeoutError:
            return answer, False
    return answer, True


@pytest.mark.parametrize("request_bytes", [
    b"POST /all.atom HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 39\r\n\r\nGET /lang/en.atom HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /all.atom HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 39\r\n\r\nGET /lang/en.atom HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /all.atom HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
    b"GET /all.atom HTTP/1.1\r\nHost: x\r\nContent-Length: 39\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /lang/en.atom HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /all.atom HTTP/1.1\r\nHost: x\r\nX-Folded: one\r\n two\r\n\r\n",
    b"GET /all.atom HTTP/1.1\r\nHost: x\r\nX-Folded: one\r\n\ttwo\r\n\r\n",
], ids=["conflicting-length-post", "conflicting-length-get", "repeated-length", "length-and-chunked", "folded-space",
        "folded-tab"])
def test_ambiguous_requests_get_400_and_the_connection_closes(hostile: serve.FeedServer, request_bytes: bytes) -> None:
    answer, closed = raw_exchange(hostile.port, request_bytes)
    assert answer.split(b" ", 2)[1] == b"400" and answer.count(b"HTTP/1.") == 1 and closed  # nothing smuggled


@pytest.mark.slow  # seconds of waiting on the deadlines
def test_a_slow_request_body_holds_nothing(hostile: serve.FeedServer) -> None:
    """The body is never read: the answer comes at once, and the connection closes within the
    lingering second or two however the body trickles in."""
    with socket.create_connection(("127.0.0.1", hostile.port), timeout=10) as raw:
        raw.sendall(b"GET /all.atom HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
        started = time.monotonic()
        answer = b""
        while time.monotonic() - started < 8:
            try:
                raw.sendall(b"x")
            except OSError:
                break
            raw.settimeout(0.3)
            try:
                chunk = raw.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                break
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 200") and time.monotonic() - started < serve.LINGER_SECONDS + 1


@pytest.mark.slow  # seconds of waiting on the deadlines
def test_a_client_that_never_reads_its_answer_is_dropped(hostile: serve.FeedServer) -> None:
    size = 40_000_001
    (hostile.out / "big.json").write_bytes(b"[" + b"0," * 20_000_000 + b"0]")  # far more than the socket buffers
    with socket.create_connection(("127.0.0.1", hostile.port), timeout=10) as raw:
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        raw.sendall(b"GET /big.json HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(serve.SEND_SECONDS + 0.5)  # reading nothing, until well past the send deadline
        received, started = 0, time.monotonic()
        with contextlib.suppress(ConnectionResetError):
            while chunk := raw.recv(1 << 20):
                received += len(chunk)
        assert received < size and time.monotonic() - started < 5  # dropped, not waited on


@pytest.mark.slow  # 1,100 connections
def test_a_thousand_slow_clients_neither_hold_connections_nor_starve_anyone(hostile: serve.FeedServer) -> None:
    """1,100 clients send a request line a byte at a time, never finishing (slowloris): each is
    closed when the request deadline passes, bytes or not; meanwhile a normal client is answered at
    once (503 while the cap is full, then 200) and /healthz on its own listener always."""
    async def slow(opened: list[float], closed: list[float]) -> None:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", hostile.port)
        except OSError:
            return
        opened.append(time.monotonic())
        try:
            for byte in b"GET /all.atom HTTP/1.1\r\nHost: x\r\n":
                writer.write(bytes([byte]))
                await writer.drain()
                if await _closed(reader, 0.25):
                    break
        except (OSError, asyncio.IncompleteReadError):
            pass
        closed.append(time.monotonic())
        writer.close()

    async def _closed(reader: asyncio.StreamReader, seconds: float) -> bool:
        try:
            data = await asyncio.wait_for(reader.read(65536), seconds)
        except TimeoutError:
            return False
        return not data or data.startswith(b"HTTP/1.1 503")

    def normal(port: int, path: str) -> tuple[int, float]:
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", path)
        status = connection.getresponse().status
        connection.close()
        return status, time.monotonic() - started

    async def attack() -> tuple[list[float], list[float], list[tuple[int, float]], list[tuple[int, float]]]:
        opened: list[float] = []
        closed: list[float] = []
        clients = [asyncio.create_task(slow(opened, closed)) for _ in range(1_100)]
        await asyncio.sleep(0.5)  # all of them under way
        loop = asyncio.get_running_loop()
        during = [await loop.run_in_executor(None, normal, hostile.port, "/all.atom") for _ in range(3)]
        checks = [await loop.run_in_executor(None, normal, hostile.health_port, "/healthz") for _ in range(3)]
        await asyncio.wait_for(asyncio.gather(*clients), 30)
        return opened, closed, during, checks

    opened, closed, during, checks = asyncio.run(attack())
    assert all(seconds < 1 for _, seconds in during) and {status for status, _ in during} <= {200, 503}
    assert all(seconds < 1 and status in (200, 503) for status, seconds in checks)  # answered: the verdict itself
    assert len(closed) == len(opened) and max(closed) - min(opened) < serve.REQUEST_SECONDS + 5
    assert normal(hostile.port, "/all.atom")[0] == 200  # and everyone is served again


@pytest.mark.slow
def test_sigterm_stops_the_server_within_five_seconds_whatever_the_clients_do(project: Path) -> None:
    server = start_serving(project)
    sockets = []
    try:
        for n in range(300):
            raw = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            raw.sendall(b"GET /all.atom HTTP/1.1\r\nHost: x\r\n" if n % 2 else b"G")  # never finished
            sockets.append(raw)
        started = time.monotonic()
        assert server.process is not None
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=10) == 0
        # None of them has an answer under way: none is waited for, not even those still being
        # accepted when the signal came (they took the whole STOP_SECONDS before).
        assert time.monotonic() - started < serve.STOP_SECONDS
    finally:
        for raw in sockets:
            raw.close()
        if server.process is not None and server.process.poll() is None:
            server.process.kill()


def test_healthz_on_its_own_port_says_when_the_config_was_edited_into_one_that_cannot_be_used(
        hostile: serve.FeedServer, tmp_path: Path) -> None:
    status, _ = json_status(hostile.health_port)
    assert status == 200
    config = tmp_path / "project/config.yaml"  # the project `hostile` serves
    config.write_text(config.read_text().replace("max_entries: 50", "max_entries: many"))
    status, verdict = json_status(hostile.health_port)
    assert status == 503 and verdict["problems"][0].startswith("the configuration cannot be used:")
    assert http_status(hostile.health_port, "/all.atom") == 404  # that listener answers health checks alone


def json_status(port: int) -> tuple[int, dict[str, object]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", "/healthz")
    response = connection.getresponse()
    return response.status, json.loads(response.read())


def http_status(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", path)
    return connection.getresponse().status


@pytest.mark.parametrize(("header", "gzipped"), [
    ("gzip", True), ("gzip;q=0", False), ("*;q=0, gzip", True), ("gzip;q=0, *", False), ("*", True), ("br", False),
    ("br;q=1, gzip;q=0.8", True), ("identity", False), ("GZIP; q=0.5", True), ("gzip;q=nonsense", False)])
def test_gzip_is_acceptable_as_rfc_9110_reads_accept_encoding(header: str, gzipped: bool) -> None:
    assert serve.accepts_gzip(header) is gzipped


def test_the_file_cache_keeps_its_byte_count_whatever_is_gzipped_or_read_twice(tmp_path: Path) -> None:
    files = serve.Files(limit=8_000)
    small, big = tmp_path / "small.json", tmp_path / "big.json"
    small.write_bytes(b"x" * 100)
    big.write_bytes(b"y" * 2_000)  # over limit // 8: never kept
    for _ in range(5):
        files.gzipped(files.read(big))
        files.gzipped(files.read(small))
    assert files.read(small).data == b"x" * 100 and 0 <= files.size <= files.limit
    assert files.size == sum(len(v.data) + len(v.gzipped or b"") for v in files.held.values())



def test_serving_on_a_port_that_the_base_url_does_not_name_is_refused_naming_the_key(project: Path) -> None:
    result = run_feeds("serve", "--port", "9000", cwd=project)
    assert result.returncode == 2
    assert "feeds.base_url is http://127.0.0.1:8080/, but feeds serve would listen on port 9000" in result.stderr
    assert "set feeds.base_url to http://127.0.0.1:9000/" in result.stderr


def test_a_feed_that_is_not_there_is_a_404_another_site_may_read(shared: Served) -> None:
    status, headers, _ = shared.request("GET", "/lang/xx.json")
    assert status == 404 and headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-origin" not in shared.request("GET", "/missing.html")[1]
