"""One run: settings → plugins → crawl every site → site checks → report → run_finished.

This is the orchestration only; crawling lives in `crawl/`, networking in `net/`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pluggy

from .checkrunner import CheckRunner, collect_checks
from .config import config_digest, load_config, merge_overrides
from .context import CrawlContext
from .crawl.crawler import Progress, SiteCrawler
from .crawl.urls import host_of, normalize
from .errors import ConfigError
from .model import Report, RunError, Site, SiteResult
from .net.client import make_client
from .net.fetch import Fetcher
from .net.resolver import Resolver
from .plugins import get_plugin_manager, maybe_await
from .settings import Settings

log = logging.getLogger(__name__)

MAX_PARALLEL_SITES = 4


def site_from_url(url: str) -> Site:
    normal = normalize(url.strip())
    if normal is None:
        guess = normalize(f"https://{url.strip()}") if "://" not in url else None
        hint = f" (did you mean {guess!r}?)" if guess and "." in host_of(guess) else ""
        raise ConfigError(f"not an http(s) URL: {url!r}{hint}")
    return Site(name=host_of(normal), url=normal)


def build_settings(targets: Iterable[str], options: Mapping[str, Any] | None = None) -> Settings:
    """Settings from URLs and/or `.toml` config paths, then option overrides (flag names)."""
    settings: Settings | None = None
    urls: list[Site] = []
    for target in targets:
        if target.lower().endswith(".toml"):
            loaded = load_config(target)
            if settings is None:
                settings = loaded
            else:
                settings = dataclasses.replace(
                    settings, sites=settings.sites + loaded.sites,
                    accounts=settings.accounts + loaded.accounts)
        else:
            urls.append(site_from_url(target))
    settings = settings or Settings()
    known = {s.url for s in settings.sites}
    names = {s.name for s in settings.sites}
    extra = []
    for site in urls:
        if site.url not in known:
            if site.name in names:
                site = dataclasses.replace(site, name=site.url)
            extra.append(site)
            known.add(site.url)
            names.add(site.name)
    settings = dataclasses.replace(settings, sites=settings.sites + tuple(extra))
    cleaned = {k: v for k, v in (options or {}).items() if v is not None and v != () and v != []}
    if cleaned:
        settings = merge_overrides(settings, cleaned)
    return settings


async def _call_hook(report_errors: list[RunError], name: str, hook: Any, *,
                     reraise: tuple[type[Exception], ...] = (), **kwargs: Any) -> None:
    """Call every implementation of `hook`, awaiting async ones; errors are reported, not raised."""
    for impl in reversed(hook.get_hookimpls()):
        accepted = {k: v for k, v in kwargs.items() if k in impl.argnames}
        try:
            await maybe_await(impl.function(**accepted))
        except reraise:
            raise
        except Exception as exc:
            report_errors.append(RunError(f"{impl.plugin_name}.{name}",
                                          f"{type(exc).__name__}: {exc}"))


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
    errors: list[RunError] = [RunError("plugins", message) for message in failures]
    started = dt.datetime.now(dt.UTC)
    checks = CheckRunner(collect_checks(pm))
    await _call_hook(errors, "configure", pm.hook.configure, reraise=(ConfigError,),
                     config=settings, plugin_config=settings.plugin_config)
    resolver = Resolver(settings.dns.nameservers, settings.dns.timeout,
                        {host: list(ips) for host, ips in settings.dns.hosts})
    client = make_client(resolver, settings.crawl)
    results: list[SiteResult] = []
    try:
        limit = asyncio.Semaphore(MAX_PARALLEL_SITES)

        async def one(site: Site) -> SiteResult:
            async with limit:
                return await audit_site(site, settings, pm, checks, client, resolver, progress,
                                        stop)

        results = list(await asyncio.gather(*(one(site) for site in settings.sites)))
    finally:
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
    await _call_hook(report.errors, "run_finished", pm.hook.run_finished, report=report, diff=None)
    return report


async def audit_site(site: Site, settings: Settings, pm: pluggy.PluginManager,
                     checks: CheckRunner, client: Any, resolver: Resolver,
                     progress: Callable[[Progress], None] | None,
                     stop: asyncio.Event | None = None) -> SiteResult:
    result = SiteResult(site=site)
    ctx = CrawlContext(settings=settings, site=site, result=result, fetcher=None,  # type: ignore[arg-type]
                       resolver=resolver, homepage_url=site.url)

    def prepare(request: Any) -> None:
        pm.hook.prepare_request(request=request, crawl=ctx)

    ctx.fetcher = Fetcher(client, resolver, settings.crawl, prepare_request=prepare)
    crawler = SiteCrawler(ctx, checks, pm.hook, progress, stop)
    try:
        await crawler.run()
    except Exception as exc:  # keep what was gathered
        log.exception("crawl of %s failed", site.url)
        result.errors.append(RunError("crawler", f"{type(exc).__name__}: {exc}", site.name))
    await checks.run_site(site, result, ctx)
    for impl in reversed(pm.hook.modify_findings.get_hookimpls()):
        before = list(result.findings)
        args = {"findings": result.findings, "site": site}
        try:
            await maybe_await(impl.function(**{k: v for k, v in args.items()
                                               if k in impl.argnames}))
        except Exception as exc:
            result.findings = before  # this plugin's edits are undone; others' stay
            result.errors.append(RunError(f"{impl.plugin_name}.modify_findings",
                                          f"{type(exc).__name__}: {exc}", site.name))
    result.findings.sort(key=lambda f: (f.check, f.target, f.url))
    return result
