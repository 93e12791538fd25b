"""One test per hook of `webaudit.hookspecs`, each against a real loopback crawl.

Every test builds its own plugin manager (built-in plugins only, no entry points)
and registers small plugin objects on it; the generated 政府网站 is shared by the
module (`webaudit_gov_site_module`). Tests that count requests reset the server's
counters first. The CLI parts (exit codes, ``-o FILE.csvx``, ``webaudit hello``)
run ``webaudit`` in a subprocess with ``tests/`` on ``PYTHONPATH`` so the modules
in ``tests/plugins_for_tests`` load with ``--plugin plugins_for_tests.NAME``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import click
import pytest
from click.testing import CliRunner

from webaudit import (
    ConfigError,
    Fact,
    Finding,
    Page,
    PluginError,
    Report,
    Settings,
    Site,
    SiteContext,
    hookimpl,
)
from webaudit.assemble import build_settings
from webaudit.checkrunner import collect_checks
from webaudit.plugins import get_plugin_manager
from webaudit.runner import run

TESTS = Path(__file__).resolve().parent
WEBAUDIT = Path(sys.executable).parent / "webaudit"
PLUGIN = "test-plugin"
# The link checks report these kinds of `Expected.broken` under their own ids.
NOT_LINKS_BROKEN = frozenset({"soft-404", "private-address", "redirect-loop"})


def audit(site: Any, plugins: dict[str, object] | None = None, **options: Any) -> Report:
    """Crawl the live test site with the built-in plugins plus `plugins` (name → plugin)."""
    pm = get_plugin_manager(load_entrypoints=False)
    for name, plugin in (plugins or {}).items():
        pm.register(plugin, name=name)
    settings = build_settings([site.url], {"nameservers": [site.nameserver], "backoff": 0.05,
                                           **options})
    return asyncio.run(run(settings, pm=pm))


def links_broken(site: Any) -> set[str]:
    return {url for url, b in site.expected.broken.items() if b.kind not in NOT_LINKS_BROKEN}


def by_check(report: Report, check: str) -> list[Finding]:
    return [f for f in report.findings if f.check == check]


def webaudit_cli(*args: str, cwd: Path, pythonpath: tuple[Path, ...] = (),
                 timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, (*pythonpath, TESTS)))}
    return subprocess.run([str(WEBAUDIT), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


# -- configure -----------------------------------------------------------------------------


def test_hook_configure(webaudit_gov_site_module: Any, tmp_path: Path) -> None:
    site = webaudit_gov_site_module
    config = tmp_path / "audit.toml"
    config.write_text(f"""\
fail_on = "warning"

[crawl]
max_pages = 7
backoff = 0.05

[dns]
nameservers = ["{site.nameserver}"]

[[sites]]
name = "演示政府网站"
url = "{site.url}"
department = "市政府办公室"

[plugin.gov-health]
threshold = 3
columns = ["zwgk", "hdjl"]

