"""Fetcher + client against the site kit's loopback DNS and HTTP servers (subprocesses,
stopped by PID)."""

from __future__ import annotations

import gzip
import ssl
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import brotli
import httpcore
import httpx
import pytest
import trustme

from webaudit.model import Redirect
from webaudit.net.aiostream import AsyncioBackend
from webaudit.net.client import DNSError, ResolvingTransport, make_client
from webaudit.net.fetch import Fetcher, parse_retry_after
from webaudit.net.resolver import Resolver
from webaudit.settings import CrawlSettings
from webaudit.sitekit import (
    Resource,
    RunningDNS,
    RunningServer,
    SiteSpec,
    closed_port,
    redirect,
    start_dns_server,
    start_http_server,
)

LOOPBACK = frozenset({"loopback"})
SETTINGS = CrawlSettings(timeout=1.0, total_timeout=10.0, retries=2, backoff=0.05,
                         max_retry_after=2.0, max_redirects=5, max_bytes=1024 * 1024,
                         max_decompressed=2 * 1024 * 1024, http2=False)
ZONE = {
    "dual.test": ["127.0.0.1", "::1"],
    "v4.test": ["127.0.0.1"],
    "v6.test": ["::1"],
    # A points at a loopback address nobody listens on; AAAA works.
    "broken4.test": ["127.0.0.2", "::1"],
    "private.test": ["10.1.2.3"],
    "mixed.test": ["127.0.0.1", "10.1.2.3"],
}
SILENT = ("silent.test",)
BROTLI_TEXT = b"hello brotli " * 1000


def routes() -> dict[str, Resource]:
    """What every test host serves."""
    paths = {
        "/ok": Resource(body=b"<html><title>ok</title>hello</html>"),
        "/to?url=http://private.test/x": redirect("http://private.test/x", 301),
        "/loop/a": redirect("/loop/b", 302),
        "/loop/b": redirect("/loop/a", 302),
        # each query is a counter of its own
        "/flaky?key=a&fail=2": Resource(behaviour="fail-then-ok", fail_count=2, body="recovered"),
        "/flaky?key=b&fail=5&status=502": Resource(behaviour="fail-then-ok", fail_count=5,
                                                   fail_status=502, body="recovered"),
        "/flaky?key=c&fail=5&status=501": Resource(behaviour="fail-then-ok", fail_count=5,
                                                   fail_status=501, body="recovered"),
        "/429?key=x": Resource(behaviour="retry-after", retry_after=1, body="thanks"),
        "/429?key=y&after=3600": Resource(behaviour="retry-after", retry_after=3600,
                                          body="thanks"),
        "/stall?s=3": Resource(behaviour="stall-headers", stall_seconds=3, body="late"),
        "/big": Resource(behaviour="big", size=20 * 1024 * 1024, body=b"x",
                         headers={"Content-Type": "application/octet-stream"}),
        "/bomb": Resource(behaviour="gzip-bomb", headers={"Content-Type": "text/plain"}),
        "/gzip": Resource(body=gzip.compress(b"hello gzip"),
                          headers={"Content-Encoding": "gzip", "Content-Type": "text/plain"}),
        "/br": Resource(body=brotli.compress(BROTLI_TEXT),
                        headers={"Content-Encoding": "br", "Content-Type": "text/plain"}),
        # servers that get HEAD wrong
        **{f"/head{n}": Resource(body="got it", head_status=n) for n in (405, 404, 500)},
        "/status/404": Resource(status=404, body="status"),
    }
    for n in range(11):  # /redirect/N: N more redirects, alternately root-relative and relative
        target = "/ok" if n == 0 else (f"/redirect/{n - 1}" if n % 2 else f"{n - 1}")
        paths[f"/redirect/{n}"] = redirect(target, 302)
    return paths


def net_spec() -> SiteSpec:
    spec = SiteSpec(default_host="dual.test", echo_request=True)
    for host in ("dual.test", "v4.test", "v6.test", "broken4.test"):
        spec.hosts[host] = routes()
    return spec


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@dataclass
class Servers:
    dns: RunningDNS
    http: RunningServer  # 127.0.0.1 and ::1, one port
    v4only: RunningServer  # 127.0.0.1 only
    tls: RunningServer  # HTTPS on 127.0.0.1, certificate for dual.test and 127.0.0.1


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory, ca: trustme.CA) -> Iterator[Servers]:
    tmp: Path = tmp_path_factory.mktemp("certs")
    cert = ca.issue_cert("dual.test", "127.0.0.1")
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_path))
    cert.private_key_pem.write_to_path(str(key_path))
    spec = net_spec()
    started: list[RunningDNS | RunningServer] = []
    try:
        started.append(dns := start_dns_server(ZONE, silent=SILENT))
        started.append(http := start_http_server(spec))
        started.append(v4only := start_http_server(spec, hosts=("127.0.0.1",)))
        started.append(tls := start_http_server(spec, hosts=("127.0.0.1",),
                                                tls=(cert_path, key_path)))
        yield Servers(dns, http, v4only, tls)
    finally:
        for server in reversed(started):
            server.stop()


