"""The site model that the test HTTP server serves: virtual hosts of path → `Resource`.

A `SiteSpec` is plain data, JSON-serialisable, because the server runs in a
subprocess (`python -m webaudit.sitekit.httpserver SPEC.json`). Bodies and
headers may contain `PORT_TOKEN`; the server replaces it with the port it is
listening on, so pages can carry absolute links (`http://www.gov.cn:__PORT__/`)
to hosts it serves itself. Standard library only: the demo runs without the
test extras.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Final, Literal, get_args

PORT_TOKEN: Final = "__PORT__"

Behaviour = Literal[
    "redirect", "fail-then-ok", "retry-after", "stall", "stall-headers", "stall-body", "big",
    "gzip-bomb", "calendar", "session", "request-header",
]
BEHAVIOURS: Final[frozenset[str]] = frozenset(get_args(Behaviour))


@dataclass
class Resource:
    """What the server answers for one path of one host.

    `body` is sent as is when it is bytes; a str body is encoded with `charset`.
    Without a `Content-Type` in `headers` the server sends `text/html; charset=…`
    for pages and a type guessed from the extension for files. `behaviour` names a
    special answer (see the module docstring of `webaudit.sitekit.httpserver`):

    - ``redirect``: `status` (301/302/…) with `Location: location`;
    - ``fail-then-ok``: `fail_status` (500) for the first `fail_count` requests, then
      the resource;
    - ``retry-after``: 429 with `Retry-After: retry_after` for the first `fail_count`
      requests (default 1), then the resource;
    - ``stall-headers`` / ``stall-body``: sleep `stall_seconds` before the status line,
      or after the headers and before the body (``stall`` is ``stall-body``);
    - ``big``: `size` bytes, streamed (`chunked` or Content-Length): `body` repeated, or
      HTML-ish filler when `body` is empty;
    - ``gzip-bomb``: gzip of `size` zero bytes (default 200 MB), `Content-Encoding: gzip`;
    - ``calendar``: an endless calendar (`?date=YYYY-MM-DD` or `/YYYY/MM/` below the key);
    - ``session``: `body` with a fresh `;jsessionid=` (or `?sid=` when `session_style`
      is ``"sid"``, or an ASP.NET ``/(S(…))`` path prefix when it is ``"aspnet"``) in
      every root-relative link, on every request;
    - ``request-header``: the value of the request's `request_header` header as the body
      (`body` when the request has none), e.g. to see which cookies a client sends.

    Counters (fail-then-ok, retry-after) are per host and path with query: the same
    path under different queries (``/flaky?key=a``, ``/flaky?key=b``) counts apart.
    A key ending in ``*`` matches every path that starts with the rest of it.
    `head_status` answers HEAD with that status instead (servers that get HEAD wrong:
    405, 404, 500…), with `Allow: GET` for 405 and `head_body` sent even so when set
    (as some servers do: a client must not reuse that connection). `close` closes
    the connection after the answer without announcing it (no ``Connection: close``).
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | str = b""
    charset: str = "utf-8"
    behaviour: Behaviour | None = None
    location: str | None = None
    fail_count: int = 1
    retry_after: int = 1
    stall_seconds: float = 30.0
    size: int = 0
    chunked: bool = False
    session_style: Literal["jsessionid", "sid", "aspnet"] = "jsessionid"
    fail_status: int = 500
    head_status: int | None = None
    head_body: str = ""
    request_header: str = "Cookie"
    close: bool = False

    def __post_init__(self) -> None:
        if self.behaviour is not None and self.behaviour not in BEHAVIOURS:
            raise ValueError(f"unknown behaviour {self.behaviour!r}")
        if self.behaviour == "redirect" and self.location is None:
            raise ValueError("a redirect needs a location")
        if self.head_body and self.head_status is None:
            raise ValueError("head_body needs a head_status")

    def body_bytes(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return self.body.encode(self.charset)

    def to_dict(self) -> dict[str, Any]:
        """Only the fields that differ from the defaults; bytes bodies as base64."""
        default = _DEFAULT_RESOURCE
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value == getattr(default, f.name):
                continue
            if f.name == "body" and isinstance(value, bytes):
                out["body_b64"] = base64.b64encode(value).decode("ascii")
            else:
                out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Resource:
        data = dict(data)
        if "body_b64" in data:
            data["body"] = base64.b64decode(data.pop("body_b64"))
        return cls(**data)


_DEFAULT_RESOURCE: Final = Resource()


def redirect(location: str, status: int = 301) -> Resource:
    return Resource(status=status, behaviour="redirect", location=location)


@dataclass
class SiteSpec:
    """Virtual hosts (by Host header, without port), each a mapping path → `Resource`.

    `robots` holds each host's robots.txt text (no entry: /robots.txt is a 404).
    `default_host` answers requests whose Host is missing or an IP literal.
    `echo_request` makes every response tell what the server saw of its request:
    ``X-Server-Addr`` (the address it arrived on), ``X-Host`` (the Host header as
    sent), ``X-Method``, ``X-SNI`` (the TLS server name, empty without TLS) and
    ``X-Accept-Encoding``.
    """

    hosts: dict[str, dict[str, Resource]] = field(default_factory=dict)
    robots: dict[str, str] = field(default_factory=dict)
    default_host: str | None = None
    echo_request: bool = False

    def add(self, host: str, path: str, resource: Resource) -> Resource:
        self.hosts.setdefault(host.lower(), {})[path] = resource
        return resource

    def host(self, host: str) -> dict[str, Resource]:
        return self.hosts.setdefault(host.lower(), {})

    def lookup(self, host: str, path: str, query: str = "") -> Resource | None:
        """The resource for a request (see `SpecIndex.lookup`); builds an index each call."""
        return SpecIndex(self).lookup(host, path, query)

    def to_dict(self) -> dict[str, Any]:
        return {
            "hosts": {h: {p: r.to_dict() for p, r in res.items()} for h, res in self.hosts.items()},
            "robots": dict(self.robots),
            "default_host": self.default_host,
            "echo_request": self.echo_request,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SiteSpec:
        hosts = {
            h: {p: Resource.from_dict(r) for p, r in res.items()}
            for h, res in data.get("hosts", {}).items()
        }
        return cls(hosts=hosts, robots=dict(data.get("robots", {})),
                   default_host=data.get("default_host"),
                   echo_request=bool(data.get("echo_request", False)))

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> SiteSpec:
        return cls.from_dict(json.loads(text))

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(self.to_json(), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> SiteSpec:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))

    def merge(self, other: SiteSpec) -> SiteSpec:
        """Add `other`'s hosts, paths and robots to this spec (its entries win)."""
        for host, resources in other.hosts.items():
            self.host(host).update(resources)
        self.robots.update(other.robots)
        self.default_host = self.default_host or other.default_host
        self.echo_request = self.echo_request or other.echo_request
        return self


class SpecIndex:
    """Fast lookups in a spec that no longer changes (the server, the reference crawl)."""

    def __init__(self, spec: SiteSpec) -> None:
        self.spec = spec
        self._prefixes = {
            host: sorted((k for k in res if k.endswith("*")), key=len, reverse=True)
            for host, res in spec.hosts.items()
        }

    def lookup(self, host: str, path: str, query: str = "") -> Resource | None:
        """Exact `path?query`, then `path`, then the longest ``prefix*`` key that
        `path?query` starts with."""
        found = self.find(host, path, query)
        return found[1] if found else None

    def find(self, host: str, path: str, query: str = "") -> tuple[str, Resource] | None:
        """Like `lookup`, with the key that matched."""
        host = host.lower()
        resources = self.spec.hosts.get(host)
        if resources is None:
            return None
        target = f"{path}?{query}" if query else path
        for key in (target, path):
            if key in resources:
                return key, resources[key]
        for key in self._prefixes.get(host, ()):
            if target.startswith(key[:-1]):
                return key, resources[key]
        return None