[plugin.other]
enabled = false
""", encoding="utf-8")

    calls: list[tuple[Settings, dict[str, Any]]] = []
    awaited: list[str] = []

    class Recorder:
        @hookimpl
        def configure(self, config: Settings, plugin_config: dict[str, Any]) -> None:
            calls.append((config, plugin_config))

    class AsyncOnlyConfig:
        @hookimpl
        async def configure(self, config: Settings) -> None:
            await asyncio.sleep(0)
            awaited.append(config.sites[0].name)

    settings = build_settings([str(config)])
    pm = get_plugin_manager(load_entrypoints=False)
    pm.register(Recorder(), name="gov-health")
    pm.register(AsyncOnlyConfig(), name="async-config")
    report = asyncio.run(run(settings, pm=pm))

    assert len(calls) == 1
    got, plugin_config = calls[0]
    assert got is settings
    assert got.source == str(config)
    assert got.fail_on == "warning"
    assert got.crawl.max_pages == 7
    assert got.dns.nameservers == (site.nameserver,)
    assert got.sites == (Site(name="演示政府网站", url=site.url, department="市政府办公室"),)
    assert plugin_config == {"gov-health": {"threshold": 3, "columns": ["zwgk", "hdjl"]},
                             "other": {"enabled": False}}
    assert awaited == ["演示政府网站"]
    assert report.sites[0].stats.pages == 7
    assert report.errors == []

    # A ConfigError from configure stops the run before a single request.
    class Strict:
        @hookimpl
        def configure(self, plugin_config: dict[str, Any]) -> None:
            threshold = plugin_config["gov-health"]["threshold"]
            if threshold > 2:
                raise ConfigError(f"[plugin.gov-health] threshold must be at most 2, got {threshold}")

    finished: list[Report] = []

    class Finished:
        @hookimpl
        def run_finished(self, report: Report) -> None:
            finished.append(report)

    site.server.reset()
    pm = get_plugin_manager(load_entrypoints=False)
    pm.register(Strict(), name="gov-health")
    pm.register(Finished(), name="finished")
    with pytest.raises(ConfigError) as info:
        asyncio.run(run(settings, pm=pm))
    assert str(info.value) == "[plugin.gov-health] threshold must be at most 2, got 3"
    assert finished == []
    assert site.server.stats().total == 0

    # The same through the command line: exit 2 and that one line.
    config.write_text(f'[[sites]]\nurl = "{site.url}"\n\n[plugin.strict]\nlevel = "extreme"\n',
                      encoding="utf-8")
    proc = webaudit_cli("crawl", str(config), "--nameserver", site.nameserver,
                        "--plugin", "plugins_for_tests.strict_config", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == ("webaudit: error: [plugin.strict] level must be one of low, high; "
                           "got 'extreme'\n")
    assert proc.stdout == ""
    assert site.server.stats().total == 0


# -- register_checks -----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PageSeen(Fact):
    url: str
    homepage: bool


class SeenPages:
    """Records every page and site it is shown (a test's side channel); reports the count
    per site from its facts."""

    id = "testplugin.seen-pages"
    title = "Pages the check saw"
    severity = "notice"

    def __init__(self) -> None:
        self.pages: list[str] = []
        self.homepages: list[str] = []
        self.sites: list[tuple[str, int]] = []

    def check_page(self, page: Page) -> Iterator[Fact]:
        self.pages.append(page.url)
        yield PageSeen(page.url, page.is_homepage)

    def check_site(self, site: Site, facts: list[Fact]) -> Iterator[Finding]:
        count = len(facts)
        self.homepages = [f.url for f in facts if isinstance(f, PageSeen) and f.homepage]
        self.sites.append((site.url, count))
        yield Finding(check=self.id, severity="notice", site=site.name, url=site.url,
                      target=site.url, message=f"{count} pages seen",
                      evidence={"pages": count})


class AsyncSiteTitle:
    """An async site phase: awaited, and it may fetch through the crawl's scheduler."""

    id = "testplugin.async-title"
    title = "Homepage title (async check_site)"
    severity = "warning"

    async def check_site(self, site: Site, ctx: SiteContext) -> list[Finding]:
        await asyncio.sleep(0)
        home = await ctx.fetch(site.url)
        title = home.body.decode("utf-8").split("<title>", 1)[1].split("</title>", 1)[0]
        return [Finding(check=self.id, severity=self.severity, site=site.name,
                        url=site.url, target=site.url, message=title)]


class Raises:
    id = "testplugin.raises"
    title = "Always raises"
    severity = "notice"

    def check_page(self, page: Page) -> None:
        raise RuntimeError("boom")


class RegistersChecks:
    def __init__(self, *checks: object) -> None:
        self.checks = checks

    @hookimpl
    def register_checks(self, register: Any) -> None:
        for check in self.checks:
            register(check)


def test_hook_register_checks(webaudit_gov_site_module: Any) -> None:
    site = webaudit_gov_site_module
    expected = site.expected
    seen = SeenPages()
    report = audit(site, {PLUGIN: RegistersChecks(seen, AsyncSiteTitle()),
                          "raising-plugin": RegistersChecks(Raises())})
    result = report.sites[0]
    pages = result.stats.pages

    # check_page saw every page a correct crawl parses, each once; check_site ran once.
    assert expected.pages <= set(seen.pages)
    assert len(seen.pages) == len(set(seen.pages)) == pages
    assert seen.homepages == [expected.homepage]
    assert seen.sites == [(site.url, pages)]
    [mine] = by_check(report, "testplugin.seen-pages")
    assert mine == Finding(check="testplugin.seen-pages", severity="notice", site=result.site.name,
                           url=site.url, target=site.url, message=f"{pages} pages seen",
                           evidence={"pages": pages})

    # an async check_site is awaited
    [title] = by_check(report, "testplugin.async-title")
    assert (title.severity, title.target, title.message) == (
        "warning", expected.homepage, expected.titles[expected.homepage])

    # a check that raises on every page: one finding, counted, and the crawl went on
    [error] = by_check(report, "internal.check-error")
    assert error.severity == "error"
    assert error.target == "testplugin.raises"
    assert error.url == expected.homepage
    assert error.message == "check testplugin.raises (plugin raising-plugin) raised RuntimeError: boom"
    line = Raises.check_page.__code__.co_firstlineno + 1
    assert error.evidence == {"plugin": "raising-plugin", "check": "testplugin.raises",
                              "method": "check_page", "error": "RuntimeError: boom",
                              "location": f"{__file__}:{line}", "count": pages}
    assert {f.target for f in by_check(report, "links.broken")} == links_broken(site)
    assert {f.target for f in by_check(report, "links.soft-404")} == \
        expected.broken_of_kind("soft-404")
    assert report.errors == []


def test_register_checks_rejects_duplicate_and_malformed_checks(
        webaudit_gov_site_module: Any) -> None:
    class Clash:
        id = "links.broken"
        title = "Another broken-link check"
        severity = "error"

    pm = get_plugin_manager(load_entrypoints=False)
    pm.register(RegistersChecks(Clash()), name=PLUGIN)
    with pytest.raises(PluginError) as info:
        collect_checks(pm, Settings())
    assert str(info.value) == ("check id 'links.broken' registered twice "
                               "(plugins 'webaudit.checks.links' and 'test-plugin')")

    # the run refuses to start with them, before any request
    site = webaudit_gov_site_module
    site.server.reset()
    settings = build_settings([site.url], {"nameservers": [site.nameserver]})
    with pytest.raises(PluginError, match=r"^check id 'links.broken' registered twice"):
        asyncio.run(run(settings, pm=pm))
    assert site.server.stats().total == 0

    class Twice(SeenPages):
        pass

    pm = get_plugin_manager(load_entrypoints=False)
    pm.register(RegistersChecks(SeenPages()), name="first")
    pm.register(RegistersChecks(Twice()), name="second")
    with pytest.raises(PluginError) as info:
        collect_checks(pm, Settings())
    assert str(info.value) == ("check id 'testplugin.seen-pages' registered twice "
                               "(plugins 'first' and 'second')")

    class BadSeverity:
        id = "testplugin.bad"
        title = "Bad severity"
        severity = "fatal"

    pm = get_plugin_manager(load_entrypoints=False)
    pm.register(RegistersChecks(BadSeverity()), name=PLUGIN)
    with pytest.raises(PluginError) as info:
        collect_checks(pm, Settings())
    assert str(info.value) == ("plugin 'test-plugin': check 'testplugin.bad' has unknown severity "
                               "'fatal' (use one of notice, warning, error, veto)")


# -- skip_url ------------------------------------------------------------------------------


class SkipPrefix:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    @hookimpl
    def skip_url(self, url: str) -> bool | None:
        return True if url.startswith(self.prefix) else None


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None, str]] = []

    @hookimpl
    def skip_url(self, url: str, source: str | None, ctx: SiteContext) -> None:
        self.calls.append((url, source, ctx.site.url))


