"""The ``webaudit`` command line as a new user meets it: bad input, exit codes, messages.

Documented exit codes: 0 ok, 1 findings at or above ``--fail-on``, 2 usage or config
error, 3 run error (no site reachable, or an internal failure). Every error is one
``webaudit: error: ...`` line on stderr (click's own usage errors excepted: they
print ``Usage:`` and ``Error:`` lines, also with exit 2) and never a traceback.

Each test runs the installed console script in a subprocess, in a temporary
directory, with ``tests/`` on ``PYTHONPATH`` for ``--plugin plugins_for_tests.NAME``.
Only loopback servers are contacted.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import webaudit
from webaudit.report.serialize import load_schema
from webaudit.sitekit import Resource, RunningServer, SiteSpec, start_http_server

TESTS = Path(__file__).resolve().parent
WEBAUDIT = Path(sys.executable).parent / "webaudit"
TIMEOUT = 60

BUILTIN_CHECKS = {
    "crawl.limit": "notice",
    "crawl.trap": "notice",
    "internal.check-error": "error",
    "links.broken": "error",
    "links.private-address": "warning",
    "links.redirect-loop": "error",
    "links.soft-404": "warning",
    "site.unreachable": "error",
}
BUILTIN_PLUGINS = [
    {"name": "webaudit.checks.internal", "version": webaudit.__version__,
     "hooks": ["register_checks"], "builtin": True},
    {"name": "webaudit.checks.links", "version": webaudit.__version__,
     "hooks": ["register_checks"], "builtin": True},
    {"name": "webaudit.checks.site", "version": webaudit.__version__,
     "hooks": ["register_checks"], "builtin": True},
    {"name": "webaudit.report.json_writer", "version": webaudit.__version__,
     "hooks": ["register_report_writers"], "builtin": True},
]


def cli(*args: str, cwd: Path, pythonpath: tuple[Path, ...] = (),
        timeout: float = TIMEOUT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, (*pythonpath, TESTS)))}
    proc = subprocess.run([str(WEBAUDIT), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


def assert_error(proc: subprocess.CompletedProcess[str], code: int, message: str) -> None:
    """Exit `code` and exactly one stderr line: ``webaudit: error: <message>``."""
    assert (proc.returncode, proc.stderr) == (code, f"webaudit: error: {message}\n")


def assert_usage_error(proc: subprocess.CompletedProcess[str], error: str) -> None:
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert lines[0].startswith("Usage: webaudit")
    assert lines[-1] == f"Error: {error}"
    assert proc.stdout == ""


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def page(title: str, links: str = "") -> Resource:
    return Resource(body=f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}'
                         f"</title></head><body><h1>{title}</h1>{links}</body></html>")


@pytest.fixture(scope="module")
def tiny_site() -> Iterator[RunningServer]:
    """Two healthy pages (首页 → 关于我们), served on 127.0.0.1: a clean audit, exit 0."""
    spec = SiteSpec(default_host="tiny.example")
    spec.add("tiny.example", "/", page("某某市人民政府", '<a href="/about.html">关于我们</a>'))
    spec.add("tiny.example", "/about.html", page("关于我们"))
    server = start_http_server(spec, hosts=("127.0.0.1",))
    try:
        yield server
    finally:
        server.stop()


def tiny_url(server: RunningServer) -> str:
    return server.url("127.0.0.1", "/")


# -- config files --------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "message"), [
    pytest.param("# crawl bounds\n[crawl]\nmax_page = 5\n",
                 "audit.toml:3: unknown key 'max_page' in [crawl] (did you mean 'max_pages'?)",
                 id="mistyped-key"),
    pytest.param("max_pages = 5\n",
                 "audit.toml:1: unknown key 'max_pages' at top level (it belongs in [crawl])",
                 id="key-in-wrong-table"),
    pytest.param("[crawls]\nmax_pages = 1\n",
                 "audit.toml:1: unknown table [crawls] (did you mean [crawl]?)",
                 id="mistyped-table"),
    pytest.param("[crawl\nmax_pages = 5\n",
                 "audit.toml:1: invalid TOML: Expected ']' at the end of a table declaration",
                 id="broken-toml"),
    pytest.param('[crawl]\nmax_pages = "many"\n',
                 "audit.toml:2: 'max_pages' must be an integer, got \"many\"", id="wrong-type"),
    pytest.param("[crawl]\ntimeout = 0\n",
                 "audit.toml:2: 'timeout' must be greater than 0, got 0", id="out-of-range"),
    pytest.param('fail_on = "fatal"\n',
                 "audit.toml:1: 'fail_on' must be one of veto, error, warning, notice, none; "
                 'got "fatal"', id="bad-choice"),
    pytest.param('[[sites]]\nname = "门户"\nurl = "www.example.gov.cn"\n',
                 "audit.toml:3: [[sites]] #1 'url' is not an http(s) URL: 'www.example.gov.cn' "
                 "(did you mean 'https://www.example.gov.cn/'?)", id="site-url-no-scheme"),
    pytest.param('[[sites]]\nurl = "ftp://ftp.example.gov.cn/"\n',
                 "audit.toml:2: [[sites]] #1 'url' is not an http(s) URL: "
                 "'ftp://ftp.example.gov.cn/'", id="site-url-ftp"),
    pytest.param('[[sites]]\nurl = "http://a.gov.cn/"\n\n[[sites]]\nurl = "http://a.gov.cn/x/"\n',
                 "audit.toml:5: [[sites]] #2 name (its URL's host) \"a.gov.cn\" is already used "
                 "by [[sites]] #1", id="duplicate-site"),
    pytest.param('[dns]\nnameservers = ["dns.example.cn"]\n',
                 "audit.toml:2: 'nameservers' entry \"dns.example.cn\" is not an IP address with "
                 "an optional port (e.g. 223.5.5.5, 223.5.5.5:53, [2400:3200::1]:53)",
                 id="nameserver-not-ip"),
])
def test_bad_config_file(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "audit.toml").write_text(text, encoding="utf-8")
    proc = cli("crawl", "audit.toml", cwd=tmp_path)
    assert_error(proc, 2, message)
    assert proc.stdout == ""


def test_config_file_not_utf8_missing_or_a_directory(tmp_path: Path) -> None:
    (tmp_path / "gbk.toml").write_bytes('[[sites]]\nname = "门户"\n'.encode("gbk"))
    assert_error(cli("crawl", "gbk.toml", cwd=tmp_path), 2,
                 "gbk.toml:2: not valid UTF-8 (byte 0xc3); save the file as UTF-8")
    assert_error(cli("crawl", "missing.toml", cwd=tmp_path), 2, "missing.toml: no such file")
    (tmp_path / "conf.toml").mkdir()
    assert_error(cli("crawl", "conf.toml", cwd=tmp_path), 2,
                 "conf.toml: is a directory, not a config file")


def test_init_writes_a_config_that_crawl_accepts(tiny_site: RunningServer,
                                                 tmp_path: Path) -> None:
    proc = cli("init", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == "wrote webaudit.toml; edit [[sites]] and run: webaudit crawl webaudit.toml\n"
    assert webaudit.load_config(tmp_path / "webaudit.toml") == webaudit.Settings(
        as_of=webaudit.load_config(tmp_path / "webaudit.toml").as_of,
        source=str(tmp_path / "webaudit.toml"))

    # as written it has no [[sites]]: crawl says so; with a URL it runs
    assert_error(cli("crawl", "webaudit.toml", cwd=tmp_path), 2,
                 "nothing to crawl: give a URL or a config file with [[sites]]")
    proc = cli("crawl", "webaudit.toml", tiny_url(tiny_site), "-o", "r.json", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stdout
    data = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert [s["stats"]["pages"] for s in data["sites"]] == [2]

    # an uncommented [[sites]] is crawled as well
    config = tmp_path / "webaudit.toml"
    config.write_text(config.read_text("utf-8") + f'\n[[sites]]\nurl = "{tiny_url(tiny_site)}"\n',
                      encoding="utf-8")
    proc = cli("crawl", "webaudit.toml", "-q", cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")

    # never overwrites without --force
    assert_error(cli("init", cwd=tmp_path), 2,
                 "webaudit.toml exists already (use --force to overwrite)")
    proc = cli("init", "--force", cwd=tmp_path)
    assert proc.returncode == 0
    assert "[[sites]]\nurl" not in config.read_text("utf-8")


# -- command-line arguments ----------------------------------------------------------------


def test_bad_arguments(tmp_path: Path) -> None:
    assert_error(cli("crawl", "not-a-url", cwd=tmp_path), 2, "not an http(s) URL: 'not-a-url'")
    assert_error(cli("crawl", "--plugin", "my-plugin", "http://127.0.0.1:9/", cwd=tmp_path), 2,
                 '--plugin entry "my-plugin" is not a Python module name (like my_plugin.checks)')
    assert_error(cli("crawl", "--nameserver", "dns.example", "http://127.0.0.1:9/", cwd=tmp_path),
                 2, '--nameserver entry "dns.example" is not an IP address with an optional port '
                 "(e.g. 223.5.5.5, 223.5.5.5:53, [2400:3200::1]:53)")


@pytest.mark.parametrize(("args", "error"), [
    (("crawl",), "Missing argument 'TARGETS...'."),
    (("crawl", "--bogus", "http://127.0.0.1:9/"), "No such option '--bogus'."),
    (("nosuchcommand",), "No such command 'nosuchcommand'."),
])
def test_usage_errors(tmp_path: Path, args: tuple[str, ...], error: str) -> None:
    assert_usage_error(cli(*args, cwd=tmp_path), error)


@pytest.mark.parametrize(("args", "error"), [
    (("--max-pages", "0"), "--max-pages must be at least 1, got 0"),
    (("--max-pages", "many"), '--max-pages must be an integer, got "many"'),
    (("--timeout", "0"), "--timeout must be greater than 0, got 0"),
    (("--parallel-sites", "0"), "--parallel-sites must be at least 1, got 0"),
    (("--fail-on", "fatal"), '--fail-on must be one of veto, error, warning, notice, none; '
                             'got "fatal"'),
    (("--as-of", "2024-13-01"), '--as-of must be a date (YYYY-MM-DD), got "2024-13-01"'),
])
def test_flag_values_fail_with_the_documented_messages(tmp_path: Path, args: tuple[str, ...],
                                                       error: str) -> None:
    """Flags are checked by the settings' own rules: the messages of docs/config.md."""
    assert_error(cli("crawl", *args, "http://127.0.0.1:9/", cwd=tmp_path), 2, error)


