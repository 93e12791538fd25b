"""Connections are reused: HEAD checks and small error bodies must not cost a new TCP connection.

A regression test: httpcore closes a connection whose exchange was not read to its end,
and a HEAD response's end must be read too.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import anyio
import pytest

from webaudit.model import FetchResult
from webaudit.net.client import make_client
from webaudit.net.fetch import Fetcher
from webaudit.net.resolver import Resolver
from webaudit.settings import CrawlSettings

LOOPBACK = frozenset({"loopback"})


class CountingServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    connections = 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: CountingServer

    def setup(self) -> None:
        self.server.connections += 1
        super().setup()

    def do_HEAD(self) -> None:  # a big attachment: only headers
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Length", "2000000")
        self.end_headers()

    def do_GET(self) -> None:
        if self.path == "/login":  # sets a session cookie
            self._reply(200, b"ok", ("Set-Cookie", "sid=abc123; Path=/"))
        elif self.path == "/whoami":  # echoes the cookie it got
            self._reply(200, (self.headers.get("Cookie") or "-").encode())
        elif self.path == "/bye":  # answers, then closes the connection without saying so
            self._reply(200, b"bye")
            self.close_connection = True
        else:  # a small 404 page
            self._reply(404, b"<html><title>404</title></html>")

    def _reply(self, status: int, body: bytes, *headers: tuple[str, str]) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[CountingServer]:
    srv = CountingServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def fetch(server: CountingServer) -> AsyncIterator[Callable[..., Awaitable[FetchResult]]]:
    """`await fetch(path, **options)` on the counting server: one connection at a time,
    no retries (so a reused dead connection would show as an error)."""
    settings = CrawlSettings(per_host=1, retries=0)
    resolver = Resolver()
    client = make_client(resolver, settings)
    fetcher = Fetcher(client, resolver, settings)
    base = f"http://127.0.0.1:{server.server_address[1]}"

    async def get(path: str, **options: Any) -> FetchResult:
        return await fetcher.fetch(base + path, allow_private=LOOPBACK, **options)

    try:
        yield get
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_one_connection_for_many_head_and_404_requests(
        server: CountingServer, fetch: Callable[..., Awaitable[FetchResult]]) -> None:
    for i in range(10):
        head = await fetch(f"/f{i}.pdf", method="HEAD", keep_body=False)
        assert (head.status, head.method) == (200, "HEAD")
        assert (await fetch(f"/p{i}.html")).status == 404
    assert server.connections == 1


@pytest.mark.anyio
async def test_cookies_set_by_the_site_are_sent_back(
        fetch: Callable[..., Awaitable[FetchResult]]) -> None:
    before = await fetch("/whoami")
    await fetch("/login")
    after = await fetch("/whoami")
    assert (before.body, after.body) == (b"-", b"sid=abc123")


@pytest.mark.anyio
async def test_a_connection_the_server_closed_is_not_reused(
        server: CountingServer, fetch: Callable[..., Awaitable[FetchResult]]) -> None:
    first = await fetch("/bye")
    await anyio.sleep(0.2)  # let the server's FIN reach our idle pooled socket
    second = await fetch("/whoami")
    assert (first.status, second.status, second.error) == (200, 200, None)
    assert server.connections == 2