@pytest.fixture
def port(servers: Servers) -> int:
    servers.http.reset()  # fresh fail-then-ok and retry-after counters for each test
    return servers.http.port


@pytest.fixture
def resolver(servers: Servers) -> Resolver:
    return Resolver([servers.dns.nameserver], timeout=1.0)


@pytest.fixture
def settings(network_backend: str) -> CrawlSettings:
    """SETTINGS on each network backend in turn (one run of every test per backend)."""
    return replace(SETTINGS, network_backend=network_backend)


@pytest.fixture
async def fetcher(resolver: Resolver, settings: CrawlSettings) -> AsyncIterator[Fetcher]:
    async with make_client(resolver, settings) as client:
        yield Fetcher(client, resolver, settings)


async def _fetcher(resolver: Resolver, settings: CrawlSettings, **kw) -> Fetcher:
    return Fetcher(make_client(resolver, settings, **kw), resolver, settings)


@pytest.mark.anyio
async def test_ok_by_name(fetcher: Fetcher, port: int) -> None:
    res = await fetcher.fetch(f"http://dual.test:{port}/ok", allow_private=LOOPBACK)
    assert res.ok and res.status == 200 and res.error is None
    assert res.body == b"<html><title>ok</title>hello</html>"
    assert res.content_type == "text/html"
    assert res.header("content-type") == "text/html; charset=utf-8"
    assert res.header("x-host") == f"dual.test:{port}"  # Host is the name, not the IP
    assert res.header("x-server-addr") == "127.0.0.1"  # IPv4 preferred
    assert res.header("x-accept-encoding") == "gzip, deflate, br"
    assert res.address == "127.0.0.1"
    assert res.http_version == "HTTP/1.1"
    assert res.attempts == 1 and res.redirects == () and res.final_url == res.url
    assert all(k == k.lower() for k, _ in res.headers)
    assert fetcher.requests == 1 and fetcher.bytes_received == len(res.body)


@pytest.mark.anyio
async def test_family_pinning(fetcher: Fetcher, port: int) -> None:
    v6 = await fetcher.fetch(f"http://dual.test:{port}/ok", family=6, allow_private=LOOPBACK)
    assert v6.ok and v6.header("x-server-addr") == "::1" and v6.address == "::1"
    assert v6.header("x-host") == f"dual.test:{port}"
    v4 = await fetcher.fetch(f"http://dual.test:{port}/ok", family=4, allow_private=LOOPBACK)
    assert v4.ok and v4.address == "127.0.0.1"
    only6 = await fetcher.fetch(f"http://v6.test:{port}/ok", allow_private=LOOPBACK)
    assert only6.ok and only6.address == "::1"
    no_aaaa = await fetcher.fetch(f"http://v4.test:{port}/ok", family=6,
                                  allow_private=LOOPBACK)
    assert no_aaaa.error == "dns" and "AAAA" in (no_aaaa.error_detail or "")


@pytest.mark.anyio
async def test_fallback_between_families(fetcher: Fetcher, servers: Servers,
                                         port: int) -> None:
    v4only = servers.v4only.port
    # AAAA ::1 has nothing on this port: IPv4 first, so the page loads.
    res = await fetcher.fetch(f"http://dual.test:{v4only}/ok", allow_private=LOOPBACK)
    assert res.ok and res.address == "127.0.0.1"
    # Pinned to IPv6 the same host is refused, and the message names the address.
    res6 = await fetcher.fetch(f"http://dual.test:{v4only}/ok", family=6,
                               allow_private=LOOPBACK)
    assert res6.error == "refused" and f"[::1]:{v4only}" in (res6.error_detail or "")
    # A refused on 127.0.0.2, AAAA works: falls back to IPv6.
    res = await fetcher.fetch(f"http://broken4.test:{port}/ok", allow_private=LOOPBACK)
    assert res.ok and res.address == "::1"


