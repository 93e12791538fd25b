"""Whole-site facts: `site.unreachable`, `crawl.trap`, `crawl.limit`."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..checktypes import Check
from ..hookspecs import hookimpl
from ..model import Finding, Site, SiteResult
from .base import BaseCheck


class Unreachable(BaseCheck):
    id = "site.unreachable"
    title = "The site's start page could not be fetched"
    severity = "error"
    description = ("The homepage failed (DNS, refused, TLS, timeout or HTTP >= 400), so nothing "
                   "else on the site could be checked.")

    def check_site(self, site: Site, result: SiteResult) -> Iterator[Finding]:
        home = result.homepage
        if home is None or home.ok:
            return
        what = f"HTTP {home.status}" if home.error is None else f"{home.error}: {home.error_detail}"
        yield self.finding(site=site.name, url=site.url, target=site.url,
                           message=f"homepage unreachable ({what})", kind=home.error or
                           f"http-{home.status}", status=home.status, error=home.error,
                           detail=home.error_detail, attempts=home.attempts)


class Trap(BaseCheck):
    id = "crawl.trap"
    title = "URLs that look like a crawler trap were not crawled"
    severity = "notice"
    description = ("Endless calendars, repeating path segments, endless query variants or "
                   "over-long URLs. The crawl skipped them; evidence gives the URL patterns.")

    def check_site(self, site: Site, result: SiteResult) -> Iterator[Finding]:
        for pattern, count in sorted(result.crawl.traps.items()):
            yield self.finding(site=site.name, url=site.url, target=pattern,
                               message=f"{count} URL(s) matching {pattern} skipped as a "
                                       "crawler trap", skipped=count)


class Limit(BaseCheck):
    id = "crawl.limit"
    title = "A crawl bound was reached, so the audit of this site is partial"
    severity = "notice"
    description = ("max_pages, max_depth or time_budget stopped the crawl before the site's "
                   "end, or the run was interrupted (target `interrupted`).")

    def check_site(self, site: Site, result: SiteResult) -> Iterator[Finding]:
        for limit in result.crawl.limits:
            if limit == "interrupted":
                message = ("the run was interrupted: URLs not fetched by then were not checked "
                           "(they are neither broken nor healthy in this report)")
            else:
                message = (f"crawl bound {limit} reached: pages past it were checked but not "
                           "parsed, or not fetched")
            yield self.finding(site=site.name, url=site.url, target=limit, message=message)


@hookimpl
def register_checks(register: Callable[[Check], None]) -> None:
    for check in (Unreachable(), Trap(), Limit()):
        register(check)
