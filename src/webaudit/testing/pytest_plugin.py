"""pytest fixtures for webaudit plugins' tests (and webaudit's own): loopback HTTP and
DNS servers, a generated 政府网站 to crawl, and the reference crawl.

Registered through the ``pytest11`` entry point, so it loads in every pytest run
where webaudit is installed: it imports nothing but pytest and the standard-library
site kit at import time (the crawler is imported when `run_audit` first runs, the
DNS server's dnslib only in its own subprocess). Every server a fixture starts is stopped by
PID at teardown, even when the test fails.

Example, in a department plugin's tests::

    from webaudit.testing import run_audit

    def test_finds_broken_links(webaudit_gov_site):
        report = run_audit(webaudit_gov_site, plugins=["my_plugin"])
        broken = {f.target for f in report.findings if f.check == "links.broken"}
        assert webaudit_gov_site.expected.homepage_broken <= broken
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..sitekit.expected import Expected
    from ..sitekit.live import LiveSite
    from ..sitekit.servers import RunningDNS, RunningServer
    from ..sitekit.spec import SiteSpec
    from .reference import ReferenceSite


@pytest.fixture
def webaudit_http_server() -> Iterator[Callable[..., RunningServer]]:
    """Factory: ``start(spec, **options) -> RunningServer`` serves a `SiteSpec` on
    127.0.0.1 and ::1 (one port; ::1 only where available) in a subprocess.

    Options are those of `webaudit.sitekit.start_http_server` (``hosts``, ``port``,
    ``tls=(cert, key)``). Use
    ``server.url(host, path)`` for URLs, ``server.stats()`` for request counts.
    All servers started through the factory are stopped at teardown.
    """
    from ..sitekit.servers import start_http_server

    started: list[RunningServer] = []

    def start(spec: SiteSpec, **options: Any) -> RunningServer:
        server = start_http_server(spec, **options)
        started.append(server)
        return server

    yield start
    _stop_all(started)


@pytest.fixture
def webaudit_dns_server() -> Iterator[Callable[..., RunningDNS]]:
    """Factory: ``start(zone, *, silent=(), nxdomain=True) -> RunningDNS`` answers a
    zone (name → list of IPv4/IPv6 addresses) on 127.0.0.1 over UDP and TCP.

    Names outside the zone get NXDOMAIN; `silent` names never get an answer.
    ``dns.nameserver`` is ``"127.0.0.1:PORT"``; ``dns.stats()`` counts queries.
    All servers started through the factory are stopped at teardown.
    """
    from ..sitekit.servers import start_dns_server

    started: list[RunningDNS] = []

    def start(zone: Mapping[str, Any], **options: Any) -> RunningDNS:
        dns = start_dns_server(zone, **options)
        started.append(dns)
        return dns

    yield start
    _stop_all(started)


@pytest.fixture
def webaudit_serve() -> Iterator[Callable[..., LiveSite]]:
    """Factory: ``start(spec, expected, *, dns=True) -> LiveSite`` serves a spec and
    its `Expected` zone (from `gov_site`, `big_site`, or your own) over HTTP + DNS.

    The returned site's `expected` carries the real port. Stopped at teardown.
    """
    from ..sitekit.live import serve_site

    started: list[LiveSite] = []

    def start(spec: SiteSpec, expected: Expected, **options: Any) -> LiveSite:
        site = serve_site(spec, expected, **options)
        started.append(site)
        return site

    yield start
    _stop_all(started)


@pytest.fixture
def webaudit_gov_site() -> Iterator[LiveSite]:
    """A generated 政府网站 (`gov_site("www.demo.gov.cn", 200)`) served for one test.

    Attributes: ``url`` (homepage, e.g. ``http://www.demo.gov.cn:PORT/``),
    ``nameserver`` (``127.0.0.1:PORT`` of its DNS server), ``expected`` (what a
    correct audit finds, port filled in), ``server`` (the `RunningServer`:
    ``stats()``, ``reset()``), ``dns`` and ``spec``. Fresh counters each test.
    """
    from ..sitekit.live import start_gov_site

    site = start_gov_site()
    try:
        yield site
    finally:
        site.stop()


@pytest.fixture(scope="module")
def webaudit_gov_site_module() -> Iterator[LiveSite]:
    """Like `webaudit_gov_site`, shared by all tests of a module (cheaper).

    Request counters and behaviour state (fail-then-ok, retry-after) carry over
    between tests: call ``site.server.reset()`` first where that matters.
    """
    from ..sitekit.live import start_gov_site

    site = start_gov_site()
    try:
        yield site
    finally:
        site.stop()


@pytest.fixture(scope="module")
def webaudit_reference_site() -> Iterator[ReferenceSite]:
    """The reference crawl's site, shared by the tests of a module: a generated 政府网站
    served with its answer key. ``site.audit(plugins=[...])`` crawls it (counters reset
    first); ``site.differences(report)`` is empty when the built-in checks found
    exactly what the answer key says. See `webaudit.testing.reference`.
    """
    from .reference import start_reference_site

    site = start_reference_site()
    try:
        yield site
    finally:
        site.stop()


def _stop_all(started: list[Any]) -> None:
    errors: list[BaseException] = []
    for item in reversed(started):
        try:
            item.stop()
        except Exception as exc:  # stop the others anyway
            errors.append(exc)
    if errors:
        raise errors[0]
