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


def test_iso_8859_1_header_on_a_chinese_page_is_not_believed() -> None:
    # Tomcat's default Content-Type; every byte "decodes" as Latin-1
    for label in ("ISO-8859-1", "latin1", "windows-1252", "us-ascii"):
        assert decode_html(HTML.encode("gbk"), f"text/html; charset={label}") == (HTML, "gb18030")
        assert decode_html(HTML.encode(), f"text/html; charset={label}") == (HTML, "utf-8")
    # with a GBK <meta>, the meta wins over the Latin-1 header
    body = '<meta charset="gbk">' + HTML
    assert decode_html(body.encode("gbk"), "text/html; charset=iso-8859-1") == (body, "gb18030")


def test_a_real_latin1_page_still_decodes_as_latin1() -> None:
    body = "<html><body>Café à la carte — Zürich</body></html>".encode("cp1252")
    assert decode_html(body, "text/html; charset=iso-8859-1") == (body.decode("cp1252"), "cp1252")
