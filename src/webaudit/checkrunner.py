"""Collect the checks plugins register and run them, turning a check that raises into a finding.

A check that raises never stops the crawl: it becomes an `internal.check-error`
finding naming the plugin, the check and the error.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pluggy

from .errors import PluginError
from .model import SEVERITIES, Check, Finding, Page, Site, SiteResult
from .plugins import maybe_await

log = logging.getLogger(__name__)

CHECK_ERROR_ID = "internal.check-error"


@dataclass(frozen=True)
class RegisteredCheck:
    check: Any
    plugin: str

    @property
    def id(self) -> str:
        return str(self.check.id)


def collect_checks(pm: pluggy.PluginManager) -> list[RegisteredCheck]:
    """Call every `register_checks` implementation; ids must be unique and well-formed."""
    found: list[RegisteredCheck] = []
    ids: dict[str, str] = {}
    for impl in pm.hook.register_checks.get_hookimpls():
        def register(check: Any, _plugin: str = impl.plugin_name) -> None:
            for attr in ("id", "title", "severity"):
                if not getattr(check, attr, None):
                    raise PluginError(f"plugin {_plugin!r} registered a check without {attr!r}")
            if check.severity not in SEVERITIES:
                raise PluginError(f"plugin {_plugin!r}: check {check.id!r} has unknown severity "
                                  f"{check.severity!r} (use one of {', '.join(SEVERITIES)})")
            if check.id in ids:
                raise PluginError(f"check id {check.id!r} registered twice "
                                  f"(plugins {ids[check.id]!r} and {_plugin!r})")
            ids[check.id] = _plugin
            found.append(RegisteredCheck(check, _plugin))

        try:
            impl.function(register=register)
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(f"plugin {impl.plugin_name!r} failed in register_checks: "
                              f"{type(exc).__name__}: {exc}") from exc
    return sorted(found, key=lambda c: c.id)


class CheckRunner:
    """Runs page, site and account checks for one site and gathers their findings."""

    def __init__(self, checks: Iterable[RegisteredCheck]) -> None:
        checks = list(checks)
        self.page_checks = [c for c in checks if callable(getattr(c.check, "check_page", None))]
        self.site_checks = [c for c in checks if callable(getattr(c.check, "check_site", None))]
        self.account_checks = [c for c in checks
                               if callable(getattr(c.check, "check_account", None))]

    async def run_page(self, page: Page, ctx: Any, result: SiteResult) -> None:
        for reg in self.page_checks:
            await self._call(reg, "check_page", result, page.url, {"page": page, "ctx": ctx})

    async def run_site(self, site: Site, result: SiteResult, ctx: Any) -> None:
        for reg in self.site_checks:
            await self._call(reg, "check_site", result, site.url,
                             {"site": site, "result": result, "ctx": ctx})

    async def _call(self, reg: RegisteredCheck, method: str, result: SiteResult, where: str,
                    kwargs: dict[str, Any]) -> None:
        try:
            found = await maybe_await(getattr(reg.check, method)(**kwargs))
            findings = list(found or ())
        except Exception as exc:
            log.debug("check %s raised", reg.id, exc_info=True)
            self._report_error(reg, method, exc, result, where)
            return
        for finding in findings:
            if not isinstance(finding, Finding):
                wrong = TypeError(f"returned {type(finding).__name__}, not Finding")
                self._report_error(reg, method, wrong, result, where)
                return
        result.findings.extend(findings)

    @staticmethod
    def _report_error(reg: RegisteredCheck, method: str, exc: BaseException,
                      result: SiteResult, where: str) -> None:
        """One finding per check and method and site; later failures only count up."""
        seen: dict[tuple[str, str], Finding] = result.state.setdefault(CHECK_ERROR_ID, {})
        earlier = seen.get((reg.id, method))
        if earlier is not None:
            earlier.evidence["count"] += 1
            return
        finding = check_error(reg, method, exc, result.site.name, where)
        seen[(reg.id, method)] = finding
        result.findings.append(finding)


def check_error(reg: RegisteredCheck, method: str, exc: BaseException, site: str,
                where: str) -> Finding:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    return Finding(
        check=CHECK_ERROR_ID,
        severity="error",
        site=site,
        url=where,
        target=reg.id,
        message=f"check {reg.id} (plugin {reg.plugin}) raised {type(exc).__name__}: {exc}",
        evidence={
            "plugin": reg.plugin,
            "check": reg.id,
            "method": method,
            "error": f"{type(exc).__name__}: {exc}",
            "location": f"{frame.filename}:{frame.lineno}" if frame else None,
            "count": 1,
        },
    )


def is_check(obj: Any) -> bool:
    return isinstance(obj, Check)
