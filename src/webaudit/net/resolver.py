"""DNS resolution with dnspython: A and AAAA for a host, cached per `Resolver`.

`Resolver.resolve()` never raises: a failure is a `Resolution` whose `error`
names its kind ("nxdomain", "no-answer", "timeout", "no-nameservers", "error")
and whose `detail` says it in words. IP literals, `localhost`, names under
`.invalid` (RFC 6761) and static `hosts` entries are answered without a query.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import anyio
import dns.asyncresolver
import dns.exception
import dns.name
import dns.nameserver
import dns.resolver

from .addresses import parse_ip

FAILURE_TTL = 30.0
"""Seconds a "timeout" or "error" result is kept before the host is asked again."""


@dataclass(frozen=True)
class Resolution:
    """The addresses of one host, or why there are none."""

    host: str
    ipv4: tuple[str, ...]
    ipv6: tuple[str, ...]
    error: str | None = None
    detail: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def addresses(self, family: int | None = None, prefer_ipv4: bool = True) -> list[str]:
        """Addresses to try: family 4 or 6 only that family, None both (preferred first)."""
        if family == 4:
            return list(self.ipv4)
        if family == 6:
            return list(self.ipv6)
        if family is not None:
            raise ValueError(f"family must be 4, 6 or None, not {family!r}")
        first, second = (self.ipv4, self.ipv6) if prefer_ipv4 else (self.ipv6, self.ipv4)
        return [*first, *second]


def parse_nameserver(text: str) -> tuple[str, int]:
    """Split "IP", "IP:PORT", "IPv6" or "[IPv6]:PORT" into (ip, port); port defaults to 53."""
    raw = text.strip()
    host, port_text = raw, ""
    if raw.startswith("["):
        end = raw.find("]")
        if end < 0:
            raise ValueError(f"nameserver {text!r}: missing ']'")
        host, rest = raw[1:end], raw[end + 1:]
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"nameserver {text!r}: expected ':PORT' after ']'")
            port_text = rest[1:]
    elif raw.count(":") == 1:
        host, port_text = raw.split(":")
    addr = parse_ip(host)
    if addr is None or "%" in host:
        raise ValueError(f"nameserver {text!r} is not an IP address (use e.g. 223.5.5.5, "
                         "223.5.5.5:53, 2400:3200::1 or [2400:3200::1]:53)")
    port = 53
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ValueError(f"nameserver {text!r}: bad port {port_text!r}")
        port = int(port_text)
    return str(addr), port


def _normalise(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host.rstrip(".") if host != "." else host


def _split_families(host: str, values: Sequence[str]) -> Resolution:
    v4: list[str] = []
    v6: list[str] = []
    for value in values:
        addr = parse_ip(value)
        if addr is None:
            raise ValueError(f"hosts entry for {host!r}: {value!r} is not an IP address")
        (v4 if addr.version == 4 else v6).append(str(addr))
    return Resolution(host, tuple(v4), tuple(v6))


class Resolver:
    """Resolves host names through dnspython; one cache per instance."""

    def __init__(self, nameservers: Sequence[str] = (), timeout: float = 5.0,
                 hosts: Mapping[str, Sequence[str]] | None = None) -> None:
        self.timeout = timeout
        self._hosts = {_normalise(k): _split_families(_normalise(k), v)
                       for k, v in (hosts or {}).items()}
        self._cache: dict[str, tuple[Resolution, float | None]] = {}
        self._inflight: dict[str, anyio.Event] = {}
        self._setup_error: str | None = None
        self._servers_text = "system resolver"
        self._dns: dns.asyncresolver.Resolver | None = None
        servers = [parse_nameserver(n) for n in nameservers]
        try:
            resolver = dns.asyncresolver.Resolver(configure=not servers)
        except dns.resolver.NoResolverConfiguration as exc:
            self._setup_error = f"no DNS nameservers configured ({exc})"
            return
        if servers:
            resolver.nameservers = [dns.nameserver.Do53Nameserver(ip, port)
                                    for ip, port in servers]
            self._servers_text = ", ".join(
                f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}" for ip, port in servers)
        else:
            self._servers_text = ", ".join(str(n) for n in resolver.nameservers) or "none"
            if not resolver.nameservers:
                self._setup_error = "no DNS nameservers configured"
        resolver.search = []
        resolver.lifetime = timeout
        resolver.timeout = min(timeout, 2.0)
        self._dns = resolver

    async def resolve(self, host: str) -> Resolution:
        """A and AAAA of `host`; concurrent callers for one host share one lookup."""
        key = _normalise(host)
        while True:
            hit = self._cache.get(key)
            if hit is not None and (hit[1] is None or hit[1] > time.monotonic()):
                return hit[0]
            waiter = self._inflight.get(key)
            if waiter is None:
                break
            await waiter.wait()
        event = anyio.Event()
        self._inflight[key] = event
        try:
            result = await self._lookup(key)
            expires = None
            if result.error in ("timeout", "error"):
                expires = time.monotonic() + FAILURE_TTL
            self._cache[key] = (result, expires)
            return result
        finally:
            del self._inflight[key]
            event.set()

    async def _lookup(self, host: str) -> Resolution:
        addr = parse_ip(host)
        if addr is not None:
            return _split_families(host, [str(addr)])
        if host in self._hosts:
            return self._hosts[host]
        if host == "localhost" or host.endswith(".localhost"):
            return Resolution(host, ("127.0.0.1",), ("::1",))
        if host == "invalid" or host.endswith(".invalid"):
            return Resolution(host, (), (), "nxdomain", f"{host}: .invalid never resolves "
                              "(RFC 6761)")
        if self._dns is None or self._setup_error:
            return Resolution(host, (), (), "no-nameservers",
                              self._setup_error or "no DNS nameservers configured")
        try:
            name = dns.name.from_text(host)
        except (dns.exception.DNSException, UnicodeError, ValueError) as exc:
            return Resolution(host, (), (), "error", f"{host}: not a valid DNS name ({exc})")
        outcomes: dict[str, tuple[tuple[str, ...], str | None, str]] = {}

        async def query(rdtype: str) -> None:
            outcomes[rdtype] = await self._query(name, rdtype)

        async with anyio.create_task_group() as tg:
            tg.start_soon(query, "A")
            tg.start_soon(query, "AAAA")
        return self._combine(host, outcomes["A"], outcomes["AAAA"])

    async def _query(self, name: dns.name.Name,
                     rdtype: str) -> tuple[tuple[str, ...], str | None, str]:
        """(addresses, error kind, detail) for one record type; never raises."""
        assert self._dns is not None
        try:
            answer = await self._dns.resolve(name, rdtype, search=False,
                                             lifetime=self.timeout)
        except dns.resolver.NXDOMAIN:
            return (), "nxdomain", "does not exist (NXDOMAIN)"
        except dns.resolver.NoAnswer:
            return (), "no-answer", f"no {rdtype} record"
        except dns.exception.Timeout:
            return (), "timeout", (f"DNS timeout after {self.timeout:g}s "
                                   f"(nameserver {self._servers_text})")
        except dns.resolver.NoNameservers as exc:
            return (), "error", f"no nameserver answered {rdtype}: {exc}"
        except dns.resolver.NoResolverConfiguration as exc:
            return (), "no-nameservers", f"no DNS nameservers configured ({exc})"
        except (dns.exception.DNSException, OSError, ValueError) as exc:
            return (), "error", f"{rdtype} lookup failed: {type(exc).__name__}: {exc}"
        found = [rr.address for rr in answer.rrset or ()]
        return tuple(dict.fromkeys(found)), None, ""

    @staticmethod
    def _combine(host: str, a: tuple[tuple[str, ...], str | None, str],
                 aaaa: tuple[tuple[str, ...], str | None, str]) -> Resolution:
        (v4, err4, det4), (v6, err6, det6) = a, aaaa
        if v4 or v6:
            notes = [f"{kind}: {det}" for kind, err, det in (("A", err4, det4),
                                                             ("AAAA", err6, det6))
                     if err not in (None, "no-answer", "nxdomain")]
            return Resolution(host, v4, v6, None, "; ".join(notes) or None)
        errors = {err4, err6}
        for kind in ("nxdomain", "timeout", "no-nameservers", "error"):
            if kind in errors:
                detail = det4 if err4 == kind else det6
                return Resolution(host, (), (), kind, f"{host}: {detail}")
        return Resolution(host, (), (), "no-answer", f"{host}: no A or AAAA record")
