"""webaudit: audit government websites and new-media accounts against China's disclosure rules.

Public API::

    import webaudit
    report = webaudit.audit("https://www.example.gov.cn/")
    report = await webaudit.audit_async(["https://a.gov.cn/"], max_pages=200)

Plugin authors import the check types from here too (`BaseCheck`, `Check`, `Fact`,
`KeepTarget`, `FetchRequest`, `SiteContext`, `ReportWriter`, `setting`, …): a
plugin written against these names type-checks under ``mypy --strict``.

Names are imported on first use, so `import webaudit` (and the CLI) start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

_EXPORTS: dict[str, str] = {
    "Account": "model",
    "BaseCheck": "checks.base",
    "Check": "checktypes",
    "ConfigError": "errors",
    "CrawlOutcome": "model",
    "CrawlSettings": "settings",
    "DnsSettings": "settings",
    "ErrorRecord": "model",
    "Fact": "checktypes",
    "FetchRequest": "checktypes",
    "FetchResult": "model",
    "Finding": "model",
    "KeepTarget": "checktypes",
    "Link": "model",
    "Page": "model",
    "PluginError": "errors",
    "Redirect": "model",
    "Report": "model",
    "ReportWriter": "checktypes",
    "RunDiff": "model",
    "Settings": "settings",
    "Severity": "model",
    "Site": "model",
    "SiteContext": "context",
    "SiteResult": "model",
    "SiteStats": "model",
    "TargetStatus": "model",
    "WebauditError": "errors",
    "audit": "api",
    "audit_async": "api",
    "hookimpl": "hookspecs",
    "load_config": "config",
    "setting": "settings",
}

__all__ = sorted([*_EXPORTS, "__version__"])

if TYPE_CHECKING:  # "X as X": type checkers treat these as re-exported (PEP 484)
    from .api import audit as audit
    from .api import audit_async as audit_async
    from .checks.base import BaseCheck as BaseCheck
    from .checktypes import Check as Check
    from .checktypes import Fact as Fact
    from .checktypes import FetchRequest as FetchRequest
    from .checktypes import KeepTarget as KeepTarget
    from .checktypes import ReportWriter as ReportWriter
    from .config import load_config as load_config
    from .context import SiteContext as SiteContext
    from .errors import ConfigError as ConfigError
    from .errors import PluginError as PluginError
    from .errors import WebauditError as WebauditError
    from .hookspecs import hookimpl as hookimpl
    from .model import Account as Account
    from .model import CrawlOutcome as CrawlOutcome
    from .model import ErrorRecord as ErrorRecord
    from .model import FetchResult as FetchResult
    from .model import Finding as Finding
    from .model import Link as Link
    from .model import Page as Page
    from .model import Redirect as Redirect
    from .model import Report as Report
    from .model import RunDiff as RunDiff
    from .model import Severity as Severity
    from .model import Site as Site
    from .model import SiteResult as SiteResult
    from .model import SiteStats as SiteStats
    from .model import TargetStatus as TargetStatus
    from .settings import CrawlSettings as CrawlSettings
    from .settings import DnsSettings as DnsSettings
    from .settings import Settings as Settings
    from .settings import setting as setting


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'webaudit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
