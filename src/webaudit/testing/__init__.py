"""Testing helpers for webaudit plugin authors.

- pytest fixtures, loaded automatically once webaudit is installed (see
  `webaudit.testing.pytest_plugin`): ``webaudit_gov_site``,
  ``webaudit_gov_site_module``, ``webaudit_reference_site``,
  ``webaudit_http_server``, ``webaudit_dns_server``, ``webaudit_serve``;
- `run_audit()`: crawl a served test site (or a URL) with the built-in checks and
  the plugins you pass, and get the `Report`;
- the reference crawl (`start_reference_site()`, `ReferenceSite`): a generated
  政府网站 served with its answer key, to check that a plugin leaves the built-in
  results as they are;
- the few site-kit names a plugin's tests need to describe a site of their own
  (`SiteSpec`, `Resource`, `redirect`, `PORT_TOKEN`) and to read what the servers
  saw (`LiveSite`, `RunningServer`, `RunningDNS`, `RequestStats`, `Expected`).

Everything else of the site kit (generators, the server programs) is in
`webaudit.sitekit`. Importing this package loads the standard library and the site
kit only; the crawler is imported when `run_audit` first runs.
"""

from __future__ import annotations

from ..sitekit.expected import BrokenTarget, Expected
from ..sitekit.live import LiveSite
from ..sitekit.servers import RequestStats, RunningDNS, RunningServer
from ..sitekit.sitegen import gov_site
from ..sitekit.spec import PORT_TOKEN, Resource, SiteSpec, redirect
from .audit import Plugin, plugin_manager, run_audit, run_audit_async
from .reference import (
    REFERENCE_HOST,
    REFERENCE_PAGES,
    ReferenceSite,
    differences,
    expected_findings,
    start_reference_site,
)

__all__ = [
    "PORT_TOKEN",
    "REFERENCE_HOST",
    "REFERENCE_PAGES",
    "BrokenTarget",
    "Expected",
    "LiveSite",
    "Plugin",
    "ReferenceSite",
    "RequestStats",
    "Resource",
    "RunningDNS",
    "RunningServer",
    "SiteSpec",
    "differences",
    "expected_findings",
    "gov_site",
    "plugin_manager",
    "redirect",
    "run_audit",
    "run_audit_async",
    "start_reference_site",
]
