"""`feeds serve`: `out/` over HTTP, and nothing else, on aiohttp's server.

Why aiohttp (compared here with waitress, cheroot, hypercorn, uvicorn, gunicorn, twisted and
granian, each under slow and malformed clients; README, "Serving"): its C parser (llhttp) answers
400 and closes on repeated or conflicting `Content-Length`, `Content-Length` with
`Transfer-Encoding`, obsolete line folding and bare line feeds, so no request can be smuggled; its
keep-alive timer, armed when a connection opens and after each response, is not restarted by
incoming bytes: a request line and its headers must be complete within `REQUEST_SECONDS`, however
slowly they trickle in; it runs in-process and stops in a fraction of a second.

What this module adds: a cap on connections (`MAX_CONNECTIONS`; beyond it a new connection is
answered 503 and closed at once, never queued behind slow ones); a second listener on loopback
that answers only `/healthz`, with connections of its own, so no flood of clients can starve a
health check; GET and HEAD only, a request body never read (the connection closes after the
answer, so a slow body holds nothing); a deadline on sending each answer (`SEND_SECONDS`);
`shutdown()` within seconds, whatever the clients do.

Each answer is one version of the file: it is opened once and read from that descriptor, so a feed
replaced (atomically) meanwhile is sent whole in its old version. Validators come from those bytes:
a strong ETag (SHA-256, a distinct one for the gzip representation and for the page view) and
Last-Modified from the file's mtime, so conditional requests get 304. Digests and gzip bytes are
kept per file version (inode, size, mtime), up to `CACHE_BYTES`: a file is not hashed and
compressed again on every request.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import logging
import os
import posixpath
import resource
import socket
import struct
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from aiohttp import web
from lxml import etree

from feeds.layout import CONTENT_TYPES, CROSS_ORIGIN, FEED_DOCUMENTS, STYLESHEET

log = logging.getLogger("feeds.serve")
PAGE_TYPE = "text/html; charset=utf-8"
GZIP_MIN_BYTES = 256
BACKLOG = 1024
MAX_CONNECTIONS = 1024  # open at once on the public listener
HEALTH_CONNECTIONS = 16  # open at once on the health listener
REQUEST_SECONDS = 10.0  # from a connection (or a response) to a complete request line and headers
SEND_SECONDS = 30.0  # to send one answer to a client that reads slowly
LINGER_SECONDS = 2.0  # reading (and dropping) an unread request body before closing, so the answer arrives
STOP_SECONDS = 2.0  # answers under way may finish within this when the server stops
STOP_POLL_SECONDS = 0.05  # how often a stopping server closes the connections that wait for a request
CACHE_BYTES = 64 * 2**20
HEALTH_PATH = "/healthz"
SERVER_NAME = "enbekshi-feeds"
BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n"
        b"Retry-After: 1\r\nConnection: close\r\n\r\nbusy\n")


@dataclass
class Version:
    """One version of a file as sent: its bytes, validators, and its gzip bytes once asked for."""

    data: bytes
    etag: str
    mtime: float
    gzipped: bytes | None = None


@dataclass
class Files:
    """File versions by (path, inode, size, mtime), the least recently used dropped past `limit` bytes."""

    limit: int = CACHE_BYTES
    held: OrderedDict[tuple[str, int, int, int], Version] = field(default_factory=OrderedDict)
    size: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def read(self, path: Path) -> Version:
        """The file's current version, read from one descriptor (OSError when it cannot be)."""
        with open(path, "rb") as stream:
            stat = os.fstat(stream.fileno())
            key = (str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)
            with self.lock:
                if (found := self.held.get(key)) is not None:
                    self.held.move_to_end(key)
                    return found
            data = stream.read()
        version = Version(data, hashlib.sha256(data).hexdigest()[:32], stat.st_mtime)
        if len(data) <= self.limit // 8:
            with self.lock:
                if key not in self.held:  # another thread may have read it meanwhile
                    self.held[key] = version
                    self.size += len(data)
                    self._drop_past_limit()
        return version

    def gzipped(self, version: Version) -> bytes:
        if version.gzipped is None:
            # mtime=0: the same bytes give the same compressed bytes, so the ETag holds.
            compressed = gzip.compress(version.data, mtime=0)
            with self.lock:
                if version.gzipped is None:
                    version.gzipped = compressed
                    if any(held is version for held in self.held.values()):  # counted only while kept
                        self.size += len(compressed)
                        self._drop_past_limit()
        return version.gzipped or b""

    def _drop_past_limit(self) -> None:
        while self.size > self.limit and self.held:
            _, dropped = self.held.popitem(last=False)
            self.size -= len(dropped.data) + len(dropped.gzipped or b"")


