"""The URL policy of a site's crawl: which URLs it requests, once each, and which it leaves alone.

`UrlPolicy` decides scope (the site's hosts plus configured extra hosts),
keys URLs for dedup (session ids stripped), and guards against crawler traps:
over-long URLs, repeating path segments, too many query variants of one path,
and endless calendars. It does no I/O.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Final

from ..settings import CrawlSettings
from .urls import host_of

# Extensions that are never parsed: checked with HEAD only.
ATTACHMENT_EXTENSIONS: Final = frozenset({
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et", "dps", "ofd", "odt", "ods",
    "odp", "rtf", "txt", "csv", "zip", "rar", "7z", "gz", "tar", "ceb", "cebx", "xml",
})
STATIC_EXTENSIONS: Final = frozenset({
    "jpg", "jpeg", "png", "gif", "bmp", "webp", "svg", "ico", "css", "js", "mjs", "mp3", "mp4",
    "avi", "wmv", "flv", "swf", "woff", "woff2", "ttf", "eot", "otf", "mov", "webm", "json",
})
CHECK_ONLY_TAGS: Final = frozenset({"img", "script", "link", "source", "video", "audio", "track",
                                    "embed", "object", "input"})
# ;jsessionid=… (Java), and ASP.NET's cookieless session segment /(S(…))/ — also
# (A(…)), (F(…)), (X(…)) and combinations like /(A(…)S(…))/
_SESSION_PATH: Final = re.compile(
    r";(?:jsessionid|sid|phpsessid)=[^/?#]*|/\((?:[A-Z]\([^()/?#]*\))+\)(?=/|$)", re.IGNORECASE)
_SESSION_PARAMS: Final = frozenset({"jsessionid", "phpsessid", "sid", "sessionid", "session_id",
                                    "aspsessionid", "sessid"})
_CALENDAR_HINT: Final = re.compile(r"calendar|rili|(?:^|[/_?&=.-])(?:cal|date|day|month)(?:$|[/_=&.-])",
                                   re.IGNORECASE)
_DIGITS: Final = re.compile(r"\d+")


def extension(url: str) -> str:
    path = url.split("?", 1)[0].split("#", 1)[0]
    last = path.rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[-1].lower() if "." in last else ""


def is_attachment(url: str) -> bool:
    return extension(url) in ATTACHMENT_EXTENSIONS


def dedup_key(url: str) -> str:
    """The URL with session ids removed: two URLs with the same key are one page."""
    url = _SESSION_PATH.sub("", url)
    if "?" not in url:
        return url
    head, _, query = url.partition("?")
    kept = [p for p in query.split("&") if p and p.split("=", 1)[0].lower() not in _SESSION_PARAMS]
    return head + ("?" + "&".join(kept) if kept else "")


@dataclass
class UrlPolicy:
    """Scope, dedup and trap rules for one site (the queue itself is the scheduler's)."""

    hosts: set[str]
    settings: CrawlSettings
    seen: set[str] = field(default_factory=set)
    query_variants: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    template_variants: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    trapped: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def in_scope(self, url: str) -> bool:
        return host_of(url) in self.hosts

    def add_host(self, host: str) -> None:
        self.hosts.add(host.lower())

    def first_visit(self, url: str) -> bool:
        """True the first time a URL (by dedup key) is seen; records it."""
        key = dedup_key(url)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def trap_reason(self, url: str) -> str | None:
        """Why `url` looks like part of a crawler trap, or `None`. Counts as it goes."""
        settings = self.settings
        reason: str | None = None
        path, _, query = url.partition("?")
        scheme_host, _, rest = path.partition("//")[2].partition("/")
        del scheme_host
        segments = [s for s in rest.split("/") if s]
        if len(url) > settings.max_url_length:
            reason = "url-length"
        elif segments and max(segments.count(s) for s in set(segments)) > settings.max_repeated_segments:
            reason = "repeated-segments"
        else:
            if query:
                self.query_variants[path] += 1
                if self.query_variants[path] > settings.max_query_variants:
                    reason = "query-variants"
            if reason is None and _CALENDAR_HINT.search(rest):
                template = _DIGITS.sub("N", path + "?" + query)
                self.template_variants[template] += 1
                if self.template_variants[template] > settings.max_query_variants:
                    reason = "calendar"
        if reason is not None:
            self.trapped[_DIGITS.sub("N", path)] += 1
        return reason