@pytest.mark.anyio
async def test_dns_and_refused_errors(resolver: Resolver, settings: CrawlSettings) -> None:
    fetcher = await _fetcher(resolver, replace(settings, retries=0))
    async with fetcher._client:
        nx = await fetcher.fetch("http://nope.test/", allow_private=LOOPBACK)
        assert nx.error == "dns" and "NXDOMAIN" in (nx.error_detail or "")
        assert fetcher.requests == 0
        free = closed_port()
        refused = await fetcher.fetch(f"http://127.0.0.1:{free}/", allow_private=LOOPBACK)
        assert refused.error == "refused"
        assert f"127.0.0.1:{free}" in (refused.error_detail or "")
        both = await fetcher.fetch(f"http://dual.test:{free}/", allow_private=LOOPBACK)
        assert both.error == "refused"
        assert f"127.0.0.1:{free}, [::1]:{free}" in (both.error_detail or "")
        for bad_url in ("ftp://dual.test/x", "not a url", "http://", "javascript:void(0)"):
            bad = await fetcher.fetch(bad_url)
            assert bad.error == "invalid-url", bad_url


@pytest.mark.anyio
async def test_transport_raises_dns_error(resolver: Resolver, network_backend: str) -> None:
    transport = ResolvingTransport(resolver, network_backend=network_backend)
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(DNSError) as info:
            await client.get("http://nope.test/")
    assert info.value.resolution.error == "nxdomain"


@pytest.mark.anyio
async def test_private_address_never_connected(fetcher: Fetcher, port: int) -> None:
    t0 = time.monotonic()
    res = await fetcher.fetch("http://private.test/secret", allow_private=LOOPBACK)
    assert time.monotonic() - t0 < 1.0
    assert res.error == "private-address"
    assert "private.test" in (res.error_detail or "") and "10.1.2.3" in res.error_detail
    mixed = await fetcher.fetch(f"http://mixed.test:{port}/ok", allow_private=LOOPBACK)
    assert mixed.error == "private-address"
    # A redirect into the intranet is stopped at that hop.
    hop = await fetcher.fetch(f"http://dual.test:{port}/to?url=http://private.test/x",
                              allow_private=LOOPBACK)
    assert hop.error == "private-address"
    assert hop.redirects == (Redirect(f"http://dual.test:{port}/to?url=http://private.test/x",
                                      301, "http://private.test/x"),)
    assert fetcher.requests == 1  # only the redirecting page was requested
    # Loopback itself is refused unless allowed.
    loop = await fetcher.fetch(f"http://127.0.0.1:{port}/ok")
    assert loop.error == "private-address" and "loopback" in (loop.error_detail or "")
    assert fetcher.requests == 1


@pytest.mark.anyio
async def test_redirects(fetcher: Fetcher, port: int) -> None:
    base = f"http://dual.test:{port}"
    res = await fetcher.fetch(f"{base}/redirect/3", allow_private=LOOPBACK)
    assert res.ok and res.final_url == f"{base}/ok" and res.body
    assert [r.status for r in res.redirects] == [302] * 4
    assert res.redirects[0] == Redirect(f"{base}/redirect/3", 302, f"{base}/redirect/2")
    too_many = await fetcher.fetch(f"{base}/redirect/9", allow_private=LOOPBACK)
    assert too_many.error == "too-many-redirects" and len(too_many.redirects) == 6
    loop = await fetcher.fetch(f"{base}/loop/a", allow_private=LOOPBACK)
    assert loop.error == "redirect-loop"
    assert loop.error_detail == (f"redirect loop: {base}/loop/a -> {base}/loop/b -> "
                                 f"{base}/loop/a")


@pytest.mark.anyio
async def test_retries_recover(fetcher: Fetcher, port: int) -> None:
    base = f"http://dual.test:{port}"
    res = await fetcher.fetch(f"{base}/flaky?key=a&fail=2", allow_private=LOOPBACK)
    assert res.ok and res.body == b"recovered" and res.attempts == 3
    res = await fetcher.fetch(f"{base}/flaky?key=b&fail=5&status=502", allow_private=LOOPBACK)
    assert res.status == 502 and res.error is None and res.attempts == 3 and not res.ok
    res = await fetcher.fetch(f"{base}/flaky?key=c&fail=5&status=501", allow_private=LOOPBACK)
    assert res.status == 501 and res.attempts == 1  # not worth retrying


