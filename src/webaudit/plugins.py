"""The plugin manager: built-in plugins, installed ones and ``--plugin`` modules.

One manager per run (and per test): nothing here is module-global state. The
manager refuses hook wrappers (``@hookimpl(wrapper=True)`` or
``hookwrapper=True``) when a plugin is registered: webaudit calls most hooks one
implementation at a time (`hookcall`), awaiting each and isolating its errors,
which a wrapper cannot wrap.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import pluggy

from . import hookspecs
from .errors import PluginError

log = logging.getLogger(__name__)

DEFAULT_PLUGINS: tuple[str, ...] = (
    "webaudit.checks.links",
    "webaudit.checks.site",
    "webaudit.checks.internal",
    "webaudit.report.json_writer",
)

ENTRY_POINT_GROUP = "webaudit"


class PluginManager(pluggy.PluginManager):
    """pluggy's manager for project ``webaudit``, refusing hook wrappers at registration."""

    def __init__(self) -> None:
        super().__init__("webaudit")
        self.add_hookspecs(hookspecs)

    def register(self, plugin: object, name: str | None = None) -> str | None:
        registered = super().register(plugin, name)
        for caller in self.get_hookcallers(plugin) or ():
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin and (impl.wrapper or impl.hookwrapper):
                    self.unregister(plugin)
                    raise PluginError(
                        f"plugin {impl.plugin_name!r}: {caller.name} is a hook wrapper; webaudit "
                        "calls each implementation on its own and does not run wrappers "
                        "(implement the hook itself)")
        return registered

    def validate(self) -> None:
        """Every implementation names a known hook (catches misspelt hook names)."""
        try:
            self.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin {exc.plugin!r} implements an unknown hook: {exc}") from exc


def get_plugin_manager(
    *, load_entrypoints: bool = True, extra: Iterable[str] = (),
    failures: list[str] | None = None,
) -> PluginManager:
    """A fresh manager with the default plugins, installed plugins and `extra` modules.

    A module named in `extra` (``--plugin``) that cannot be imported raises
    `PluginError`, one line naming it. An installed plugin (entry point) that
    cannot be imported is logged and appended to `failures` (when given), and
    the run goes on without it.
    """
    pm = PluginManager()
    for name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    if load_entrypoints:
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            if pm.has_plugin(ep.name):
                continue
            try:
                plugin = ep.load()
            except Exception as exc:
                message = (f"plugin {ep.name!r} (entry point {ep.value}) failed to import, "
                           f"running without it: {type(exc).__name__}: {exc}")
                if failures is None:
                    log.warning("%s", message)
                else:
                    failures.append(message)
                continue
            try:
                pm.register(plugin, name=ep.name)
            except PluginError as exc:
                if failures is None:
                    log.warning("%s", exc)
                else:
                    failures.append(f"{exc}; running without it")
    for module_path in extra:
        if pm.has_plugin(module_path):
            continue
        try:
            plugin = importlib.import_module(module_path)
        except Exception as exc:
            raise PluginError(
                f"plugin {module_path!r} failed to import: {type(exc).__name__}: {exc}"
            ) from exc
        if not pm.is_registered(plugin):  # also installed: loaded above under its entry-point name
            pm.register(plugin, name=module_path)
    pm.validate()
    return pm


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str | None
    hooks: tuple[str, ...]
    builtin: bool

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "hooks": list(self.hooks),
                "builtin": self.builtin}


def describe_plugins(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """Name, version and implemented hooks of every registered plugin."""
    from . import __version__

    packages = metadata.packages_distributions()
    infos = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        hooks = tuple(sorted(h.name for h in pm.get_hookcallers(plugin) or ()))
        builtin = name in DEFAULT_PLUGINS
        version: str | None = __version__ if builtin else getattr(plugin, "__version__", None)
        top = getattr(plugin, "__name__", "").partition(".")[0]
        if version is None and packages.get(top):
            version = metadata.version(packages[top][0])
        infos.append(PluginInfo(name, version, hooks, builtin))
    return sorted(infos, key=lambda i: (not i.builtin, i.name))
