"""Link extraction: what a browser would request, and nothing from comments or scripts."""

from __future__ import annotations

from pathlib import Path

import pytest

from webaudit.crawl.parse import extract_links, page_title, parse_html, parse_srcset

REALPAGES = Path(__file__).resolve().parents[2] / "shared" / "realpages"

PAGE = """<!doctype html><html><head><title> 通知公告 </title>
<base href="/zwgk/">
<link rel="stylesheet" href="css/main.css"><link rel="dns-prefetch" href="//cdn.test">
<meta http-equiv="refresh" content="300; url=index.html">
<script src="/js/app.js"></script>
<script>var a = '<a href="/from-script.html">x</a>'; location.href = "/js-nav.html";</script>
<style>.x { background: url(/from-style.png) }</style>
</head><body>
<!-- <a href="/commented-out.html">old</a> -->
<a href="tzgg/t20240512_1.html">关于开展 <b>检查</b> 的通知</a>
<a href="../xxgk/../zfxxgkzn/">指南</a>
<a href="javascript:void(0)">js</a><a href="mailto:x@gov.cn">mail</a><a href="tel:12345">t</a>
<a href="data:text/plain,hi">d</a><a href="#top">top</a>
<img src="img/a.png" srcset="img/a-2x.png 2x, img/a-3x.png 3x">
<picture><source srcset="img/b.webp 1x,img/b2.webp 2x"></picture>
<iframe src="https://map.example.gov.cn/embed"></iframe>
<map><area href="/area.html"></map>
<object data="files/flash.swf"></object><embed src="files/e.swf">
<a href="tzgg/t20240512_1.html">duplicate</a>
<a href="files/附件1.pdf">附件1</a>
</body></html>"""


def test_extracts_what_a_browser_requests() -> None:
    tree = parse_html(PAGE)
    urls = [link.url for link in extract_links(tree, "http://www.x.gov.cn/index.html")]
    assert urls == [
        "http://www.x.gov.cn/zwgk/css/main.css",
        "http://www.x.gov.cn/zwgk/index.html",
        "http://www.x.gov.cn/js/app.js",
        "http://www.x.gov.cn/zwgk/tzgg/t20240512_1.html",
        "http://www.x.gov.cn/zfxxgkzn/",
        "http://www.x.gov.cn/zwgk/img/a.png",
        "http://www.x.gov.cn/zwgk/img/a-2x.png",
        "http://www.x.gov.cn/zwgk/img/a-3x.png",
        "http://www.x.gov.cn/zwgk/img/b.webp",
        "http://www.x.gov.cn/zwgk/img/b2.webp",
        "https://map.example.gov.cn/embed",
        "http://www.x.gov.cn/area.html",
        "http://www.x.gov.cn/zwgk/files/flash.swf",
        "http://www.x.gov.cn/zwgk/files/e.swf",
        "http://www.x.gov.cn/zwgk/files/%E9%99%84%E4%BB%B61.pdf",
    ]
    assert page_title(tree) == "通知公告"


def test_link_text_is_kept_for_anchors() -> None:
    links = extract_links(parse_html(PAGE), "http://www.x.gov.cn/")
    by_url = {link.url: link for link in links}
    assert by_url["http://www.x.gov.cn/zwgk/tzgg/t20240512_1.html"].text == "关于开展 检查 的通知"


def test_srcset_with_commas_in_urls() -> None:
    assert parse_srcset("a.png 1x, b,c.png 2x,d.png") == ["a.png", "b,c.png", "d.png"]
    assert parse_srcset("x.png 100w, y.png (max-width: 5px, 2x) 2x") == ["x.png", "y.png"]


@pytest.mark.skipif(not REALPAGES.is_dir(), reason="shared/realpages not beside the project")
def test_real_handan_home_page() -> None:
    text = (REALPAGES / "handan-xxgk-home.html").read_text("utf-8")
    tree = parse_html(text)
    links = extract_links(tree, "http://hdzfxxgk.hd.gov.cn/")
    urls = {link.url for link in links}
    assert "http://hdzfxxgk.hd.gov.cn/zfxxgkzn/" in urls
    assert "http://hdzfxxgk.hd.gov.cn/zfxxgknb/" in urls
    assert any(u.startswith("http://222.222.245.73:99/") for u in urls)  # 权责清单 on a raw IP
    assert not any(u.startswith(("javascript:", "mailto:")) for u in urls)
    texts = {link.text for link in links}
    assert "政府信息公开指南" in texts


def test_links_on_a_gbk_page_carry_gbk_queries() -> None:
    tree = parse_html('<a href="search.jsp?keyword=公开">搜索</a><a href="/公开/">公开</a>')
    urls = [link.url for link in extract_links(tree, "http://www.a.gov.cn/x/", "gb18030")]
    assert urls == ["http://www.a.gov.cn/x/search.jsp?keyword=%B9%AB%BF%AA",
                    "http://www.a.gov.cn/%E5%85%AC%E5%BC%80/"]