def test_unknown_output_extension_or_directory(tiny_site: RunningServer, tmp_path: Path) -> None:
    tiny_site.reset()
    url = tiny_url(tiny_site)
    assert_error(cli("crawl", url, "-o", "report.unknownext", cwd=tmp_path), 2,
                 "-o report.unknownext: no report writer for '.unknownext' (known: .json)")
    assert_error(cli("crawl", url, "-o", "report", cwd=tmp_path), 2,
                 "-o report: no report writer for 'no extension' (known: .json)")
    assert_error(cli("crawl", url, "-o", "out/r.json", cwd=tmp_path), 2,
                 "-o out/r.json: directory 'out' does not exist")
    assert tiny_site.stats().total == 0  # refused before the crawl started
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# -- unreachable sites ---------------------------------------------------------------------


def test_closed_port_is_a_run_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/"
    proc = cli("crawl", url, "-o", "r.json", cwd=tmp_path)
    assert proc.returncode == 3
    host_port = url.removeprefix("http://").rstrip("/")
    assert proc.stderr == (f"webaudit: error: {url}: site unreachable "
                           f"(refused: connection refused ({host_port}))\n")
    data = json.loads((tmp_path / "r.json").read_text("utf-8"))
    [finding] = data["sites"][0]["findings"]
    assert (finding["check"], finding["evidence"]["kind"]) == ("site.unreachable", "refused")


