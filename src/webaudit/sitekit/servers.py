"""Start and stop the loopback test servers (HTTP and DNS) as subprocesses.

Each server is ``sys.executable -m webaudit.sitekit.<program>``; the parent
waits for the one JSON "ready" line, and stops the child by its PID (SIGTERM,
then SIGKILL after 5 s). A server that is never stopped explicitly is stopped
when its handle is garbage-collected or the interpreter exits. The child's
stderr goes to a file; `.errors()` reads it and `stop()` copies it to our
stderr, so a server-side traceback is never lost.

Only loopback addresses are ever used. Standard library only (the DNS child
needs dnslib; this module does not).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self
from urllib.parse import unquote, urlsplit

from .expected import Expected
from .spec import SiteSpec

READY_TIMEOUT: Final = 10.0
STOP_TIMEOUT: Final = 5.0
LOOPBACK: Final = ("127.0.0.1", "::1")
# Never let a proxy from the environment see a request meant for loopback.
_OPENER: Final = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ServerStartError(RuntimeError):
    """A test server did not print its ready line in time (or exited first)."""


@functools.cache
def ipv6_available() -> bool:
    """Whether this machine can listen on ::1."""
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


class _Child:
    """One server subprocess: start, wait for the ready line, stop by PID."""

    def __init__(self, module: str, args: Sequence[str], workdir: Path,
                 timeout: float = READY_TIMEOUT) -> None:
        self.workdir = workdir
        self.stderr_path = workdir / "stderr.txt"
        src_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src_root, env.get("PYTHONPATH")) if p)
        with self.stderr_path.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", module, *args],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, env=env,
                cwd=workdir,
            )
        self.pid = self.proc.pid
        self._finalizer = weakref.finalize(self, _terminate, self.proc, workdir)
        try:
            self.ready = self._read_ready(timeout)
        except BaseException as exc:
            message = self.errors().strip()[-2000:]
            self.stop(relay=False)
            detail = f"{module}: {exc}" + (f"\n{message}" if message else "")
            raise ServerStartError(detail) from exc

    def _read_ready(self, timeout: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        buffer = b""
        while b"\n" not in buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ServerStartError(f"no ready line within {timeout} s")
            readable, _, _ = select.select([fd], [], [], left)
            if readable:
                chunk = os.read(fd, 4096)
                if not chunk:
                    raise ServerStartError(f"exited with code {self.proc.wait()} before ready")
                buffer += chunk
        ready: dict[str, Any] = json.loads(buffer.split(b"\n", 1)[0])
        return ready

    def errors(self) -> str:
        """What the child wrote to stderr so far."""
        try:
            return self.stderr_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, relay: bool = True) -> None:
        text = self.errors() if relay and self._finalizer.alive else ""
        self._finalizer()
        if text:
            sys.stderr.write(text)


def _terminate(proc: subprocess.Popen[bytes], workdir: Path) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()
    shutil.rmtree(workdir, ignore_errors=True)


@dataclass(frozen=True)
class RequestStats:
    """Request counts from the HTTP server's ``/__stats``."""

    rows: tuple[tuple[str, str, str, int], ...]  # (host, path, method, count)

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


class _ChildHandle:
    """What every server handle shares: stop by PID, stderr, context manager."""

    _child: _Child

    def errors(self) -> str:
        """What the server wrote to stderr (tracebacks of handler errors)."""
        return self._child.errors()

    @property
    def alive(self) -> bool:
        return self._child.alive

    def stop(self) -> None:
        """Stop the server (idempotent): SIGTERM, wait 5 s, SIGKILL."""
        self._child.stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


