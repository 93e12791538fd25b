"""URL resolution follows the WHATWG URL standard, not urllib's urljoin."""

from __future__ import annotations

import pytest

from webaudit.crawl.urls import encode_query, host_of, is_ignored_scheme, normalize, resolve

BASE = "http://h.test/a/b/page.html"


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("..//x//y", "http://h.test/a//x//y"),  # urljoin collapses '//': browsers don't
        ("\\\\evil\\p", "http://evil/p"),
        (" \n/x y ", "http://h.test/x%20y"),
        ("?q=中文", "http://h.test/a/b/page.html?q=%E4%B8%AD%E6%96%87"),
        ("../../../../c", "http://h.test/c"),
        ("./d/./e/../f#frag", "http://h.test/a/b/d/f"),
        ("HTTP://H.TEST:80/%7euser/%2f", "http://h.test/~user/%2F"),
        ("https://h.test:443/", "https://h.test/"),
        ("//other.test/p", "http://other.test/p"),
        ("#top", None),
        ("", None),
        ("javascript:void(0)", None),
        ("mailto:a@b.gov.cn", None),
        ("http://[bad", None),
    ],
)
def test_resolve_as_browsers_do(ref: str, expected: str | None) -> None:
    assert resolve(BASE, ref) == expected


def test_normalize_is_idempotent_and_keeps_port() -> None:
    url = normalize("http://WWW.Example.gov.cn:8080/a/../b?x=1#f")
    assert url == "http://www.example.gov.cn:8080/b?x=1"
    assert normalize(url) == url


def test_host_of_and_schemes() -> None:
    assert host_of("http://[::1]:8080/x") == "::1"
    assert host_of("https://Www.GOV.cn/") == "www.gov.cn"
    assert is_ignored_scheme("  JavaScript:alert(1)")
    assert is_ignored_scheme("tel:12345")
    assert not is_ignored_scheme("/tel/index.html")


def test_queries_are_encoded_in_the_page_encoding() -> None:
    # a GBK page: the query in GBK, the path (always UTF-8) untouched, as browsers do
    assert encode_query("search.jsp?keyword=公开#top", "gb18030") == \
        "search.jsp?keyword=%B9%AB%BF%AA#top"
    assert encode_query("/搜索/s.jsp?q=公开", "gb18030") == "/搜索/s.jsp?q=%B9%AB%BF%AA"
    assert resolve("http://www.a.gov.cn/x/", encode_query("/搜索/s.jsp?q=公开", "gb18030")) == \
        "http://www.a.gov.cn/%E6%90%9C%E7%B4%A2/s.jsp?q=%B9%AB%BF%AA"
    # UTF-8 pages, ASCII links and pages of unknown encoding are left alone
    assert encode_query("s.jsp?q=公开", "utf-8") == "s.jsp?q=公开"
    assert encode_query("s.jsp?q=gongkai", "gb18030") == "s.jsp?q=gongkai"
    assert encode_query("s.jsp?q=公开", None) == "s.jsp?q=公开"
    # a character the encoding lacks becomes a character reference first
    assert resolve("http://a.gov.cn/", encode_query("s?q=政", "cp1252")) == \
        "http://a.gov.cn/s?q=%26%2325919%3B"
