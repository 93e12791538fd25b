"""The site kit: generated 政府网站, a loopback HTTP server that serves them and a
loopback DNS server. Used by `webaudit demo`, `bench/` and webaudit's own tests;
plugin authors get the parts they need from `webaudit.testing`.

- `gov_site()` / `big_site()` build a `SiteSpec` (what to serve) and an `Expected`
  (what a correct audit finds); `write_static()` puts a spec on disk for nginx.
- `start_http_server()`, `start_dns_server()`, `serve_site()` and
  `start_gov_site()` run the servers as subprocesses and stop them by PID
  (`process` starts and stops them, `servers` holds the handles, `live` a
  served site with its DNS zone).
- `webaudit.testing` wraps these as pytest fixtures (``webaudit_gov_site``,
  ``webaudit_http_server``, ``webaudit_dns_server``…) for plugin authors.

Everything here is standard library only (the demo runs without the test
extras), except the DNS server subprocess, which needs dnslib (``pip install webaudit[test]``).
"""

from __future__ import annotations

from .bigsite import big_site, write_static
from .expected import BrokenTarget, Expected
from .live import LiveSite, serve_site, start_gov_site
from .process import ServerStartError, closed_port, ipv6_available
from .servers import (
    CertFiles,
    RequestStats,
    RunningDNS,
    RunningServer,
    start_dns_server,
    start_http_server,
)
from .sitegen import gov_site
from .spec import PORT_TOKEN, Resource, SiteSpec, redirect

__all__ = [
    "PORT_TOKEN",
    "BrokenTarget",
    "CertFiles",
    "Expected",
    "LiveSite",
    "RequestStats",
    "Resource",
    "RunningDNS",
    "RunningServer",
    "ServerStartError",
    "SiteSpec",
    "big_site",
    "closed_port",
    "gov_site",
    "ipv6_available",
    "redirect",
    "serve_site",
    "start_dns_server",
    "start_gov_site",
    "start_http_server",
    "write_static",
]