def test_hook_skip_url(webaudit_gov_site_module: Any) -> None:
    site = webaudit_gov_site_module
    host = site.expected.hosts[0]
    prefix = site.server.url(host, "/zwgk/")
    external = f"http://www.hebei.gov.cn:{site.server.port}/col/col7283/old.html"
    assert site.expected.broken[external].status == 404
    site.server.reset()
    baseline = audit(site)
    assert any(url.startswith(prefix) for url in baseline.sites[0].targets)
    # without a plugin, the out-of-scope page is only checked: HEAD, and its 404 confirmed
    # with one GET (whose body is not read)
    assert site.server.stats().count(external, "HEAD") == 1
    assert site.server.stats().count(external, "GET") == 1
    assert baseline.sites[0].targets[external].in_scope is False

    # True: never requested; None (the recorder, called first) defers to the next plugin
    recorder = Recorder()
    site.server.reset()
    report = audit(site, {"skipper": SkipPrefix(prefix), "recorder": recorder})
    stats = site.server.stats()
    assert stats.total > 0
    assert stats.with_prefix("/zwgk/", host=host) == 0
    skipped = {u: t for u, t in report.sites[0].targets.items() if u.startswith(prefix)}
    assert skipped
    assert {t.skipped for t in skipped.values()} == {"plugin"}
    assert not any(f.target.startswith(prefix) for f in report.findings)
    # every new URL was offered once, with the page that linked to it and the site's context
    offered = [url for url, _, _ in recorder.calls]
    assert len(offered) == len(set(offered))
    assert set(offered) == set(report.sites[0].targets)
    assert recorder.calls[0] == (site.url, None, site.url)  # the start URL comes first
    assert all(source is not None and source.startswith(site.url) and crawl_site == site.url
               for _, source, crawl_site in recorder.calls[1:])
    assert report.errors == []

    # False: the out-of-scope page is crawled (GET and parsed) instead
    class Force:
        @hookimpl
        def skip_url(self, url: str) -> bool | None:
            return False if url == external else None

    site.server.reset()
    forced = audit(site, {"force": Force()})
    assert site.server.stats().count(external, "GET") == 1
    assert site.server.stats().count(external, "HEAD") == 0
    assert forced.sites[0].targets[external].in_scope is True
    assert forced.sites[0].targets[external].status == 404

    # A raising implementation is reported once, and the URL is treated as not decided
    class Broken:
        @hookimpl
        def skip_url(self, url: str) -> None:
            raise RuntimeError("rules file missing")

    site.server.reset()
    report = audit(site, {"skipper": SkipPrefix(prefix), "broken": Broken()})
    assert [(e.source, e.message, e.site) for e in report.errors] == [
        ("skip_url", f"RuntimeError: rules file missing (at {site.url}; later errors of this "
                     "kind not repeated)", host)]
    assert report.sites[0].stats.pages == baseline.sites[0].stats.pages
    assert site.server.stats().with_prefix("/zwgk/", host=host) > 0  # nothing was skipped
    assert {f.fingerprint for f in report.findings} == \
        {f.fingerprint for f in baseline.findings}


