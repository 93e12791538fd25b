"""webaudit: audit government websites and new-media accounts against China's disclosure rules.

Public API::

    import webaudit
    report = webaudit.audit("https://www.example.gov.cn/")
    report = await webaudit.audit_async(["https://a.gov.cn/"], max_pages=200)

Names are imported on first use, so `import webaudit` (and the CLI) start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "Account": "model",
    "ConfigError": "errors",
    "CrawlSettings": "settings",
    "DnsSettings": "settings",
    "Finding": "model",
    "Link": "model",
    "Page": "model",
    "PluginError": "errors",
    "Report": "model",
    "Settings": "settings",
    "Site": "model",
    "SiteResult": "model",
    "WebauditError": "errors",
    "audit": "api",
    "audit_async": "api",
    "hookimpl": "hookspecs",
    "load_config": "config",
}

__all__ = sorted([*_EXPORTS, "__version__"])

if TYPE_CHECKING:
    from .api import audit, audit_async
    from .config import load_config
    from .errors import ConfigError, PluginError, WebauditError
    from .hookspecs import hookimpl
    from .model import Account, Finding, Link, Page, Report, Site, SiteResult
    from .settings import CrawlSettings, DnsSettings, Settings


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'webaudit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
