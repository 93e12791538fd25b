"""Every fetch goes through the scheduler: the checks' as well as the crawl's.

Measured on the server side (the site kit's request counts and peak requests in
flight per host): a check's fetch reuses what the crawl fetched, robots.txt holds
for checks, the per-host limit holds for check fetches, and two checks asking for
the same URL cause one request. Plus the phases that receive the answers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pytest

from webaudit import (
    Fact,
    FetchRequest,
    FetchResult,
    Finding,
    KeepTarget,
    Page,
    Site,
    SiteContext,
    SiteResult,
    hookimpl,
)
from webaudit.crawl.fetchcache import FetchCache
from webaudit.sitekit import Resource, RunningServer, SiteSpec, start_http_server
from webaudit.testing import run_audit

HOST = "127.0.0.1"
SLOW = [f"/slow/{i}.json" for i in range(6)]


def _spec() -> SiteSpec:
    spec = SiteSpec(default_host=HOST)
    spec.robots[HOST] = "User-agent: *\nDisallow: /private/\n"
    spec.add(HOST, "/", Resource(body=(
        "<title>首页</title><a href='/a.html'>a</a> <a href='/files/doc.pdf'>附件</a>"
        "<a href='/private/x.html'>内部</a>")))
    spec.add(HOST, "/a.html", Resource(body="<title>a</title><p>正文</p>"))
    spec.add(HOST, "/files/doc.pdf", Resource(body=b"%PDF-1.7\n" + b"x" * 5000,
                                              headers={"Content-Type": "application/pdf"}))
    spec.add(HOST, "/private/x.html", Resource(body="<title>内部</title>"))
    spec.add(HOST, "/private/secret.pdf", Resource(body=b"%PDF-1.4\n"))
    spec.add(HOST, "/shared.json", Resource(body=b"{}", headers={"Content-Type": "application/json"}))
    for path in SLOW:
        spec.add(HOST, path, Resource(body=b"{}", behaviour="stall-body", stall_seconds=0.3,
                                      headers={"Content-Type": "application/json"}))
    return spec


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with start_http_server(_spec(), hosts=(HOST,)) as running:
        yield running


@dataclasses.dataclass(frozen=True)
class Answered(Fact):
    url: str
    status: int | None
    error: str | None
    length: int | None


class Fetching:
    """Asks, from the homepage, for the linked attachment (as the crawl will), a
    disallowed URL, the shared URL and six slow ones; records the answers as facts."""

    id = "test.fetching"
    title = "asks the scheduler for fetches"
    severity = "notice"

    def check_page(self, page: Page) -> Iterator[FetchRequest]:
        if not page.is_homepage:
            return
        base = page.url.rstrip("/")
        yield FetchRequest(base + "/files/doc.pdf", method="HEAD")
        yield FetchRequest(base + "/private/secret.pdf", max_bytes=16)
        yield FetchRequest(base + "/shared.json")
        yield FetchRequest(base + "/shared.json")  # asked twice: answered once
        for path in SLOW:
            yield FetchRequest(base + path)

    def check_fetched(self, request: FetchRequest, result: FetchResult) -> Iterator[Fact]:
        yield Answered(request.url, result.status, result.error,
                       None if result.body is None else len(result.body))

    def check_site(self, site: Site, facts: Sequence[Fact]) -> Iterator[Finding]:
        for fact in facts:
            assert isinstance(fact, Answered)
            yield Finding(check=self.id, severity="notice", site=site.name, url=site.url,
                          target=fact.url, message=f"{fact.status} {fact.error}",
                          evidence={"length": fact.length})


class SharedToo:
    """A second check asking for the URL `Fetching` asks for; its answers come to its
    site phase (it has no check_fetched)."""

    id = "test.shared-too"
    title = "asks for the same URL"
    severity = "notice"

    def check_page(self, page: Page) -> Iterator[FetchRequest | KeepTarget]:
        if page.is_homepage:
            yield FetchRequest(page.url.rstrip("/") + "/shared.json")
            yield KeepTarget(page.url.rstrip("/") + "/a.html")

    def check_site(self, site: Site, result: SiteResult,
                   fetched: Mapping[FetchRequest, FetchResult]) -> Iterator[Finding]:
        for request, answer in fetched.items():
            yield Finding(check=self.id, severity="notice", site=site.name, url=site.url,
                          target=request.url, message=str(answer.status),
                          evidence={"body": (answer.body or b"").decode()})
        kept = result.targets[site.url.rstrip("/") + "/a.html"]
        yield Finding(check=self.id, severity="notice", site=site.name, url=site.url,
                      target="kept", message="a.html kept",
                      evidence={"referrers": kept.referrers, "fetch": kept.fetch is not None})


class Plugin:
    @hookimpl
    def register_checks(self, register: Any) -> None:
        register(Fetching())
        register(SharedToo())


def test_check_fetches_go_through_the_scheduler(server: RunningServer) -> None:
    server.reset()
    base = server.url(HOST, "").rstrip("/")
    report = run_audit(base + "/", plugins=[Plugin()], per_host=2)
    stats = server.stats()

    # the check asked for the attachment before the crawl checked it: one request
    assert stats.count(base + "/files/doc.pdf") == 1
    # robots.txt holds for a check's fetch: never requested, answered "robots"
    assert stats.count(base + "/private/secret.pdf") == 0
    assert stats.count(base + "/private/x.html") == 0
    # two checks (and one of them twice) asked for /shared.json: one request
    assert stats.count(base + "/shared.json") == 1
    # six slow fetches asked at once, but never more than per_host=2 at the server
    assert all(stats.count(base + path) == 1 for path in SLOW)
    assert stats.peak_in_flight[HOST] == 2

    answers = {f.target: f for f in report.findings if f.check == "test.fetching"}
    assert set(answers) == {base + p for p in ("/files/doc.pdf", "/private/secret.pdf",
                                               "/shared.json", *SLOW)}
    assert answers[base + "/private/secret.pdf"].message == "None robots"
    assert answers[base + "/files/doc.pdf"].message == "200 None"
    assert answers[base + "/files/doc.pdf"].evidence == {"length": None}  # HEAD: no body
    assert answers[base + "/shared.json"].evidence == {"length": 2}
    shared = {f.target: f for f in report.findings if f.check == "test.shared-too"}
    assert shared[base + "/shared.json"].evidence == {"body": "{}"}
    # KeepTarget: a healthy page's referrers and fetch are kept for the site phase
    assert shared["kept"].evidence == {"referrers": [base + "/"], "fetch": True}
    # the crawl's own view is unchanged by the checks
    targets = report.sites[0].targets
    assert targets[base + "/files/doc.pdf"].status == 200
    assert targets[base + "/private/x.html"].skipped == "robots"
    assert report.errors == []
    assert not [f for f in report.findings if f.check == "internal.check-error"]


def test_site_context_fetch_obeys_robots_and_the_cache(server: RunningServer) -> None:
    seen: list[FetchResult] = []

    class AtTheEnd:
        id = "test.at-the-end"
        title = "fetches in its site phase"
        severity = "notice"

        async def check_site(self, site: Site, ctx: SiteContext) -> list[Finding]:
            base = site.url.rstrip("/")
            seen.append(await ctx.fetch(base + "/private/secret.pdf"))
            seen.append(await ctx.fetch(base + "/a.html", body=False))  # the crawl has it
            seen.append(await ctx.fetch(base + "/files/doc.pdf", method="HEAD"))
            return []

    class Plugin2:
        @hookimpl
        def register_checks(self, register: Any) -> None:
            register(AtTheEnd())

    server.reset()
    base = server.url(HOST, "").rstrip("/")
    run_audit(base + "/", plugins=[Plugin2()])
    stats = server.stats()
    assert [r.error for r in seen] == ["robots", None, None]
    assert [r.status for r in seen] == [None, 200, 200]
    assert stats.count(base + "/private/secret.pdf") == 0
    assert stats.count(base + "/a.html") == 1  # answered from the run's cache
    assert stats.count(base + "/files/doc.pdf") == 1


def _result(url: str, body: bytes | None = None, truncated: str | None = None) -> FetchResult:
    return FetchResult(url=url, final_url=url, status=200, body=body, truncated=truncated)


def test_fetch_cache_keys_and_bounds() -> None:
    cache = FetchCache(max_entries=3, max_body_bytes=100)
    none: frozenset[str] = frozenset()
    page = FetchRequest("http://x/p")
    cache.store(page, none, _result("http://x/p", b"<html>" * 100))
    # a page's body is not kept, its status is
    assert cache.lookup(page, none) is None
    assert cache.lookup(FetchRequest("http://x/p", body=False), none) == _result("http://x/p")
    assert cache.lookup(FetchRequest("http://x/p", method="HEAD"), none) == _result("http://x/p")
    # another site's allowed address kinds are another key
    assert cache.lookup(FetchRequest("http://x/p", body=False), frozenset({"loopback"})) is None
    # a capped body is kept and answers smaller caps, not bigger ones once it was cut
    head = FetchRequest("http://x/f.pdf", max_bytes=8)
    cache.store(head, none, _result("http://x/f.pdf", b"%PDF-1.7", truncated="max-bytes"))
    assert cache.lookup(FetchRequest("http://x/f.pdf", max_bytes=4), none) == _result(
        "http://x/f.pdf", b"%PDF", truncated="max-bytes")
    assert cache.lookup(FetchRequest("http://x/f.pdf", max_bytes=64), none) is None
    # bounded by entries and body bytes, least recently used out first
    cache.store(FetchRequest("http://x/b", max_bytes=95), none, _result("http://x/b", b"b" * 95))
    assert cache.lookup(head, none) is None  # evicted: 8 + 95 bytes > 100
    assert len(cache) <= 3
