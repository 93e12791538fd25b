"""The plugin contract: every hook webaudit calls, with its full contract.

Hooks are called with keyword arguments; an implementation may accept any
subset of them. Unless a hook says it must be synchronous, an implementation
may be ``async def``: the core awaits it. Each implementation is called on its
own (`webaudit.hookcall`): one that raises does not stop the others, and what
happens to its error is said below for each hook. Hook wrappers
(``@hookimpl(wrapper=True)``) are refused when the plugin is registered.
Built-in checks and writers are plugins of these same hooks (see
``webaudit.plugins.DEFAULT_PLUGINS``).

Every hook below has a section in ``docs/plugins.md`` whose heading spells its
signature; a test fails when one is missing or differs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    import httpx

    from .checktypes import Check, ReportWriter
    from .context import SiteContext
    from .model import Finding, Report, RunDiff, Site
    from .settings import Settings

hookspec = pluggy.HookspecMarker("webaudit")
hookimpl = pluggy.HookimplMarker("webaudit")


@hookspec
def configure(config: Settings, plugin_config: Mapping[str, Any]) -> None:
    """Called once before a run starts, before ``register_checks``.

    ``config`` is the frozen :class:`webaudit.Settings` of the run;
    ``plugin_config`` maps a plugin name to its own table from the config file
    (``[plugin.NAME]``) as parsed TOML. To validate a table with located errors
    (``FILE:LINE``, did-you-mean), declare it as a dataclass of
    :func:`webaudit.setting` fields and call ``config.plugin_table("NAME", cls)``.
    Raise :class:`webaudit.ConfigError` for a bad value: the run stops before
    any request with exit code 2 and that one-line message. Any other exception
    is added to the report's ``errors`` and the run goes on. May be async.
    Return value ignored. Keep no state here for checks: build them in
    ``register_checks``.
    """


@hookspec
def register_checks(register: Callable[[Check], None], config: Settings) -> None:
    """Contribute checks by calling ``register(check)`` once for each.

    Called once per run, after ``configure``, with the run's settings (also with
    default settings by ``webaudit checks``): build each check with what it needs
    (``config.as_of``, ``config.plugin_table("NAME", cls)``), so no plugin keeps
    module-level state. A check has a stable dotted ``id`` (your plugin's own
    prefix), a ``title``, a default ``severity`` (``veto``, ``error``,
    ``warning`` or ``notice``) and any of ``check_page(page)``,
    ``check_fetched(request, result)`` and ``check_site(site, result, facts,
    fetched, ctx)`` (see :mod:`webaudit.checktypes`). A malformed check, a
    duplicate id, or an exception here stops the run with a one-line
    :class:`webaudit.PluginError` naming the plugin (a ``ConfigError`` stops it
    as a config error). A check method that raises later is reported as an
    ``internal.check-error`` finding and the run goes on. Must be synchronous.
    """


@hookspec(firstresult=True)
def skip_url(url: str, source: str | None, ctx: SiteContext) -> bool | None:
    """Decide whether the crawler requests ``url`` at all (firstresult).

    Called for every new URL before it is queued; ``source`` is the page that
    linked to it (``None`` for a start URL), ``ctx`` the site's
    :class:`webaudit.SiteContext`. Return ``True`` to skip it, ``False`` to
    crawl it regardless of the built-in scope and trap rules, or ``None`` to
    defer to the next plugin and then the built-in rules. The first
    non-``None`` answer wins. Must be synchronous (it runs for every link). If
    it raises, the error is reported once per exception type and site, and the
    URL is treated as if the hook returned ``None``.
    """


@hookspec
def prepare_request(request: httpx.Request, ctx: SiteContext) -> None:
    """Adjust an outgoing request in place: add headers, cookies or auth.

    Called for every request the crawler sends for a site (pages, checked links,
    robots.txt, checks' fetches), just before it is sent; ``ctx`` is that site's
    :class:`webaudit.SiteContext`. Must be synchronous. Changing the URL's host
    is not supported: the connection goes to the addresses resolved for the
    original host. A request answered from the run's fetch cache is not sent
    again, so this is not called for it. If an implementation raises, the error
    is logged (a warning, once) and the request goes out with the edits made so
    far.
    """


@hookspec
def modify_findings(findings: list[Finding], site: Site) -> None:
    """Filter or annotate a site's findings in place, after all its checks ran.

    Use it for suppressions, baselines or severity overrides: remove items from
    ``findings``, or replace them (findings are frozen; use
    ``dataclasses.replace``). Called once per site. May be async. If it raises,
    the error is added to the report's ``errors`` and that implementation's edits
    are undone; the other implementations' edits stay.
    """


@hookspec
def register_report_writers(register: Callable[[ReportWriter], None]) -> None:
    """Contribute output formats by calling ``register(writer)``.

    A writer (:class:`webaudit.ReportWriter`) has a ``name`` (``json``), a
    tuple of file ``extensions`` (``(".json",)``) and ``write(report, path)``.
    ``webaudit crawl -o FILE`` picks the writer by the file's extension. Must be
    synchronous. An exception here stops the command with a one-line
    :class:`webaudit.PluginError` naming the plugin.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add sub-commands to the ``webaudit`` command line.

    ``cli`` is the click group; decorate functions with ``@cli.command()``.
    Called once when the command line starts, with installed plugins loaded.
    Must be synchronous. A plugin whose hook raises is reported on stderr and
    the other commands still work.
    """


@hookspec
def run_finished(report: Report, diff: RunDiff | None) -> None:
    """Called once after a run, with the finished :class:`webaudit.Report`.

    ``diff`` (:class:`webaudit.RunDiff`) compares this run with the previous one
    when a history store is configured; there is no history store yet, so it is
    ``None``. Use it for notifications and exports. May be async. If it raises,
    the error is added to ``report.errors`` and the other implementations still
    run.
    """
