"""`webaudit.testing`, the plugin authors' kit: its public names, `run_audit()` and the
reference crawl. (The site kit underneath is tested in test_sitekit*.py.)"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from webaudit import Finding, hookimpl
from webaudit.sitekit import Expected as SitekitExpected
from webaudit.testing import (
    LiveSite,
    ReferenceSite,
    Resource,
    SiteSpec,
    differences,
    expected_findings,
    run_audit,
)

HOST = "www.plugin.gov.cn"


def _isort_key(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 keeps: CONSTANTS, then Classes, then functions."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name


@pytest.mark.parametrize("package", ["webaudit.testing", "webaudit.sitekit"])
def test_all_is_sorted_complete_and_resolves(package: str) -> None:
    module = importlib.import_module(package)
    names = list(module.__all__)
    assert names == sorted(names, key=_isort_key)
    assert len(set(names)) == len(names)
    public = {name for name, value in vars(module).items()
              if not name.startswith("_") and not isinstance(value, types.ModuleType)
              and type(value).__module__ != "__future__"}  # `from __future__ import …`
    assert public == set(names)
    for name in names:
        assert getattr(module, name) is not None, name


def test_testing_re_exports_the_site_kit_s_own_objects() -> None:
    import webaudit.sitekit as sitekit
    import webaudit.testing as testing

    shared = set(testing.__all__) & set(sitekit.__all__)
    assert {"SiteSpec", "Resource", "redirect", "LiveSite", "RunningServer", "Expected"} <= shared
    assert all(getattr(testing, n) is getattr(sitekit, n) for n in shared)
    assert testing.Expected is SitekitExpected


def test_pytest_plugin_imports_nothing_heavy() -> None:
    code = ("import sys, webaudit.testing.pytest_plugin as p; "
            "print(sorted(m for m in ('dnslib', 'jsonschema', 'httpx', 'webaudit.runner') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=30)
    assert json.loads(out.stdout.replace("'", '"')) == []


# -- run_audit -------------------------------------------------------------------------------


class Tagger:
    """A plugin object: one finding per parsed page, with its plugin config."""

    def __init__(self) -> None:
        self.config: dict[str, Any] = {}

    @hookimpl
    def configure(self, config: Any, plugin_config: dict[str, Any]) -> None:
        self.config = dict(plugin_config.get("tagger", {}))

    @hookimpl
    def register_checks(self, register: Any) -> None:
        class Tag:
            id = "tagger.page"
            title = "every page"
            severity = "notice"

            def check_page(self, page: Any) -> list[Finding]:
                return [Finding(check=self.id, severity="notice", site=page.site.name,
                                url=page.url, target=page.url, message="seen")]

        register(Tag())


def small_spec() -> SiteSpec:
    spec = SiteSpec()
    spec.add(HOST, "/", Resource(body='<a href="/a.html">a</a> <a href="/gone.html">旧</a>'))
    spec.add(HOST, "/a.html", Resource(body="<title>a</title>"))
    return spec


@pytest.fixture(scope="module")
def small_site() -> Any:
    from webaudit.sitekit import Expected, serve_site

    expected = Expected(homepage=f"http://{HOST}:__PORT__/", hosts=(HOST,), pages=frozenset(),
                        healthy=frozenset(), broken={}, homepage_links=frozenset(),
                        homepage_broken=frozenset(), never_requested={},
                        zone={HOST: ["127.0.0.1"]})
    with serve_site(small_spec(), expected) as site:
        yield site


def test_run_audit_with_a_plugin_object_and_its_config(small_site: LiveSite) -> None:
    tagger = Tagger()
    report = run_audit(small_site, plugins=[tagger], plugin_config={"tagger": {"mode": "x"}})
    assert tagger.config == {"mode": "x"}
    tagged = sorted(f.target for f in report.findings if f.check == "tagger.page")
    assert tagged == [small_site.url, small_site.server.url(HOST, "/a.html")]
    broken = [f.target for f in report.findings if f.check == "links.broken"]
    assert broken == [small_site.server.url(HOST, "/gone.html")]


def test_run_audit_by_url_and_module_name(small_site: LiveSite, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "my_tagger.py").write_text(
        "from tests_tagger_base import Tagger\n_t = Tagger()\n"
        "configure, register_checks = _t.configure, _t.register_checks\n", encoding="utf-8")
    base = types.ModuleType("tests_tagger_base")
    base.Tagger = Tagger  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tests_tagger_base", base)
    monkeypatch.syspath_prepend(str(tmp_path))
    report = run_audit(small_site.url, plugins=["my_tagger"],
                       nameservers=[small_site.nameserver], max_pages=1)
    assert [f.target for f in report.findings if f.check == "tagger.page"] == [small_site.url]
    without = run_audit(small_site, max_pages=1)  # a fresh plugin manager every time
    assert not [f for f in without.findings if f.check == "tagger.page"]


# -- the reference crawl ---------------------------------------------------------------------


class Hider:
    """A plugin that disturbs the built-in results: it drops the homepage's findings."""

    @hookimpl
    def modify_findings(self, findings: list[Finding]) -> None:
        findings[:] = [f for f in findings if not f.evidence.get("on_homepage")]


def test_the_reference_crawl(webaudit_reference_site: ReferenceSite) -> None:
    site = webaudit_reference_site
    assert site.url == f"http://www.demo.gov.cn:{site.site.server.port}/"
    assert expected_findings(site.expected)  # the answer key plants defects
    clean = site.audit(plugins=[Tagger()])  # adds findings of its own: no difference
    assert site.differences(clean) == []
    assert any(f.check == "tagger.page" for f in clean.findings)
    hidden = site.audit(plugins=[Hider()])
    missing = {line.split()[-1] for line in site.differences(hidden)}
    assert missing == set(site.expected.homepage_broken)
    assert differences(hidden, site.expected) == site.differences(hidden)
