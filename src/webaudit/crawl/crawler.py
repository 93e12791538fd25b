"""The async crawl of one site: fetch, parse, record link targets, run page checks.

One pass over the site feeds every check. In-scope HTML pages are fetched with
GET and parsed; everything else a page refers to (other hosts, attachments,
images, pages past the depth or page bound) is checked with HEAD (GET when a
server refuses HEAD) and never parsed. Each unique URL is requested once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from ..model import FetchResult, Link, Page, RunError, SiteResult, TargetStatus
from ..net.addresses import address_category
from .charset import decode_html
from .frontier import CHECK_ONLY_TAGS, STATIC_EXTENSIONS, Frontier, extension, is_attachment
from .parse import extract_links, page_title, parse_html
from .robots import RobotsRules
from .urls import host_of, normalize

if TYPE_CHECKING:
    from ..checkrunner import CheckRunner
    from ..context import CrawlContext

log = logging.getLogger(__name__)

HTML_TYPES: Final = frozenset({"text/html", "application/xhtml+xml"})
PAGE, CHECK = "page", "check"


@dataclass(frozen=True)
class Progress:
    site: str
    pages: int
    queued: int
    errors: int
    requests: int
    elapsed: float


class SiteCrawler:
    """Crawls one site through a `CrawlContext` and fills its `SiteResult`."""

    def __init__(self, ctx: CrawlContext, checks: CheckRunner, hook: Any,
                 progress: Callable[[Progress], None] | None = None,
                 stop: asyncio.Event | None = None) -> None:
        self.ctx = ctx
        self.stop = stop
        self.settings = ctx.settings.crawl
        self.result: SiteResult = ctx.result
        self.checks = checks
        self.hook = hook
        self.progress = progress
        hosts = {host_of(ctx.site.url), *(h.lower() for h in ctx.site.extra_hosts)}
        self.frontier = Frontier(hosts=hosts, settings=self.settings)
        self.robots = RobotsRules(self._fetch_robots, self.settings.user_agent)
        self.queue: asyncio.Queue[tuple[str, int, str]] = asyncio.Queue()
        self.host_limits: dict[str, asyncio.Semaphore] = {}
        self.pages_started = 1  # the homepage
        self.started = 0.0
        self.deadline = 0.0
        self.limits_hit: set[str] = set()
        self.skip_errors: set[str] = set()

    # -- public ---------------------------------------------------------------------------

    async def run(self) -> SiteResult:
        self.started = time.monotonic()
        self.deadline = self.started + self.settings.time_budget
        site_url = self.ctx.homepage_url
        await self._learn_site_addresses(site_url)
        target = self._target(site_url, in_scope=True)
        self.frontier.first_visit(site_url)
        if self._skip_decision(site_url, None) is True:
            target.skipped = "plugin"
        else:
            self.queue.put_nowait((site_url, 0, PAGE))
        workers = [asyncio.create_task(self._worker())
                   for _ in range(max(1, self.settings.concurrency))]
        waits: list[asyncio.Future[Any]] = [asyncio.ensure_future(self.queue.join())]
        if self.stop is not None:
            waits.append(asyncio.ensure_future(self.stop.wait()))
        finished = False
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            finished = waits[0].done()
        finally:
            for task in (*waits, *workers):
                task.cancel()
            await asyncio.gather(*waits, *workers, return_exceptions=True)
        if not finished:  # told to stop: in-flight requests were cancelled
            self._mark_interrupted()
        self._finish_stats()
        self.result.state["_crawl"] = {
            "limits": sorted(self.limits_hit),
            "traps": dict(self.frontier.trapped),
            "hosts": sorted(self.frontier.hosts),
        }
        return self.result

    # -- scheduling -----------------------------------------------------------------------

    async def _worker(self) -> None:
        while True:
            url, depth, mode = await self.queue.get()
            try:
                if time.monotonic() > self.deadline:
                    self.limits_hit.add("time_budget")
                    self.result.targets[url].skipped = "time-budget"
                else:
                    host = host_of(url)
                    limit = self.host_limits.setdefault(
                        host, asyncio.Semaphore(self.settings.per_host))
                    async with limit:
                        if mode == PAGE:
                            await self._crawl_page(url, depth)
                        else:
                            await self._check_target(url)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a bug of ours must not lose the rest of the crawl
                log.exception("internal error on %s", url)
                self.result.errors.append(RunError("crawler", f"{url}: {type(exc).__name__}: {exc}",
                                                   self.ctx.site.name))
            finally:
                self.queue.task_done()
                self._report_progress()

    def _report_progress(self) -> None:
        if self.progress is not None:
            self.progress(Progress(self.ctx.site.name, self.result.stats.pages, self.queue.qsize(),
                                   self.result.stats.errors, self.ctx.fetcher.requests,
                                   time.monotonic() - self.started))

    def _enqueue(self, link: Link, source: str, depth: int, on_homepage: bool) -> None:
        url = link.url
        target = self.result.targets.get(url)
        if target is None:
            if not self.frontier.first_visit(url):
                # a session-id variant of a URL we already have: count it there
                return
            decision = self._skip_decision(url, source)
            in_scope = self.frontier.in_scope(url) or decision is False
            target = self._target(url, in_scope=in_scope)
            self._add_referrer(target, source, on_homepage)
            if decision is True:
                target.skipped = "plugin"
                return
            if in_scope and decision is None:
                trap = self.frontier.trap_reason(url)
                if trap is not None:
                    target.skipped = f"trap:{trap}"
                    self.limits_hit.add("trap")
                    return
            if not in_scope and not self.settings.check_external:
                target.skipped = "external"
                return
            mode = CHECK
            if in_scope and self._is_page_candidate(link):
                if depth + 1 > self.settings.max_depth:
                    self.limits_hit.add("max_depth")
                elif self.pages_started >= self.settings.max_pages:
                    self.limits_hit.add("max_pages")
                else:
                    mode = PAGE
                    self.pages_started += 1
            self.queue.put_nowait((url, depth + 1, mode))
        else:
            self._add_referrer(target, source, on_homepage)

    def _is_page_candidate(self, link: Link) -> bool:
        if link.tag in CHECK_ONLY_TAGS:
            return False
        ext = extension(link.url)
        return not (ext in STATIC_EXTENSIONS or is_attachment(link.url))

    def _skip_decision(self, url: str, source: str | None) -> bool | None:
        try:
            answer = self.hook.skip_url(url=url, source=source, crawl=self.ctx)
        except Exception as exc:
            key = type(exc).__name__
            if key not in self.skip_errors:  # once per exception type, not once per URL
                self.skip_errors.add(key)
                self.result.errors.append(RunError(
                    "skip_url", f"{type(exc).__name__}: {exc} (at {url}; later errors of this "
                    "kind not repeated)", self.ctx.site.name))
            return None
        return answer if isinstance(answer, bool) else None

    # -- targets --------------------------------------------------------------------------

    def _target(self, url: str, *, in_scope: bool) -> TargetStatus:
        target = self.result.targets.get(url)
        if target is None:
            target = TargetStatus(url=url, in_scope=in_scope)
            self.result.targets[url] = target
        return target

    def _add_referrer(self, target: TargetStatus, source: str, on_homepage: bool) -> None:
        target.referrer_count += 1
        if on_homepage:
            target.on_homepage = True
        healthy = target.done and not target.problem and not target.keep
        if (not healthy and len(target.referrers) < self.settings.max_referrers
                and source not in target.referrers):
            target.referrers.append(source)

    def _record(self, target: TargetStatus, fetch: FetchResult) -> None:
        target.done = True
        target.status = fetch.status
        stats = self.result.stats
        if not fetch.ok:
            stats.errors += 1
        if not fetch.ok or fetch.redirects or target.keep:
            target.fetch = _without_body(fetch)
        elif not target.keep:
            target.referrers = []

    # -- fetching -------------------------------------------------------------------------

    def _answered(self, location: str) -> bool:
        """A redirect need not be followed to a URL already fetched with a plain 2xx."""
        normal = normalize(location)
        target = self.result.targets.get(normal) if normal else None
        return (target is not None and target.done and target.fetch is None
                and target.status is not None and 200 <= target.status < 300)

    async def _allowed_by_robots(self, url: str, target: TargetStatus) -> bool:
        if self.settings.ignore_robots or not target.in_scope:
            return True
        if await self.robots.allowed(url):
            return True
        target.skipped = "robots"
        return False

    async def _check_target(self, url: str) -> None:
        target = self.result.targets[url]
        if not await self._allowed_by_robots(url, target):
            return
        if is_attachment(url):
            self.result.stats.attachments += 1
        fetch = await self.ctx.fetcher.fetch(url, method="HEAD", keep_body=False,
                                             allow_private=self.ctx.allow_private,
                                             stop_before=self._answered)
        self._record(target, fetch)

    async def _crawl_page(self, url: str, depth: int) -> None:
        target = self.result.targets[url]
        if not await self._allowed_by_robots(url, target):
            return
        is_home = depth == 0
        fetch = await self.ctx.fetcher.fetch(url, method="GET", keep_body=True,
                                             allow_private=self.ctx.allow_private,
                                             stop_before=None if is_home else self._answered)
        if is_home:
            self.result.homepage = _without_body(fetch)
            if fetch.ok:
                # the start URL's redirect (http → https, bare → www) defines the site too
                self.frontier.add_host(host_of(fetch.final_url))
        final_in_scope = self.frontier.in_scope(fetch.final_url)
        if fetch.final_url != url:
            first = self.frontier.first_visit(fetch.final_url)
            if not is_home and final_in_scope and not first:
                self._record(target, fetch)
                return  # the page it redirects to is crawled on its own
        if not (fetch.ok and fetch.body is not None and final_in_scope and _is_html(fetch)):
            self._record(target, fetch)
            return
        text, encoding = decode_html(fetch.body, fetch.header("content-type"))
        tree = parse_html(text)
        links = extract_links(tree, fetch.final_url, encoding)
        page = Page(site=self.ctx.site, url=fetch.final_url, fetch=fetch, depth=depth, text=text,
                    encoding=encoding, title=page_title(tree), links=links, is_homepage=is_home,
                    tree=tree)
        self.result.stats.pages += 1
        await self.checks.run_page(page, self.ctx, self.result)
        page.tree = None
        self._record(target, fetch)  # after the page checks: they may ask to `keep` it
        for link in links:
            self._enqueue(link, page.url, depth, is_home)

    async def _fetch_robots(self, url: str) -> FetchResult:
        return await self.ctx.fetcher.fetch(url, method="GET", keep_body=True,
                                            allow_private=self.ctx.allow_private,
                                            max_bytes=512 * 1024)

    async def _learn_site_addresses(self, url: str) -> None:
        """Private links are only requested when the site itself lives on such addresses."""
        resolution = await self.ctx.resolver.resolve(host_of(url))
        categories = {address_category(ip) for ip in (*resolution.ipv4, *resolution.ipv6)}
        categories.discard("public")
        self.result.state.setdefault("_site", {})["address_categories"] = sorted(categories)

    def _mark_interrupted(self) -> None:
        """The run was told to stop: what was never fetched is skipped, not broken."""
        self.limits_hit.add("interrupted")
        for target in self.result.targets.values():
            if target.status is None and target.fetch is None and target.skipped is None:
                target.skipped = "interrupted"

    def _finish_stats(self) -> None:
        stats = self.result.stats
        stats.links = len(self.result.targets)
        stats.requests = self.ctx.fetcher.requests
        stats.bytes = self.ctx.fetcher.bytes_received
        stats.duration = round(time.monotonic() - self.started, 3)


def _is_html(fetch: FetchResult) -> bool:
    if fetch.content_type:
        return fetch.content_type in HTML_TYPES
    head = (fetch.body or b"")[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def _without_body(fetch: FetchResult) -> FetchResult:
    if fetch.body is None:
        return fetch
    from dataclasses import replace
    return replace(fetch, body=None)
