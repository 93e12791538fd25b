"""What hooks and checks are handed while a site is audited: `CrawlContext`.

It gives the shared fetcher (one HTTP client, one resolver, one set of limits),
the settings, the reference date and a per-check scratch space. Checks never
crawl on their own; they ask the context to fetch what they need.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import FetchResult, Site, SiteResult
    from .net.fetch import Fetcher
    from .net.resolver import Resolver
    from .settings import Settings


@dataclass
class CrawlContext:
    """The run as a check or hook sees it, for one site."""

    settings: Settings
    site: Site
    result: SiteResult
    fetcher: Fetcher
    resolver: Resolver
    homepage_url: str

    @property
    def as_of(self) -> dt.date:
        return self.settings.as_of

    def state(self, check_id: str) -> dict[str, Any]:
        """A dict private to one check for this site, kept until the site is done."""
        state: dict[str, Any] = self.result.state.setdefault(check_id, {})
        return state

    async def fetch(self, url: str, *, method: str = "GET", family: int | None = None,
                    keep_body: bool = True) -> FetchResult:
        """Fetch `url` through the shared client, resolver and limits.

        `family` 4 or 6 pins the connection to that address family (for the IPv6
        checks); `None` prefers IPv4 and falls back. Never raises for network
        failures: look at `FetchResult.error`.
        """
        return await self.fetcher.fetch(url, method=method, family=family, keep_body=keep_body,
                                        allow_private=self.allow_private)

    @property
    def allow_private(self) -> frozenset[str]:
        return frozenset(self.result.state.get("_site", {}).get("address_categories", ()))
