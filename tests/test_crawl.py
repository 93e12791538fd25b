"""A whole crawl of a generated 政府网站 on loopback, with every kind of bad input.

The site (webaudit.sitekit.gov_site) has GBK pages (one whose header lies), redirects and
a loop, 404/500, a 500 that recovers, 429 with Retry-After, a stalling page, an 8 MB
page, a gzip bomb, an endless calendar, session-id links and robots.txt rules. The
test asserts the exact findings, what the server saw, and that the report validates.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest

from webaudit import hookimpl
from webaudit.assemble import build_settings
from webaudit.model import Page, Report
from webaudit.plugins import get_plugin_manager
from webaudit.report.serialize import load_schema, report_to_dict
from webaudit.runner import run
from webaudit.sitekit import LiveSite, start_gov_site
from webaudit.testing.reference import CHECK_OF_KIND

SITE_NOTICES = {"crawl.trap", "crawl.limit"}


class Recorder:
    """A plugin that records what the page checks saw."""

    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}

    @hookimpl
    def register_checks(self, register: Any) -> None:
        recorder = self

        class Seen:
            id = "test.seen"
            title = "records pages"
            severity = "notice"

            def check_page(self, page: Page) -> None:
                recorder.pages[page.url] = page

        register(Seen())


@dataclasses.dataclass
class Crawled:
    site: LiveSite
    report: Report
    pages: dict[str, Page]
    stats: Any


@pytest.fixture(scope="module")
def crawled() -> Iterator[Crawled]:
    site = start_gov_site("www.demo.gov.cn", 200, slow=True, big=True, bomb=True)
    try:
        settings = build_settings([site.url], {
            "nameservers": [site.nameserver], "timeout": 2.0, "total_timeout": 8.0,
            "retries": 2, "backoff": 0.1, "max_retry_after": 5.0, "max_depth": 12,
        })
        pm = get_plugin_manager(load_entrypoints=False)
        recorder = Recorder()
        pm.register(recorder, name="recorder")
        report = asyncio.run(run(settings, pm=pm))
        yield Crawled(site, report, recorder.pages, site.server.stats())
    finally:
        site.stop()


def test_finds_exactly_the_planted_defects(crawled: Crawled) -> None:
    expected = crawled.site.expected
    want = {(CHECK_OF_KIND[b.kind], url) for url, b in expected.broken.items()}
    got = {(f.check, f.target) for f in crawled.report.findings
           if f.check not in SITE_NOTICES}
    assert got == want
    healthy_reported = {t for _, t in got} & expected.healthy
    assert healthy_reported == set()


def test_broken_status_codes_and_homepage_marks(crawled: Crawled) -> None:
    expected = crawled.site.expected
    by_target = {f.target: f for f in crawled.report.findings if f.check == "links.broken"}
    for url, broken in expected.broken.items():
        if broken.kind == "status":
            assert by_target[url].evidence["status"] == broken.status, url
        if broken.kind == "dns":
            assert by_target[url].evidence["kind"] == "dns"
    link_findings = [f for f in crawled.report.findings if f.check.startswith("links.")]
    on_home = {f.target for f in link_findings if f.evidence["on_homepage"]}
    assert on_home == set(expected.homepage_broken)
    for finding in link_findings:
        if finding.evidence["on_homepage"]:
            assert finding.url == expected.homepage
        else:
            assert finding.url in finding.evidence["linked_from"]


def test_parses_every_page_and_decodes_gbk(crawled: Crawled) -> None:
    expected = crawled.site.expected
    traps = tuple(p for p in (expected.trap_prefix, expected.session_prefix) if p)
    parsed_too = set(expected.oversized) | expected.broken_of_kind("soft-404")
    assert {u for u in crawled.pages if not u.startswith(traps)} == (
        set(expected.pages) | parsed_too) - {u for u in expected.pages if u.startswith(traps)}
    for url, title in expected.titles.items():
        if url in crawled.pages:
            assert crawled.pages[url].title == title, (url, expected.charsets.get(url))
    gbk = [u for u, c in expected.charsets.items() if c == "gbk"]
    assert len(gbk) >= 10
    assert {crawled.pages[u].encoding for u in gbk} == {"gb18030"}


def test_never_requests_what_it_must_not(crawled: Crawled) -> None:
    for url, reason in crawled.site.expected.never_requested.items():
        if reason == "private-address":
            continue  # not on this server at all; the fetcher tests prove no connection
        assert crawled.stats.count(url) == 0, (url, reason)


def _key(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.hostname or "", unquote(parts.path) + (f"?{unquote(parts.query)}" if parts.query
                                                        else "")


def test_each_url_is_fetched_once(crawled: Crawled) -> None:
    expected = crawled.site.expected
    allowed = {_key(url): n for url, n in expected.flaky.items()}
    for url, broken in expected.broken.items():
        if broken.kind == "timeout" or broken.status in (500, 502, 503, 504):
            allowed[_key(url)] = 3  # the first try and two retries
    loop = {_key(url) for url, b in expected.broken.items() if b.kind == "redirect-loop"}
    # a chain's end is fetched once on its own; the chain follows it again only when
    # it runs before that fetch has finished
    chain_ends = {_key(final) for final in expected.redirects.values()}
    counts: Counter[tuple[str, str]] = Counter()
    for host, path, method, count in crawled.stats.rows:
        if path != "/robots.txt":
            counts[(host, path)] += count
            if method == "GET" and (host, path, "HEAD", 1) in crawled.stats.rows:
                counts[(host, path)] -= 1  # HEAD refused (405), then one GET: one fetch
    for key, count in counts.items():
        if key in loop or key[1].startswith("/xxgk/"):
            assert count <= 2, key  # the loop's URLs: once as a link, once as a hop
        elif key in chain_ends:
            assert count in (1, 2), key
        else:
            assert count == allowed.get(key, 1), key


def test_traps_stay_bounded(crawled: Crawled) -> None:
    expected = crawled.site.expected
    settings_cap = 100
    assert expected.trap_prefix is not None and expected.session_prefix is not None
    calendar = crawled.stats.with_prefix(_key(expected.trap_prefix)[1])
    assert 0 < calendar <= 2 * settings_cap + 5  # query-style and path-style calendars
    assert crawled.stats.with_prefix(_key(expected.session_prefix)[1]) <= 40
    traps = [f for f in crawled.report.findings if f.check == "crawl.trap"]
    assert traps and all("calendar" in f.target for f in traps)


def test_big_and_bomb_bodies_are_cut(crawled: Crawled) -> None:
    truncated = {url: page.fetch.truncated for url, page in crawled.pages.items()
                 if page.fetch.truncated}
    assert truncated == dict(crawled.site.expected.oversized)


def test_report_validates_and_counts(crawled: Crawled) -> None:
    data = report_to_dict(crawled.report)
    jsonschema.validate(data, load_schema())
    site = data["sites"][0]
    assert site["stats"]["pages"] == len(crawled.pages)
    assert site["homepage"]["status"] == 200
    assert site["errors"] == []
    assert data["summary"]["findings"] == len(crawled.report.findings)
