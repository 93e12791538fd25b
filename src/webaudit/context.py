"""`SiteContext`: the run as a hook (`skip_url`, `prepare_request`) or a site check sees it.

One per site. It gives the settings, the site, the reference date, the run's
resolver, and `fetch()`, which goes through the crawl's scheduler like every
other request: robots.txt, per-host limits and the run's fetch cache apply.
Page checks do not get it: they are pure and ask for fetches by returning
`FetchRequest` objects.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from .checktypes import FetchRequest

if TYPE_CHECKING:
    from .crawl.scheduler import SiteScheduler
    from .model import FetchResult, Site
    from .net.resolver import Resolver
    from .settings import Settings


class SiteContext:
    """The context of one site's audit."""

    def __init__(self, settings: Settings, site: Site, resolver: Resolver) -> None:
        self.settings = settings
        self.site = site
        self.resolver = resolver
        self._scheduler: SiteScheduler | None = None

    def __repr__(self) -> str:
        return f"<SiteContext {self.site.url}>"

    @property
    def as_of(self) -> dt.date:
        """The reference date of date-based checks (``--as-of``, default today)."""
        return self.settings.as_of

    def bind(self, scheduler: SiteScheduler) -> None:
        """Attach the site's scheduler (done by the runner before the crawl starts)."""
        self._scheduler = scheduler

    async def fetch(self, url: str, *, method: Literal["GET", "HEAD"] = "GET",
                    family: Literal[4, 6] | None = None, body: bool = True,
                    max_bytes: int | None = None) -> FetchResult:
        """Fetch `url` through the crawl's scheduler (see `FetchRequest` for the arguments).

        Never raises for network failures: look at `FetchResult.error` (``robots`` when
        robots.txt forbids an in-scope URL; nothing is sent then).
        """
        if self._scheduler is None:
            raise RuntimeError("this SiteContext is not attached to a crawl")
        request = FetchRequest(url, method=method, family=family, body=body, max_bytes=max_bytes)
        return await self._scheduler.fetch(request)
