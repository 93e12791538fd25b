"""The library entry points: `audit()` and `audit_async()`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from .model import Report
from .settings import Settings


async def audit_async(
    targets: str | Iterable[str] | Settings,
    *,
    plugins: Iterable[str] = (),
    load_entrypoints: bool = True,
    progress: Any = None,
    stop: asyncio.Event | None = None,
    **options: Any,
) -> Report:
    """Audit sites and return a `Report`.

    `targets` is a URL, a list of URLs and/or `.toml` config paths, or a ready
    `Settings`. Keyword `options` are the config keys (`max_pages=200`,
    `nameservers=["127.0.0.1:5353"]`, `ignore_robots=True`, …) and win over the
    config file. Network problems on the sites are findings, never exceptions;
    a bad config raises `ConfigError`, a plugin that cannot load `PluginError`.
    Set the `stop` event to end the run early and still get a report of what was
    gathered (cancelling the task instead loses it).
    """
    from .assemble import build_settings
    from .runner import run

    settings = targets if isinstance(targets, Settings) else build_settings(
        [targets] if isinstance(targets, str) else list(targets), dict(options, plugins=plugins)
    )
    return await run(settings, load_entrypoints=load_entrypoints, progress=progress, stop=stop)


def audit(targets: str | Iterable[str] | Settings, **kwargs: Any) -> Report:
    """Blocking form of `audit_async` (runs its own event loop)."""
    return asyncio.run(audit_async(targets, **kwargs))
