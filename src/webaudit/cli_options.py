"""The ``webaudit crawl`` setting flags, generated from the setting declarations.

Every setting with a `flag` becomes an option whose value is passed, unchanged
but for numerals, to `config.merge_overrides`: the flags are checked by the same
rules as the config file and fail with the messages docs/config.md shows
(``--max-pages must be at least 1, got 0``), not with click's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from .config import OPTIONS, Option

F = TypeVar("F", bound=Callable[..., Any])


class _Raw(click.ParamType[Any, Any]):
    """Numerals become numbers (so the setting's own check sees 0, not "0"); everything
    else is left as typed."""

    name = "value"

    def __init__(self, kind: Any) -> None:
        self.kind = kind

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str) or self.kind not in (int, float):
            return value
        for convert in (int, float) if self.kind is float else (int,):
            try:
                return convert(value)
            except ValueError:
                continue
        return value


def flag_options() -> list[tuple[str, Option]]:
    """The options that are flags, in declaration order, by option name."""
    seen: set[int] = set()
    found = []
    for name, option in OPTIONS.items():
        if option.setting.info.flag and id(option) not in seen:
            seen.add(id(option))
            found.append((name, option))
    return found


def setting_flags(command: F) -> F:
    """Decorate a click command with every setting flag."""
    for name, option in reversed(flag_options()):
        declared = option.setting
        info = declared.info
        shown = "" if "default" in info.help or declared.kind is bool else (
            f" [default: {declared.default_text}]")
        kwargs: dict[str, Any] = {"help": info.help + shown, "default": None}
        if declared.kind is bool:
            kwargs["is_flag"] = True
        else:
            kwargs.update(type=_Raw(declared.kind), multiple=info.multiple,
                          metavar=info.metavar or declared.kind.__name__.upper())
        command = click.option(option.flag, name, **kwargs)(command)
    return command
