"""`run_audit()`: crawl a test site with the built-in checks plus the plugins under test.

Nothing heavy is imported until the first call: this module is imported with
`webaudit.testing`, which pytest loads in every run where webaudit is installed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..sitekit.live import LiveSite

if TYPE_CHECKING:
    import pluggy

    from ..model import Report

Plugin = ModuleType | str | object
"""A plugin for `run_audit`: an object or module with ``@hookimpl`` functions, or the
name of a module to import (as ``--plugin`` takes it)."""

_FAST: dict[str, Any] = {"backoff": 0.05}  # loopback servers: no need to wait between retries


def plugin_manager(plugins: Iterable[Plugin] = ()) -> pluggy.PluginManager:
    """A fresh plugin manager: the built-in plugins, then `plugins`, and nothing installed
    (entry points are not loaded: the plugin under test is the one you pass)."""
    from ..plugins import get_plugin_manager

    pm = get_plugin_manager(load_entrypoints=False)
    for plugin in plugins:
        if isinstance(plugin, str):
            pm.register(importlib.import_module(plugin), name=plugin)
        elif isinstance(plugin, ModuleType):
            pm.register(plugin, name=plugin.__name__)
        else:
            pm.register(plugin)
    return pm


def audit_options(site_or_url: LiveSite | str,
                  options: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The target and the options for `build_settings`: a `LiveSite` brings its URL and
    its nameserver (or, without DNS, its zone as static hosts)."""
    if isinstance(site_or_url, str):
        return site_or_url, {**_FAST, **options}
    site = site_or_url
    if site.dns is not None:
        names: dict[str, Any] = {"nameservers": [site.nameserver]}
    else:
        names = {"hosts": {name: list(ips) for name, ips in site.static_hosts}}
    return site.url, {**_FAST, **names, **options}


async def run_audit_async(site_or_url: LiveSite | str, *, plugins: Iterable[Plugin] = (),
                          plugin_config: Mapping[str, Any] | None = None,
                          **options: Any) -> Report:
    """`run_audit` for a test that already runs an event loop."""
    from ..assemble import build_settings
    from ..runner import run

    target, merged = audit_options(site_or_url, options)
    settings = build_settings([target], merged)
    if plugin_config is not None:
        settings = dataclasses.replace(settings, plugin_config={
            **settings.plugin_config, **{k: dict(v) for k, v in plugin_config.items()}})
    return await run(settings, pm=plugin_manager(plugins))


def run_audit(site_or_url: LiveSite | str, *, plugins: Iterable[Plugin] = (),
              plugin_config: Mapping[str, Any] | None = None, **options: Any) -> Report:
    """Audit a served test site with the built-in plugins and `plugins`; return the `Report`.

    `site_or_url` is a `LiveSite` (e.g. the ``webaudit_gov_site`` fixture: it brings its
    own nameserver), a URL, or a ``.toml`` config path. `plugin_config` holds the
    ``[plugin.NAME]`` tables (name → mapping), over a config file's. `options` are the
    config keys, as for `webaudit.audit()` (``max_pages=50``, ``nameservers=[...]``);
    retries wait 0.05 s unless ``backoff`` says otherwise. Installed plugins (entry
    points) are not loaded: the plugin under test is the one you pass.
    """
    return asyncio.run(run_audit_async(site_or_url, plugins=plugins,
                                       plugin_config=plugin_config, **options))
