"""Collect the checks plugins register, and run their phases for each site.

Registration inspects each check once: its ``check_page`` and ``check_fetched``
must be synchronous functions of exactly ``(page)`` and ``(request, result)``;
its ``check_site`` may be async and takes any subset of ``site``, ``result``,
``facts``, ``fetched`` and ``ctx``. A malformed check stops the run before any
request (`PluginError`).

While a site is crawled, `SiteChecks` runs the page phase on each parsed page
and sorts what comes back: findings go to the site's result, facts are kept for
the check that returned them, fetch requests go back to the crawl's scheduler.
After the crawl each check's site phase gets its own facts and answers. A check
method that raises never stops the crawl: it becomes one `internal.check-error`
finding per check, method and site, counting how often it failed.
"""

from __future__ import annotations

import inspect
import logging
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import pluggy

from .checktypes import Check, Fact, FetchRequest, KeepTarget
from .context import SiteContext
from .errors import ConfigError, PluginError
from .hookcall import call_each_sync
from .model import SEVERITIES, FetchResult, Finding, Page, SiteResult
from .settings import Settings

log = logging.getLogger(__name__)

CHECK_ERROR_ID: Final = "internal.check-error"
SITE_ARGS: Final = frozenset({"site", "result", "facts", "fetched", "ctx"})
_PHASES: Final = {"check_page": ("page",), "check_fetched": ("request", "result")}


@dataclass(frozen=True)
class RegisteredCheck:
    """A check as registered: the object, its plugin, and its phases found by name."""

    check: Check
    plugin: str
    page: Callable[[Page], Any] | None = None
    fetched: Callable[[FetchRequest, FetchResult], Any] | None = None
    site: Callable[..., Any] | None = None
    site_args: frozenset[str] = frozenset()

    @property
    def id(self) -> str:
        return str(self.check.id)


def _method(check: Any, name: str) -> Callable[..., Any] | None:
    method = getattr(check, name, None)
    return method if callable(method) else None