def test_one_reachable_site_is_enough(tiny_site: RunningServer, tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}/"
    proc = cli("crawl", tiny_url(tiny_site), closed, cwd=tmp_path)
    assert proc.returncode == 1  # site.unreachable is an error finding, not a run error
    assert proc.stderr == ""
    assert "site.unreachable" in proc.stdout


def test_dead_nameserver_is_a_bounded_run_error(tmp_path: Path) -> None:
    # a UDP socket that never answers: every query times out (dns.timeout, 5 s by default)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        nameserver = f"127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        proc = cli("crawl", "--nameserver", nameserver, "--timeout", "1",
                   "http://www.demo.gov.cn/", cwd=tmp_path, timeout=30)
        elapsed = time.monotonic() - started
    assert_error(proc, 3, "http://www.demo.gov.cn/: site unreachable (dns: www.demo.gov.cn: "
                          f"DNS timeout after 5s (nameserver {nameserver}))")
    assert elapsed < 15



def test_homepage_disallowed_by_robots_is_not_a_clean_audit(tmp_path: Path) -> None:
    spec = SiteSpec(default_host="closed.example")
    spec.add("closed.example", "/", page("首页", '<a href="/a.html">a</a>'))
    spec.robots["closed.example"] = "User-agent: *\nDisallow: /\n"
    with start_http_server(spec, hosts=("127.0.0.1",)) as server:
        proc = cli("crawl", server.url("127.0.0.1", "/"), cwd=tmp_path)
        assert [row[1] for row in server.stats().rows] == ["/robots.txt"]
    assert proc.returncode != 0 or "robots" in proc.stdout

