"""Serve the demo site on loopback and build the settings that audit it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ..model import Site
from ..settings import CrawlSettings, DnsSettings, Settings
from ..sitekit.servers import RunningServer, start_http_server
from .site import HOST, demo_spec


@dataclass(frozen=True)
class DemoServer:
    server: RunningServer
    hosts: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def url(self) -> str:
        return self.server.url(HOST, "/")


@contextmanager
def serve_demo() -> Iterator[DemoServer]:
    """Start the demo's HTTP server subprocess; stopped (by PID) on exit."""
    spec, mapping = demo_spec()
    server = start_http_server(spec)
    try:
        served = set(server.addresses)
        hosts = tuple((host, tuple(ip for ip in ips if ip in served))
                      for host, ips in sorted(mapping.items()))
        yield DemoServer(server, hosts)
    finally:
        server.stop()


def demo_settings(demo: DemoServer) -> Settings:
    """Settings that resolve every demo host from a static table: no DNS query leaves the machine."""
    return dataclasses.replace(
        Settings(),
        sites=(Site(name="示范市人民政府门户网站", url=demo.url, department="示范市人民政府办公室"),),
        crawl=CrawlSettings(timeout=5.0, total_timeout=20.0, retries=1, backoff=0.2),
        dns=DnsSettings(hosts=demo.hosts),
        fail_on="error",
    )