class Pages:
    """Feeds as the HTML page the published stylesheet (`assets/feed.xsl`) makes of them; lxml's
    compiled XSLT is not shared between threads, so each thread compiles its own."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.local = threading.local()

    def render(self, feed: bytes) -> tuple[bytes, str]:
        """The page, and a short digest of the stylesheet for the ETag."""
        path = self.out / STYLESHEET
        stat = path.stat()
        cached = getattr(self.local, "feed", None)
        if cached is None or cached[0] != (stat.st_mtime_ns, stat.st_size):
            data = path.read_bytes()
            cached = ((stat.st_mtime_ns, stat.st_size), etree.XSLT(etree.XML(data)), hashlib.sha256(data).hexdigest()[:8])
            self.local.feed = cached
        return bytes(cached[1](etree.fromstring(feed))), cached[2]


class _Busy(asyncio.Protocol):
    """A connection over the cap: told at once, and closed."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        transport.write(BUSY)
        transport.close()


class _Capped:
    """A listener's protocol factory that counts the connections it has open."""

    def __init__(self, server: web.Server, cap: int) -> None:
        self.server = server
        self.cap = cap

    def __call__(self) -> asyncio.Protocol:
        if len(self.server.connections) >= self.cap:
            return _Busy()
        return self.server()  # type: ignore[no-any-return]


