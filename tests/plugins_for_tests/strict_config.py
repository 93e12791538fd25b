"""A plugin that validates its ``[plugin.strict]`` table in `configure`."""

from __future__ import annotations

from typing import Any

from webaudit import ConfigError, hookimpl

LEVELS = ("low", "high")


@hookimpl
def configure(plugin_config: dict[str, Any]) -> None:
    level = plugin_config.get("strict", {}).get("level", "low")
    if level not in LEVELS:
        raise ConfigError(f"[plugin.strict] level must be one of {', '.join(LEVELS)}; "
                          f"got {level!r}")