def _params(plugin: str, check_id: str, name: str, method: Callable[..., Any]) -> list[str]:
    try:
        signature = inspect.signature(method)
    except (TypeError, ValueError) as exc:
        raise PluginError(f"plugin {plugin!r}: check {check_id!r}: cannot read the signature "
                          f"of {name}: {exc}") from exc
    return [p.name for p in signature.parameters.values()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def inspect_check(check: Any, plugin: str) -> RegisteredCheck:
    """Validate `check` and find its phases; `PluginError` says what is wrong."""
    for attr in ("id", "title", "severity"):
        if not getattr(check, attr, None):
            raise PluginError(f"plugin {plugin!r} registered a check without {attr!r}")
    check_id = str(check.id)
    if check.severity not in SEVERITIES:
        raise PluginError(f"plugin {plugin!r}: check {check_id!r} has unknown severity "
                          f"{check.severity!r} (use one of {', '.join(SEVERITIES)})")
    phases: dict[str, Callable[..., Any] | None] = {}
    for name, expected in _PHASES.items():
        method = phases[name] = _method(check, name)
        if method is None:
            continue
        if inspect.iscoroutinefunction(method):
            raise PluginError(f"plugin {plugin!r}: check {check_id!r}: {name} must be synchronous "
                              "(page checks are pure: return FetchRequest objects to have "
                              "something fetched, and await in check_site)")
        params = _params(plugin, check_id, name, method)
        if tuple(params) != expected:
            raise PluginError(f"plugin {plugin!r}: check {check_id!r}: {name} must take "
                              f"({', '.join(expected)}), not ({', '.join(params)}); checks get "
                              "their settings when register_checks builds them")
    site = _method(check, "check_site")
    site_args: frozenset[str] = frozenset()
    if site is not None:
        params = _params(plugin, check_id, "check_site", site)
        unknown = [p for p in params if p not in SITE_ARGS]
        if unknown:
            raise PluginError(f"plugin {plugin!r}: check {check_id!r}: check_site takes unknown "
                              f"argument {unknown[0]!r} (known: {', '.join(sorted(SITE_ARGS))})")
        site_args = frozenset(params)
    return RegisteredCheck(check, plugin, phases["check_page"], phases["check_fetched"], site,
                           site_args)


def collect_checks(pm: pluggy.PluginManager, config: Settings) -> list[RegisteredCheck]:
    """Call every `register_checks` implementation; ids must be unique and well-formed."""
    found: list[RegisteredCheck] = []
    owners: dict[str, str] = {}
    plugin = ""

    def register(check: Check) -> None:
        registered = inspect_check(check, plugin)
        if registered.id in owners:
            raise PluginError(f"check id {registered.id!r} registered twice "
                              f"(plugins {owners[registered.id]!r} and {plugin!r})")
        owners[registered.id] = plugin
        found.append(registered)

    def before(impl: pluggy.HookImpl) -> None:
        nonlocal plugin
        plugin = impl.plugin_name

    def failed(impl: pluggy.HookImpl, exc: Exception) -> None:
        if isinstance(exc, PluginError | ConfigError):
            raise exc
        raise PluginError(f"plugin {impl.plugin_name!r} failed in register_checks: "
                          f"{type(exc).__name__}: {exc}") from exc

    call_each_sync(pm.hook.register_checks, {"register": register, "config": config},
                   on_error=failed, before=before, registration_order=True)
    return sorted(found, key=lambda c: c.id)


@dataclass
class PageOutcome:
    """What a page's checks asked of the crawl: targets to keep, and fetches."""

    keep: list[str] = field(default_factory=list)
    requests: list[tuple[RegisteredCheck, FetchRequest]] = field(default_factory=list)


@dataclass
class _Failure:
    """The first failure of one check method on a site (its traceback not kept), and a count."""

    reg: RegisteredCheck
    method: str
    where: str
    error: str
    location: str | None
    count: int = 1


class CheckRunner:
    """The run's registered checks; `for_site()` gives the per-site runner."""

    def __init__(self, checks: Iterable[RegisteredCheck]) -> None:
        self.checks = list(checks)
        self.page_checks = [c for c in self.checks if c.page is not None]
        self.site_checks = [c for c in self.checks if c.site is not None]

    def for_site(self, result: SiteResult) -> SiteChecks:
        return SiteChecks(self, result)


class SiteChecks:
    """Runs the checks' phases for one site and holds their facts until the site phase."""

    def __init__(self, runner: CheckRunner, result: SiteResult) -> None:
        self.runner = runner
        self.result = result
        self.facts: dict[str, list[Fact]] = {}
        self.fetched: dict[str, dict[FetchRequest, FetchResult]] = {}
        self.asked: set[tuple[str, FetchRequest]] = set()
        self.failures: dict[tuple[str, str], _Failure] = {}

    def run_page(self, page: Page) -> PageOutcome:
        outcome = PageOutcome()
        for reg in self.runner.page_checks:
            if reg.page is not None:
                self._take(reg, "check_page", page.url, reg.page, (page,), outcome)
        return outcome

    def deliver(self, reg: RegisteredCheck, request: FetchRequest,
                answer: FetchResult) -> PageOutcome:
        """The answer to one of `reg`'s fetch requests: its ``check_fetched`` phase, or
        kept for its site phase."""
        outcome = PageOutcome()
        if reg.fetched is None:
            self.fetched.setdefault(reg.id, {})[request] = answer
            return outcome
        self._take(reg, "check_fetched", request.url, reg.fetched, (request, answer), outcome)
        return outcome

    async def run_site(self, ctx: SiteContext) -> None:
        """Every check's site phase, then the check-error findings of this site."""
        result = self.result
        for reg in self.runner.site_checks:
            assert reg.site is not None
            kwargs: Mapping[str, Any] = {
                "site": result.site, "result": result, "facts": self.facts.get(reg.id, []),
                "fetched": self.fetched.get(reg.id, {}), "ctx": ctx}
            try:
                found = reg.site(**{k: v for k, v in kwargs.items() if k in reg.site_args})
                if inspect.isawaitable(found):
                    found = await found
                findings = list(found or ())
            except Exception as exc:
                log.debug("check %s raised", reg.id, exc_info=True)
                self._failed(reg, "check_site", exc, result.site.url)
                continue
            wrong = next((f for f in findings if not isinstance(f, Finding)), None)
            if wrong is not None:
                self._failed(reg, "check_site", TypeError(
                    f"returned {type(wrong).__name__}, not Finding"), result.site.url)
                continue
            result.findings.extend(findings)
        result.findings.extend(check_error(f, result.site.name) for f in self.failures.values())

    def _take(self, reg: RegisteredCheck, method: str, where: str, phase: Callable[..., Any],
              args: tuple[Any, ...], outcome: PageOutcome) -> None:
        """Call one pure phase and sort its items; nothing of it is kept if it fails."""
        try:
            value = phase(*args)
            items = _items(method, value)
        except Exception as exc:
            log.debug("check %s raised", reg.id, exc_info=True)
            self._failed(reg, method, exc, where)
            return
        if isinstance(items, TypeError):  # a wrong result: no traceback into our code
            self._failed(reg, method, items, where)
            return
        for item in items:
            if isinstance(item, Finding):
                self.result.findings.append(item)
            elif isinstance(item, FetchRequest):
                if (reg.id, item) not in self.asked:
                    self.asked.add((reg.id, item))
                    outcome.requests.append((reg, item))
            else:
                if isinstance(item, KeepTarget):
                    outcome.keep.append(item.url)
                self.facts.setdefault(reg.id, []).append(item)

    def _failed(self, reg: RegisteredCheck, method: str, exc: BaseException, where: str) -> None:
        earlier = self.failures.get((reg.id, method))
        if earlier is not None:
            earlier.count += 1
            return
        frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        self.failures[(reg.id, method)] = _Failure(
            reg, method, where, f"{type(exc).__name__}: {exc}",
            f"{frame.filename}:{frame.lineno}" if frame else None)


def _items(method: str, value: Any) -> list[Any] | TypeError:
    """The items a pure phase returned, or the TypeError saying what is wrong with them."""
    if inspect.isawaitable(value):
        close = getattr(value, "close", None)
        if callable(close):
            close()  # never run, and no "never awaited" warning
        return TypeError(f"{method} must be synchronous, but returned an awaitable")
    items = list(value or ())
    wrong = next((i for i in items if not isinstance(i, Finding | Fact | FetchRequest)), None)
    if wrong is not None:
        return TypeError(f"returned {type(wrong).__name__}, not Finding, Fact or FetchRequest")
    return items


def check_error(failure: _Failure, site: str) -> Finding:
    reg = failure.reg
    return Finding(
        check=CHECK_ERROR_ID,
        severity="error",
        site=site,
        url=failure.where,
        target=reg.id,
        message=f"check {reg.id} (plugin {reg.plugin}) raised {failure.error}",
        evidence={
            "plugin": reg.plugin,
            "check": reg.id,
            "method": failure.method,
            "error": failure.error,
            "location": failure.location,
            "count": failure.count,
        },
    )
