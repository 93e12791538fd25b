"""How the site-kit HTTP server answers one request: `SiteHandler`, and `SiteState`, what
all its listeners share (the spec, the port, the counters).

See `webaudit.sitekit.httpserver` for the program and `webaudit.sitekit.spec` for what
each `Resource` field and behaviour means. Standard library only.
"""

from __future__ import annotations

import json
import mimetypes
import ssl
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote, urlsplit

from . import behaviours
from .spec import PORT_TOKEN, Resource, SiteSpec, SpecIndex

if TYPE_CHECKING:
    from .httpserver import SiteServer

_HTML_TYPES: Final = ("", "html", "htm", "shtml", "jsp", "asp", "aspx", "php", "do", "action")
_INTERNAL: Final = frozenset({"/__stats", "/__reset"})


class SiteState:
    """What all listening sockets share: the spec, the port, counters."""

    def __init__(self, spec: SiteSpec) -> None:
        self.spec = spec
        self.index = SpecIndex(spec)
        self.port = 0
        self.lock = threading.Lock()
        self.requests: Counter[tuple[str, str, str]] = Counter()
        self.hits: Counter[tuple[str, str]] = Counter()
        self.connections = 0
        self.active: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()

    def enter(self, host: str) -> None:
        """A request for `host` is being answered (for the peak in flight per host)."""
        with self.lock:
            self.active[host] += 1
            self.peak[host] = max(self.peak[host], self.active[host])

    def leave(self, host: str) -> None:
        with self.lock:
            self.active[host] -= 1

    def count(self, host: str, path: str, method: str) -> int:
        """Record a request; return how many times (host, path) was asked before."""
        with self.lock:
            self.requests[(host, path, method)] += 1
            before = self.hits[(host, path)]
            self.hits[(host, path)] += 1
            return before

    def count_connection(self) -> None:
        with self.lock:
            self.connections += 1

    def stats(self) -> dict[str, Any]:
        with self.lock:
            rows = [
                {"host": h, "path": p, "method": m, "count": n}
                for (h, p, m), n in sorted(self.requests.items())
            ]
            return {"requests": rows, "total": sum(self.requests.values()),
                    "connections": self.connections, "peak_in_flight": dict(self.peak)}

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.hits.clear()
            self.connections = 0
            self.peak.clear()


class SiteHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "webaudit-testserver/1"
    sys_version = ""
    timeout = 120
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls
    server: SiteServer

    def setup(self) -> None:
        super().setup()
        self._counted = False
        if isinstance(self.connection, ssl.SSLSocket):
            # the listening socket does not handshake on accept: a slow or failing
            # client only holds up its own thread
            self.connection.do_handshake()

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def log_error(self, format: str, *args: Any) -> None:
        message = format % args
        if not message.startswith("Request timed out"):  # an idle keep-alive client
            sys.stderr.write(f"httpserver: {message}\n")

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if urlsplit(self.path).path == "/__reset":
            self.server.state.reset()
            self._send(200, {"Content-Type": "application/json"}, b'{"ok": true}')
        else:
            self._serve(head=False)

    # -- dispatch -----------------------------------------------------------------------------

    def _serve(self, head: bool) -> None:
        state = self.server.state
        parts = urlsplit(self.path)
        path = behaviours.strip_session_path(unquote(parts.path) or "/")
        query = unquote(parts.query)
        if path == "/__stats":
            body = json.dumps(state.stats()).encode()
            self._send(200, {"Content-Type": "application/json"}, body, head=head)
            return
        if not self._counted and path not in _INTERNAL:
            self._counted = True
            state.count_connection()
        host = self._virtual_host()
        target = f"{path}?{query}" if query else path
        before = state.count(host, target, self.command)
        spec = state.spec
        if host not in spec.hosts:
            self._not_found(head, f"unknown host {host}")
            return
        if path == "/robots.txt" and host in spec.robots:
            body = spec.robots[host].encode("utf-8")
            self._send(200, {"Content-Type": "text/plain; charset=utf-8"}, body, head=head)
            return
        found = state.index.find(host, path, query)
        if found is None:
            self._not_found(head)
            return
        res = found[1]
        state.enter(host)
        try:
            if head and res.head_status is not None:
                self._wrong_head(res)
            else:
                self._answer(res, found[0], path, target, before, head)
        finally:
            state.leave(host)
        if res.close:
            self.close_connection = True  # without saying so in a header

    def _virtual_host(self) -> str:
        raw = (self.headers.get("Host") or "").strip().lower()
        if raw.startswith("["):
            host = raw[1:].split("]", 1)[0]
        else:
            host = raw.rsplit(":", 1)[0] if raw.count(":") == 1 else raw
        spec = self.server.state.spec
        literal = not host or host.replace(".", "").isdigit() or ":" in host
        if literal and spec.default_host:
            return spec.default_host
        return host.rstrip(".")

    def _wrong_head(self, res: Resource) -> None:
        assert res.head_status is not None
        headers = {"Content-Type": "text/plain"}
        if res.head_status == 405:
            headers["Allow"] = "GET"
        body = res.head_body.encode("utf-8")
        # A body (when set) is written although this answers a HEAD, as some real servers
        # do: a crawler must not reuse this connection.
        self._start(res.head_status, headers, len(body))
        if body:
            self.wfile.write(body)

    def _answer(self, res: Resource, key: str, path: str, target: str, before: int,
                head: bool) -> None:
        kind = res.behaviour
        if kind == "redirect":
            self._send(res.status, {**res.headers, "Location": self._sub(res.location or "/")},
                       b"", head=head)
            return
        if kind == "fail-then-ok" and before < res.fail_count:
            self._send(res.fail_status, {"Content-Type": "text/html; charset=utf-8"},
                       f"<h1>{res.fail_status} 服务器内部错误</h1>".encode(), head=head)
            return
        if kind == "retry-after" and before < res.fail_count:
            self._send(429, {"Retry-After": str(res.retry_after),
                             "Content-Type": "text/plain"}, b"Too Many Requests", head=head)
            return
        if kind == "stall-headers":
            time.sleep(res.stall_seconds)
        if kind == "big":
            self._send_big(res, path, head)
            return
        if kind == "gzip-bomb":
            self._send_bomb(res, head)
            return
        headers = self._headers(res, path)
        if kind == "calendar":
            body = behaviours.calendar_page(key.rstrip("*"), target).encode("utf-8")
            headers["Content-Type"] = "text/html; charset=utf-8"
        elif kind == "request-header" and res.request_header in self.headers:
            body = (self.headers.get(res.request_header) or "").encode("utf-8")
        else:
            body = self._sub_bytes(res.body_bytes())
            if kind == "session":
                body = behaviours.add_session_ids(body, res.session_style)
        if kind in ("stall", "stall-body"):
            self._start(res.status, headers, len(body))
            self.wfile.flush()
            time.sleep(res.stall_seconds)
            if not head:
                self.wfile.write(body)
            return
        self._send(res.status, headers, body, head=head)

    # -- writing ------------------------------------------------------------------------------

    def _headers(self, res: Resource, path: str) -> dict[str, str]:
        headers = {k: self._sub(v) for k, v in res.headers.items()}
        if not any(k.lower() == "content-type" for k in headers):
            ext = path.rsplit("/", 1)[-1].rpartition(".")[2].lower() if "." in path else ""
            if ext in _HTML_TYPES:
                headers["Content-Type"] = f"text/html; charset={res.charset}"
            else:
                guessed = mimetypes.guess_type("x." + ext)[0] or "application/octet-stream"
                headers["Content-Type"] = guessed
        return headers

    def _start(self, status: int, headers: dict[str, str], length: int | None) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("X-Served-By", self.server.bound_address)
        if self.server.state.spec.echo_request:
            self._echo_request()
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def _echo_request(self) -> None:
        self.send_header("X-Server-Addr", self.server.bound_address)
        self.send_header("X-Host", self.headers.get("Host", ""))
        self.send_header("X-Method", self.command)
        self.send_header("X-SNI", getattr(self.connection, "webaudit_sni", None) or "")
        self.send_header("X-Accept-Encoding", self.headers.get("Accept-Encoding", ""))

    def _send(self, status: int, headers: dict[str, str], body: bytes, head: bool = False) -> None:
        self._start(status, headers, len(body))
        if not head and body:
            self.wfile.write(body)

    def _not_found(self, head: bool, why: str = "") -> None:
        body = f"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1>{why}"
        self._send(404, {"Content-Type": "text/html; charset=utf-8"},
                   (body + "</body></html>").encode(), head=head)

    def _send_big(self, res: Resource, path: str, head: bool) -> None:
        headers = self._headers(res, path)
        self._start(res.status, headers, None if res.chunked else res.size)
        if head:
            return
        unit = res.body_bytes()
        pieces = behaviours.repeated(unit, res.size) if unit else behaviours.filler(res.size)
        for piece in pieces:
            if res.chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            else:
                self.wfile.write(piece)
        if res.chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _send_bomb(self, res: Resource, head: bool) -> None:
        path = behaviours.gzip_bomb(res.size or behaviours.DEFAULT_BOMB_SIZE)
        headers = {"Content-Type": "text/html", "Content-Encoding": "gzip", **res.headers}
        self._start(res.status, headers, path.stat().st_size)
        if not head:
            with path.open("rb") as data:
                while piece := data.read(64 * 1024):
                    self.wfile.write(piece)

    def _sub(self, text: str) -> str:
        return text.replace(PORT_TOKEN, str(self.server.state.port))

    def _sub_bytes(self, body: bytes) -> bytes:
        token = PORT_TOKEN.encode()
        return body.replace(token, str(self.server.state.port).encode()) if token in body else body
