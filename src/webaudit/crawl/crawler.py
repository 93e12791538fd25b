"""The crawl of one site: what to request, and what each answer means.

One pass over the site feeds every check. In-scope HTML pages are fetched with
GET and parsed once; everything else a page refers to (other hosts, attachments,
images, pages past the depth or page bound) is checked with HEAD (GET when a
server refuses HEAD) and never parsed. Each unique URL is requested once.

`SiteCrawler` decides (with its `UrlPolicy`) and records (`TargetStatus`, the
site's `CrawlOutcome`); its `SiteScheduler` fetches. For each parsed page the
site's checks run once on the one tree, and what they ask for (targets to keep,
fetches) comes back here as data.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

from ..checktypes import FetchRequest
from ..model import CrawlOutcome, ErrorRecord, FetchResult, Link, Page, SiteResult, TargetStatus
from ..net.addresses import address_category
from .charset import decode_html
from .parse import extract_links, page_title, parse_html
from .scheduler import Job
from .urlpolicy import CHECK_ONLY_TAGS, STATIC_EXTENSIONS, UrlPolicy, extension, is_attachment
from .urls import host_of, normalize

if TYPE_CHECKING:
    from ..checkrunner import PageOutcome, SiteChecks
    from ..context import SiteContext
    from ..net.fetch import Fetcher
    from .scheduler import RunScheduler

log = logging.getLogger(__name__)

HTML_TYPES: Final = frozenset({"text/html", "application/xhtml+xml"})


@dataclass(frozen=True)
class Progress:
    site: str
    pages: int
    queued: int
    errors: int
    requests: int
    elapsed: float


class SiteCrawler:
    """Crawls one site through its scheduler and fills its `SiteResult`."""

    def __init__(self, ctx: SiteContext, result: SiteResult, checks: SiteChecks, *,
                 scheduler: RunScheduler, fetcher: Fetcher, skip_url: Callable[..., Any],
                 progress: Callable[[Progress], None] | None = None,
                 stop: asyncio.Event | None = None) -> None:
        self.ctx = ctx
        self.result = result
        self.checks = checks
        self.skip_url = skip_url
        self.progress = progress
        self.stop = stop
        self.settings = ctx.settings.crawl
        hosts = {host_of(ctx.site.url), *(h.lower() for h in ctx.site.extra_hosts)}
        self.policy = UrlPolicy(hosts=hosts, settings=self.settings)
        self.pages_started = 1  # the homepage
        self.started = 0.0
        self.limits_hit: set[str] = set()
        self.skip_errors: set[str] = set()
        self.keep_later: set[str] = set()  # KeepTarget URLs not linked yet
        self.scheduler = scheduler.for_site(fetcher, in_scope=self.policy.in_scope,
                                            stop_before=self.answered)
        ctx.bind(self.scheduler)

    # -- public ---------------------------------------------------------------------------

    async def run(self) -> SiteResult:
        self.started = time.monotonic()
        site_url = self.ctx.site.url
        categories = await self._site_address_categories(site_url)
        self.scheduler.allow_private = categories
        target = self._target(site_url, in_scope=True)
        self.policy.first_visit(site_url)
        if self._skip_decision(site_url, None) is True:
            target.skipped = "plugin"
        else:
            self.scheduler.submit(Job("page", FetchRequest(site_url), depth=0))
        finished = await self.scheduler.run(
            self, deadline=self.started + self.settings.time_budget, stop=self.stop)
        if not finished:  # told to stop: in-flight requests were cancelled
            self._mark_interrupted()
        self._finish_stats()
        self.result.crawl = CrawlOutcome(
            limits=tuple(sorted(self.limits_hit)), traps=dict(self.policy.trapped),
            hosts=tuple(sorted(self.policy.hosts)), address_categories=categories)
        return self.result

    # -- JobHandler -----------------------------------------------------------------------

    def handle(self, job: Job, result: FetchResult) -> None:
        if job.kind == "page":
            self._page_answered(job, result)
        elif job.kind == "link":
            target = self.result.targets[job.request.url]
            if result.error == "robots":
                target.skipped = "robots"
                return
            if is_attachment(target.url):
                self.result.stats.attachments += 1
            self._record(target, result)
        else:
            self._follow(self.checks.deliver(job.owner, job.request, result))

    def expired(self, job: Job) -> None:
        self.limits_hit.add("time_budget")
        if job.kind != "check":
            self.result.targets[job.request.url].skipped = "time-budget"

    def failed(self, job: Job, exc: Exception) -> None:
        self.result.errors.append(ErrorRecord(
            "crawler", f"{job.request.url}: {type(exc).__name__}: {exc}", self.ctx.site.name))

    def progressed(self) -> None:
        if self.progress is not None:
            self.progress(Progress(self.ctx.site.name, self.result.stats.pages,
                                   self.scheduler.queued, self.result.stats.errors,
                                   self.scheduler.fetcher.requests,
                                   time.monotonic() - self.started))

    # -- what to request ------------------------------------------------------------------

    def _enqueue(self, link: Link, source: str, depth: int, on_homepage: bool) -> None:
        url = link.url
        target = self.result.targets.get(url)
        if target is not None:
            self._add_referrer(target, source, on_homepage)
            return
        if not self.policy.first_visit(url):
            return  # a session-id variant of a URL we already have: counted there
        decision = self._skip_decision(url, source)
        in_scope = self.policy.in_scope(url) or decision is False
        target = self._target(url, in_scope=in_scope)
        self._add_referrer(target, source, on_homepage)
        if decision is True:
            target.skipped = "plugin"
            return
        if in_scope and decision is None:
            trap = self.policy.trap_reason(url)
            if trap is not None:
                target.skipped = f"trap:{trap}"
                return
        if not in_scope and not self.settings.check_external:
            target.skipped = "external"
            return
        if in_scope and self._is_page_candidate(link):
            if depth + 1 > self.settings.max_depth:
                self.limits_hit.add("max_depth")
            elif self.pages_started >= self.settings.max_pages:
                self.limits_hit.add("max_pages")
            else:
                self.pages_started += 1
                self.scheduler.submit(Job("page", FetchRequest(url), depth=depth + 1,
                                          robots=True, shortcut=True))
                return
        self.scheduler.submit(Job("link", FetchRequest(url, method="HEAD", body=False),
                                  depth=depth + 1, robots=in_scope, shortcut=True))

    def _follow(self, outcome: PageOutcome) -> None:
        """Do what the checks asked: keep targets, queue their fetches."""
        for url in outcome.keep:
            target = self.result.targets.get(url)
            if target is not None:
                target.keep = True
            else:
                self.keep_later.add(url)
        for reg, request in outcome.requests:
            self.scheduler.submit(Job("check", request, robots=self.policy.in_scope(request.url),
                                      owner=reg))

    def _is_page_candidate(self, link: Link) -> bool:
        if link.tag in CHECK_ONLY_TAGS:
            return False
        ext = extension(link.url)
        return not (ext in STATIC_EXTENSIONS or is_attachment(link.url))

    def _skip_decision(self, url: str, source: str | None) -> bool | None:
        try:
            answer = self.skip_url(url=url, source=source, ctx=self.ctx)
        except Exception as exc:
            key = type(exc).__name__
            if key not in self.skip_errors:  # once per exception type, not once per URL
                self.skip_errors.add(key)
                self.result.errors.append(ErrorRecord(
                    "skip_url", f"{type(exc).__name__}: {exc} (at {url}; later errors of this "
                    "kind not repeated)", self.ctx.site.name))
            return None
        return answer if isinstance(answer, bool) else None

    # -- targets --------------------------------------------------------------------------

    def _target(self, url: str, *, in_scope: bool) -> TargetStatus:
        target = self.result.targets.get(url)
        if target is None:
            target = TargetStatus(url=url, in_scope=in_scope)
            if self.keep_later:
                target.keep = url in self.keep_later
                self.keep_later.discard(url)
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
        if not fetch.ok:
            self.result.stats.errors += 1
        if not fetch.ok or fetch.redirects or target.keep:
            target.fetch = _without_body(fetch)
        else:
            target.referrers = []

    def answered(self, location: str) -> bool:
        """A redirect need not be followed to a URL already fetched with a plain 2xx."""
        normal = normalize(location)
        target = self.result.targets.get(normal) if normal else None
        return (target is not None and target.done and target.fetch is None
                and target.status is not None and 200 <= target.status < 300)

    # -- pages ----------------------------------------------------------------------------

    def _page_answered(self, job: Job, fetch: FetchResult) -> None:
        url = job.request.url
        target = self.result.targets[url]
        if fetch.error == "robots":
            target.skipped = "robots"
            return
        is_home = job.depth == 0
        if is_home:
            self.result.homepage = _without_body(fetch)
            if fetch.ok:
                # the start URL's redirect (http → https, bare → www) defines the site too
                self.policy.add_host(host_of(fetch.final_url))
        final_in_scope = self.policy.in_scope(fetch.final_url)
        if fetch.final_url != url:
            first = self.policy.first_visit(fetch.final_url)
            if not is_home and final_in_scope and not first:
                self._record(target, fetch)
                return  # the page it redirects to is crawled on its own
        if not (fetch.ok and fetch.body is not None and final_in_scope and _is_html(fetch)):
            self._record(target, fetch)
            return
        text, encoding = decode_html(fetch.body, fetch.header("content-type"))
        tree = parse_html(text)
        links = extract_links(tree, fetch.final_url, encoding)
        page = Page(site=self.ctx.site, url=fetch.final_url, fetch=fetch, depth=job.depth,
                    html=text, encoding=encoding, title=page_title(tree), links=links,
                    is_homepage=is_home, tree=tree)
        self.result.stats.pages += 1
        outcome = self.checks.run_page(page)
        page.release()
        # before recording the page (its checks may ask to keep it), and the checks'
        # fetches queued before the page's links, so the crawl's own may reuse them
        self._follow(outcome)
        self._record(target, fetch)
        for link in links:
            self._enqueue(link, page.url, job.depth, is_home)

    async def _site_address_categories(self, url: str) -> frozenset[str]:
        """Private links are only requested when the site itself lives on such addresses."""
        resolution = await self.ctx.resolver.resolve(host_of(url))
        categories = {address_category(ip) for ip in (*resolution.ipv4, *resolution.ipv6)}
        categories.discard("public")
        return frozenset(categories)

    def _mark_interrupted(self) -> None:
        """The run was told to stop: what was never fetched is skipped, not broken."""
        self.limits_hit.add("interrupted")
        for target in self.result.targets.values():
            if target.status is None and target.fetch is None and target.skipped is None:
                target.skipped = "interrupted"

    def _finish_stats(self) -> None:
        stats = self.result.stats
        stats.links = len(self.result.targets)
        stats.requests = self.scheduler.fetcher.requests
        stats.bytes = self.scheduler.fetcher.bytes_received
        stats.duration = round(time.monotonic() - self.started, 3)


def _is_html(fetch: FetchResult) -> bool:
    if fetch.content_type:
        return fetch.content_type in HTML_TYPES
    head = (fetch.body or b"")[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def _without_body(fetch: FetchResult) -> FetchResult:
    return fetch if fetch.body is None else replace(fetch, body=None)
