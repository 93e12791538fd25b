"""robots.txt rules per host (Protego, Scrapy's parser), fetched once per host and run."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from protego import Protego

from ..model import FetchResult
from .charset import decode_html


class RobotsRules:
    """Answers `allowed(url)` for the hosts of one run; fetches each robots.txt once."""

    def __init__(self, fetch: Callable[[str], Awaitable[FetchResult]], user_agent: str) -> None:
        self._fetch = fetch
        self._agent = user_agent.split("/", 1)[0]
        self._parsers: dict[str, Protego | None] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def allowed(self, url: str) -> bool:
        origin = _origin(url)
        if origin not in self._parsers:
            lock = self._locks.setdefault(origin, asyncio.Lock())
            async with lock:
                if origin not in self._parsers:
                    self._parsers[origin] = await self._load(origin)
        parser = self._parsers[origin]
        return True if parser is None else bool(parser.can_fetch(url, self._agent))

    async def _load(self, origin: str) -> Protego | None:
        result = await self._fetch(origin + "/robots.txt")
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
