"""URL resolution follows the WHATWG URL standard, not urllib's urljoin."""

from __future__ import annotations

import pytest

from webaudit.crawl.urls import host_of, is_ignored_scheme, normalize, resolve

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
