"""Adds ``webaudit hello`` (loaded as an installed plugin through a test entry point)."""

from __future__ import annotations

import click

from webaudit import hookimpl

__version__ = "0.0.1"


@hookimpl
def register_commands(cli: click.Group) -> None:
    @cli.command()
    @click.argument("name", default="政府网站")
    def hello(name: str) -> None:
        """Greet NAME."""
        click.echo(f"你好, {name}")
