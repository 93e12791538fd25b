"""Session ids that change on every response (Java ;jsessionid=, ?sid=, ASP.NET /(S(…))/)
must not make the crawl endless: each page is fetched once, and broken links are still found.
"""

from __future__ import annotations

from typing import Literal

import pytest

import webaudit
from webaudit.sitekit import Resource, SiteSpec, start_http_server

HOST = "session.example"


def _page(title: str, links: str, style: Literal["jsessionid", "sid", "aspnet"]) -> Resource:
    return Resource(body=f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}'
                         f"</title></head><body><h1>{title}</h1>{links}</body></html>",
                    behaviour="session", session_style=style)


@pytest.mark.parametrize("style", ["jsessionid", "sid", "aspnet"])
def test_fresh_session_ids_do_not_make_new_pages(
        style: Literal["jsessionid", "sid", "aspnet"]) -> None:
    nav = ('<a href="/wsbs/default.aspx">网上办事</a><a href="/wsbs/list.aspx">事项清单</a>'
           '<a href="/wsbs/gone.aspx">旧事项</a>')
    spec = SiteSpec(default_host=HOST)
    spec.add(HOST, "/", _page("某市政务服务网", nav, style))
    spec.add(HOST, "/wsbs/default.aspx", _page("网上办事", nav, style))
    spec.add(HOST, "/wsbs/list.aspx", _page("事项清单", nav + '<a href="/wsbs/list.aspx?page=2">下一页</a>',
                                             style))
    spec.add(HOST, "/wsbs/gone.aspx", Resource(status=404))
    server = start_http_server(spec, hosts=("127.0.0.1",))
    try:
        report = webaudit.audit(server.url("127.0.0.1", "/"), load_entrypoints=False)
        stats = server.stats()
    finally:
        server.stop()
    site = report.sites[0]
    broken = [f for f in site.findings if f.check == "links.broken"]
    assert len(broken) == 1 and "gone.aspx" in broken[0].target
    assert [f.check for f in site.findings] == ["links.broken"]
    # /, default.aspx, list.aspx, list.aspx?page=2, gone.aspx and robots.txt: once each
    assert stats.total == 6, stats.rows
    assert site.stats.pages == 4