def test_skip_url_is_asked_about_the_start_url(webaudit_gov_site_module: Any) -> None:
    site = webaudit_gov_site_module
    recorder = Recorder()
    audit(site, {"recorder": recorder}, max_pages=1)
    assert recorder.calls[0] == (site.url, None, site.url)


# -- prepare_request -----------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    """A tiny site that records every request's method, path and headers."""

    protocol_version = "HTTP/1.1"
    server: _EchoServer
    PAGES: ClassVar[dict[str, bytes]] = {
        "/": b'<!DOCTYPE html><html><head><title>Home</title></head><body>'
             b'<a href="/a.html">a</a> <a href="/doc.pdf">pdf</a> <a href="/gone.html">x</a>'
             b"</body></html>",
        "/a.html": b"<!DOCTYPE html><html><head><title>A</title></head><body>a</body></html>",
    }

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:
        self._answer()

    def _answer(self) -> None:
        self.server.seen.append((self.command, self.path, self.headers.get("X-Audit-Token")))
        if self.path in self.PAGES:
            status, kind, body = 200, "text/html; charset=utf-8", self.PAGES[self.path]
        elif self.path == "/doc.pdf":
            status, kind, body = 200, "application/pdf", b"%PDF-1.4\n"
        else:
            status, kind, body = 404, "text/plain", b"not found"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _EchoServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[tuple[str, str, str | None]] = []


