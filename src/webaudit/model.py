"""Value types shared by the crawler, the checks and the report.

Nothing here does I/O. Frozen dataclasses are values; the few mutable ones
(`TargetStatus`, `SiteResult`, `Report`) are filled in by the crawler while a
run goes on and read by checks and writers afterwards.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Protocol, runtime_checkable

Severity = Literal["veto", "error", "warning", "notice"]
SEVERITIES: Final[tuple[Severity, ...]] = ("notice", "warning", "error", "veto")


def severity_rank(severity: str) -> int:
    """Order severities: notice < warning < error < veto."""
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Site:
    """One website to audit, as named in a config file or on the command line."""

    name: str
    url: str
    department: str | None = None
    extra_hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Account:
    """A 政务新媒体 account that belongs to a site (checked by new-media plugins)."""

    site: str
    platform: str
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class Redirect:
    """One hop of a redirect chain: `url` answered `status` pointing at `location`."""

    url: str
    status: int
    location: str


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one request (with its redirects and retries) came to.

    A network failure is data: `error` names its kind (`dns`, `refused`, `tls`,
    `timeout`, `connect`, `protocol`, `redirect-loop`, `too-many-redirects`,
    `private-address`, `robots`) and `error_detail` says more. `body` is only kept
    for responses the crawler parses; it is `None` for checked-only targets.
    """

    url: str
    final_url: str
    method: str = "GET"
    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str | None = None
    body: bytes | None = None
    redirects: tuple[Redirect, ...] = ()
    error: str | None = None
    error_detail: str | None = None
    elapsed: float = 0.0
    bytes_received: int = 0
    truncated: str | None = None  # "max-bytes" or "decompressed-size" when the body was cut
    address: str | None = None
    http_version: str | None = None
    attempts: int = 1

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and self.status < 400

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key == lname:
                return value
        return None


@dataclass(frozen=True, slots=True)
class Link:
    """A URL a page refers to, as a browser would request it."""

    url: str
    tag: str
    attr: str
    text: str = ""


@dataclass
class Page:
    """An in-scope HTML page after it was fetched, decoded and parsed."""

    site: Site
    url: str
    fetch: FetchResult
    depth: int
    text: str
    encoding: str | None
    title: str
    links: list[Link]
    is_homepage: bool = False
    tree: Any = None  # the selectolax HTMLParser while checks run; dropped afterwards


@dataclass(slots=True)
class TargetStatus:
    """Everything the run learnt about one URL that some page links to.

    To keep memory flat on big sites, `fetch` is kept only for targets that
    failed, redirected or were flagged with `keep` by a check; healthy ones keep
    just their `status`, and drop their referrers. `referrers` is capped
    (`CrawlSettings.max_referrers`); `referrer_count` keeps the true number.
    """

    url: str
    in_scope: bool
    status: int | None = None
    fetch: FetchResult | None = None
    referrers: list[str] = field(default_factory=list)
    referrer_count: int = 0
    on_homepage: bool = False
    skipped: str | None = None  # why it was never fetched (robots, plugin, trap:…, max-pages…)
    keep: bool = False  # a check wants the referrers and the fetch kept
    done: bool = False

    @property
    def problem(self) -> bool:
        """Failed (network error or HTTP >= 400): what `links.broken` reports."""
        if self.fetch is not None:
            return not self.fetch.ok
        return self.status is not None and self.status >= 400


@dataclass
class SiteStats:
    pages: int = 0
    links: int = 0
    attachments: int = 0
    requests: int = 0
    bytes: int = 0
    errors: int = 0
    duration: float = 0.0


@dataclass(frozen=True, slots=True)
class Finding:
    """One fact a person can act on. Its fields are public API (report schema 1)."""

    check: str
    severity: Severity
    site: str
    url: str
    target: str
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """Stable across runs for the same problem: check + site + target."""
        raw = "\x1f".join((self.check, self.site, self.target))
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:20]

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "severity": self.severity,
            "site": self.site,
            "url": self.url,
            "target": self.target,
            "message": self.message,
            "evidence": self.evidence,
            "fingerprint": self.fingerprint,
        }


@dataclass
class RunError:
    """Something went wrong in the tool itself (a plugin, a writer), not on the site."""

    source: str
    message: str
    site: str | None = None


@dataclass(repr=False)
class SiteResult:
    """The outcome of auditing one site."""

    site: Site
    stats: SiteStats = field(default_factory=SiteStats)
    findings: list[Finding] = field(default_factory=list)
    targets: dict[str, TargetStatus] = field(default_factory=dict)
    errors: list[RunError] = field(default_factory=list)
    homepage: FetchResult | None = None
    state: dict[str, Any] = field(default_factory=dict)  # per-check scratch space, keyed by check id

    def __repr__(self) -> str:
        # Short on purpose: a dataclass repr would spell out every target of the site.
        return (f"<SiteResult {self.site.url}: {self.stats.pages} pages, "
                f"{len(self.targets)} targets, {len(self.findings)} findings>")


@dataclass(repr=False)
class Report:
    """A whole run: metadata plus one `SiteResult` per site."""

    tool_version: str
    started: str
    finished: str
    as_of: str
    config_digest: str
    sites: list[SiteResult] = field(default_factory=list)
    errors: list[RunError] = field(default_factory=list)

    def __repr__(self) -> str:
        # Python 3.11's asyncio.run() reprs the main task's result (this Report) while
        # restoring the SIGINT handler; the full dataclass repr cost ~10 MiB at 5,000 pages.
        return (f"<Report {self.started}: {len(self.sites)} site(s), "
                f"{sum(len(s.findings) for s in self.sites)} findings>")

    @property
    def findings(self) -> list[Finding]:
        return [f for s in self.sites for f in s.findings]

    def worst_severity(self) -> Severity | None:
        ranks = [severity_rank(f.severity) for f in self.findings]
        return SEVERITIES[max(ranks)] if ranks else None


CheckResult = Iterable[Finding] | Awaitable[Iterable[Finding] | None] | None


@runtime_checkable
class Check(Protocol):
    """A check contributed through `register_checks`.

    It has a stable dotted `id`, a `title`, a default `severity`, and any of
    `check_page(page, ctx)`, `check_site(site, result, ctx)`,
    `check_account(account, ctx)`; each returns findings (or an awaitable of them).
    """

    id: str
    title: str
    severity: Severity


Register = Callable[[Any], None]
