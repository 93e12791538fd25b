"""A plugin whose `register_commands` raises: the other commands must still work."""

from __future__ import annotations

import click

from webaudit import hookimpl


@hookimpl
def register_commands(cli: click.Group) -> None:
    raise RuntimeError("cannot add commands")
