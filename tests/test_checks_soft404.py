"""links.soft-404 on single pages: which headings count, and the cheap pre-filter.

Unit tests of one check method; the crawl tests cover soft-404 pages end to end.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from webaudit.checks.links import SOFT_404, SOFT_404_HINT, SOFT_404_MAX_TEXT, Soft404, SoftNotFound
from webaudit.checktypes import KeepTarget
from webaudit.crawl.parse import page_title, parse_html
from webaudit.model import FetchResult, Page, Site

SITE = Site(name="demo", url="http://www.demo.gov.cn/")


def _judge(html: str, *, homepage: bool = False) -> dict[str, Any]:
    url = "http://www.demo.gov.cn/a/"
    tree = parse_html(html)
    page = Page(site=SITE, url=url, fetch=FetchResult(url=url, final_url=url, status=200),
                depth=1, html=html, encoding="utf-8", title=page_title(tree), links=(),
                is_homepage=homepage, tree=tree)
    items = list(Soft404().check_page(page))
    if not items:
        return {}
    fact, keep = items  # the page's fact, and the request to keep its referrers
    assert isinstance(fact, SoftNotFound)
    assert keep == KeepTarget(url)
    return dataclasses.asdict(fact)


@pytest.mark.parametrize(("html", "phrase"), [
    ("<title>页面不存在</title><body><p>返回首页</p></body>", "页面不存在"),
    ("<title>市民政局</title><body><h1>404</h1><p>返回首页</p></body>", "404"),
    ('<body><div class="box error">您访问的页面不存在或已被删除</div></body>', "您访问的页面不存在"),
    ('<body><p id="error">Not Found</p></body>', "Not Found"),
    ("<body><h2>信息已删除</h2></body>", "信息已删除"),
    ("<title>市政府</title><body><h1>抱歉，找不到您要访问的页面</h1></body>", "找不到您要访问的页面"),
    # short page: the phrase in a plain paragraph under a neutral title
    ("<title>提示信息</title><body><p>对不起，您访问的页面不存在！</p><a href='/'>返回首页</a></body>",
     "您访问的页面不存在"),
])
def test_soft_404_pages_are_recognised(html: str, phrase: str) -> None:
    assert _judge(html)["phrase"] == phrase


@pytest.mark.parametrize("html", [
    # the phrase is in the article text, not in the title or a heading
    "<title>关于清理僵尸企业的通知</title><body><h1>通知</h1><p>经核查，该企业地址不存在。</p></body>",
    # the phrase in a paragraph of a page that is not short
    "<title>提示信息</title><body><p>您访问的页面不存在。</p><p>" + "政务公开" * 60 + "</p></body>",
    # 找不到 and 页面 in different clauses
    "<title>通知</title><body><h1>群众反映找不到办事入口，现已在首页增加办事页面</h1></body>",
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


def test_a_link_that_redirects_to_a_soft_404_is_reported_by_the_linked_url() -> None:
    import webaudit
    from webaudit.sitekit import Resource, SiteSpec, start_http_server

    host = "soft.example"
    spec = SiteSpec(default_host=host)
    spec.add(host, "/", Resource(body="<title>首页</title><body><h1>首页</h1>"
                                      "<a href='/old/removed.html'>旧文章</a></body>"))
    spec.add(host, "/old/removed.html", Resource(status=302, behaviour="redirect",
                                                 location="/404.html"))
    spec.add(host, "/404.html", Resource(body="<title>页面不存在</title><body>返回首页</body>"))
    server = start_http_server(spec, hosts=("127.0.0.1",))
    try:
        report = webaudit.audit(server.url("127.0.0.1", "/"), load_entrypoints=False)
    finally:
        server.stop()
    [finding] = [f for f in report.findings if f.check == "links.soft-404"]
    assert finding.target == server.url("127.0.0.1", "/old/removed.html")
    assert finding.evidence["final_url"] == server.url("127.0.0.1", "/404.html")
    assert finding.url == server.url("127.0.0.1", "/")
