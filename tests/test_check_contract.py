"""The check contract: what registration refuses, hook wrappers, and page checks that
run in another process on a pickled page with the same findings and facts."""

from __future__ import annotations

import asyncio
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from webaudit import Fact, Finding, Page, PluginError, Settings, hookimpl
from webaudit.checkrunner import collect_checks, inspect_check
from webaudit.checks.links import Soft404, SoftNotFound
from webaudit.checktypes import FetchRequest, KeepTarget
from webaudit.crawl.parse import extract_links, page_title, parse_html
from webaudit.model import FetchResult, Site
from webaudit.plugins import get_plugin_manager

ROOT = Path(__file__).resolve().parents[1]
REALPAGES = ROOT.parent / "shared" / "realpages"  # beside the checkout, when it is there
PII_SRC = str(ROOT / "plugins" / "webaudit-pii" / "src")
if PII_SRC not in sys.path:  # the worked plugin, installed or not
    sys.path.append(PII_SRC)
SITE = Site(name="示范", url="http://www.example.gov.cn/", department="民政局")


def _check(**methods: Any) -> Any:
    attrs = {"id": "test.check", "title": "a check", "severity": "notice", **methods}
    return type("Check", (), attrs)()


@pytest.mark.parametrize(("methods", "message"), [
    ({"check_page": lambda self, page, ctx: None},
     "plugin 'p': check 'test.check': check_page must take (page), not (page, ctx); checks get "
     "their settings when register_checks builds them"),
    ({"check_fetched": lambda self, result: None},
     "plugin 'p': check 'test.check': check_fetched must take (request, result), not (result); "
     "checks get their settings when register_checks builds them"),
    ({"check_site": lambda self, site, report: None},
     "plugin 'p': check 'test.check': check_site takes unknown argument 'report' "
     "(known: ctx, facts, fetched, result, site)"),
])
def test_registration_refuses_malformed_phases(methods: dict[str, Any], message: str) -> None:
    with pytest.raises(PluginError) as info:
        inspect_check(_check(**methods), "p")
    assert str(info.value) == message


def test_an_async_page_check_is_refused() -> None:
    async def check_page(self: Any, page: Page) -> None:
        await asyncio.sleep(0)

    with pytest.raises(PluginError) as info:
        inspect_check(_check(check_page=check_page), "p")
    assert str(info.value) == (
        "plugin 'p': check 'test.check': check_page must be synchronous (page checks are pure: "
        "return FetchRequest objects to have something fetched, and await in check_site)")


def test_check_site_may_take_any_subset_of_its_arguments() -> None:
    reg = inspect_check(_check(check_site=lambda self, facts, ctx: []), "p")
    assert reg.site_args == frozenset({"facts", "ctx"})
    assert reg.page is None and reg.fetched is None


def test_hook_wrappers_are_refused_at_registration() -> None:
    class Wrapper:
        @hookimpl(wrapper=True)
        def modify_findings(self, findings: list[Finding]) -> Iterator[None]:
            yield

    class OldWrapper:
        @hookimpl(hookwrapper=True)
        def run_finished(self) -> Iterator[None]:
            yield

    pm = get_plugin_manager(load_entrypoints=False)
    for plugin, hook in ((Wrapper(), "modify_findings"), (OldWrapper(), "run_finished")):
        with pytest.raises(PluginError) as info:
            pm.register(plugin, name="wrapping")
        assert str(info.value) == (
            f"plugin 'wrapping': {hook} is a hook wrapper; webaudit calls each implementation "
            "on its own and does not run wrappers (implement the hook itself)")
        assert not pm.is_registered(plugin)


def test_register_checks_gets_the_runs_settings() -> None:
    got: list[Settings] = []

    class Builder:
        @hookimpl
        def register_checks(self, register: Any, config: Settings) -> None:
            got.append(config)

    pm = get_plugin_manager(load_entrypoints=False)
    pm.register(Builder(), name="builder")
    settings = Settings(fail_on="warning")
    collect_checks(pm, settings)
    assert got == [settings]


