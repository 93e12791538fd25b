"""Address families: the crawl prefers IPv4, falls back to IPv6, and reports DNS failures.

Each test serves a two-page site on loopback and answers its name from a real DNS server.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import webaudit
from webaudit.sitekit import Resource, SiteSpec, ipv6_available

HOST = "www.v6.gov.cn"
PAGE = ('<html><head><meta charset="utf-8"><title>{title}</title></head><body>'
        '<a href="/zwgk/">政府信息公开</a><a href="/missing/">已撤销栏目</a></body></html>')

needs_ipv6 = pytest.mark.skipif(not ipv6_available(), reason="no ::1 on this machine")


def two_pages() -> SiteSpec:
    return SiteSpec(hosts={HOST: {
        "/": Resource(body=PAGE.format(title="首页"), headers={"Content-Type": "text/html"}),
        "/zwgk/": Resource(body=PAGE.format(title="政府信息公开"),
                           headers={"Content-Type": "text/html"}),
        "/missing/": Resource(status=404, body="not found"),
    }})


def crawl(url: str, nameserver: str) -> webaudit.Report:
    return webaudit.audit(url, nameservers=[nameserver], load_entrypoints=False, timeout=2.0,
                          retries=0)


def checks_of(report: webaudit.Report) -> set[tuple[str, str]]:
    return {(f.check, f.target.split(":", 2)[-1].split("/", 1)[-1]) for f in report.findings}


@needs_ipv6
def test_falls_back_to_ipv6_when_ipv4_is_refused(
        webaudit_http_server: Callable[..., Any], webaudit_dns_server: Callable[..., Any]) -> None:
    server = webaudit_http_server(two_pages(), hosts=("::1",))
    dns = webaudit_dns_server({HOST: ["127.0.0.1", "::1"]})  # IPv4 answers, nobody listens
    report = crawl(server.url(HOST), dns.nameserver)
    site = report.sites[0]
    assert site.homepage is not None and site.homepage.address == "::1"
    assert site.stats.pages == 2
    assert checks_of(report) == {("links.broken", "missing/")}


@needs_ipv6
def test_ipv6_only_host(webaudit_http_server: Callable[..., Any],
                        webaudit_dns_server: Callable[..., Any]) -> None:
    server = webaudit_http_server(two_pages())
    dns = webaudit_dns_server({HOST: ["::1"]})
    report = crawl(server.url(HOST), dns.nameserver)
    assert report.sites[0].homepage.address == "::1"  # type: ignore[union-attr]
    assert checks_of(report) == {("links.broken", "missing/")}


def test_prefers_ipv4(webaudit_http_server: Callable[..., Any],
                      webaudit_dns_server: Callable[..., Any]) -> None:
    server = webaudit_http_server(two_pages())
    dns = webaudit_dns_server({HOST: ["127.0.0.1", "::1"] if server.ipv6 else ["127.0.0.1"]})
    report = crawl(server.url(HOST), dns.nameserver)
    assert report.sites[0].homepage.address == "127.0.0.1"  # type: ignore[union-attr]


def test_unknown_name_is_a_finding_not_a_crash(webaudit_dns_server: Callable[..., Any]) -> None:
    dns = webaudit_dns_server({"other.gov.cn": ["127.0.0.1"]})
    report = crawl(f"http://{HOST}:9/", dns.nameserver)
    (finding,) = report.findings
    assert finding.check == "site.unreachable"
    assert finding.evidence["kind"] == "dns"
    assert finding.target == f"http://{HOST}:9/"