class FeedServer:
    """`out/` on a public listener, `/healthz` on it and on a loopback listener of its own; the
    event loop runs in a thread, and `shutdown()` stops it within seconds."""

    def __init__(self, out: Path, cache_control: str, health: Callable[[], dict[str, Any]] | None = None) -> None:
        self.out = out.resolve()
        self.cache_control = cache_control
        self.health = health
        self.files = Files()
        self.pages = Pages(self.out)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="feeds-serve", daemon=True)
        self.servers: list[web.Server] = []
        self.listeners: list[asyncio.base_events.Server] = []
        self.port = 0
        self.health_port: int | None = None

    def start(self, host: str, port: int, health_port: int | None) -> None:
        """Bind both listeners (OSError when one cannot be) and serve in the background."""
        _allow_descriptors(MAX_CONNECTIONS + HEALTH_CONNECTIONS + 256)
        self.thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._start(host, port, health_port), self.loop).result()
        except BaseException:
            self.shutdown()
            raise

    async def _start(self, host: str, port: int, health_port: int | None) -> None:
        public = self._server(self._answer)
        listener = await self.loop.create_server(_Capped(public, MAX_CONNECTIONS), host, port, backlog=BACKLOG)
        self.listeners.append(listener)
        self.port = int(listener.sockets[0].getsockname()[1])
        if health_port is not None and self.health is not None:
            checks = self._server(self._health_only)
            listener = await self.loop.create_server(_Capped(checks, HEALTH_CONNECTIONS), "127.0.0.1", health_port)
            self.listeners.append(listener)
            self.health_port = int(listener.sockets[0].getsockname()[1])

    def _server(self, handler: Callable[[web.BaseRequest], Any]) -> web.Server:
        server = web.Server(handler, keepalive_timeout=REQUEST_SECONDS, lingering_time=LINGER_SECONDS, access_log=None)
        self.servers.append(server)
        return server

    def shutdown(self) -> None:
        """Stop listening, let answers under way finish for `STOP_SECONDS`, close every
        connection (slow and idle ones included) and end the loop's thread."""
        if self.thread.is_alive():
            future = asyncio.run_coroutine_threadsafe(self._stop(), self.loop)
            try:
                future.result(timeout=STOP_SECONDS + 2)
            except Exception:  # noqa: BLE001 (stopping: whatever happened, the loop ends below)
                log.warning("the server did not stop cleanly; its connections are dropped")
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=2)
        if not self.loop.is_running():
            self.loop.close()

    async def _stop(self) -> None:
        """Answers under way get `STOP_SECONDS`; a connection waiting for a request (idle keep-alive,
        or accepted in the last moment, whose handler starts waiting only after the first close)
        is closed at once: the close is repeated until every connection is shut."""
        for listener in self.listeners:
            listener.close()
        stopping = asyncio.gather(*(server.shutdown(STOP_SECONDS) for server in self.servers), return_exceptions=True)
        while not stopping.done():
            for server in self.servers:
                server.pre_shutdown()
            await asyncio.wait([stopping], timeout=STOP_POLL_SECONDS)

    async def _health_only(self, request: web.BaseRequest) -> web.StreamResponse:
        if urlsplit(request.raw_path).path != HEALTH_PATH:
            return await self._send(request, 404, {"Content-Type": "text/plain; charset=utf-8"}, b"not found\n")
        return await self._answer(request)

    async def _answer(self, request: web.BaseRequest) -> web.StreamResponse:
        """GET and HEAD of a published file or `/healthz`; a request body is never read, so the
        connection closes after the answer."""
        if request.method not in ("GET", "HEAD"):
            response = await self._send(request, 405, {"Allow": "GET, HEAD", "Content-Type": "text/plain; charset=utf-8"},
                                        b"", close=True)
        else:
            close = bool(request.content_length) or "Transfer-Encoding" in request.headers
            if urlsplit(request.raw_path).path == HEALTH_PATH and self.health is not None:
                response = await self._health(request, close)
            else:
                response = await self._file(request, close)
        log.info('%s "%s %s HTTP/%d.%d" %d %s', request.remote, request.method, request.raw_path[:200],
                 *request.version, response.status, response.content_length or "-")
        return response

    async def _health(self, request: web.BaseRequest, close: bool) -> web.StreamResponse:
        """The verdict of `feeds status --check` as JSON: 200 when healthy, 503 when not."""
        assert self.health is not None
        verdict = await self.loop.run_in_executor(None, self.health)
        body = (json.dumps(verdict, ensure_ascii=False) + "\n").encode("utf-8")
        return await self._send(request, 200 if verdict.get("healthy") else 503,
                                {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"}, body, close)

    async def _file(self, request: web.BaseRequest, close: bool) -> web.StreamResponse:
        target = resolve(self.out, request.raw_path)
        if target is None:
            # A widget on another site asking for a feed that is not there is told so (CORS), not left blind.
            cors = {"Access-Control-Allow-Origin": "*"} if Path(urlsplit(request.raw_path).path).suffix in CROSS_ORIGIN else {}
            return await self._send(request, 404, {"Content-Type": "text/plain; charset=utf-8", **cors}, b"not found\n", close)
        try:
            version = await self.loop.run_in_executor(None, self.files.read, target)
        except OSError:
            return await self._send(request, 404, {"Content-Type": "text/plain; charset=utf-8"}, b"not found\n", close)
        data, tag = version.data, version.etag
        as_page = target.suffix in FEED_DOCUMENTS and wants_page(request.headers.get("Accept", ""))
        if as_page:
            try:
                data, stylesheet = await self.loop.run_in_executor(None, self.pages.render, data)
                tag += f"-page{stylesheet}"
            except (etree.Error, ValueError, OSError) as exc:  # not a feed, or no stylesheet yet: the file as it is
                log.warning("%s: not shown as a page: %s", target, exc)
                as_page = False
        encoding = accepts_gzip(request.headers.get("Accept-Encoding", "")) and len(data) >= GZIP_MIN_BYTES
        tag = f'"{tag}-gzip"' if encoding else f'"{tag}"'
        headers = {
            "Content-Type": PAGE_TYPE if as_page else CONTENT_TYPES[target.suffix],
            "ETag": tag,
            "Last-Modified": formatdate(version.mtime, usegmt=True),
            "Cache-Control": self.cache_control,
            "Vary": "Accept, Accept-Encoding" if target.suffix in FEED_DOCUMENTS else "Accept-Encoding",
        }
        if target.suffix in CROSS_ORIGIN:
            headers["Access-Control-Allow-Origin"] = "*"
        if not_modified(request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since"), tag, version.mtime):
            del headers["Content-Type"]
            return await self._send(request, 304, headers, None, close)
        if encoding:
            data = gzip.compress(data, mtime=0) if as_page else await self.loop.run_in_executor(None, self.files.gzipped, version)
            headers["Content-Encoding"] = "gzip"
        return await self._send(request, 200, headers, data, close)

    async def _send(self, request: web.BaseRequest, status: int, headers: dict[str, str], body: bytes | None,
                    close: bool = False) -> web.StreamResponse:
        """One answer, sent within `SEND_SECONDS` or the connection dropped (a client that does
        not read cannot hold it); HEAD gets the headers alone."""
        response = web.StreamResponse(status=status, headers={"Server": SERVER_NAME, **headers})
        if body is not None:
            response.content_length = len(body)
        if close:
            response.force_close()
        try:
            async with asyncio.timeout(SEND_SECONDS):
                await response.prepare(request)
                if body and request.method != "HEAD":
                    await response.write(body)
                await response.write_eof()
        except TimeoutError:
            log.info("%s: answer not taken within %g s; connection dropped", request.remote, SEND_SECONDS)
            if request.transport is not None:
                raw = request.transport.get_extra_info("socket")
                if raw is not None:  # reset: what the kernel still holds for it is dropped, not trickled out
                    raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                request.transport.abort()
        except ConnectionError as exc:
            log.info("%s: connection closed by the client (%s)", request.remote, exc)
        return response


def _allow_descriptors(wanted: int) -> None:
    """Raise this process's limit on open files to `wanted` (as far as the hard limit allows):
    a connection is one, and the cap must be reached before the limit is."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))


def resolve(out: Path, request_path: str) -> Path | None:
    """The file under `out` a request names, or None: no `..`, no hidden or temporary files, no
    symlink leading outside, only the kinds of file the publisher writes."""
    path = unquote(urlsplit(request_path).path)
    if "\x00" in path or "\\" in path or not path.startswith("/"):
        return None
    parts = [part for part in path.split("/") if part]
    if any(part.startswith(".") for part in parts):
        return None
    relative = posixpath.normpath("/".join(parts)) if parts else "index.html"
    if relative.startswith(("../", "/")) or relative == "..":
        return None
    try:
        candidate = out / relative
        if candidate.is_dir():
            candidate = candidate / "index.html"
        real = candidate.resolve(strict=True)
    except (OSError, RuntimeError):  # a name too long, a symlink loop, ...
        return None
    if not real.is_relative_to(out) or not real.is_file() or real.suffix not in CONTENT_TYPES:
        return None
    return real


def wants_page(accept: str) -> bool:
    """A browser navigating to a feed: it names text/html first and no feed type at all."""
    accept = accept.lower()
    first = accept.split(",", 1)[0].split(";", 1)[0].strip()
    return first == "text/html" and "atom+xml" not in accept and "rss+xml" not in accept


def accepts_gzip(header: str) -> bool:
    """Whether gzip is acceptable (RFC 9110 12.5.3): named with a quality above 0, or covered by
    `*` with one, an explicit `gzip` winning over `*` wherever it stands."""
    qualities: dict[str, float] = {}
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        qualities[name.strip().lower()] = quality
    return qualities.get("gzip", qualities.get("*", 0.0)) > 0


def not_modified(if_none_match: str | None, if_modified_since: str | None, etag: str, mtime: float) -> bool:
    """RFC 9110: If-None-Match wins when present (weak comparison); else If-Modified-Since."""
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or etag in tags
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since).timestamp()
        except (TypeError, ValueError):
            return False
        # RFC 9110 13.1.3: a date later than the server's clock is not a date the client saw.
        return int(mtime) <= since <= time.time()
    return False


def start_server(out: Path, host: str, port: int, cache_control: str,
                 health: Callable[[], dict[str, Any]] | None = None, health_port: int | None = None) -> FeedServer:
    """Bind and serve in a background thread (OSError when a port cannot be had); the caller stops
    it with `shutdown()`."""
    server = FeedServer(out, cache_control, health)
    server.start(host, port, health_port)
    shown = f"[{host}]" if ":" in host else host
    log.info("serving %s on http://%s:%d/", out, shown, server.port)
    if server.health_port is not None:
        log.info("health checks on http://127.0.0.1:%d%s, with connections of their own", server.health_port, HEALTH_PATH)
    return server
