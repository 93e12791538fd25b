"""Resolver against the site kit's loopback DNS server (a subprocess), address categories,
nameserver parsing."""

from __future__ import annotations

import time
from collections.abc import Iterator

import anyio
import pytest

from webaudit.net.addresses import address_category, parse_ip
from webaudit.net.resolver import Resolution, Resolver, parse_nameserver
from webaudit.sitekit import RunningDNS, start_dns_server

ZONE = {
    "dual.test": ["127.0.0.1", "::1"],
    "v4.test": ["127.0.0.1", "127.0.0.2"],
    "v6.test": ["::1"],
    "empty.test": [],  # in the zone, no record of any type
}
SILENT = ("silent.test",)  # never answered


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def dns_server() -> Iterator[RunningDNS]:
    with start_dns_server(ZONE, silent=SILENT) as server:
        yield server


@pytest.fixture
def resolver(dns_server: RunningDNS) -> Resolver:
    return Resolver([f"127.0.0.1:{dns_server.port}"], timeout=2.0)


@pytest.mark.anyio
async def test_both_families(resolver: Resolver) -> None:
    res = await resolver.resolve("dual.test")
    assert res == Resolution("dual.test", ("127.0.0.1",), ("::1",))
    assert res.addresses() == ["127.0.0.1", "::1"]
    assert res.addresses(prefer_ipv4=False) == ["::1", "127.0.0.1"]
    assert res.addresses(4) == ["127.0.0.1"]
    assert res.addresses(6) == ["::1"]


@pytest.mark.anyio
async def test_one_family_is_success(resolver: Resolver) -> None:
    v4 = await resolver.resolve("V4.test.")  # case and trailing dot do not matter
    assert v4.error is None and v4.ipv4 == ("127.0.0.1", "127.0.0.2") and v4.ipv6 == ()
    v6 = await resolver.resolve("v6.test")
    assert v6.error is None and v6.ipv4 == () and v6.ipv6 == ("::1",)


@pytest.mark.anyio
async def test_failures(resolver: Resolver) -> None:
    nx = await resolver.resolve("nope.test")
    assert nx.error == "nxdomain" and "nope.test" in (nx.detail or "")
    empty = await resolver.resolve("empty.test")
    assert empty.error == "no-answer"


@pytest.mark.anyio
async def test_timeout_is_bounded(dns_server: RunningDNS) -> None:
    resolver = Resolver([f"127.0.0.1:{dns_server.port}"], timeout=0.5)
    t0 = time.monotonic()
    res = await resolver.resolve("silent.test")
    assert time.monotonic() - t0 < 2.0
    assert res.error == "timeout"
    assert "0.5s" in (res.detail or "") and f"127.0.0.1:{dns_server.port}" in res.detail


@pytest.mark.anyio
async def test_no_query_needed() -> None:
    # A nameserver that does not exist: any query would time out.
    resolver = Resolver(["127.0.0.1:9"], timeout=0.3,
                        hosts={"Intranet.Example": ["10.0.0.5", "fd00::5"]})
    assert (await resolver.resolve("192.0.2.7")).ipv4 == ("192.0.2.7",)
    assert (await resolver.resolve("[2001:db8::1]")).ipv6 == ("2001:db8::1",)
    assert (await resolver.resolve("localhost")) == Resolution("localhost", ("127.0.0.1",),
                                                               ("::1",))
    static = await resolver.resolve("intranet.example")
    assert static.ipv4 == ("10.0.0.5",) and static.ipv6 == ("fd00::5",)
    invalid = await resolver.resolve("www.example.invalid")
    assert invalid.error == "nxdomain"


@pytest.mark.anyio
async def test_cache_and_shared_lookup(resolver: Resolver) -> None:
    assert resolver._dns is not None
    calls: list[str] = []
    real = resolver._dns.resolve

    async def counting(*args, **kwargs):
        calls.append(str(args[1]))
        return await real(*args, **kwargs)

    resolver._dns.resolve = counting  # type: ignore[method-assign]
    results: list[Resolution] = []

    async def one() -> None:
        results.append(await resolver.resolve("dual.test"))

    async with anyio.create_task_group() as tg:
        for _ in range(20):
            tg.start_soon(one)
    assert len(set(results)) == 1 and results[0].ipv6 == ("::1",)
    assert sorted(calls) == ["A", "AAAA"]
    await resolver.resolve("dual.test")
    assert len(calls) == 2


@pytest.mark.anyio
async def test_no_nameservers(monkeypatch: pytest.MonkeyPatch) -> None:
    import dns.resolver

    def no_config(self, *args, **kwargs):
        raise dns.resolver.NoResolverConfiguration("no resolv.conf")

    monkeypatch.setattr(dns.resolver.BaseResolver, "read_resolv_conf", no_config)
    resolver = Resolver()
    res = await resolver.resolve("www.gov.cn")
    assert res.error == "no-nameservers"


def test_parse_nameserver() -> None:
    assert parse_nameserver("1.2.3.4") == ("1.2.3.4", 53)
    assert parse_nameserver("1.2.3.4:5353") == ("1.2.3.4", 5353)
    assert parse_nameserver("::1") == ("::1", 53)
    assert parse_nameserver("2400:3200::1") == ("2400:3200::1", 53)
    assert parse_nameserver("[::1]:5353") == ("::1", 5353)
    assert parse_nameserver("[::1]") == ("::1", 53)
    for bad in ("dns.example", "localhost:53", "1.2.3.4:0", "1.2.3.4:x", "[::1", "[::1]x"):
        with pytest.raises(ValueError, match="nameserver"):
            parse_nameserver(bad)


@pytest.mark.parametrize(("ip", "category"), [
    ("8.8.8.8", "public"), ("223.5.5.5", "public"), ("2400:3200::1", "public"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"),
    ("100.64.0.1", "private"), ("fd00::1", "private"),
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("[::1]", "loopback"),
    ("169.254.1.1", "link-local"), ("fe80::1%eth0", "link-local"),
    ("0.0.0.0", "reserved"), ("::", "reserved"), ("224.0.0.1", "reserved"),
    ("ff02::1", "reserved"), ("240.0.0.1", "reserved"), ("192.0.2.1", "reserved"),
    ("2001:db8::1", "reserved"), ("::ffff:10.0.0.1", "private"),
])
def test_address_category(ip: str, category: str) -> None:
    assert address_category(ip) == category


def test_parse_ip_takes_literals_only() -> None:
    assert parse_ip("1.2.3.4") and parse_ip("::1") and parse_ip("[::1]")
    assert parse_ip("www.gov.cn") is None and parse_ip("1.2.3") is None
    with pytest.raises(ValueError):
        address_category("www.gov.cn")
