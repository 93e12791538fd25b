"""Bodies the test HTTP server makes up on the fly: calendar traps, session ids,
streamed filler and the gzip bomb.

Standard library only. Nothing here touches sockets; `handler` writes what
these functions return.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import tempfile
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Final

DEFAULT_BOMB_SIZE: Final = 200 * 1024 * 1024
CALENDAR_START: Final = dt.date(2024, 5, 12)
_FILLER_LINE: Final = "<p>政务公开 信息公开 填充内容 filler content 0123456789</p>\n".encode()
_HREF: Final = re.compile(rb"""(href\s*=\s*["'])(/[^"'#?]*)(\?[^"'#]*)?""", re.IGNORECASE)
_bomb_lock = threading.Lock()


def calendar_page(prefix: str, target: str) -> str:
    """A calendar day or month page under `prefix` (the resource key without ``*``).

    `target` is the requested path with query. ``prefix?date=2024-05-12`` shows a
    day and links to the previous and next day and the month;
    ``prefix/2024/05/`` shows a month and links to the previous and next month
    and its days. Every link leads to another page of the same kind, forever.
    """
    base = prefix.split("?", 1)[0].rstrip("/")
    rest = target[len(base):]
    month = re.match(r"/(\d{4})/(\d{1,2})/?", rest)
    day_match = re.search(r"date=(\d{4})-(\d{1,2})-(\d{1,2})", rest)
    links: list[tuple[str, str]] = []
    if month:
        year, mon = int(month.group(1)), max(1, min(12, int(month.group(2))))
        first = dt.date(year, mon, 1)
        prev_m = (first - dt.timedelta(days=1)).replace(day=1)
        next_m = (first + dt.timedelta(days=32)).replace(day=1)
        title = f"活动日历 {year}年{mon}月"
        links.append((f"{base}/{prev_m:%Y/%m}/", "上一月"))
        links.append((f"{base}/{next_m:%Y/%m}/", "下一月"))
        day = first
        while day.month == mon:
            links.append((f"{base}?date={day:%Y-%m-%d}", f"{day.day}日"))
            day += dt.timedelta(days=1)
    else:
        try:
            day = dt.date(*(int(g) for g in day_match.groups())) if day_match else CALENDAR_START
        except ValueError:
            day = CALENDAR_START
        title = f"活动日历 {day.year}年{day.month}月{day.day}日"
        for delta, label in ((-1, "前一天"), (1, "后一天")):
            other = day + dt.timedelta(days=delta)
            links.append((f"{base}?date={other:%Y-%m-%d}", label))
        links.append((f"{base}/{day:%Y/%m}/", "本月"))
    items = "\n".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
        f'</head><body><h1>{title}</h1><p>本日暂无活动安排。</p><ul>\n{items}\n</ul>'
        '<p><a href="/">返回首页</a></p></body></html>\n'
    )


def add_session_ids(body: bytes, style: str) -> bytes:
    """Append a fresh session id to every root-relative link in `body`."""

    def fresh(match: re.Match[bytes]) -> bytes:
        token = secrets.token_hex(8).upper().encode()
        start, path, query = match.group(1), match.group(2), match.group(3) or b""
        if style == "sid":
            query = (query + b"&" if query else b"?") + b"sid=" + token.lower()
            return start + path + query
        if style == "aspnet":  # cookieless ASP.NET: /(S(token))/path
            return start + b"/(S(" + token.lower() + b"))" + path + query
        return start + path + b";jsessionid=" + token + query

    return _HREF.sub(fresh, body)


def strip_session_path(path: str) -> str:
    """Drop `;jsessionid=…` path parameters and a leading ASP.NET `/(S(…))` segment, as
    Java and ASP.NET servers do before routing."""
    path = re.sub(r"^/\((?:[A-Z]\([^()/]*\))+\)(?=/)", "", path)
    return re.sub(r";(?:jsessionid|sid)=[^/]*", "", path, flags=re.IGNORECASE)


def filler(size: int, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """`size` bytes of HTML-ish filler in pieces of at most `chunk` bytes."""
    head = b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>big</title></head><body>\n'
    block = (head + _FILLER_LINE * (chunk // len(_FILLER_LINE) + 1))[:chunk]
    body_block = (_FILLER_LINE * (chunk // len(_FILLER_LINE) + 1))[:chunk]
    sent = 0
    first = True
    while sent < size:
        piece = block if first else body_block
        first = False
        piece = piece[: size - sent]
        sent += len(piece)
        yield piece


def repeated(unit: bytes, size: int, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """`size` bytes of `unit` over and over, in pieces of about `chunk` bytes."""
    block = unit * max(1, chunk // len(unit))
    sent = 0
    while sent < size:
        piece = block[: size - sent]
        sent += len(piece)
        yield piece


def gzip_bomb(size: int = DEFAULT_BOMB_SIZE) -> Path:
    """A gzip file of `size` zero bytes, built once and cached in the temp directory.

    Built by streaming 1 MiB blocks through zlib, so it never holds `size` bytes.
    Safe against other processes building the same file (write, then rename).
    """
    path = Path(tempfile.gettempdir()) / f"webaudit-gzip-bomb-{size}.gz"
    with _bomb_lock:
        if path.exists():
            return path
        compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip wrapper
        block = bytes(1024 * 1024)
        fd, tmp = tempfile.mkstemp(prefix=path.name, dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                left = size
                while left > 0:
                    piece = block if left >= len(block) else bytes(left)
                    out.write(compressor.compress(piece))
                    left -= len(piece)
                out.write(compressor.flush())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return path
