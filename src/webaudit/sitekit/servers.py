"""Handles on running site-kit servers (HTTP and DNS) and the functions that start them.

Only loopback addresses are ever used. Standard library only (the DNS child
needs dnslib; this module does not).
"""

from __future__ import annotations

import functools
import json
import os
import ssl
import tempfile
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .process import LOOPBACK, READY_TIMEOUT, ServerHandle, ServerProcess, ipv6_available
from .spec import SiteSpec

CertFiles = tuple[str | os.PathLike[str], str | os.PathLike[str]]
"""A certificate chain file and its private key file (PEM; both may be the same file)."""


@functools.cache
def _opener() -> urllib.request.OpenerDirector:
    """urllib for the servers' own ``/__stats`` and ``/__reset``: never through a proxy from
    the environment, and over TLS without verifying the test certificate."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                       urllib.request.HTTPSHandler(context=context))


@dataclass(frozen=True)
class RequestStats:
    """Request counts from the HTTP server's ``/__stats``."""

    rows: tuple[tuple[str, str, str, int], ...]  # (host, path, method, count)
    connections: int = 0  # connections that carried at least one request for a site
    peak_in_flight: Mapping[str, int] = field(default_factory=dict)  # host → most answered at once

    @property
    def total(self) -> int:
        return sum(row[3] for row in self.rows)

    def count(self, url: str, method: str | None = None, *, host: str | None = None) -> int:
        """Requests for `url` (a full URL, or a path with `host`), by `method` or all."""
        if "://" in url:
            parts = urlsplit(url)
            host = parts.hostname or ""
            url = unquote(parts.path or "/") + (f"?{unquote(parts.query)}" if parts.query else "")
        return sum(
            n for h, p, m, n in self.rows
            if p == url and (host is None or h == host.lower()) and method in (None, m)
        )

    def paths(self, host: str | None = None) -> set[str]:
        """Every path (with query) that was requested, on `host` or on any host."""
        return {p for h, p, _, _ in self.rows if host is None or h == host.lower()}

    def with_prefix(self, prefix: str, host: str | None = None) -> int:
        """Requests whose path starts with `prefix` (e.g. a trap's)."""
        return sum(n for h, p, _, n in self.rows
                   if p.startswith(prefix) and (host is None or h == host.lower()))


class RunningServer(ServerHandle):
    """A running ``webaudit.sitekit.httpserver``; a context manager that stops it."""

    def __init__(self, spec: SiteSpec, hosts: Sequence[str], port: int = 0,
                 timeout: float = READY_TIMEOUT, tls: CertFiles | None = None) -> None:
        self.spec = spec
        workdir = Path(tempfile.mkdtemp(prefix="webaudit-http-"))
        spec_path = spec.save(workdir / "spec.json")
        args = [str(spec_path), "--port", str(port)]
        for host in hosts:
            args += ["--host", host]
        if tls is not None:
            args += ["--tls-cert", os.fspath(tls[0]), "--tls-key", os.fspath(tls[1])]
        self._child = ServerProcess("webaudit.sitekit.httpserver", args, workdir, timeout)
        self.port: int = self._child.ready["port"]
        self.pid: int = self._child.pid
        self.addresses: tuple[str, ...] = tuple(self._child.ready["addresses"])
        self.ipv6 = "::1" in self.addresses
        self.scheme = "https" if tls is not None else "http"

    def url(self, host: str, path: str = "/", scheme: str | None = None) -> str:
        """``http://host:PORT/path`` (``https`` for a TLS server): what a crawler would request."""
        return f"{scheme or self.scheme}://{host}:{self.port}{path}"

    def _request(self, method: str, path: str) -> bytes:
        request = urllib.request.Request(f"{self.scheme}://127.0.0.1:{self.port}{path}",
                                         method=method)
        with _opener().open(request, timeout=10) as response:
            body: bytes = response.read()
            return body

    def stats(self) -> RequestStats:
        """How often each (host, path, method) was requested so far, and on how many
        connections."""
        data = json.loads(self._request("GET", "/__stats"))
        return RequestStats(tuple((r["host"], r["path"], r["method"], r["count"])
                                  for r in data["requests"]), data.get("connections", 0),
                            data.get("peak_in_flight", {}))

    def reset(self) -> None:
        """Forget request and connection counts and behaviour state (fail-then-ok starts
        failing again)."""
        self._request("POST", "/__reset")


class RunningDNS(ServerHandle):
    """A running ``webaudit.sitekit.dnsserver`` on 127.0.0.1; a context manager."""

    def __init__(self, zone: Mapping[str, Any], port: int = 0,
                 timeout: float = READY_TIMEOUT) -> None:
        self.zone = dict(zone)
        workdir = Path(tempfile.mkdtemp(prefix="webaudit-dns-"))
        zone_path = workdir / "zone.json"
        zone_path.write_text(json.dumps(self.zone), encoding="utf-8")
        self._stats_path = workdir / "stats.json"
        args = [str(zone_path), "--port", str(port), "--stats", str(self._stats_path)]
        self._child = ServerProcess("webaudit.sitekit.dnsserver", args, workdir, timeout)
        self.port: int = self._child.ready["port"]
        self.pid: int = self._child.pid
        self.nameserver = f"127.0.0.1:{self.port}"

    def stats(self) -> dict[str, int]:
        """Queries so far, by ``"name TYPE"`` (names lower-case, no trailing dot)."""
        try:
            data = json.loads(self._stats_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        queries: dict[str, int] = data["queries"]
        return queries


def start_http_server(spec: SiteSpec, *, hosts: Iterable[str] = LOOPBACK, port: int = 0,
                      tls: CertFiles | None = None,
                      timeout: float = READY_TIMEOUT) -> RunningServer:
    """Serve `spec` on each of `hosts` (one port for all); ::1 is dropped when unavailable.

    With `tls` (certificate chain file, key file: PEM) the server speaks HTTPS only and
    records the SNI name of each connection (``X-SNI`` when `spec.echo` is on).
    """
    chosen = [h for h in hosts if h != "::1" or ipv6_available()] or ["127.0.0.1"]
    for host in chosen:
        if host not in LOOPBACK:
            raise ValueError(f"test servers listen on loopback only, not {host!r}")
    return RunningServer(spec, chosen, port, timeout, tls)


def start_dns_server(zone: Mapping[str, Any], *, silent: Iterable[str] = (),
                     nxdomain: bool = True, port: int = 0,
                     timeout: float = READY_TIMEOUT) -> RunningDNS:
    """Answer `zone` (name → addresses) on 127.0.0.1; `silent` names never get an answer,
    other names get NXDOMAIN (or REFUSED when `nxdomain` is false)."""
    data: dict[str, Any] = dict(zone)
    if silent:
        data["__silent__"] = sorted({*data.get("__silent__", ()), *silent})
    data.setdefault("__nxdomain__", nxdomain)
    return RunningDNS(data, port, timeout)
