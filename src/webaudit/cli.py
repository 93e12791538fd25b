"""The `webaudit` command line. The only module that prints.

Exit codes (for cron): 0 clean, 1 findings at or above `--fail-on`, 2 usage or
config error, 3 run error (no site could be audited: unreachable or forbidden by
robots.txt; or an internal failure).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .cli_options import setting_flags
from .errors import ConfigError, PluginError, WebauditError
from .hookcall import call_each_sync
from .model import Report, severity_rank

if TYPE_CHECKING:
    from .checktypes import ReportWriter

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_RUN = 0, 1, 2, 3


def _fail(message: str, code: int) -> None:
    click.echo(f"webaudit: error: {message}", err=True)
    raise SystemExit(code)


def _writers(pm: Any) -> dict[str, ReportWriter]:
    found: dict[str, ReportWriter] = {}

    def register(writer: ReportWriter) -> None:
        found.update({ext.lower(): writer for ext in writer.extensions})

    def failed(impl: Any, exc: Exception) -> None:
        raise PluginError(f"plugin {impl.plugin_name!r} failed in register_report_writers: "
                          f"{type(exc).__name__}: {exc}") from exc

    call_each_sync(pm.hook.register_report_writers, {"register": register}, on_error=failed)
    return found


def _resolve_outputs(pm: Any, outputs: tuple[str, ...]) -> list[tuple[Path, ReportWriter]]:
    writers = _writers(pm)
    chosen = []
    for output in outputs:
        path = Path(output)
        writer = writers.get(path.suffix.lower())
        if writer is None:
            known = ", ".join(sorted(writers))
            raise ConfigError(f"-o {output}: no report writer for {path.suffix or 'no extension'!r}"
                              f" (known: {known})")
        if not path.parent.exists():
            raise ConfigError(f"-o {output}: directory {str(path.parent)!r} does not exist")
        chosen.append((path, writer))
    return chosen


def exit_code_for(report: Report, fail_on: str | None) -> int:
    if report.sites and all(s.stats.pages == 0 for s in report.sites):
        return EXIT_RUN  # nothing could be audited: unreachable, or robots.txt forbids it
    worst = report.worst_severity()
    if fail_on and worst is not None and severity_rank(worst) >= severity_rank(fail_on):
        return EXIT_FINDINGS
    return EXIT_OK


def run_and_report(settings: Any, outputs: tuple[str, ...], *, progress: bool | None,
                   quiet: bool = False) -> int:
    """Crawl, write the reports, print the summary; returns the exit code."""
    from .plugins import get_plugin_manager
    from .progress import ProgressLine
    from .report.summary import summary_text
    from .runner import run

    failures: list[str] = []
    pm = get_plugin_manager(extra=settings.plugins, failures=failures)
    for failure in failures:
        click.echo(f"webaudit: warning: {failure}", err=True)
    targets = _resolve_outputs(pm, outputs)
    if not settings.sites:
        raise ConfigError("nothing to crawl: give a URL or a config file with [[sites]]")
    line = ProgressLine(enabled=progress)
    received: list[int] = []

    async def main() -> Report:
        stop = asyncio.Event()
        with _graceful_stop(stop, received, line):
            return await run(settings, pm=pm, progress=line, plugin_failures=failures, stop=stop)

    try:
        report = asyncio.run(main())
    finally:
        line.close()
    for path, writer in targets:
        writer.write(report, path)
    if not quiet:
        click.echo(summary_text(report))
        for path, _ in targets:
            click.echo(f"report written to {path}")
    if received:  # the report holds what was gathered before the signal
        return 128 + received[0]
    code = exit_code_for(report, settings.fail_on)
    if code == EXIT_RUN:
        for site in report.sites:
            click.echo(f"webaudit: error: {site.site.url}: {_why_nothing(site)}", err=True)
    return code


@contextlib.contextmanager
def _graceful_stop(stop: asyncio.Event, received: list[int], line: Any) -> Iterator[None]:
    """First SIGINT/SIGTERM: set `stop` (the run ends early and still reports what it
    gathered). The handlers are then removed, so a second signal aborts at once."""
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)

    def on_signal(signum: int) -> None:
        received.append(signum)
        for sig in signals:
            loop.remove_signal_handler(sig)
        line.close()
        click.echo(f"webaudit: {signal.Signals(signum).name}: stopping; the report will hold "
                   "what was gathered (send it again to abort)", err=True)
        stop.set()

    installed = []
    for sig in signals:
        try:
            loop.add_signal_handler(sig, on_signal, sig)
        except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not main thread
            continue
        installed.append(sig)
    try:
        yield
    finally:
        if not received:
            for sig in installed:
                loop.remove_signal_handler(sig)


def _why_nothing(site: Any) -> str:
    home = site.homepage
    if home is None:
        target = site.targets.get(site.site.url)
        reason = target.skipped if target is not None else None
        if reason == "robots":
            return "robots.txt forbids crawling the start URL (use --ignore-robots)"
        return f"start URL not crawled ({reason or 'skipped'})"
    if home.ok:
        return "the start URL is not an HTML page; nothing was parsed"
    detail = f"HTTP {home.status}" if home.error is None else f"{home.error}: {home.error_detail}"
    return f"site unreachable ({detail})"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="webaudit")
@click.option("--debug", is_flag=True, help="Log debug output and show tracebacks.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Audit government websites against China's disclosure rules (政务公开)."""
    ctx.ensure_object(dict)["debug"] = debug
    logging.basicConfig(level=logging.DEBUG if debug else logging.ERROR,
                        format="%(levelname)s %(name)s: %(message)s")


