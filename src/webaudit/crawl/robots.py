"""The robots.txt gate (Protego, Scrapy's parser): each origin's file fetched once per run.

The scheduler asks it before every in-scope fetch, the crawl's and the checks'.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from protego import Protego

from ..model import FetchResult
from .charset import decode_html

RobotsFetch = Callable[[str], Awaitable[FetchResult]]
"""Fetches a robots.txt URL (the requesting site's fetcher, so its hooks and limits apply)."""


class RobotsGate:
    """Answers `allowed(url, fetch)` for the run; fetches each origin's robots.txt once."""

    def __init__(self, user_agent: str) -> None:
        self._agent = user_agent.split("/", 1)[0]
        self._parsers: dict[str, Protego | None] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def allowed(self, url: str, fetch: RobotsFetch) -> bool:
        origin = _origin(url)
        if origin not in self._parsers:
            lock = self._locks.setdefault(origin, asyncio.Lock())
            async with lock:
                if origin not in self._parsers:
                    self._parsers[origin] = await _load(origin, fetch)
        parser = self._parsers[origin]
        return True if parser is None else bool(parser.can_fetch(url, self._agent))


async def _load(origin: str, fetch: RobotsFetch) -> Protego | None:
    result = await fetch(origin + "/robots.txt")
    # 4xx (and failures) mean "no rules"; RFC 9309 says 5xx means "disallow all",
    # but a broken robots.txt must not hide a site's broken links from its owner.
    if not result.ok or result.body is None or (result.status or 0) >= 300:
        return None
    text, _ = decode_html(result.body, result.header("content-type"))
    try:
        return Protego.parse(text)
    except Exception:  # a robots.txt Protego cannot read is treated as absent
        return None


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0].split('?', 1)[0]}"