@pytest.fixture
def echo_site() -> Iterator[_EchoServer]:
    server = _EchoServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _crawl_echo(server: _EchoServer, *plugins: tuple[str, object]) -> Report:
    pm = get_plugin_manager(load_entrypoints=False)
    for name, plugin in plugins:
        pm.register(plugin, name=name)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    return asyncio.run(run(build_settings([url], {"retries": 0}), pm=pm))


EXPECTED_REQUESTS = [("GET", "/robots.txt"), ("GET", "/"), ("GET", "/a.html"),
                     ("HEAD", "/doc.pdf"), ("GET", "/gone.html")]


def test_hook_prepare_request(echo_site: _EchoServer, caplog: pytest.LogCaptureFixture) -> None:
    sites: list[str] = []

    class Token:
        @hookimpl
        def prepare_request(self, request: Any, ctx: SiteContext) -> None:
            sites.append(ctx.site.url)
            request.headers["X-Audit-Token"] = "s3cret"

    report = _crawl_echo(echo_site, ("token", Token()))
    # pages, checked links and robots.txt all carried the header
    assert sorted((m, p) for m, p, _ in echo_site.seen) == sorted(EXPECTED_REQUESTS)
    assert {token for _, _, token in echo_site.seen} == {"s3cret"}
    home = f"http://127.0.0.1:{echo_site.server_address[1]}/"
    assert sites == [home] * len(EXPECTED_REQUESTS)
    assert report.sites[0].stats.pages == 2
    assert [f.target for f in by_check(report, "links.broken")] == [home + "gone.html"]

    # A raising implementation: logged once, every request still goes out, the crawl goes on
    class Broken:
        @hookimpl
        def prepare_request(self, request: Any) -> None:
            raise RuntimeError("no token today")

    echo_site.seen.clear()
    with caplog.at_level(logging.DEBUG, logger="webaudit.net.fetch"):
        report = _crawl_echo(echo_site, ("broken", Broken()))
    assert sorted((m, p) for m, p, _ in echo_site.seen) == sorted(EXPECTED_REQUESTS)
    assert {token for _, _, token in echo_site.seen} == {None}
    assert report.sites[0].stats.pages == 2
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage() for r in warnings] == [f"prepare_request hook failed for {home}robots.txt"]
    assert warnings[0].exc_info is not None
    assert str(warnings[0].exc_info[1]) == "no token today"


# -- modify_findings -----------------------------------------------------------------------


