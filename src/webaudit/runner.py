"""One run: plugins → configure → checks → crawl every site → site checks → report → run_finished.

This is the orchestration only: settings are assembled in `assemble`, crawling
lives in `crawl/`, networking in `net/`, hook calling in `hookcall`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Iterable

import httpx
import pluggy

from .checkrunner import CheckRunner, collect_checks
from .config import config_digest
from .context import SiteContext
from .crawl.crawler import Progress, SiteCrawler
from .crawl.scheduler import RunScheduler
from .errors import ConfigError
from .hookcall import call_each
from .model import ErrorRecord, Report, Site, SiteResult
from .net.client import make_client
from .net.fetch import Fetcher
from .net.resolver import Resolver
from .plugins import PluginManager, get_plugin_manager
from .settings import Settings

log = logging.getLogger(__name__)


def _recorder(errors: list[ErrorRecord], hook: str, site: str | None = None
              ) -> Callable[[pluggy.HookImpl, Exception], None]:
    """An `on_error` for `hookcall` that adds each failure to `errors` (ConfigError stops)."""

    def record(impl: pluggy.HookImpl, exc: Exception) -> None:
        if isinstance(exc, ConfigError) and hook == "configure":
            raise exc
        errors.append(ErrorRecord(f"{impl.plugin_name}.{hook}", f"{type(exc).__name__}: {exc}",
                                  site))

    return record


async def run(settings: Settings, *, load_entrypoints: bool = True,
              pm: pluggy.PluginManager | None = None,
              progress: Callable[[Progress], None] | None = None,
              plugin_failures: Iterable[str] = (),
              stop: asyncio.Event | None = None) -> Report:
    """Audit every site in `settings` and return the report.

    `plugin_failures` are load errors of installed plugins when the caller made `pm`.
    Setting `stop` ends the crawls early: requests in flight are cancelled, what was
    gathered is checked and reported, and each site gets a `crawl.limit` finding
    with target ``interrupted``.
    """
    from . import __version__

    failures: list[str] = list(plugin_failures)
    if pm is None:
        pm = get_plugin_manager(load_entrypoints=load_entrypoints, extra=settings.plugins,
                                failures=failures)
    elif isinstance(pm, PluginManager):
        pm.validate()
    errors = [ErrorRecord("plugins", message) for message in failures]
    started = dt.datetime.now(dt.UTC)
    await call_each(pm.hook.configure, {"config": settings, "plugin_config": settings.plugin_config},
                    on_error=_recorder(errors, "configure"))
    checks = CheckRunner(collect_checks(pm, settings))
    resolver = Resolver(settings.dns.nameservers, settings.dns.timeout,
                        {host: list(ips) for host, ips in settings.dns.hosts})
    client = make_client(resolver, settings.crawl)
    scheduler = RunScheduler(settings.crawl)
    results: list[SiteResult] = []
    try:
        limit = asyncio.Semaphore(settings.crawl.parallel_sites)

        async def one(site: Site) -> SiteResult:
            async with limit:
                return await audit_site(site, settings, pm, checks, client, resolver, scheduler,
                                        progress, stop)

        results = list(await asyncio.gather(*(one(site) for site in settings.sites)))
    finally:
        await scheduler.cache.cancel_all()
        await client.aclose()
    report = Report(
        tool_version=__version__,
        started=started.isoformat(timespec="seconds"),
        finished=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        as_of=settings.as_of.isoformat(),
        config_digest=config_digest(settings),
        sites=results,
        errors=errors,
    )
    for result in results:
        report.errors.extend(result.errors)
    await call_each(pm.hook.run_finished, {"report": report, "diff": None},
                    on_error=_recorder(report.errors, "run_finished"))
    return report


async def audit_site(site: Site, settings: Settings, pm: pluggy.PluginManager,
                     checks: CheckRunner, client: httpx.AsyncClient, resolver: Resolver,
                     scheduler: RunScheduler, progress: Callable[[Progress], None] | None,
                     stop: asyncio.Event | None = None) -> SiteResult:
    """Crawl one site, run its checks and the `modify_findings` hook; never raises."""
    result = SiteResult(site=site)
    ctx = SiteContext(settings, site, resolver)
    prepare_request = pm.hook.prepare_request

    def prepare(request: httpx.Request) -> None:
        prepare_request(request=request, ctx=ctx)

    fetcher = Fetcher(client, resolver, settings.crawl, prepare_request=prepare)
    site_checks = checks.for_site(result)
    crawler = SiteCrawler(ctx, result, site_checks, scheduler=scheduler, fetcher=fetcher,
                          skip_url=pm.hook.skip_url, progress=progress, stop=stop)
    try:
        await crawler.run()
    except Exception as exc:  # keep what was gathered
        log.exception("crawl of %s failed", site.url)
        result.errors.append(ErrorRecord("crawler", f"{type(exc).__name__}: {exc}", site.name))
    await site_checks.run_site(ctx)
    before = list(result.findings)

    def snapshot(_impl: pluggy.HookImpl) -> None:
        nonlocal before
        before = list(result.findings)

    def undo(impl: pluggy.HookImpl, exc: Exception) -> None:
        result.findings[:] = before  # this plugin's edits are undone; others' stay
        _recorder(result.errors, "modify_findings", site.name)(impl, exc)

    await call_each(pm.hook.modify_findings, {"findings": result.findings, "site": site},
                    on_error=undo, before=snapshot)
    result.findings.sort(key=lambda f: (f.check, f.target, f.url))
    return result

