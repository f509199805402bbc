"""`feeds serve`: an HTTP server for `out/` and nothing else, on the standard library's threaded server.

Each response is read from one open file descriptor, so a feed replaced (atomically) while it is
being sent is sent whole in its old version. Validators come from those same bytes: a strong ETag
(SHA-256, a distinct one for the gzip representation) and Last-Modified from the file's mtime, so
conditional requests get 304 and an unchanged feed, never rewritten, stays 304.

Under load and abuse: a listen backlog of 1,024 and one thread per connection up to 1,024 (more
connections wait in the backlog, none is refused); a request line and its headers must arrive
within `REQUEST_SECONDS` of the connection (or of the previous response, for keep-alive), and a
response may stall for at most `SEND_SECONDS`, so idle and slow clients cannot hold threads.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import posixpath
import socket
import sys
import threading
import time
from collections.abc import Callable
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from lxml import etree

from feeds.layout import CONTENT_TYPES, FEED_DOCUMENTS, STYLESHEET

log = logging.getLogger("feeds.serve")
PAGE_TYPE = "text/html; charset=utf-8"
# Readers and other sites fetch these from anywhere; pages and scripts are only embedded or opened.
CROSS_ORIGIN = {".atom", ".rss", ".json", ".opml"}
GZIP_MIN_BYTES = 256
BACKLOG = 1024
MAX_THREADS = 1024
REQUEST_SECONDS = 10
SEND_SECONDS = 30
HEALTH_PATH = "/healthz"


class FeedServer(ThreadingHTTPServer):
    """Holds what every request needs: the folder, the cache policy and the health check."""

    daemon_threads = True
    request_queue_size = BACKLOG

    def __init__(self, address: tuple[str, int], out: Path, cache_control: str,
                 health: Callable[[], dict[str, Any]] | None = None) -> None:
        self.out = out.resolve()
        self.cache_control = cache_control
        self.health = health
        self.stylesheets = threading.local()  # lxml's compiled XSLT is not shared between threads
        self.slots = threading.BoundedSemaphore(MAX_THREADS)
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, FeedRequest)

    def process_request(self, request: Any, client_address: Any) -> None:
        """At most `MAX_THREADS` connections are served at once; the others wait in the backlog."""
        self.slots.acquire()
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up is one log line, not a traceback on stderr."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            log.info("%s: connection closed by the client (%s)", client_address[0], exc)
        else:
            log.exception("%s: request failed", client_address[0])

    def as_page(self, feed: bytes) -> tuple[bytes, str]:
        """A feed as the HTML page the published stylesheet (`assets/feed.xsl`, made with the
        interface's words) makes of it, and a short digest of that stylesheet for the ETag."""
        path = self.out / STYLESHEET
        stat = path.stat()
        cached = getattr(self.stylesheets, "feed", None)
        if cached is None or cached[0] != (stat.st_mtime_ns, stat.st_size):
            data = path.read_bytes()
            cached = ((stat.st_mtime_ns, stat.st_size), etree.XSLT(etree.XML(data)), hashlib.sha256(data).hexdigest()[:8])
            self.stylesheets.feed = cached
        return bytes(cached[1](etree.fromstring(feed))), cached[2]


class _Deadline:
    """The request stream, with one deadline for a request line and all its headers: a client
    that sends a byte every few seconds cannot hold a thread for longer than that."""

    def __init__(self, stream: Any, connection: socket.socket) -> None:
        self.stream = stream
        self.connection = connection
        self.deadline = time.monotonic() + REQUEST_SECONDS

    def restart(self) -> None:
        self.deadline = time.monotonic() + REQUEST_SECONDS

    def readline(self, limit: int = -1) -> bytes:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("request not received in time")
        self.connection.settimeout(left)
        return self.stream.readline(limit)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


class FeedRequest(BaseHTTPRequestHandler):
    server: FeedServer
    protocol_version = "HTTP/1.1"  # keep-alive: every response below carries Content-Length
    timeout = REQUEST_SECONDS

    def setup(self) -> None:
        super().setup()
        self.rfile = _Deadline(self.rfile, self.connection)  # type: ignore[assignment]

    def handle_one_request(self) -> None:
        self.rfile.restart()  # type: ignore[attr-defined]
        super().handle_one_request()

    def send_response(self, code: int, message: str | None = None) -> None:
        super().send_response(code, message)
        if getattr(self, "unread_body", False):
            self.send_header("Connection", "close")  # which also closes it once answered

    def version_string(self) -> str:
        return "enbekshi-feeds"

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _refuse(self) -> None:
        # The request's body is never read, so the connection cannot carry another request.
        self.close_connection = True
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Connection", "close")
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _refuse

    def log_message(self, format: str, *args: object) -> None:
        log.info("%s %s", self.address_string(), format % args)

    def _respond(self, send_body: bool) -> None:
        self.connection.settimeout(SEND_SECONDS)
        # A body is never read, so it cannot be told from the next request: answer, then close.
        self.unread_body = bool(self.headers.get("Transfer-Encoding")) or self.headers.get("Content-Length", "0").strip() not in ("", "0")
        if urlsplit(self.path).path == HEALTH_PATH and self.server.health is not None:
            self._health(send_body)
            return
        target = resolve(self.server.out, self.path)
        if target is None:
            self._not_found(send_body)
            return
        try:
            with open(target, "rb") as stream:
                stat = os.fstat(stream.fileno())
                data = stream.read()
        except OSError:
            self._not_found(send_body)
            return
        encoding = "gzip" if accepts_gzip(self.headers.get("Accept-Encoding", "")) and len(data) >= GZIP_MIN_BYTES else None
        as_page = target.suffix in FEED_DOCUMENTS and wants_page(self.headers.get("Accept", ""))
        if as_page:
            try:
                page, stylesheet = self.server.as_page(data)
            except (etree.Error, ValueError, OSError) as exc:  # not a feed, or no stylesheet yet: the file as it is
                log.warning("%s: not shown as a page: %s", target, exc)
                as_page = False
        digest = hashlib.sha256(data).hexdigest()[:32] + (f"-page{stylesheet}" if as_page else "") + ("-gzip" if encoding else "")
        etag = f'"{digest}"'
        headers = {
            "Content-Type": PAGE_TYPE if as_page else CONTENT_TYPES[target.suffix],
            "ETag": etag,
            "Last-Modified": formatdate(stat.st_mtime, usegmt=True),
            "Cache-Control": self.server.cache_control,
            "Vary": "Accept, Accept-Encoding" if target.suffix in FEED_DOCUMENTS else "Accept-Encoding",
        }
        if target.suffix in CROSS_ORIGIN:
            headers["Access-Control-Allow-Origin"] = "*"
        if not_modified(self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"), etag, stat.st_mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            for name in ("ETag", "Last-Modified", "Cache-Control", "Vary"):
                self.send_header(name, headers[name])
            self.end_headers()
            return
        if as_page:
            data = page
        if encoding:
            # mtime=0: the same bytes give the same compressed bytes, so the ETag holds.
            data = gzip.compress(data, mtime=0)
            headers["Content-Encoding"] = encoding
        headers["Content-Length"] = str(len(data))
        self.send_response(HTTPStatus.OK)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(data)

    def _health(self, send_body: bool) -> None:
        """The verdict of `feeds status --check` as JSON: 200 when healthy, 503 when not."""
        verdict = self.server.health()  # type: ignore[misc]
        body = (json.dumps(verdict, ensure_ascii=False) + "\n").encode("utf-8")
        self.send_response(HTTPStatus.OK if verdict.get("healthy") else HTTPStatus.SERVICE_UNAVAILABLE)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _not_found(self, send_body: bool) -> None:
        body = b"not found\n"
        self.send_response(HTTPStatus.NOT_FOUND)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)


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
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            quality = params.strip().removeprefix("q=")
            try:
                return float(quality) > 0 if params.strip().startswith("q=") else True
            except ValueError:
                return True
    return False


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
                 health: Callable[[], dict[str, Any]] | None = None) -> FeedServer:
    """Bind and serve in a background thread; the caller stops it with `shutdown()`."""
    server = FeedServer((host, port), out, cache_control, health)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="feeds-serve", daemon=True).start()
    log.info("serving %s on http://%s:%d/", out, host, server.server_address[1])
    return server
