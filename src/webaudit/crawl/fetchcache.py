"""The run's fetch cache: a URL fetched once is not fetched again the same way.

Entries are keyed by URL, method, address family, whether the body was wanted,
and the non-public address kinds the requesting site may reach (a loopback site
may fetch loopback URLs another site may not). Bodies are kept only for small
capped requests (an attachment's first bytes, `BODY_LIMIT`); everything else is
kept without its body, so a page's status and headers are answered from the
cache but its body is not. A body-less GET answers a later HEAD of the same URL
(GET is the stronger answer: the fetcher confirms every failed HEAD with GET).

Bounded by entries and by body bytes, least recently used out first, so memory
stays flat on big sites. Requests for the same key while one is in flight wait
for it instead of going out again. No I/O here.
"""

from __future__ import annotations

import asyncio
import functools
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Final

from ..checktypes import FetchRequest
from ..model import FetchResult

BODY_LIMIT: Final = 64 * 1024
"""Bodies of capped requests up to this size are cached (with their cap)."""

CacheKey = tuple[str, str, int | None, bool, frozenset[str]]


class FetchCache:
    """LRU cache of fetch results, with in-flight sharing."""

    def __init__(self, max_entries: int, max_body_bytes: int = 8 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_body_bytes = max_body_bytes
        self._entries: OrderedDict[CacheKey, tuple[FetchResult, int | None]] = OrderedDict()
        self._body_bytes = 0
        self._inflight: dict[CacheKey, asyncio.Task[FetchResult]] = {}
        self.hits = 0

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def key(request: FetchRequest, allow_private: frozenset[str]) -> CacheKey:
        return (request.url, request.method, request.family, request.body, allow_private)

    def lookup(self, request: FetchRequest, allow_private: frozenset[str]) -> FetchResult | None:
        """A cached answer to `request`, or None."""
        answer = self._body_answer(request, allow_private) if request.body else next(
            (found[0] for key in self._bodiless_keys(request, allow_private)
             if (found := self._get(key)) is not None), None)
        if answer is not None:
            self.hits += 1
        return answer

    def _bodiless_keys(self, request: FetchRequest,
                       allow_private: frozenset[str]) -> list[CacheKey]:
        keys = [self.key(request, allow_private)]
        if request.method == "HEAD":
            keys.append((request.url, "GET", request.family, False, allow_private))
        return keys

    def _body_answer(self, request: FetchRequest,
                     allow_private: frozenset[str]) -> FetchResult | None:
        found = self._get(self.key(request, allow_private))
        if found is None or found[0].body is None:
            return None
        result = found[0]
        body = result.body
        assert body is not None
        wanted = request.max_bytes
        if wanted is not None and len(body) >= wanted:
            cut = "max-bytes" if len(body) > wanted else result.truncated
            return replace(result, body=body[:wanted], truncated=cut)
        if result.truncated is not None:
            return None  # the cached body was cut shorter than this request allows
        return result

    def store(self, request: FetchRequest, allow_private: frozenset[str],
              result: FetchResult) -> None:
        """Remember `result` as the answer to `request` (and, body-less, to the same
        request without a body)."""
        bodiless = result if result.body is None else replace(result, body=None)
        self._put((request.url, request.method, request.family, False, allow_private),
                  bodiless, None)
        cap = request.max_bytes
        if (request.body and result.body is not None and cap is not None and cap <= BODY_LIMIT
                and len(result.body) <= BODY_LIMIT):
            self._put(self.key(request, allow_private), result, cap)

    async def shared(self, request: FetchRequest, allow_private: frozenset[str],
                     fetch: Callable[[], Awaitable[FetchResult]], *,
                     share: bool = True) -> FetchResult:
        """Run `fetch` for `request` unless the same request is already in flight; either
        way every caller gets the one result. A caller's cancellation does not cancel the
        fetch others wait on; when the fetch itself is cancelled (its site stopped), a
        caller that was not cancelled starts it again. With `share` False the caller
        joins a fetch in flight but runs its own fetch for itself alone."""
        key = self.key(request, allow_private)
        while True:
            task = self._inflight.get(key)
            if task is None and not share:
                return await fetch()
            if task is None:
                task = asyncio.ensure_future(fetch())
                self._inflight[key] = task
                task.add_done_callback(functools.partial(self._landed, key))
            else:
                self.hits += 1
            try:
                return await asyncio.shield(task)
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if task.cancelled() and current is not None and not current.cancelling():
                    continue
                raise

    def _landed(self, key: CacheKey, task: asyncio.Task[FetchResult]) -> None:
        if self._inflight.get(key) is task:
            del self._inflight[key]

    async def cancel_all(self) -> None:
        """Cancel fetches still in flight (the run is ending)."""
        tasks = list(self._inflight.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _get(self, key: CacheKey) -> tuple[FetchResult, int | None] | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def _put(self, key: CacheKey, result: FetchResult, cap: int | None) -> None:
        if self.max_entries <= 0:
            return
        old = self._entries.pop(key, None)
        if old is not None and old[0].body is not None:
            self._body_bytes -= len(old[0].body)
        self._entries[key] = (result, cap)
        if result.body is not None:
            self._body_bytes += len(result.body)
        while self._entries and (len(self._entries) > self.max_entries
                                 or self._body_bytes > self.max_body_bytes):
            _, (evicted, _cap) = self._entries.popitem(last=False)
            if evicted.body is not None:
                self._body_bytes -= len(evicted.body)
