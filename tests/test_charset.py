"""Decoding Chinese pages: declared charsets are trusted only when the bytes agree."""

from __future__ import annotations

from webaudit.crawl.charset import decode_html

HTML = "<html><head><title>政府信息公开指南</title></head><body>通知公告 政策解读</body></html>"


def test_gbk_with_lying_header_is_decoded_as_gb18030() -> None:
    text, encoding = decode_html(HTML.encode("gbk"), "text/html; charset=utf-8")
    assert text == HTML
    assert encoding == "gb18030"


def test_gbk_without_any_declaration() -> None:
    assert decode_html(HTML.encode("gbk"), "text/html")[0] == HTML


def test_meta_charset_gb2312_maps_to_superset() -> None:
    body = ('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">' + HTML + "镕")
    text, encoding = decode_html(body.encode("gb18030"), None)
    assert encoding == "gb18030"
    assert text.endswith("镕")  # not in GB2312 proper: the superset decodes it


def test_bom_wins() -> None:
    assert decode_html(b"\xef\xbb\xbf" + HTML.encode(), "text/html; charset=gbk") == (HTML, "utf-8")


def test_utf8_cut_mid_character() -> None:
    body = HTML.encode() + "政".encode()[:2]
    text, encoding = decode_html(body, None)
    assert encoding == "utf-8"
    assert text.startswith("<html><head><title>政府信息公开指南")