@pytest.mark.anyio
async def test_retry_after(fetcher: Fetcher, port: int) -> None:
    base = f"http://dual.test:{port}"
    t0 = time.monotonic()
    res = await fetcher.fetch(f"{base}/429?key=x", allow_private=LOOPBACK)
    assert res.ok and res.body == b"thanks" and res.attempts == 2
    assert time.monotonic() - t0 >= 0.95
    t0 = time.monotonic()
    res = await fetcher.fetch(f"{base}/429?key=y&after=3600", allow_private=LOOPBACK)
    assert res.status == 429 and res.attempts == 1 and time.monotonic() - t0 < 1
    assert "Retry-After" in (res.error_detail or "")


def test_parse_retry_after() -> None:
    import datetime as dt

    now = dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=dt.UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 01 May 2024 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Wed, 01 May 2024 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


@pytest.mark.anyio
async def test_stall_times_out(resolver: Resolver, port: int, settings: CrawlSettings) -> None:
    base = settings
    settings = replace(base, timeout=0.3, retries=1)
    fetcher = await _fetcher(resolver, settings)
    async with fetcher._client:
        t0 = time.monotonic()
        res = await fetcher.fetch(f"http://dual.test:{port}/stall?s=3", allow_private=LOOPBACK)
        assert time.monotonic() - t0 < 1.5
        assert res.error == "timeout" and "read timeout" in (res.error_detail or "")
        assert res.attempts == 2
        settings = replace(base, timeout=5.0, total_timeout=0.5)
    fetcher = await _fetcher(resolver, settings)
    async with fetcher._client:
        t0 = time.monotonic()
        res = await fetcher.fetch(f"http://dual.test:{port}/stall?s=3", allow_private=LOOPBACK)
        assert time.monotonic() - t0 < 1.0
        assert res.error == "timeout" and res.error_detail == "total timeout 0.5s"
        # The total bound also cuts a DNS lookup that does not answer.
        t0 = time.monotonic()
        res = await fetcher.fetch(f"http://silent.test:{port}/ok", allow_private=LOOPBACK)
        assert time.monotonic() - t0 < 1.0
        assert res.error == "timeout" and res.error_detail == "total timeout 0.5s"
        assert fetcher.requests == 1


@pytest.mark.anyio
async def test_body_caps(fetcher: Fetcher, port: int) -> None:
    base = f"http://dual.test:{port}"
    big = await fetcher.fetch(f"{base}/big", allow_private=LOOPBACK)
    assert big.ok and big.truncated == "max-bytes"
    assert big.body == b"x" * SETTINGS.max_bytes and big.bytes_received == SETTINGS.max_bytes
    small = await fetcher.fetch(f"{base}/big", allow_private=LOOPBACK, max_bytes=1000)
    assert small.body is not None and len(small.body) == 1000
    bomb = await fetcher.fetch(f"{base}/bomb", allow_private=LOOPBACK)
    assert bomb.ok and bomb.truncated == "decompressed-size"
    assert bomb.body == b"\0" * SETTINGS.max_decompressed
    assert bomb.bytes_received < 100_000  # stopped early on the wire too
    checked = await fetcher.fetch(f"{base}/big", allow_private=LOOPBACK, keep_body=False)
    assert checked.ok and checked.body is None and checked.bytes_received == 0


@pytest.mark.anyio
async def test_encodings(fetcher: Fetcher, port: int) -> None:
    base = f"http://dual.test:{port}"
    br = await fetcher.fetch(f"{base}/br", allow_private=LOOPBACK)
    assert br.body == b"hello brotli " * 1000 and br.header("content-encoding") == "br"
    gz = await fetcher.fetch(f"{base}/gzip", allow_private=LOOPBACK)
    assert gz.body == b"hello gzip"


@pytest.mark.anyio
@pytest.mark.parametrize("path", ["/head405", "/head404", "/head500"])
async def test_a_failed_head_is_confirmed_with_get(fetcher: Fetcher, port: int, path: str) -> None:
    base = f"http://dual.test:{port}"
    res = await fetcher.fetch(f"{base}{path}", method="HEAD", allow_private=LOOPBACK)
    assert res.ok and res.method == "GET" and res.body is None
    assert res.header("x-method") == "GET" and res.attempts == 2


@pytest.mark.anyio
async def test_a_real_failure_stays_one_after_get(fetcher: Fetcher, port: int) -> None:
    base = f"http://dual.test:{port}"
    res = await fetcher.fetch(f"{base}/status/404", method="HEAD", allow_private=LOOPBACK)
    assert (res.status, res.method, res.attempts, res.ok) == (404, "GET", 2, False)
    res = await fetcher.fetch(f"{base}/ok", method="HEAD", allow_private=LOOPBACK)
    assert res.ok and res.method == "HEAD" and res.header("x-method") == "HEAD"


