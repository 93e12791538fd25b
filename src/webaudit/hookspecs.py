"""The plugin contract: every hook webaudit calls, with its full contract.

Hooks are called with keyword arguments; an implementation may accept any
subset of them. Unless a hook says otherwise, an implementation may be
``async def``: the core awaits whatever is awaitable. Built-in checks and
writers are plugins of these same hooks (see ``webaudit.plugins.DEFAULT_PLUGINS``).

Every hook below has a section in ``docs/plugins.md``; a test fails when one is
missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    import httpx

    from .context import CrawlContext
    from .model import Finding, Report, Site
    from .settings import Settings

hookspec = pluggy.HookspecMarker("webaudit")
hookimpl = pluggy.HookimplMarker("webaudit")


@hookspec
def configure(config: Settings, plugin_config: dict[str, Any]) -> None:
    """Called once before a run starts, with the run's settings.

    ``config`` is the frozen :class:`webaudit.Settings` of the run;
    ``plugin_config`` maps a plugin name to its own table from the config file
    (``[plugin.NAME]``), so a plugin reads ``plugin_config.get("NAME", {})``.
    Raise :class:`webaudit.ConfigError` for a bad value: the run stops with
    exit code 2 and that one-line message. May be async. Return value ignored.
    """


@hookspec
def register_checks(register: Any) -> None:
    """Contribute checks by calling ``register(check)`` once for each.

    A check is an object with a stable dotted ``id`` (your plugin's own prefix),
    a ``title``, a default ``severity`` (``veto``, ``error``, ``warning`` or
    ``notice``), and any of ``check_page(page, ctx)``,
    ``check_site(site, result, ctx)`` and ``check_account(account, ctx)``, each
    returning an iterable of :class:`webaudit.Finding` (or an awaitable of one).
    Registering two checks with the same id is a plugin error. Called once per
    run, before ``configure``'s results are used; must be synchronous.
    A check method that raises is reported as an ``internal.check-error``
    finding naming the plugin, the check and the error, and the run goes on.
    """


@hookspec(firstresult=True)
def skip_url(url: str, source: str | None, crawl: CrawlContext) -> bool | None:
    """Decide whether the crawler requests ``url`` at all (firstresult).

    Called for every new URL before it is queued; ``source`` is the page that
    linked to it (``None`` for a start URL). Return ``True`` to skip it,
    ``False`` to crawl it regardless of the built-in scope and trap rules, or
    ``None`` to defer to the next plugin and then the built-in rules. The first
    non-``None`` answer wins. Must be synchronous (it runs for every link).
    If it raises, the error is reported once per plugin and the URL is treated
    as if the hook returned ``None``.
    """


@hookspec
def prepare_request(request: httpx.Request, crawl: CrawlContext) -> None:
    """Adjust an outgoing request in place: add headers, cookies or auth.

    Called for every request the crawler sends (pages, checked links, robots.txt),
    just before it is sent. Must be synchronous. Changing the URL's host is not
    supported: the connection goes to the addresses resolved for the original
    host. If an implementation raises, the error is logged (a warning, once) and
    the request goes out with the edits made so far.
    """


@hookspec
def modify_findings(findings: list[Finding], site: Site) -> None:
    """Filter or annotate a site's findings in place, after all its checks ran.

    Use it for suppressions, baselines or severity overrides: remove items from
    ``findings``, or replace them (findings are frozen; use
    ``dataclasses.replace``). Called once per site. May be async. If it raises,
    the error is reported and that implementation's edits are undone.
    """


@hookspec
def register_report_writers(register: Any) -> None:
    """Contribute output formats by calling ``register(writer)``.

    A writer has a ``name`` (``json``), a tuple of file ``extensions``
    (``(".json",)``) and ``write(report, path)``. ``webaudit crawl -o FILE``
    picks the writer by the file's extension. Must be synchronous.
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
def run_finished(report: Report, diff: Any) -> None:
    """Called once after a run, with the finished :class:`webaudit.Report`.

    ``diff`` is the comparison with the previous run when a history store is
    configured, otherwise ``None``. Use it for notifications and exports. May
    be async. If it raises, the error is added to ``report.errors`` and the
    other implementations still run.
    """
