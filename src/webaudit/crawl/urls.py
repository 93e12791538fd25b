"""URL resolution and normalisation as browsers do it (WHATWG URL standard, via ada-url).

`urllib.parse.urljoin` differs from browsers (it collapses `//` inside paths and
keeps `\\` as a path character), so every URL the crawler requests goes through
`resolve()` here. `normalize()` gives the dedup key: scheme and host lower-cased,
default port dropped, `.`/`..` segments resolved, fragment dropped, percent-escapes
upper-cased and unreserved characters unescaped (RFC 3986 §6.2.2).
"""

from __future__ import annotations

import re
from typing import Final

import ada_url

IGNORED_SCHEMES: Final = frozenset({"javascript:", "mailto:", "tel:", "data:", "sms:", "about:",
                                    "blob:", "file:", "ftp:", "weixin:", "callto:"})
_PCT = re.compile(r"%[0-9a-fA-F]{2}")
_UNRESERVED = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
)


def _fix_escape(match: re.Match[str]) -> str:
    char = chr(int(match.group(0)[1:], 16))
    return char if char in _UNRESERVED else match.group(0).upper()


def resolve(base: str, reference: str) -> str | None:
    """Resolve `reference` against `base` as a browser would; `None` if it is not fetchable.

    Returns an absolute http(s) URL without its fragment, or `None` for other
    schemes (`javascript:`, `mailto:`, …) and references that do not parse.
    """
    ref = reference.strip()
    if not ref or ref.startswith("#"):
        return None
    try:
        href = ada_url.join_url(base, ref)
    except ValueError:
        return None
    # ada's href is already WHATWG-normal; only the fragment and percent-escapes remain
    # (the per-link hot path: one C call instead of a second parse)
    if not href.startswith(("http://", "https://")):
        return None
    href = href.split("#", 1)[0]
    return normalize(href) if "%" in href else href


def encode_query(reference: str, encoding: str | None) -> str:
    """Percent-encode the non-ASCII characters of `reference`'s query in the page's encoding.

    The URL standard encodes a query with the document's encoding (UTF-8 only for
    UTF-8 and UTF-16 pages): a link ``search.jsp?keyword=公开`` on a GBK page is
    requested as ``?keyword=%B9%AB%BF%AA``, and GBK servers expect exactly that.
    Characters the encoding lacks become ``&#NNNN;`` first, as browsers do. The path
    and fragment are left alone (they are always UTF-8).
    """
    if reference.isascii() or not encoding or encoding.replace("_", "-").startswith(
            ("utf-8", "utf8", "utf-16")):
        return reference
    head, hash_, fragment = reference.partition("#")
    path, mark, query = head.partition("?")
    if not mark or query.isascii():
        return reference
    try:
        encoded = "".join(
            ch if ch.isascii() else "".join(f"%{b:02X}" for b in
                                            ch.encode(encoding, "xmlcharrefreplace"))
            for ch in query)
    except LookupError:
        return reference
    return f"{path}?{encoded}{hash_}{fragment}"


def normalize(url: str) -> str | None:
    """The canonical form of an absolute http(s) URL, or `None` if it isn't one."""
    try:
        parsed = ada_url.URL(url)
    except ValueError:
        return None
    if parsed.protocol not in ("http:", "https:") or not parsed.hostname:
        return None
    path = parsed.pathname or "/"
    search = parsed.search
    if "%" in path:
        path = _PCT.sub(_fix_escape, path)
    if "%" in search:
        search = _PCT.sub(_fix_escape, search)
    port = f":{parsed.port}" if parsed.port else ""
    userinfo = ""
    if parsed.username:
        userinfo = parsed.username + (f":{parsed.password}" if parsed.password else "") + "@"
    return f"{parsed.protocol}//{userinfo}{parsed.hostname}{port}{path}{search}"


def host_of(url: str) -> str:
    """The host name of an absolute URL (lower case; IPv6 without brackets)."""
    try:
        host = ada_url.URL(url).hostname
    except ValueError:
        return ""
    return host[1:-1] if host.startswith("[") else host


_IGNORED_PREFIXES: Final = tuple(IGNORED_SCHEMES)


def is_ignored_scheme(reference: str) -> bool:
    return reference.lstrip()[:12].lower().startswith(_IGNORED_PREFIXES)