def test_hook_modify_findings(webaudit_gov_site_module: Any) -> None:
    site = webaudit_gov_site_module
    baseline = audit(site)
    soft = {f.target for f in by_check(baseline, "links.soft-404")}
    assert soft == site.expected.broken_of_kind("soft-404")
    others = {f.fingerprint for f in baseline.findings if f.check != "links.soft-404"}

    received: list[Site] = []

    class DropSoft404:
        @hookimpl
        def modify_findings(self, findings: list[Finding], site: Site) -> None:
            received.append(site)
            findings[:] = [f for f in findings if f.check != "links.soft-404"]

    class Downgrade:  # async, and it sees what DropSoft404 left (registered first, runs last)
        @hookimpl
        async def modify_findings(self, findings: list[Finding]) -> None:
            await asyncio.sleep(0)
            assert not any(f.check == "links.soft-404" for f in findings)
            findings[:] = [dataclasses.replace(f, severity="notice")
                           if f.check == "links.broken" else f for f in findings]

    report = audit(site, {"downgrade": Downgrade(), "drop": DropSoft404()})
    assert by_check(report, "links.soft-404") == []
    assert {f.fingerprint for f in report.findings} == others
    assert {f.severity for f in by_check(report, "links.broken")} == {"notice"}
    assert {f.target for f in by_check(report, "links.broken")} == links_broken(site)
    host = site.expected.hosts[0]
    assert received == [Site(name=host, url=site.url)]
    assert report.errors == []

    # One that raises after changing the list: its edits are undone, the others' stay
    class Half:
        @hookimpl
        def modify_findings(self, findings: list[Finding]) -> None:
            del findings[:]
            raise ValueError("baseline file is corrupt")

    report = audit(site, {"half": Half(), "drop": DropSoft404()})  # drop runs first
    assert by_check(report, "links.soft-404") == []
    assert {f.fingerprint for f in report.findings} == others
    assert [(e.source, e.message, e.site) for e in report.errors] == [
        ("half.modify_findings", "ValueError: baseline file is corrupt", host)]


# -- register_report_writers ---------------------------------------------------------------


