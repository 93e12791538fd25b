"""The site kit (`webaudit.sitekit`): loopback test servers and site generators.

Every server runs as a subprocess on 127.0.0.1 / ::1 and is stopped by PID; the
tests check that the PIDs are gone. Requests go through `http.client` straight
to loopback with an explicit Host header (no proxies, no system DNS).
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from dnslib import QTYPE, RCODE, DNSRecord  # type: ignore[import-untyped]

from webaudit.demo import DEFECTS, demo_site, demo_spec
from webaudit.sitekit import (
    PORT_TOKEN,
    LiveSite,
    Resource,
    RunningServer,
    SiteSpec,
    big_site,
    gov_site,
    ipv6_available,
    redirect,
    start_dns_server,
    start_gov_site,
    start_http_server,
    write_static,
)

HOST = "www.test.gov.cn"
GBK_TEXT = "政府信息公开指南"


def pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def fetch(port: int, path: str, host: str | None = HOST, method: str = "GET",
          address: str = "127.0.0.1", timeout: float = 5.0,
          ) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection(address, port, timeout=timeout)
    try:
        headers = {"Host": f"{host}:{port}"} if host else {}
        conn.request(method, path, headers=headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def fetch_url(url: str, method: str = "GET") -> tuple[int, http.client.HTTPMessage, bytes]:
    """Fetch a test-site URL by connecting to 127.0.0.1 (the host goes in the Host header)."""
    parts = urlsplit(url)
    assert parts.port is not None
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return fetch(parts.port, target, parts.hostname, method)


def behaviour_spec() -> SiteSpec:
    spec = SiteSpec(default_host=HOST)
    add = spec.add
    add(HOST, "/", Resource(body=f'<a href="http://{HOST}:{PORT_TOKEN}/gbk.html">首页</a>'))
    add(HOST, "/gbk.html", Resource(body=f"<title>{GBK_TEXT}</title>", charset="gbk"))
    add(HOST, "/liar.html", Resource(body=f"<p>{GBK_TEXT}</p>".encode("gbk"),
                                     headers={"Content-Type": "text/html; charset=utf-8"}))
    add(HOST, "/loop/a", redirect("/loop/b", 301))
    add(HOST, "/loop/b", redirect("/loop/a", 302))
    add(HOST, "/flaky", Resource(behaviour="fail-then-ok", fail_count=2, body="ok"))
    add(HOST, "/busy", Resource(behaviour="retry-after", retry_after=1, body="ok"))
    add(HOST, "/big", Resource(behaviour="big", size=3_000_001))
    add(HOST, "/big-chunked", Resource(behaviour="big", size=200_000, chunked=True))
    add(HOST, "/bomb", Resource(behaviour="gzip-bomb"))
    add(HOST, "/stall-headers", Resource(behaviour="stall-headers", stall_seconds=5))
    add(HOST, "/stall-body", Resource(behaviour="stall-body", stall_seconds=5, body="late"))
    add(HOST, "/calendar*", Resource(behaviour="calendar"))
    add(HOST, "/bsfw/index.jsp", Resource(behaviour="session",
                                          body='<a href="/bsfw/list.jsp?type=1">列表</a>'))
    add(HOST, "/files/a.pdf", Resource(body=b"%PDF-1.4 x", head_status=405, head_body="no HEAD"))
    add("www.gov.cn", "/", Resource(body="<title>中国政府网</title>"))
    spec.robots[HOST] = "User-agent: *\nDisallow: /private/\n"
    return spec


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    running = start_http_server(behaviour_spec())
    try:
        yield running
    finally:
        running.stop()
        assert pid_gone(running.pid)


def test_spec_round_trips_through_json() -> None:
    spec = behaviour_spec()
    again = SiteSpec.from_json(spec.to_json())
    assert again == spec
    assert again.hosts[HOST]["/liar.html"].body == f"<p>{GBK_TEXT}</p>".encode("gbk")
    assert again.lookup(HOST, "/calendar/2024/05/") is again.hosts[HOST]["/calendar*"]
    assert again.lookup("nowhere.gov.cn", "/") is None


def test_listens_on_ipv4_and_ipv6_with_one_port(server: RunningServer) -> None:
    status, headers, body = fetch(server.port, "/")
    assert (status, headers["X-Served-By"]) == (200, "127.0.0.1")
    assert f"http://{HOST}:{server.port}/gbk.html".encode() in body  # port token filled in
    if not ipv6_available():
        pytest.skip("no ::1 on this machine")
    assert server.ipv6
    status, headers, _ = fetch(server.port, "/", address="::1")
    assert (status, headers["X-Served-By"]) == (200, "::1")


def test_virtual_hosts(server: RunningServer) -> None:
    assert b"\xe4\xb8\xad\xe5\x9b\xbd" in fetch(server.port, "/", host="www.gov.cn")[2]
    assert fetch(server.port, "/", host="unknown.gov.cn")[0] == 404
    assert fetch(server.port, "/nothing-here.html")[0] == 404
    assert fetch(server.port, "/gbk.html", host=None)[0] == 200  # no Host: the default host
    status, _, body = fetch(server.port, "/robots.txt")
    assert (status, body) == (200, b"User-agent: *\nDisallow: /private/\n")


def test_gbk_page_and_lying_header(server: RunningServer) -> None:
    _, headers, body = fetch(server.port, "/gbk.html")
    assert headers["Content-Type"] == "text/html; charset=gbk"
    assert body.decode("gbk") == f"<title>{GBK_TEXT}</title>"
    _, headers, body = fetch(server.port, "/liar.html")
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert body.decode("gbk") == f"<p>{GBK_TEXT}</p>"


def test_redirect_loop(server: RunningServer) -> None:
    status, headers, _ = fetch(server.port, "/loop/a")
    assert (status, headers["Location"]) == (301, "/loop/b")
    status, headers, _ = fetch(server.port, "/loop/b")
    assert (status, headers["Location"]) == (302, "/loop/a")


def test_fail_then_ok_and_retry_after(server: RunningServer) -> None:
    assert [fetch(server.port, "/flaky")[0] for _ in range(3)] == [500, 500, 200]
    status, headers, _ = fetch(server.port, "/busy")
    assert (status, headers["Retry-After"]) == (429, "1")
    assert fetch(server.port, "/busy")[:3:2] == (200, b"ok")


def test_big_bodies_stream_exactly(server: RunningServer) -> None:
    for path, size in (("/big", 3_000_001), ("/big-chunked", 200_000)):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        conn.request("GET", path, headers={"Host": HOST})
        response = conn.getresponse()
        chunked = response.headers["Transfer-Encoding"] == "chunked"
        assert chunked == (path == "/big-chunked")
        total = 0
        while piece := response.read(65536):
            total += len(piece)
        conn.close()
        assert total == size
    status, headers, body = fetch(server.port, "/big", method="HEAD")
    assert (status, headers["Content-Length"], body) == (200, "3000001", b"")


def test_gzip_bomb_is_small_on_the_wire(server: RunningServer) -> None:
    status, headers, body = fetch(server.port, "/bomb", timeout=30)
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Content-Type"] == "text/html"
    assert int(headers["Content-Length"]) == len(body) < 1_000_000
    assert int.from_bytes(body[-4:], "little") == 200 * 1024 * 1024  # gzip ISIZE trailer
    first = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body[:4096], 1 << 20)
    assert len(first) == 1 << 20 and not first.strip(b"\0")


def test_stalls(server: RunningServer) -> None:
    with pytest.raises(TimeoutError):
        fetch(server.port, "/stall-headers", timeout=0.3)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=0.3)
    conn.request("GET", "/stall-body", headers={"Host": HOST})
    response = conn.getresponse()  # headers come at once
    assert (response.status, response.headers["Content-Length"]) == (200, "4")
    with pytest.raises(TimeoutError):
        response.read()
    conn.close()


def test_head_and_a_wrong_head_status(server: RunningServer) -> None:
    status, headers, body = fetch(server.port, "/gbk.html", method="HEAD")
    assert (status, body) == (200, b"")
    assert int(headers["Content-Length"]) == len(f"<title>{GBK_TEXT}</title>".encode("gbk"))
    assert fetch(server.port, "/files/a.pdf", method="HEAD")[0] == 405
    assert fetch(server.port, "/files/a.pdf")[:3:2] == (200, b"%PDF-1.4 x")


def test_traps(server: RunningServer) -> None:
    first = fetch(server.port, "/bsfw/index.jsp")[2]
    second = fetch(server.port, "/bsfw/index.jsp;jsessionid=ABC123")[2]
    assert b";jsessionid=" in first and first != second  # a fresh id every time
    body = fetch(server.port, "/calendar?date=2024-02-29")[2].decode()
    assert '"/calendar?date=2024-03-01"' in body and '"/calendar/2024/02/"' in body
    body = fetch(server.port, "/calendar/2199/12/")[2].decode()
    assert '"/calendar/2200/01/"' in body and '"/calendar?date=2199-12-31"' in body


def test_stats_and_reset(server: RunningServer) -> None:
    server.reset()
    fetch(server.port, "/gbk.html")
    fetch(server.port, "/gbk.html", method="HEAD")
    fetch(server.port, "/calendar?date=2024-01-01")
    fetch(server.port, "/", host="www.gov.cn")
    stats = server.stats()
    url = server.url(HOST, "/gbk.html")
    assert (stats.count(url), stats.count(url, "GET"), stats.count(url, "HEAD")) == (2, 1, 1)
    assert stats.count(server.url(HOST, "/private/x.html")) == 0
    assert stats.count("/", host="www.gov.cn") == 1
    assert stats.with_prefix("/calendar", HOST) == 1
    assert stats.total == 4
    server.reset()
    assert server.stats().total == 0
    assert [fetch(server.port, "/flaky")[0] for _ in range(3)] == [500, 500, 200]


def test_dns_server() -> None:
    zone = {"www.test.gov.cn": ["127.0.0.1", "::1"], "oa.test.gov.cn": ["10.0.0.8"]}
    with start_dns_server(zone, silent=["slow.test.gov.cn"]) as dns:
        assert dns.nameserver == f"127.0.0.1:{dns.port}"

        def ask(name: str, qtype: str = "A", tcp: bool = False) -> DNSRecord:
            raw = DNSRecord.question(name, qtype).send("127.0.0.1", dns.port, tcp=tcp, timeout=2)
            return DNSRecord.parse(raw)

        assert [str(r.rdata) for r in ask("www.test.gov.cn").rr] == ["127.0.0.1"]
        assert [str(r.rdata) for r in ask("WWW.test.gov.cn.", "AAAA").rr] == ["::1"]
        assert [str(r.rdata) for r in ask("www.test.gov.cn", tcp=True).rr] == ["127.0.0.1"]
        empty = ask("oa.test.gov.cn", "AAAA")
        assert (empty.header.rcode, empty.rr) == (RCODE.NOERROR, [])
        missing = ask("www.closed.invalid")
        assert missing.header.rcode == RCODE.NXDOMAIN
        assert QTYPE.get(ask("oa.test.gov.cn").rr[0].rtype) == "A"
        with pytest.raises(TimeoutError):
            DNSRecord.question("slow.test.gov.cn").send("127.0.0.1", dns.port, timeout=0.3)
        stats = dns.stats()
        assert stats["www.test.gov.cn A"] == 2 and stats["slow.test.gov.cn A"] == 1
    assert pid_gone(dns.pid)


def test_gov_site_is_deterministic_and_complete() -> None:
    spec, expected = gov_site("www.demo.gov.cn", 120, seed=7)
    again, _ = gov_site("www.demo.gov.cn", 120, seed=7)
    assert spec.to_json() == again.to_json()
    assert spec.to_json() != gov_site("www.demo.gov.cn", 120, seed=8)[0].to_json()
    home = expected.homepage
    assert home == f"http://www.demo.gov.cn:{PORT_TOKEN}/"
    assert {b.kind for b in expected.broken.values()} == {
        "status", "dns", "redirect-loop", "soft-404", "private-address"}
    assert expected.homepage_broken == {home + "zwgk/ldjh/", "http://192.168.1.10/oa/"}
    assert set(expected.never_requested.values()) == {
        "robots", "private-address", "comment", "script"}
    assert not expected.healthy & set(expected.broken)
    assert {u.rsplit("/", 2)[1] for u in expected.flaky} == {"sjfb", "zxft"}
    assert {"gbk", "utf-8"} == set(expected.charsets.values())
    articles = [links for url, links in expected.links.items() if "/t20" in url]
    assert len(articles) > 80 and min(map(len, articles)) >= 30
    assert expected.trap_prefix == home + "calendar"
    assert expected.zone["oa.demo.gov.cn"] == ["10.0.0.8"]
    assert expected.with_port(8080).homepage == "http://www.demo.gov.cn:8080/"


def test_gov_site_fixture_serves_what_expected_says(webaudit_gov_site: LiveSite) -> None:
    site = webaudit_gov_site
    expected = site.expected
    assert site.url == f"http://www.demo.gov.cn:{site.server.port}/"
    for url in sorted(expected.healthy):
        if urlsplit(url).port is None:  # only loopback URLs carry the test port
            continue
        for _ in range(expected.flaky.get(url, 1) - 1):
            assert fetch_url(url)[0] in (429, 500)
        status, _, body = fetch_url(url)
        assert status < 400 or url in expected.redirects, url
        if url in expected.titles:
            charset = expected.charsets[url]
            assert f"<title>{expected.titles[url]}</title>" in body.decode(charset)
    for url, broken in expected.broken.items():
        if broken.kind in ("status", "soft-404") and urlsplit(url).port is not None:
            assert fetch_url(url)[0] == broken.status, url
    stats = site.server.stats()
    for url, reason in expected.never_requested.items():
        assert stats.count(url) == 0, (url, reason)
    assert site.dns is not None
    answer = DNSRecord.question("www.demo.gov.cn").send("127.0.0.1", site.dns.port, timeout=2)
    assert [str(r.rdata) for r in DNSRecord.parse(answer).rr] == ["127.0.0.1"]


def test_live_site_stops_both_servers() -> None:
    with start_gov_site(pages=40, trap=False, seed=3) as site:
        assert fetch_url(site.url)[0] == 200
        assert site.static_hosts[0][1] == tuple(site.server.addresses)
    assert site.dns is not None
    assert pid_gone(site.server.pid) and pid_gone(site.dns.pid)


def test_demo_site_defects() -> None:
    spec, expected = demo_site()
    base = f"http://www.demo-city.gov.cn:{PORT_TOKEN}"
    targets = {t if t.startswith("http") else base + t for t, _, _ in DEFECTS}
    assert set(expected.broken) == targets
    assert expected.homepage_broken == {base + "/zwgk/ldjh/", "http://10.0.0.8/oa/"}
    assert 30 <= len(expected.pages) <= 40
    _, hosts = demo_spec()
    for url in expected.healthy:  # every link leaves only for hosts the demo serves
        assert urlsplit(url).hostname in hosts and urlsplit(url).hostname in spec.hosts
    assert "www.closed-bureau.invalid" not in hosts
    with start_http_server(spec) as server:
        status, _, body = fetch(server.port, "/", host="www.demo-city.gov.cn")
        assert status == 200 and "示范市人民政府门户网站" in body.decode()
    assert pid_gone(server.pid)


def test_big_site_and_write_static(tmp_path: Path) -> None:
    spec, expected = big_site("www.big.gov.cn", pages=300, links_per_page=35, seed=1)
    assert 280 <= len(expected.pages) <= 320
    articles = [links for url, links in expected.links.items() if "/t20" in url]
    assert min(map(len, articles)) >= 30
    assert {b.kind for b in expected.broken.values()} <= {"status"}
    dirs = write_static(spec, tmp_path, port=8080)
    root = tmp_path / "www.big.gov.cn"
    assert dirs == [root] and (root / "index.html").is_file()
    served = {p for p in spec.hosts["www.big.gov.cn"] if not p.endswith("/")}
    assert all((root / p.lstrip("/")).is_file() for p in served)


def test_the_site_kit_is_standard_library_only() -> None:
    # `webaudit demo` serves its site with the kit, without the test extras
    code = ("import sys; before = set(sys.modules); import webaudit.sitekit, "
            "webaudit.sitekit.httpserver, webaudit.demo; print(sorted(m for m in "
            "set(sys.modules) - before if not m.startswith('webaudit') and 'site-packages' "
            "in (getattr(sys.modules[m], '__file__', None) or '')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=30)
    assert out.stdout.strip() == "[]"


def test_start_failure_is_reported(tmp_path: Path) -> None:
    from webaudit.sitekit.process import ServerProcess, ServerStartError

    workdir = tmp_path / "w"
    workdir.mkdir()
    with pytest.raises(ServerStartError, match="exited with code 1") as info:
        ServerProcess("webaudit.sitekit.no_such_module", [], workdir, timeout=10)
    assert not workdir.exists()  # cleaned up
    assert "No module named" in str(info.value)  # the child's stderr is in the message
