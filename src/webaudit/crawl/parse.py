"""Extract what a browser would request from an HTML page (selectolax / Lexbor).

Only element attributes are read, so nothing is taken from comments, script or
style text. References are resolved against `<base href>` (itself resolved
against the page URL) following the WHATWG URL standard (see `urls.resolve`).
"""

from __future__ import annotations

import re
from typing import Final

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..model import Link
from .urls import encode_query, is_ignored_scheme, resolve

# (selector, attribute) pairs: what a browser fetches or navigates to.
_SELECTOR: Final = ", ".join((
    "a[href]", "area[href]", "link[href]", "iframe[src]", "frame[src]", "script[src]",
    "img", "source", "embed[src]", "object[data]", "video", "audio", "track[src]",
    "input[src]", "meta[http-equiv]",
))
_SRC_ATTRS: Final = ("src", "poster", "data-original")
_REFRESH_URL: Final = re.compile(r"""^\s*\d*(?:\.\d*)?\s*[;,]?\s*(?:url\s*=\s*)?["']?([^"']*)""",
                                 re.IGNORECASE)
_MAX_TEXT: Final = 120
# Text under these is not shown to a reader.
_HIDDEN_TEXT_PARENTS: Final = frozenset({"script", "style", "noscript", "template", "head",
                                         "title"})


def parse_html(text: str) -> LexborHTMLParser:
    return LexborHTMLParser(text)


def visible_text(tree: LexborHTMLParser) -> str:
    """The text nodes of the body a reader sees, joined by spaces (`Page.text`)."""
    body = tree.body
    if body is None:
        return ""
    parts = []
    for node in body.traverse(include_text=True):
        if node.tag == "-text":
            parent = node.parent
            if parent is None or parent.tag not in _HIDDEN_TEXT_PARENTS:
                parts.append(node.text_content or "")
    return " ".join(parts)


def page_title(tree: LexborHTMLParser) -> str:
    node = tree.css_first("title")
    return node.text(strip=True)[:300] if node is not None else ""


def base_url(tree: LexborHTMLParser, page_url: str) -> str:
    """The document's base URL: the first `<base href>`, resolved against the page URL."""
    node = tree.css_first("base[href]")
    if node is not None:
        href = node.attributes.get("href") or ""
        resolved = resolve(page_url, href)
        if resolved:
            return resolved
    return page_url


def parse_srcset(value: str) -> list[str]:
    """The URLs of a `srcset` attribute (WHATWG "parse a srcset attribute", simplified)."""
    urls: list[str] = []
    pos, size = 0, len(value)
    while pos < size:
        while pos < size and (value[pos].isspace() or value[pos] == ","):
            pos += 1
        start = pos
        while pos < size and not value[pos].isspace():
            pos += 1
        url = value[start:pos].rstrip(",")
        if url:
            urls.append(url)
        if value[start:pos].endswith(","):
            continue
        # skip descriptors up to the next comma outside parentheses
        depth = 0
        while pos < size:
            ch = value[pos]
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth = max(depth - 1, 0)
            elif ch == "," and depth == 0:
                break
            pos += 1
    return urls


def _refresh_target(content: str) -> str | None:
    match = _REFRESH_URL.match(content)
    target = match.group(1).strip() if match else ""
    return target or None


def _raw_refs(node: LexborNode) -> list[tuple[str, str]]:
    tag = node.tag
    attrs = node.attributes
    if tag in ("a", "area", "link"):
        href = attrs.get("href")
        if tag == "link":
            rel = (attrs.get("rel") or "").lower()
            if any(r in rel for r in ("dns-prefetch", "preconnect")):
                return []
        return [("href", href)] if href else []
    if tag == "object":
        data = attrs.get("data")
        return [("data", data)] if data else []
    if tag == "meta":
        if (attrs.get("http-equiv") or "").lower() != "refresh":
            return []
        target = _refresh_target(attrs.get("content") or "")
        return [("content", target)] if target else []
    refs = [(name, value) for name in _SRC_ATTRS if (value := attrs.get(name))]
    srcset = attrs.get("srcset")
    if srcset:
        refs.extend(("srcset", url) for url in parse_srcset(srcset))
    return refs


def extract_links(tree: LexborHTMLParser, page_url: str,
                  encoding: str | None = None) -> tuple[Link, ...]:
    """Every fetchable URL the page refers to, in document order, without duplicates.

    `encoding` is the page's: queries are percent-encoded with it (see `encode_query`).
    """
    base = base_url(tree, page_url)
    seen: set[str] = set()
    links: list[Link] = []
    for node in tree.css(_SELECTOR):
        for attr, raw in _raw_refs(node):
            if is_ignored_scheme(raw):
                continue
            url = resolve(base, raw if raw.isascii() else encode_query(raw, encoding))
            if url is None or url in seen:
                continue
            seen.add(url)
            text = ""
            if node.tag in ("a", "area"):
                text = " ".join(node.text().split())[:_MAX_TEXT] or (
                    node.attributes.get("title") or "")
            links.append(Link(url=url, tag=node.tag or "", attr=attr, text=text))
    return tuple(links)