@cli.command()
@click.argument("targets", nargs=-1, required=True)
@click.option("-o", "--output", "outputs", multiple=True, metavar="FILE",
              help="Write the report; format by extension (.json). Repeatable.")
@setting_flags
@click.option("--progress/--no-progress", default=None,
              help="Progress line on stderr (default: only on a terminal).")
@click.option("-q", "--quiet", is_flag=True, help="Print no summary.")
def crawl(targets: tuple[str, ...], outputs: tuple[str, ...], progress: bool | None,
          quiet: bool, **options: Any) -> None:
    """Crawl and audit TARGETS: site URLs and/or .toml config files."""
    from .assemble import build_settings

    settings = build_settings(targets, options)
    raise SystemExit(run_and_report(settings, outputs, progress=progress, quiet=quiet))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--plugin", "plugins", multiple=True, metavar="MODULE")
def checks(as_json: bool, plugins: tuple[str, ...]) -> None:
    """List every check: id, severity, title and the plugin that registers it."""
    from .checkrunner import collect_checks
    from .plugins import get_plugin_manager
    from .settings import Settings

    failures: list[str] = []
    registered = collect_checks(get_plugin_manager(extra=plugins, failures=failures), Settings())
    for failure in failures:
        click.echo(f"webaudit: warning: {failure}", err=True)
    rows = [{"id": c.id, "severity": c.check.severity, "title": c.check.title,
             "plugin": c.plugin} for c in registered]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    width = max(len(r["id"]) for r in rows)
    for row in rows:
        click.echo(f"{row['id']:<{width}}  {row['severity']:<7}  {row['title']}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--plugin", "plugins", multiple=True, metavar="MODULE")
def plugins(as_json: bool, plugins: tuple[str, ...]) -> None:
    """List loaded plugins, their versions and the hooks each implements."""
    from .plugins import describe_plugins, get_plugin_manager

    failures: list[str] = []
    infos = describe_plugins(get_plugin_manager(extra=plugins, failures=failures))
    for failure in failures:
        click.echo(f"webaudit: warning: {failure}", err=True)
    if as_json:
        click.echo(json.dumps([i.as_dict() for i in infos], ensure_ascii=False, indent=2))
        return
    for info in infos:
        kind = "built-in" if info.builtin else "installed"
        click.echo(f"{info.name} {info.version or '?'} ({kind}): {', '.join(info.hooks)}")


@cli.command()
@click.argument("path", default="webaudit.toml", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: str, force: bool) -> None:
    """Write a commented sample config file (default: webaudit.toml)."""
    from .sample_config import SAMPLE_CONFIG

    target = Path(path)
    if target.exists() and not force:
        raise ConfigError(f"{path} exists already (use --force to overwrite)")
    target.write_text(SAMPLE_CONFIG, encoding="utf-8")
    click.echo(f"wrote {path}; edit [[sites]] and run: webaudit crawl {path}")


@cli.command()
@click.option("-o", "--output", "outputs", multiple=True, metavar="FILE",
              default=("webaudit-report.json",), show_default=True)
@click.option("--progress/--no-progress", default=None)
def demo(outputs: tuple[str, ...], progress: bool | None) -> None:
    """Serve a bundled sample government portal (with defects) on loopback and audit it."""
    from .demo.run import demo_settings, serve_demo

    with serve_demo() as server:
        click.echo(f"demo site served at {server.url} (loopback only)")
        settings = demo_settings(server)
        code = run_and_report(settings, outputs, progress=progress)
    # the demo is meant to find problems: only a failed run is an error
    raise SystemExit(EXIT_RUN if code == EXIT_RUN else EXIT_OK)


def _add_plugin_commands(group: click.Group) -> None:
    from .plugins import get_plugin_manager

    try:
        pm = get_plugin_manager(failures=[])  # the commands report load failures themselves
    except PluginError:
        return

    def failed(impl: Any, exc: Exception) -> None:
        click.echo(f"webaudit: warning: plugin {impl.plugin_name!r} failed to add its "
                   f"commands: {type(exc).__name__}: {exc}", err=True)

    call_each_sync(pm.hook.register_commands, {"cli": group}, on_error=failed,
                   registration_order=True)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: turns every error into one line and an exit code."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        _add_plugin_commands(cli)
        cli.main(args=argv, prog_name="webaudit", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("webaudit: aborted", err=True)
        raise SystemExit(130) from None
    except click.ClickException as exc:
        exc.show()
        raise SystemExit(EXIT_USAGE) from None
    except WebauditError as exc:
        if debug:
            raise
        _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        click.echo("webaudit: interrupted", err=True)
        raise SystemExit(130) from None
    except SystemExit:
        raise
    except Exception as exc:
        if debug:
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
              EXIT_RUN)
