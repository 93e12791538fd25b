"""What a correct crawl of a generated site must find: `Expected`, computed by a
reference crawl over the generator's own record of every page's links.

The reference crawl does no I/O. It starts at the homepage, expands in-scope
pages it can parse, and classifies every link target the way the server will
answer it (status, redirects, behaviours), the way the test DNS will resolve it
(NXDOMAIN, private addresses) and the way robots.txt rules it. URLs are as a
WHATWG parser serialises them (non-ASCII percent-encoded as UTF-8) and carry
`PORT_TOKEN` until `Expected.with_port(port)`. Standard library only.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal
from urllib.parse import quote, unquote, urljoin, urlsplit

from .spec import PORT_TOKEN, SiteSpec, SpecIndex

BrokenKind = Literal["status", "dns", "redirect-loop", "too-many-redirects", "soft-404",
                     "private-address", "timeout"]
_MAX_REDIRECTS: Final = 10
_SAFE: Final = ":/?#[]@!$&'()*+,;=%~"


def canonical(url: str) -> str:
    """`url` with non-ASCII characters percent-encoded (UTF-8), as a browser requests it."""
    return url if url.isascii() and " " not in url else quote(url, safe=_SAFE)


@dataclass(frozen=True)
class BrokenTarget:
    """A link target a correct audit reports as broken, and why."""

    url: str
    kind: BrokenKind
    status: int | None = None
    referrers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Expected:
    """The exact outcome a correct crawl of a generated site must reach.

    - `broken`: target URL → `BrokenTarget` (kind ``status`` with the final status code,
      ``dns`` for NXDOMAIN, ``redirect-loop``, ``soft-404``, ``private-address``, ``timeout``);
    - `homepage_links` / `homepage_broken`: targets linked from the homepage (and broken);
    - `never_requested`: URL → reason (``robots``, ``private-address``, ``comment``,
      ``script``): the server must never see these;
    - `healthy`: every target that must *not* be reported broken;
    - `pages`: in-scope HTML pages a correct crawler parses (traps aside);
    - `flaky`: URL → requests a correct crawler needs (fail-then-ok, retry-after);
    - `redirects`: first URL of a working redirect chain → final URL;
    - `oversized`: URL → ``max-bytes`` / ``decompressed-size`` (bodies that must be cut);
    - `titles` / `charsets`: of each page (charset as served: ``utf-8``, ``gbk``);
    - `links`: page URL → the targets a correct parser extracts, in document order,
      each once;
    - `trap_prefix` / `session_prefix`: where the calendar and session-id traps live
      (a correct crawler requests only a bounded number of URLs below them);
    - `zone`: the DNS names and addresses the test DNS server must answer.
    """

    homepage: str
    hosts: tuple[str, ...]
    pages: frozenset[str]
    healthy: frozenset[str]
    broken: Mapping[str, BrokenTarget]
    homepage_links: frozenset[str]
    homepage_broken: frozenset[str]
    never_requested: Mapping[str, str]
    flaky: Mapping[str, int] = field(default_factory=dict)
    redirects: Mapping[str, str] = field(default_factory=dict)
    oversized: Mapping[str, str] = field(default_factory=dict)
    titles: Mapping[str, str] = field(default_factory=dict)
    charsets: Mapping[str, str] = field(default_factory=dict)
    links: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    trap_prefix: str | None = None
    session_prefix: str | None = None
    zone: Mapping[str, list[str]] = field(default_factory=dict)
    port: int | None = None

    def with_port(self, port: int) -> Expected:
        """The same expectations with the server's real port in every URL."""
        return _substitute(self, PORT_TOKEN, str(port), port)  # type: ignore[no-any-return]

    def broken_of_kind(self, kind: str) -> set[str]:
        return {url for url, b in self.broken.items() if b.kind == kind}


def _substitute(value: Any, token: str, text: str, port: int) -> Any:
    if isinstance(value, str):
        return value.replace(token, text)
    if isinstance(value, dict):
        return {_substitute(k, token, text, port): _substitute(v, token, text, port)
                for k, v in value.items()}
    if isinstance(value, tuple | list | frozenset | set):
        return type(value)(_substitute(v, token, text, port) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _substitute(getattr(value, f.name), token, text, port)
                   for f in dataclasses.fields(value)}
        if "port" in changes:
            changes["port"] = port
        return dataclasses.replace(value, **changes)
    return value


@dataclass
class PageRecord:
    """What a generator knows about one HTML page it wrote."""

    title: str
    charset: str
    links: list[str]
    hidden: dict[str, str] = field(default_factory=dict)


@dataclass
class _Outcome:
    kind: Literal["ok", "broken", "never", "oversized"]
    final: str
    detail: str | None = None  # broken kind / never reason / oversized reason
    status: int | None = None
    attempts: int = 1
    hops: int = 0