# -- plugins -------------------------------------------------------------------------------


def test_plugin_that_cannot_be_imported(tmp_path: Path) -> None:
    assert_error(cli("crawl", "--plugin", "no.such.module", "http://127.0.0.1:9/", cwd=tmp_path),
                 2, "plugin 'no.such.module' failed to import: ModuleNotFoundError: "
                    "No module named 'no'")
    (tmp_path / "audit.toml").write_text(
        'plugins = ["plugins_for_tests.missing"]\n\n[[sites]]\nurl = "http://127.0.0.1:9/"\n',
        encoding="utf-8")
    assert_error(cli("crawl", "audit.toml", cwd=tmp_path), 2,
                 "plugin 'plugins_for_tests.missing' failed to import: ModuleNotFoundError: "
                 "No module named 'plugins_for_tests.missing'")
    assert_error(cli("checks", "--plugin", "no.such.module", cwd=tmp_path), 2,
                 "plugin 'no.such.module' failed to import: ModuleNotFoundError: "
                 "No module named 'no'")


def test_plugin_whose_check_raises(tiny_site: RunningServer, tmp_path: Path) -> None:
    url = tiny_url(tiny_site)
    plugin = "plugins_for_tests.raising_check"
    proc = cli("crawl", url, "--plugin", plugin, "-o", "r.json", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (1, "")
    assert "  error   internal.check-error   testplugin.always-raises\n" in proc.stdout
    data = json.loads((tmp_path / "r.json").read_text("utf-8"))
    [finding] = data["sites"][0]["findings"]
    assert finding["check"] == "internal.check-error"
    assert finding["message"] == (f"check testplugin.always-raises (plugin {plugin}) raised "
                                  f"RuntimeError: cannot judge {url}")
    evidence = dict(finding["evidence"])
    source = TESTS / "plugins_for_tests" / "raising_check.py"
    line = source.read_text("utf-8").splitlines().index(
        '        raise RuntimeError(f"cannot judge {page.url}")') + 1
    assert evidence.pop("location") == f"{source}:{line}"
    assert evidence == {"plugin": plugin, "check": "testplugin.always-raises",
                        "method": "check_page", "error": f"RuntimeError: cannot judge {url}",
                        "count": 2}
    assert data["sites"][0]["stats"]["pages"] == 2

    # the same site without the plugin is clean; with it and --fail-on none, exit 0
    assert cli("crawl", url, "-q", cwd=tmp_path).returncode == 0
    proc = cli("crawl", url, "--plugin", plugin, "--fail-on", "none", "-q", cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def fake_install(root: Path, entry_points: dict[str, str]) -> Path:
    """A dist-info directory declaring `entry_points` (group ``webaudit``) below `root`."""
    info = root / "webaudit_cli_test-0.0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: webaudit-cli-test\n"
                                   "Version: 0.0.1\n", encoding="utf-8")
    lines = "".join(f"{name} = {value}\n" for name, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[webaudit]\n{lines}", encoding="utf-8")
    return root


GHOST_WARNING = ("webaudit: warning: plugin 'ghost' (entry point no_such_module_xyz) failed to "
                 "import, running without it: ModuleNotFoundError: "
                 "No module named 'no_such_module_xyz'")


def test_installed_plugin_that_fails_to_import_does_not_stop_the_run(
        tiny_site: RunningServer, tmp_path: Path) -> None:
    installed = fake_install(tmp_path / "site", {"ghost": "no_such_module_xyz"})
    proc = cli("crawl", tiny_url(tiny_site), "-o", "r.json", cwd=tmp_path, pythonpath=(installed,))
    assert proc.returncode == 0
    assert GHOST_WARNING in proc.stderr.splitlines()
    assert json.loads((tmp_path / "r.json").read_text("utf-8"))["sites"][0]["stats"]["pages"] == 2


def test_installed_plugin_import_failure_is_one_warning_line(
        tiny_site: RunningServer, tmp_path: Path) -> None:
    installed = fake_install(tmp_path / "site", {"ghost": "no_such_module_xyz"})
    proc = cli("crawl", tiny_url(tiny_site), "-q", cwd=tmp_path, pythonpath=(installed,))
    assert proc.stderr == GHOST_WARNING + "\n"


def test_installed_plugin_import_failure_is_in_the_json_report(
        tiny_site: RunningServer, tmp_path: Path) -> None:
    installed = fake_install(tmp_path / "site", {"ghost": "no_such_module_xyz"})
    cli("crawl", tiny_url(tiny_site), "-q", "-o", "r.json", cwd=tmp_path, pythonpath=(installed,))
    errors = json.loads((tmp_path / "r.json").read_text("utf-8"))["errors"]
    assert errors == [{"source": "plugins", "site": None,
                       "message": GHOST_WARNING.removeprefix("webaudit: warning: ")}]


def test_installed_plugin_also_named_with_plugin_flag_loads_once(
        tiny_site: RunningServer, tmp_path: Path) -> None:
    plugin = "plugins_for_tests.raising_check"
    installed = fake_install(tmp_path / "site", {"raiser": plugin})
    proc = cli("crawl", tiny_url(tiny_site), "--plugin", plugin, "--fail-on", "none", "-q",
               "-o", "r.json", cwd=tmp_path, pythonpath=(installed,))
    assert (proc.returncode, proc.stderr) == (0, "")
    findings = json.loads((tmp_path / "r.json").read_text("utf-8"))["sites"][0]["findings"]
    assert [f["check"] for f in findings] == ["internal.check-error"]
    proc = cli("plugins", "--json", "--plugin", plugin, cwd=tmp_path, pythonpath=(installed,))
    assert [p["name"] for p in json.loads(proc.stdout)].count("raiser") == 1


# -- --fail-on -----------------------------------------------------------------------------


def test_fail_on_thresholds(webaudit_gov_site_module: Any, tiny_site: RunningServer,
                            tmp_path: Path) -> None:
    site = webaudit_gov_site_module
    gov = ("crawl", site.url, "--nameserver", site.nameserver, "--max-pages", "5", "-q")
    # the gov site has broken links (error), private-address links (warning), crawl.limit
    assert cli(*gov, cwd=tmp_path).returncode == 1  # default: error
    assert cli(*gov, "--fail-on", "none", cwd=tmp_path).returncode == 0
    assert cli(*gov, "--fail-on", "warning", cwd=tmp_path).returncode == 1
    assert cli(*gov, "--fail-on", "veto", cwd=tmp_path).returncode == 0

    # the tiny site stopped after one page has one notice (crawl.limit) and nothing else
    tiny = ("crawl", tiny_url(tiny_site), "--max-pages", "1", "-q")
    assert cli(*tiny, cwd=tmp_path).returncode == 0
    assert cli(*tiny, "--fail-on", "warning", cwd=tmp_path).returncode == 0
    assert cli(*tiny, "--fail-on", "notice", cwd=tmp_path).returncode == 1
    (tmp_path / "strict.toml").write_text('fail_on = "notice"\n', encoding="utf-8")
    assert cli(*tiny, "strict.toml", cwd=tmp_path).returncode == 1
    assert cli(*tiny, "strict.toml", "--fail-on", "none", cwd=tmp_path).returncode == 0


# -- listings and version ------------------------------------------------------------------


def test_checks_lists_every_builtin_check(tmp_path: Path) -> None:
    proc = cli("checks", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (0, "")
    lines = proc.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [[i, s] for i, s in BUILTIN_CHECKS.items()]
    assert ("links.broken           error    Broken link (4xx/5xx after retries, DNS failure, "
            "refused, TLS error, timeout)") in lines

    proc = cli("checks", "--json", cwd=tmp_path)
    assert proc.returncode == 0
    rows = json.loads(proc.stdout)
    assert {r["id"]: r["severity"] for r in rows} == BUILTIN_CHECKS
    assert [r["id"] for r in rows] == sorted(BUILTIN_CHECKS)
    assert {r["id"]: r["plugin"] for r in rows}["links.soft-404"] == "webaudit.checks.links"
    assert all(set(r) == {"id", "severity", "title", "plugin"} and r["title"] for r in rows)

    proc = cli("checks", "--json", "--plugin", "plugins_for_tests.raising_check", cwd=tmp_path)
    assert {"id": "testplugin.always-raises", "severity": "notice",
            "title": "A check that always raises",
            "plugin": "plugins_for_tests.raising_check"} in json.loads(proc.stdout)


def test_plugins_lists_builtin_plugins_and_their_hooks(tmp_path: Path) -> None:
    proc = cli("plugins", "--json", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert json.loads(proc.stdout) == BUILTIN_PLUGINS
    proc = cli("plugins", cwd=tmp_path)
    assert proc.stdout.splitlines() == [
        f"{p['name']} {webaudit.__version__} (built-in): {', '.join(p['hooks'])}"
        for p in BUILTIN_PLUGINS]


def test_version(tmp_path: Path) -> None:
    proc = cli("--version", cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        0, f"webaudit, version {webaudit.__version__}\n", "")
    proc = subprocess.run([sys.executable, "-m", "webaudit", "--version"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert (proc.returncode, proc.stdout) == (0, f"webaudit, version {webaudit.__version__}\n")


# -- the JSON report -----------------------------------------------------------------------


def test_json_report_validates_against_the_schema(webaudit_gov_site_module: Any,
                                                  tmp_path: Path) -> None:
    site = webaudit_gov_site_module
    proc = cli("crawl", site.url, "--nameserver", site.nameserver, "--as-of", "2024-06-01",
               "-o", "r.json", cwd=tmp_path)
    assert proc.returncode == 1  # broken links
    assert proc.stderr == ""
    assert proc.stdout.endswith("report written to r.json\n")
    data = json.loads((tmp_path / "r.json").read_text("utf-8"))
    schema = load_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    assert sorted(e.message for e in validator.iter_errors(data)) == []

    assert data["schema"] == "webaudit.report/1"
    assert data["run"]["as_of"] == "2024-06-01"
    assert data["run"]["version"] == webaudit.__version__
    assert data["errors"] == []
    [result] = data["sites"]
    assert result["url"] == site.url
    assert result["homepage"]["status"] == 200
    findings = result["findings"]
    assert data["summary"]["findings"] == len(findings)
    expected = site.expected
    broken = {url for url, b in expected.broken.items()
              if b.kind not in ("soft-404", "private-address", "redirect-loop")}
    assert {f["target"] for f in findings if f["check"] == "links.broken"} == broken
    assert {f["target"] for f in findings if f["check"] == "links.soft-404"} == \
        expected.broken_of_kind("soft-404")
    assert {f["target"] for f in findings if f["check"] == "links.redirect-loop"} == \
        expected.broken_of_kind("redirect-loop")
    assert result["stats"]["pages"] >= len(expected.pages)