@pytest.mark.anyio
async def test_prepare_request_hook(resolver: Resolver, port: int,
                                    settings: CrawlSettings) -> None:
    seen: list[str] = []

    def hook(request: httpx.Request) -> None:
        seen.append(str(request.url))
        request.headers["User-Agent"] = "custom"
        if "boom" in str(request.url):
            raise RuntimeError("plugin bug")

    async with make_client(resolver, settings) as client:
        fetcher = Fetcher(client, resolver, settings, prepare_request=hook)
        res = await fetcher.fetch(f"http://dual.test:{port}/ok", allow_private=LOOPBACK)
        assert res.ok and seen == [f"http://dual.test:{port}/ok"]
        res = await fetcher.fetch(f"http://dual.test:{port}/ok?boom", allow_private=LOOPBACK)
        assert res.ok


@pytest.mark.anyio
async def test_tls(resolver: Resolver, servers: Servers, ca: trustme.CA,
                   settings: CrawlSettings) -> None:
    tls_port = servers.tls.port
    url = f"https://dual.test:{tls_port}/ok"
    settings = replace(settings, retries=0, http2=True)  # offers h2; the server picks 1.1
    untrusted = await _fetcher(resolver, settings)
    async with untrusted._client:
        res = await untrusted.fetch(url, allow_private=LOOPBACK)
        assert res.error == "tls" and "certificate" in (res.error_detail or "").lower()
    context = ssl.create_default_context()
    ca.configure_trust(context)
    trusted = await _fetcher(resolver, settings, ssl_context=context)
    async with trusted._client:
        res = await trusted.fetch(url, allow_private=LOOPBACK)
        assert res.ok and res.address == "127.0.0.1"
        assert res.header("x-sni") == "dual.test"  # SNI is the name, not the IP
        assert res.header("x-host") == f"dual.test:{tls_port}"


@pytest.mark.anyio
async def test_many_concurrent_requests_share_pools(resolver: Resolver, port: int,
                                                    settings: CrawlSettings) -> None:
    import anyio

    settings = replace(settings, per_host=20)
    async with make_client(resolver, settings) as client:
        fetcher = Fetcher(client, resolver, settings)
        results = []

        async def one(i: int) -> None:
            results.append(await fetcher.fetch(f"http://dual.test:{port}/ok?i={i}",
                                               allow_private=LOOPBACK))

        async with anyio.create_task_group() as tg:
            for i in range(60):
                tg.start_soon(one, i)
        assert all(r.ok for r in results) and len(results) == 60
        transport = client._transport
        assert isinstance(transport, ResolvingTransport)
        assert [len(s.pools) for s in transport._shards.values()] == [3]


@pytest.mark.anyio
async def test_settings_choose_the_network_backend(resolver: Resolver, port: int,
                                                   settings: CrawlSettings) -> None:
    expected = {"asyncio": AsyncioBackend, "httpcore": httpcore.AnyIOBackend}
    async with make_client(resolver, settings) as client:
        res = await Fetcher(client, resolver, settings).fetch(f"http://dual.test:{port}/ok",
                                                              allow_private=LOOPBACK)
        assert res.ok
        transport = client._transport
        assert isinstance(transport, ResolvingTransport)
        backends = {type(b._backend) for b in transport._backends.values()}
        assert backends == {expected[settings.network_backend]}
    with pytest.raises(ValueError, match="unknown network backend 'trio'"):
        make_client(resolver, replace(settings, network_backend="trio"))


def test_the_network_backend_setting_is_checked(tmp_path: Path) -> None:
    from webaudit import ConfigError
    from webaudit.assemble import build_settings

    config = tmp_path / "audit.toml"
    config.write_text('[crawl]\nnetwork_backend = "httpcore"\n', encoding="utf-8")
    assert build_settings([str(config)]).crawl.network_backend == "httpcore"
    assert build_settings(["http://www.gov.cn/"]).crawl.network_backend == "asyncio"
    with pytest.raises(ConfigError) as info:
        build_settings(["http://www.gov.cn/"], {"network_backend": "trio"})
    assert str(info.value) == '--network-backend must be one of asyncio, httpcore; got "trio"'
    config.write_text('[crawl]\nnetwork_backend = "trio"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        build_settings([str(config)])
    assert str(info.value) == (f'{config}:2: \'network_backend\' must be one of asyncio, httpcore; '
                               'got "trio"')