class ReferenceCrawl:
    """Classify targets against a spec and a zone; compute `Expected`."""

    def __init__(self, spec: SiteSpec, records: Mapping[str, PageRecord], *, homepage: str,
                 zone: Mapping[str, list[str]], soft_404: Iterable[str] = (),
                 trap_prefix: str | None = None, session_prefix: str | None = None) -> None:
        self.spec = spec
        self.index = SpecIndex(spec)
        self.records = {canonical(u): r for u, r in records.items()}
        self.homepage = canonical(homepage)
        self.hosts = (urlsplit(homepage).hostname or "",)
        self.zone = {k: list(v) for k, v in zone.items()}
        self.soft_404 = {canonical(u) for u in soft_404}
        self.trap_prefix = trap_prefix
        self.session_prefix = session_prefix
        self.disallowed = {
            host: [line.split(":", 1)[1].strip() for line in text.splitlines()
                   if line.lower().startswith("disallow:") and line.split(":", 1)[1].strip()]
            for host, text in spec.robots.items()
        }

    def classify(self, url: str) -> _Outcome:
        seen: list[str] = []
        current = url
        while True:
            parts = urlsplit(current)
            host = (parts.hostname or "").lower()
            if _private(host) or (host in self.zone and all(map(_private, self.zone[host]))):
                return _Outcome("never", current, "private-address")
            if host not in self.zone:
                return _Outcome("broken", current, "dns")
            if host in self.hosts:
                path = parts.path or "/"
                if any(path.startswith(p) for p in self.disallowed.get(host, ())):
                    return _Outcome("never", current, "robots")
            resource = self.index.lookup(host, unquote(parts.path or "/"), unquote(parts.query))
            if host not in self.spec.hosts or resource is None:
                return _Outcome("broken", current, "status", 404, hops=len(seen))
            if resource.behaviour == "redirect":
                seen.append(current)
                target = canonical(urljoin(current, resource.location or "/"))
                if target in seen:
                    return _Outcome("broken", current, "redirect-loop")
                if len(seen) > _MAX_REDIRECTS:
                    return _Outcome("broken", current, "too-many-redirects")
                current = target
                continue
            return self._final(current, resource.behaviour, resource.status, resource.fail_count,
                               len(seen))

    def _final(self, url: str, behaviour: str | None, status: int, fail_count: int,
               hops: int) -> _Outcome:
        if behaviour in ("stall", "stall-headers", "stall-body"):
            return _Outcome("broken", url, "timeout", hops=hops)
        if behaviour == "big":
            return _Outcome("oversized", url, "max-bytes", status, hops=hops)
        if behaviour == "gzip-bomb":
            return _Outcome("oversized", url, "decompressed-size", status, hops=hops)
        if status >= 400:
            return _Outcome("broken", url, "status", status, hops=hops)
        if url in self.soft_404:
            return _Outcome("broken", url, "soft-404", status, hops=hops)
        attempts = fail_count + 1 if behaviour in ("fail-then-ok", "retry-after") else 1
        return _Outcome("ok", url, status=status, attempts=attempts, hops=hops)

    def run(self) -> Expected:
        outcomes: dict[str, _Outcome] = {}
        referrers: dict[str, dict[str, None]] = {}  # target -> referring pages, ordered
        never: dict[str, str] = {}
        pages: list[str] = []
        parsed: set[str] = set()
        queue = deque([self.homepage])
        referrers[self.homepage] = {}
        while queue:
            url = queue.popleft()
            outcome = outcomes[url] = self.classify(url)
            page = outcome.final if outcome.kind == "ok" else None
            if page is None or page not in self.records:
                continue
            if urlsplit(page).hostname not in self.hosts:
                continue
            if page in parsed:
                continue
            parsed.add(page)
            pages.append(page)
            record = self.records[page]
            never.update({canonical(u): why for u, why in record.hidden.items()})
            for target in map(canonical, record.links):
                if target not in referrers:
                    referrers[target] = {}
                    queue.append(target)
                referrers[target][page] = None
        return self._expected(outcomes, referrers, never, pages)

    def _expected(self, outcomes: dict[str, _Outcome], referrers: dict[str, dict[str, None]],
                  never: dict[str, str], pages: list[str]) -> Expected:
        broken: dict[str, BrokenTarget] = {}
        for url, o in outcomes.items():
            if o.kind == "broken":
                kind: Any = o.detail
                broken[url] = BrokenTarget(url, kind, o.status, tuple(referrers[url]))
            elif o.kind == "never":
                never[url] = o.detail or "robots"
                if o.detail == "private-address":
                    broken[url] = BrokenTarget(url, "private-address", None,
                                               tuple(referrers[url]))
        home = self.records.get(self.homepage)
        home_links = frozenset(map(canonical, home.links)) if home else frozenset()
        return Expected(
            homepage=self.homepage,
            hosts=self.hosts,
            pages=frozenset(pages),
            healthy=frozenset(u for u, o in outcomes.items() if o.kind == "ok"),
            broken=broken,
            homepage_links=home_links,
            homepage_broken=frozenset(u for u in home_links if u in broken),
            never_requested=never,
            flaky={u: o.attempts for u, o in outcomes.items() if o.attempts > 1},
            redirects={u: o.final for u, o in outcomes.items() if o.kind == "ok" and o.hops},
            oversized={u: o.detail or "" for u, o in outcomes.items() if o.kind == "oversized"},
            titles={u: self.records[u].title for u in pages},
            charsets={u: self.records[u].charset for u in pages},
            links={u: tuple(dict.fromkeys(map(canonical, self.records[u].links))) for u in pages},
            trap_prefix=self.trap_prefix,
            session_prefix=self.session_prefix,
            zone=self.zone,
        )


def _private(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_loopback and (address.is_private or address.is_link_local)