class RunningServer(_ChildHandle):
    """A running ``webaudit.sitekit.httpserver``; a context manager that stops it."""

    def __init__(self, spec: SiteSpec, hosts: Sequence[str], port: int = 0,
                 timeout: float = READY_TIMEOUT) -> None:
        self.spec = spec
        workdir = Path(tempfile.mkdtemp(prefix="webaudit-http-"))
        spec_path = spec.save(workdir / "spec.json")
        args = [str(spec_path), "--port", str(port)]
        for host in hosts:
            args += ["--host", host]
        self._child = _Child("webaudit.sitekit.httpserver", args, workdir, timeout)
        self.port: int = self._child.ready["port"]
        self.pid: int = self._child.pid
        self.addresses: tuple[str, ...] = tuple(self._child.ready["addresses"])
        self.ipv6 = "::1" in self.addresses

    def url(self, host: str, path: str = "/", scheme: str = "http") -> str:
        """``http://host:PORT/path``: the URL a crawler would request."""
        return f"{scheme}://{host}:{self.port}{path}"

    def _request(self, method: str, path: str) -> bytes:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method)
        with _OPENER.open(request, timeout=10) as response:
            body: bytes = response.read()
            return body

    def stats(self) -> RequestStats:
        """How often each (host, path, method) was requested so far."""
        data = json.loads(self._request("GET", "/__stats"))
        return RequestStats(tuple((r["host"], r["path"], r["method"], r["count"])
                                  for r in data["requests"]))

    def reset(self) -> None:
        """Forget request counts and behaviour state (fail-then-ok starts failing again)."""
        self._request("POST", "/__reset")


class RunningDNS(_ChildHandle):
    """A running ``webaudit.sitekit.dnsserver`` on 127.0.0.1; a context manager."""

    def __init__(self, zone: Mapping[str, Any], port: int = 0,
                 timeout: float = READY_TIMEOUT) -> None:
        self.zone = dict(zone)
        workdir = Path(tempfile.mkdtemp(prefix="webaudit-dns-"))
        zone_path = workdir / "zone.json"
        zone_path.write_text(json.dumps(self.zone), encoding="utf-8")
        self._stats_path = workdir / "stats.json"
        args = [str(zone_path), "--port", str(port), "--stats", str(self._stats_path)]
        self._child = _Child("webaudit.sitekit.dnsserver", args, workdir, timeout)
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
                      timeout: float = READY_TIMEOUT) -> RunningServer:
    """Serve `spec` on each of `hosts` (one port for all); ::1 is dropped when unavailable."""
    chosen = [h for h in hosts if h != "::1" or ipv6_available()] or ["127.0.0.1"]
    for host in chosen:
        if host not in LOOPBACK:
            raise ValueError(f"test servers listen on loopback only, not {host!r}")
    return RunningServer(spec, chosen, port, timeout)


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


@dataclass
class LiveSite:
    """A generated site being served: HTTP on loopback plus a DNS server for its zone.

    `url` is the homepage with the real port; `expected` has the port filled in;
    `nameserver` is ``127.0.0.1:PORT`` for `DnsSettings(nameservers=...)`, and
    `static_hosts` the same zone in `DnsSettings(hosts=...)` form.
    """

    url: str
    expected: Expected
    server: RunningServer
    dns: RunningDNS | None
    spec: SiteSpec

    @property
    def nameserver(self) -> str:
        if self.dns is None:
            raise RuntimeError("this site was started without a DNS server")
        return self.dns.nameserver

    @property
    def static_hosts(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        return tuple((name, tuple(ips)) for name, ips in sorted(self.expected.zone.items()))

    def stop(self) -> None:
        """Stop both servers (idempotent)."""
        try:
            self.server.stop()
        finally:
            if self.dns is not None:
                self.dns.stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def serve_site(spec: SiteSpec, expected: Expected, *, dns: bool = True) -> LiveSite:
    """Serve `spec` (HTTP on 127.0.0.1 and ::1 when available) and, with `dns`, its
    `expected.zone`; loopback answers in the zone follow the addresses actually bound."""
    server = start_http_server(spec)
    try:
        bound = list(server.addresses)
        zone = {name: [ip for ip in ips if ip not in LOOPBACK] + bound
                if any(ip in LOOPBACK for ip in ips) else list(ips)
                for name, ips in expected.zone.items()}
        expected = dataclasses.replace(expected.with_port(server.port), zone=zone)
        running_dns = start_dns_server(zone) if dns else None
    except BaseException:
        server.stop()
        raise
    return LiveSite(expected.homepage, expected, server, running_dns, spec)


def start_gov_site(host: str = "www.demo.gov.cn", pages: int = 200, *, dns: bool = True,
                   **options: Any) -> LiveSite:
    """Generate `gov_site(host, pages, **options)` and serve it with its DNS zone."""
    from .sitegen import gov_site

    addresses = LOOPBACK if ipv6_available() else ("127.0.0.1",)
    spec, expected = gov_site(host, pages, addresses=addresses, **options)
    return serve_site(spec, expected, dns=dns)
