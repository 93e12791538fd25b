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

if TYPE_CHECKING:  # "X as X": type checkers treat these as re-exported (PEP 484)
    from .api import audit as audit
    from .api import audit_async as audit_async
    from .config import load_config as load_config
    from .errors import ConfigError as ConfigError
    from .errors import PluginError as PluginError
    from .errors import WebauditError as WebauditError
    from .hookspecs import hookimpl as hookimpl
    from .model import Account as Account
    from .model import Finding as Finding
    from .model import Link as Link
    from .model import Page as Page
    from .model import Report as Report
    from .model import Site as Site
    from .model import SiteResult as SiteResult
    from .settings import CrawlSettings as CrawlSettings
    from .settings import DnsSettings as DnsSettings
    from .settings import Settings as Settings


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'webaudit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