def test_hook_register_report_writers(webaudit_gov_site_module: Any, tmp_path: Path) -> None:
    site = webaudit_gov_site_module
    plugin = "plugins_for_tests.csvx_writer"
    proc = webaudit_cli("crawl", site.url, "--nameserver", site.nameserver, "--max-pages", "30",
                        "--plugin", plugin, "-o", "out.csvx", "-o", "out.json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr  # the site has broken links
    assert proc.stderr == ""
    assert proc.stdout.splitlines()[-2:] == ["report written to out.csvx",
                                             "report written to out.json"]
    data = json.loads((tmp_path / "out.json").read_text("utf-8"))
    rows = (tmp_path / "out.csvx").read_text("utf-8").splitlines()
    assert rows[0] == "check,severity,target"
    assert rows[1:] == [f"{f['check']},{f['severity']},{f['target']}"
                        for s in data["sites"] for f in s["findings"]]
    assert "links.broken,error," + site.server.url(site.expected.hosts[0], "/zwgk/ldjh/") in rows

    # the extension is matched case-insensitively; without the plugin it is unknown
    proc = webaudit_cli("crawl", site.url, "--nameserver", site.nameserver, "-o", "OUT.CSVX",
                        cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == ("webaudit: error: -o OUT.CSVX: no report writer for '.CSVX' "
                           "(known: .json)\n")

    # the plugin is listed with the hook it implements
    proc = webaudit_cli("plugins", "--json", "--plugin", plugin, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    [info] = [p for p in json.loads(proc.stdout) if p["name"] == plugin]
    assert info == {"name": plugin, "version": None, "hooks": ["register_report_writers"],
                    "builtin": False}


# -- register_commands ---------------------------------------------------------------------


def fake_install(root: Path, entry_points: dict[str, str]) -> Path:
    """A dist-info directory declaring `entry_points` in group ``webaudit``; put `root`
    on PYTHONPATH and importlib.metadata finds it as an installed distribution."""
    info = root / "webaudit_test_plugins-0.0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: webaudit-test-plugins\n"
                                   "Version: 0.0.1\n", encoding="utf-8")
    lines = "".join(f"{name} = {value}\n" for name, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[webaudit]\n{lines}", encoding="utf-8")
    return root


def test_hook_register_commands(tmp_path: Path) -> None:
    # An installed plugin (entry point) adds `webaudit hello`.
    installed = fake_install(tmp_path / "site", {"hello": "plugins_for_tests.hello_commands"})
    proc = webaudit_cli("hello", "市政府", cwd=tmp_path, pythonpath=(installed,))
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "你好, 市政府\n", "")
    proc = webaudit_cli("--help", cwd=tmp_path, pythonpath=(installed,))
    assert proc.returncode == 0
    assert "  hello " in proc.stdout
    proc = webaudit_cli("plugins", "--json", cwd=tmp_path, pythonpath=(installed,))
    [info] = [p for p in json.loads(proc.stdout) if p["name"] == "hello"]
    assert info == {"name": "hello", "version": "0.0.1", "hooks": ["register_commands"],
                    "builtin": False}

    # A plugin whose hook raises: one warning line, the other commands still work.
    both = fake_install(tmp_path / "site2", {"hello": "plugins_for_tests.hello_commands",
                                             "broken": "plugins_for_tests.broken_commands"})
    proc = webaudit_cli("hello", cwd=tmp_path, pythonpath=(both,))
    assert (proc.returncode, proc.stdout) == (0, "你好, 政府网站\n")
    assert proc.stderr == ("webaudit: warning: plugin 'broken' failed to add its commands: "
                           "RuntimeError: cannot add commands\n")
    proc = webaudit_cli("checks", cwd=tmp_path, pythonpath=(both,))
    assert proc.returncode == 0
    assert "links.broken" in proc.stdout

    # In process, against a copy of the group: the hook is handed the click group.
    from webaudit.cli import cli

    group = click.Group("webaudit", commands=dict(cli.commands))
    pm = get_plugin_manager(load_entrypoints=False)

    class Adds:
        @hookimpl
        def register_commands(self, cli: click.Group) -> None:
            @cli.command("count-checks")
            def count_checks() -> None:
                click.echo(str(len(collect_checks(get_plugin_manager(load_entrypoints=False),
                                                  Settings()))))

    pm.register(Adds(), name=PLUGIN)
    pm.hook.register_commands(cli=group)
    result = CliRunner().invoke(group, ["count-checks"])
    assert (result.exit_code, result.output) == (0, "8\n")
    assert "count-checks" not in cli.commands


# -- run_finished --------------------------------------------------------------------------


def test_hook_run_finished(webaudit_gov_site_module: Any) -> None:
    site = webaudit_gov_site_module
    seen: list[tuple[Report, Any, int, int]] = []
    awaited: list[int] = []

    class Notify:
        @hookimpl
        def run_finished(self, report: Report, diff: Any) -> None:
            seen.append((report, diff, len(report.sites), len(report.findings)))

    class AsyncExport:
        @hookimpl
        async def run_finished(self, report: Report) -> None:
            await asyncio.sleep(0)
            awaited.append(len(report.findings))

    class Broken:
        @hookimpl
        def run_finished(self) -> None:
            raise OSError("smtp server unreachable")

    # registration order: Broken's implementation is called first (LIFO), the rest still run
    report = audit(site, {"notify": Notify(), "export": AsyncExport(), "mailer": Broken()},
                   max_pages=20)
    assert len(seen) == 1
    got, diff, sites, findings = seen[0]
    assert got is report
    assert diff is None
    assert sites == 1
    assert findings == len(report.findings) > 0
    assert report.sites[0].site == Site(name=site.expected.hosts[0], url=site.url)
    assert report.sites[0].stats.pages == 20
    assert awaited == [len(report.findings)]
    assert [(e.source, e.message, e.site) for e in report.errors] == [
        ("mailer.run_finished", "OSError: smtp server unreachable", None)]


def test_run_finished_config_error_is_reported_not_raised(webaudit_gov_site_module: Any) -> None:
    class Notify:
        @hookimpl
        def run_finished(self) -> None:
            raise ConfigError("[plugin.notify] webhook is not set")

    report = audit(webaudit_gov_site_module, {"notify": Notify()}, max_pages=1)
    assert [(e.source, e.message) for e in report.errors] == [
        ("notify.run_finished", "ConfigError: [plugin.notify] webhook is not set")]
