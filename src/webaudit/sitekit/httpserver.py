"""The loopback HTTP server that serves a `SiteSpec`: ``python -m webaudit.sitekit.httpserver``.

Usage::

    python -m webaudit.sitekit.httpserver SPEC.json --port 0 --host 127.0.0.1 --host ::1

It listens on every ``--host`` with the same port (``0``: pick a free one), then
prints one JSON line, ``{"port": N, "pid": P, "addresses": [...]}``, and serves
until it is terminated. The virtual host comes from the Host header (port
dropped); an unknown host gets 404. Responses are HTTP/1.1 with keep-alive and
carry ``X-Served-By: <bound address>``. Stateful behaviours (fail-then-ok,
retry-after) count per (host, path). Two paths exist on every host:

- ``GET /__stats``: JSON ``{"requests": [{"host", "path", "method", "count"}], "total"}``;
  `path` is the request target with percent-escapes decoded;
- ``POST /__reset``: forget the counters and the behaviours' state.

Nothing is logged except errors (to stderr). Standard library only.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import mimetypes
import os
import socket
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final
from urllib.parse import unquote, urlsplit

from . import behaviours
from .spec import PORT_TOKEN, Resource, SiteSpec, SpecIndex

_HTML_TYPES: Final = ("", "html", "htm", "shtml", "jsp", "asp", "aspx", "php", "do", "action")
_RETRY_BIND: Final = 8


class SiteState:
    """What all listening sockets share: the spec, the port, counters."""

    def __init__(self, spec: SiteSpec) -> None:
        self.spec = spec
        self.index = SpecIndex(spec)
        self.port = 0
        self.lock = threading.Lock()
        self.requests: Counter[tuple[str, str, str]] = Counter()
        self.hits: Counter[tuple[str, str]] = Counter()

    def count(self, host: str, path: str, method: str) -> int:
        """Record a request; return how many times (host, path) was asked before."""
        with self.lock:
            self.requests[(host, path, method)] += 1
            before = self.hits[(host, path)]
            self.hits[(host, path)] += 1
            return before

    def stats(self) -> dict[str, Any]:
        with self.lock:
            rows = [
                {"host": h, "path": p, "method": m, "count": n}
                for (h, p, m), n in sorted(self.requests.items())
            ]
            return {"requests": rows, "total": sum(self.requests.values())}

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.hits.clear()


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = False

    def __init__(self, address: tuple[str, int], state: SiteState) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.state = state
        self.bound_address = address[0]
        super().__init__(address, SiteHandler)

    def server_bind(self) -> None:
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        super().server_bind()

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return  # the client gave up (stall, big body): expected in tests
        super().handle_error(request, client_address)


class SiteHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "webaudit-testserver/1"
    sys_version = ""
    timeout = 120
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls
    server: SiteServer

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
        elif head and found[1].head_405:
            # with a body, as some real servers send one: a crawler must not reuse
            # this connection
            self._send(405, {"Allow": "GET", "Content-Type": "text/plain"}, b"HEAD not allowed")
        else:
            self._answer(found[1], found[0], path, target, before, head)

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

    def _answer(self, res: Resource, key: str, path: str, target: str, before: int,
                head: bool) -> None:
        kind = res.behaviour
        if kind == "redirect":
            self._send(res.status, {**res.headers, "Location": self._sub(res.location or "/")},
                       b"", head=head)
            return
        if kind == "fail-then-ok" and before < res.fail_count:
            self._send(500, {"Content-Type": "text/html; charset=utf-8"},
                       "<h1>500 服务器内部错误</h1>".encode(), head=head)
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
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(length))
        self.end_headers()

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
        for piece in behaviours.filler(res.size):
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


def bind_servers(state: SiteState, hosts: list[str], port: int) -> list[SiteServer]:
    """Bind one server per address, all on one port (a free one when `port` is 0)."""
    last: OSError | None = None
    for _ in range(_RETRY_BIND if port == 0 else 1):
        servers: list[SiteServer] = []
        try:
            chosen = port
            for host in hosts:
                server = SiteServer((host, chosen), state)
                servers.append(server)
                chosen = server.server_address[1]
            state.port = chosen
            return servers
        except OSError as exc:
            for server in servers:
                server.server_close()
            if exc.errno != errno.EADDRINUSE or port != 0:
                raise
            last = exc
    raise last or OSError("could not bind")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m webaudit.sitekit.httpserver")
    parser.add_argument("spec", help="SiteSpec JSON file")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", action="append", dest="hosts",
                        help="address to listen on (repeatable; default 127.0.0.1)")
    args = parser.parse_args(argv)
    state = SiteState(SiteSpec.load(args.spec))
    servers = bind_servers(state, args.hosts or ["127.0.0.1"], args.port)
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    addresses = [s.bound_address for s in servers]
    ready = {"port": state.port, "pid": os.getpid(), "addresses": addresses}
    sys.stdout.write(json.dumps(ready) + "\n")
    sys.stdout.flush()
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