# -- pickled pages ------------------------------------------------------------------------


def _page(html: str, url: str = "http://www.example.gov.cn/a/", *, depth: int = 1) -> Page:
    tree = parse_html(html)
    body = html.encode("utf-8")
    fetch = FetchResult(url=url, final_url=url, status=200, body=body,
                        headers=(("content-type", "text/html; charset=utf-8"),),
                        content_type="text/html")
    return Page(site=SITE, url=url, fetch=fetch, depth=depth, html=html, encoding="utf-8",
                title=page_title(tree), links=extract_links(tree, url), is_homepage=depth == 0,
                tree=tree)


def _pages() -> list[Page]:
    pages = [
        _page("<title>页面不存在</title><body><p>返回首页</p></body>"),
        _page("<title>低保公示</title><body><table><tr><td>张三</td><td>11010519491231002X</td>"
              "</tr></table><script>var x = '11010519491231002X';</script></body>",
              "http://www.example.gov.cn/gs/"),
        _page("<title>首页</title><body><h1>页面不存在</h1><a href='/x'>x</a></body>",
              "http://www.example.gov.cn/", depth=0),
    ]
    for path in sorted(REALPAGES.glob("*.html"))[:4]:
        html = path.read_bytes().decode("utf-8", errors="replace")
        pages.append(_page(html, f"http://www.example.gov.cn/real/{path.name}"))
    return pages


def _run_checks(pages: list[Page]) -> list[list[Any]]:
    """Every default page check plus the pii plugin's, on each page."""
    import datetime as dt

    from webaudit_pii import IdNumberCheck, PiiSettings

    checks = [Soft404(), IdNumberCheck(PiiSettings(), dt.date(2026, 11, 26))]
    return [[item for check in checks for item in (check.check_page(page) or ())]
            for page in pages]


def test_a_page_check_in_a_fresh_process_gives_the_same_findings_and_facts(
        tmp_path: Path) -> None:
    pages = _pages()
    here = _run_checks(pages)
    assert any(isinstance(i, SoftNotFound) for items in here for i in items)
    assert any(isinstance(i, KeepTarget) for items in here for i in items)
    assert any(isinstance(i, Finding) and i.check == "pii.id-number" for items in here
               for i in items)
    blob = tmp_path / "pages.pickle"
    blob.write_bytes(pickle.dumps(pages))
    out = tmp_path / "items.pickle"
    code = (
        "import pickle, sys\n"
        f"sys.path[:0] = [{str(ROOT / 'tests')!r}, {PII_SRC!r}]\n"
        "import test_check_contract as t\n"
        f"pages = pickle.loads(open({str(blob)!r}, 'rb').read())\n"
        "assert all(p._tree is None for p in pages)  # the tree did not travel\n"
        f"open({str(out)!r}, 'wb').write(pickle.dumps(t._run_checks(pages)))\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60, cwd=tmp_path)
    there = pickle.loads(out.read_bytes())
    assert there == here
    for items in there:
        for item in items:
            assert isinstance(item, Finding | Fact | FetchRequest)


def test_a_page_pickles_small_without_its_tree_and_body() -> None:
    page = _pages()[0]
    copy = pickle.loads(pickle.dumps(page))
    assert copy.fetch.body is None and page.fetch.body is None
    assert (copy.url, copy.title, copy.html, copy.links) == (page.url, page.title, page.html,
                                                               page.links)
    assert copy.text == page.text == "返回首页"
    assert copy.tree.css_first("title").text() == "页面不存在"


def test_configure_runs_before_register_checks() -> None:
    from webaudit.testing import run_audit

    calls: list[str] = []

    class Ordered:
        @hookimpl
        async def configure(self) -> None:
            calls.append("configure")

        @hookimpl
        def register_checks(self, register: Any) -> None:
            calls.append("register_checks")

    closed = "http://127.0.0.1:9/"  # nothing listens: the run still configures and registers
    run_audit(closed, plugins=[Ordered()], retries=0)
    assert calls == ["configure", "register_checks"]
