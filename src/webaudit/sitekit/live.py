"""A generated site being served: `LiveSite` (HTTP on loopback plus DNS for its zone),
`serve_site()` and `start_gov_site()`. Standard library only.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from .expected import Expected
from .process import LOOPBACK, ipv6_available
from .servers import RunningDNS, RunningServer, start_dns_server, start_http_server
from .spec import SiteSpec


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
