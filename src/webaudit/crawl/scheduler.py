"""The scheduler every fetch goes through: the crawl's, and the checks'.

`RunScheduler` is shared by every site of a run. It owns the politeness and
sharing that must hold across sites: per-host slots (``per_host`` requests in
flight to one host, ``concurrency`` in all), the robots.txt gate, and the fetch
cache. A slot is held only while a request is sent and its body read; parsing and
checks run after it is released.

`SiteScheduler` is one site's lane through it: its queue of jobs (pages to
crawl, links to check, fetches page checks asked for), the workers that drain
the queue, and `fetch()`, which `SiteContext.fetch` uses too. What a job's answer
means is the crawler's business (`JobHandler`); the scheduler only fetches.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol

from ..checktypes import FetchRequest
from ..model import FetchResult
from ..net.fetch import Fetcher
from ..settings import CrawlSettings
from .fetchcache import FetchCache
from .robots import RobotsGate
from .urls import host_of

log = logging.getLogger(__name__)

ROBOTS_MAX_BYTES: Final = 512 * 1024
JobKind = Literal["page", "link", "check"]


@dataclass(frozen=True, slots=True)
class Job:
    """One queued fetch: a page to crawl, a link to check, or a check's request.

    `robots`: the robots.txt gate applies (in-scope URLs). `shortcut`: a redirect
    to a URL the crawl already has a plain 2xx for is not followed. `owner` is the
    check that asked, for ``check`` jobs.
    """

    kind: JobKind
    request: FetchRequest
    depth: int = 0
    robots: bool = True
    shortcut: bool = False
    owner: Any = None


class JobHandler(Protocol):
    """What the crawler does with the answers (called outside any slot)."""

    def handle(self, job: Job, result: FetchResult) -> None: ...

    def expired(self, job: Job) -> None: ...

    def failed(self, job: Job, exc: Exception) -> None: ...

    def progressed(self) -> None: ...


class HostSlots:
    """Requests in flight: at most `per_host` to one host and `total` in all.

    Take the host's slot first, then the global one (``async with slots.host(h),
    slots.total``): a request waiting for a busy host then holds no global slot.
    """

    def __init__(self, per_host: int, total: int) -> None:
        self.per_host = per_host
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self.total = asyncio.Semaphore(total)

    def host(self, host: str) -> asyncio.Semaphore:
        limit = self._hosts.get(host)
        if limit is None:
            limit = self._hosts[host] = asyncio.Semaphore(self.per_host)
        return limit


class RunScheduler:
    """The run-wide part: slots, robots.txt gate and fetch cache."""

    def __init__(self, settings: CrawlSettings) -> None:
        self.settings = settings
        self.slots = HostSlots(settings.per_host, settings.concurrency)
        self.robots = RobotsGate(settings.user_agent)
        self.cache = FetchCache(settings.fetch_cache_entries)

    def for_site(self, fetcher: Fetcher, *, in_scope: Callable[[str], bool],
                 stop_before: Callable[[str], bool] | None = None) -> SiteScheduler:
        return SiteScheduler(self, fetcher, in_scope=in_scope, stop_before=stop_before)


class SiteScheduler:
    """One site's queue and workers, and the fetch path every request of the site takes."""

    def __init__(self, run: RunScheduler, fetcher: Fetcher, *, in_scope: Callable[[str], bool],
                 stop_before: Callable[[str], bool] | None) -> None:
        self.run_scheduler = run
        self.settings = run.settings
        self.fetcher = fetcher
        self.in_scope = in_scope
        self.stop_before = stop_before
        self.allow_private: frozenset[str] = frozenset()
        self.queue: asyncio.Queue[Job] = asyncio.Queue()
        self._owned: set[asyncio.Task[Any]] = set()

    @property
    def queued(self) -> int:
        return self.queue.qsize()

    def submit(self, job: Job) -> None:
        self.queue.put_nowait(job)

    async def fetch(self, request: FetchRequest, *, robots: bool | None = None,
                    shortcut: bool = False) -> FetchResult:
        """Answer `request`: robots.txt gate, then the cache, then a slot and the network.

        `robots` defaults to whether the URL is in the site's scope.
        """
        run = self.run_scheduler
        url = request.url
        gated = self.in_scope(url) if robots is None else robots
        if (gated and not self.settings.ignore_robots
                and not await run.robots.allowed(url, self._fetch_robots)):
            return FetchResult(url=url, final_url=url, method=request.method, error="robots",
                               error_detail="disallowed by robots.txt (not requested)",
                               attempts=0)
        allow = self.allow_private
        cached = run.cache.lookup(request, allow)
        if cached is not None:
            return cached
        if shortcut and self.stop_before is not None:
            # A fetch that may stop at a redirect is site-specific: it joins the same
            # fetch in flight, but its own is shared with nobody, and its answer is
            # cached only when it went to the end.
            stop_before = self.stop_before
            return await run.cache.shared(request, allow,
                                          lambda: self._send(request, stop_before), share=False)
        return await run.cache.shared(request, allow, lambda: self._owned_send(request))

    async def _owned_send(self, request: FetchRequest) -> FetchResult:
        task = asyncio.current_task()
        if task is not None:
            self._owned.add(task)
        try:
            return await self._send(request, None)
        finally:
            if task is not None:
                self._owned.discard(task)

    async def _send(self, request: FetchRequest,
                    stop_before: Callable[[str], bool] | None) -> FetchResult:
        stopped = False

        def stop(location: str) -> bool:
            nonlocal stopped
            stopped = stop_before is not None and stop_before(location)
            return stopped

        slots = self.run_scheduler.slots
        async with slots.host(host_of(request.url)), slots.total:
            result = await self.fetcher.fetch(
                request.url, method=request.method, keep_body=request.body,
                family=request.family, allow_private=self.allow_private,
                max_bytes=request.max_bytes, stop_before=stop if stop_before else None)
        if not stopped:
            self.run_scheduler.cache.store(request, self.allow_private, result)
        return result

    async def _fetch_robots(self, url: str) -> FetchResult:
        slots = self.run_scheduler.slots
        async with slots.host(host_of(url)), slots.total:
            return await self.fetcher.fetch(url, method="GET", keep_body=True,
                                            allow_private=self.allow_private,
                                            max_bytes=ROBOTS_MAX_BYTES)

    async def run(self, handler: JobHandler, *, deadline: float,
                  stop: asyncio.Event | None = None) -> bool:
        """Work the queue until it is empty (True) or `stop` is set (False)."""
        workers = [asyncio.create_task(self._worker(handler, deadline))
                   for _ in range(max(1, self.settings.concurrency))]
        waits: list[asyncio.Future[Any]] = [asyncio.ensure_future(self.queue.join())]
        if stop is not None:
            waits.append(asyncio.ensure_future(stop.wait()))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            return waits[0].done()
        finally:
            for task in (*waits, *workers, *self._owned):
                task.cancel()
            await asyncio.gather(*waits, *workers, *self._owned, return_exceptions=True)

    async def _worker(self, handler: JobHandler, deadline: float) -> None:
        while True:
            job = await self.queue.get()
            try:
                if time.monotonic() > deadline:
                    handler.expired(job)
                else:
                    result = await self.fetch(job.request, robots=job.robots,
                                              shortcut=job.shortcut)
                    handler.handle(job, result)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a bug of ours must not lose the rest of the crawl
                log.exception("internal error on %s", job.request.url)
                handler.failed(job, exc)
            finally:
                self.queue.task_done()
                handler.progressed()
