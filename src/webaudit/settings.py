"""Typed run settings: every crawl bound and DNS option, with its default.

`config.py` fills these from TOML, `cli.py` from flags; the crawler only reads them.
The field names are the config keys (and, with dashes, the CLI flags).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from .model import Account, Site


@dataclass(frozen=True)
class CrawlSettings:
    max_pages: int = 5000
    max_depth: int = 50
    concurrency: int = 32
    per_host: int = 8
    timeout: float = 15.0  # connect and read, seconds
    total_timeout: float = 60.0  # one request including body and retries' waits
    time_budget: float = 3600.0  # whole site
    max_bytes: int = 5 * 1024 * 1024  # body bytes on the wire
    max_decompressed: int = 20 * 1024 * 1024
    retries: int = 2
    backoff: float = 0.5
    max_retry_after: float = 30.0
    max_redirects: int = 10
    ignore_robots: bool = False
    user_agent: str = "webaudit/0.1 (+https://pypi.org/project/webaudit/)"
    prefer_ipv4: bool = True
    http2: bool = True
    check_external: bool = True
    max_url_length: int = 512
    max_repeated_segments: int = 3
    max_query_variants: int = 50
    max_referrers: int = 20
    network_backend: str = "asyncio"  # "asyncio" (webaudit's own sockets) or "httpcore" (anyio)


@dataclass(frozen=True)
class DnsSettings:
    nameservers: tuple[str, ...] = ()  # "HOST" or "HOST:PORT" / "[v6]:PORT"; empty = system
    timeout: float = 5.0
    hosts: tuple[tuple[str, tuple[str, ...]], ...] = ()  # static answers, like /etc/hosts


@dataclass(frozen=True)
class Settings:
    crawl: CrawlSettings = field(default_factory=CrawlSettings)
    dns: DnsSettings = field(default_factory=DnsSettings)
    sites: tuple[Site, ...] = ()
    accounts: tuple[Account, ...] = ()
    plugins: tuple[str, ...] = ()
    fail_on: Literal["veto", "error", "warning", "notice"] | None = "error"
    as_of: dt.date = field(default_factory=dt.date.today)
    source: str | None = None  # the config file this came from, if any
    plugin_config: dict[str, Any] = field(default_factory=dict)  # unknown-to-core tables, by name
