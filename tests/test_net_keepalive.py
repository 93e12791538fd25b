"""Connections are reused: HEAD checks and small error bodies must not cost a new TCP connection.

A regression test: httpcore closes a connection whose exchange was not read to its end,
and a HEAD response's end must be read too.

The server is the site kit's, on 127.0.0.1; it counts the connections that carried requests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import anyio
import pytest

from webaudit.model import FetchResult
from webaudit.net.client import make_client
from webaudit.net.fetch import Fetcher
from webaudit.net.resolver import Resolver
from webaudit.settings import CrawlSettings
from webaudit.sitekit import Resource, RunningServer, SiteSpec, start_http_server

LOOPBACK = frozenset({"loopback"})
HOST = "keepalive.test"  # requests go to 127.0.0.1: the default host answers


def keepalive_spec() -> SiteSpec:
    spec = SiteSpec(default_host=HOST)
    add = spec.add
    # a big attachment: HEAD gets only headers
    add(HOST, "/f*", Resource(behaviour="big", size=2_000_000,
                              headers={"Content-Type": "application/pdf"}))
    add(HOST, "/login", Resource(body="ok", headers={"Set-Cookie": "sid=abc123; Path=/"}))
    add(HOST, "/whoami", Resource(behaviour="request-header", request_header="Cookie",
                                  body="-"))  # echoes the cookie it got
    add(HOST, "/bye", Resource(body="bye", close=True))  # answers, then closes unannounced
    return spec  # anything else: a small 404 page


class CountingServer:
    """The site-kit server, with the connections that carried requests since the test began."""

    def __init__(self, server: RunningServer) -> None:
        self.server = server
        server.reset()

    @property
    def connections(self) -> int:
        return self.server.stats().connections

    @property
    def port(self) -> int:
        return self.server.port


@pytest.fixture(scope="module")
def running() -> Iterator[RunningServer]:
    with start_http_server(keepalive_spec(), hosts=("127.0.0.1",)) as server:
        yield server


@pytest.fixture
def server(running: RunningServer) -> CountingServer:
    return CountingServer(running)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def fetch(server: CountingServer, network_backend: str,
                ) -> AsyncIterator[Callable[..., Awaitable[FetchResult]]]:
    """`await fetch(path, **options)` on the counting server: one connection at a time,
    no retries (so a reused dead connection would show as an error); each network
    backend in turn."""
    settings = CrawlSettings(per_host=1, retries=0, network_backend=network_backend)
    resolver = Resolver()
    client = make_client(resolver, settings)
    fetcher = Fetcher(client, resolver, settings)
    base = f"http://127.0.0.1:{server.port}"

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
