"""Test helpers for webaudit and its plugins: generated 政府网站, a loopback HTTP
server that serves them, a loopback DNS server, and pytest fixtures.

- `gov_site()` / `big_site()` build a `SiteSpec` (what to serve) and an `Expected`
  (what a correct audit finds); `write_static()` puts a spec on disk for nginx.
- `start_http_server()`, `start_dns_server()`, `serve_site()` and
  `start_gov_site()` run the servers as subprocesses and stop them by PID.
- `webaudit.testing.pytest_plugin` wraps these as fixtures
  (``webaudit_gov_site``, ``webaudit_http_server``, ``webaudit_dns_server``…).

Everything here is standard library only, except the DNS server subprocess,
which needs dnslib (``pip install webaudit[test]``).
"""

from __future__ import annotations

from ..sitekit import (
    PORT_TOKEN,
    BrokenTarget,
    Expected,
    LiveSite,
    RequestStats,
    Resource,
    RunningDNS,
    RunningServer,
    ServerStartError,
    SiteSpec,
    big_site,
    gov_site,
    ipv6_available,
    redirect,
    serve_site,
    start_dns_server,
    start_gov_site,
    start_http_server,
    write_static,
)

__all__ = [
    "PORT_TOKEN",
    "BrokenTarget",
    "Expected",
    "LiveSite",
    "RequestStats",
    "Resource",
    "RunningDNS",
    "RunningServer",
    "ServerStartError",
    "SiteSpec",
    "big_site",
    "gov_site",
    "ipv6_available",
    "redirect",
    "serve_site",
    "start_dns_server",
    "start_gov_site",
    "start_http_server",
    "write_static",
]
