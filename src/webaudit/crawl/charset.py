"""Turn a page's bytes into text, the way Chinese government pages need.

Order: BOM, then the HTTP header's charset, then `<meta charset>` /
`<meta http-equiv=Content-Type>`, then a strict UTF-8 decode, then a strict
GB18030 decode (a superset of GBK and GB2312), and only then a detector
(charset-normalizer). A declared charset is trusted only if the bytes decode
strictly with it: many GBK pages are served with a header that says UTF-8.
ISO-8859-1 (Tomcat's default) is trusted only after UTF-8 and GB18030 failed.
"""

from __future__ import annotations

import codecs
import re
from typing import Final

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.IGNORECASE
)
_BOMS: Final = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# WHATWG maps these labels to GB18030's superset decoders; Python's gb2312 is stricter.
_ALIASES: Final = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
                   "iso-8859-1": "cp1252", "latin1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252"}


# What ISO-8859-1, Latin-1 and US-ASCII labels mean (WHATWG: windows-1252). Tomcat and
# other servers send it by default, so on a Chinese page it is the least credible label:
# it is used only when neither UTF-8 nor GB18030 fits the bytes.
_WEAK: Final = "cp1252"


def _canonical(label: str) -> str | None:
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value:
            return _canonical(value)
    return None


def meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:4096])
    return _canonical(match.group(1).decode("ascii", "replace")) if match else None


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode `body`; returns (text, encoding used). Never raises."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(encoding, "replace"), encoding
    declared = [c for c in (header_charset(content_type), meta_charset(body)) if c]
    for encoding in declared:
        if encoding == _WEAK:
            continue  # almost any bytes decode as ISO-8859-1: no evidence, see below
        text = _strict(body, encoding)
        if text is not None:
            return text, encoding
    for encoding in ("utf-8", "gb18030"):
        # A body cut at max-bytes may end inside a multi-byte character: test a prefix.
        prefix = _strict(body, encoding) or _strict(body[: max(len(body) - 3, 0)], encoding)
        if prefix is not None and (encoding == "utf-8" or _looks_chinese(prefix)):
            return body.decode(encoding, "replace"), encoding
    if _WEAK in declared:
        return body.decode(_WEAK, "replace"), _WEAK
    from charset_normalizer import from_bytes

    best = from_bytes(body[:65536]).best()
    encoding = best.encoding if best is not None else (declared[0] if declared else "utf-8")
    return body.decode(encoding, "replace"), encoding


def _looks_chinese(text: str) -> bool:
    han = sum(1 for ch in text[:4000] if "\u4e00" <= ch <= "\u9fff")
    return han > 0
