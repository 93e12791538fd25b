"""links.soft-404 on single pages: which headings count, and the cheap pre-filter.

Unit tests of one check method; the crawl tests cover soft-404 pages end to end.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from webaudit.checks.links import SOFT_404, SOFT_404_HINT, SOFT_404_MAX_TEXT, Soft404
from webaudit.crawl.parse import page_title, parse_html
from webaudit.model import FetchResult, Page, Site, SiteResult

SITE = Site(name="demo", url="http://www.demo.gov.cn/")


def _judge(html: str, *, homepage: bool = False) -> dict[str, Any]:
    url = "http://www.demo.gov.cn/a/"
    tree = parse_html(html)
    page = Page(site=SITE, url=url, fetch=FetchResult(url=url, final_url=url, status=200),
                depth=1, text=html, encoding="utf-8", title=page_title(tree), links=[],
                is_homepage=homepage, tree=tree)
    state: dict[str, dict[str, Any]] = {}
    ctx = SimpleNamespace(result=SiteResult(site=SITE),
                          state=lambda check_id: state.setdefault(check_id, {}))
    Soft404().check_page(page, ctx)
    return state.get("links.soft-404", {}).get(url, {})


@pytest.mark.parametrize(("html", "phrase"), [
    ("<title>页面不存在</title><body><p>返回首页</p></body>", "页面不存在"),
    ("<title>市民政局</title><body><h1>404</h1><p>返回首页</p></body>", "404"),
    ('<body><div class="box error">您访问的页面不存在或已被删除</div></body>', "您访问的页面不存在"),
    ('<body><p id="error">Not Found</p></body>', "Not Found"),
    ("<body><h2>信息已删除</h2></body>", "信息已删除"),
])
def test_soft_404_pages_are_recognised(html: str, phrase: str) -> None:
    assert _judge(html)["phrase"] == phrase


@pytest.mark.parametrize("html", [
    # the phrase is in the article text, not in the title or a heading
    "<title>关于清理僵尸企业的通知</title><body><h1>通知</h1><p>经核查，该企业地址不存在。</p></body>",
    # a long page is an article about 404s, not an error page
    "<title>404 错误页面规范</title><body><p>" + "字" * (SOFT_404_MAX_TEXT + 1) + "</p></body>",
    "<title>本站首页</title><body><h1>页面不存在</h1></body>",  # judged below as the homepage
])
def test_ordinary_pages_are_not_soft_404(html: str) -> None:
    assert _judge(html, homepage="本站首页" in html) == {}


@pytest.mark.parametrize("text", [
    "页面不存在", "页面未找到", "找不到您要的页面", "您所访问的网页已被删除", "稿件已下线",
    "404 Not Found", "404错误", " 404 ", "not   found", "页面已删除", "文章已撤销",
])
def test_every_soft_404_phrase_passes_the_prefilter(text: str) -> None:
    assert SOFT_404.search(text)
    assert SOFT_404_HINT.search(text)
