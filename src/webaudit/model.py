"""Value types shared by the crawler, the checks and the report.

Nothing here does I/O. Frozen dataclasses are values; the few mutable ones
(`TargetStatus`, `CrawlOutcome`, `SiteResult`, `Report`) are filled in by the
crawler and the check runner while a run goes on, and read by site checks and
writers afterwards. The types a check returns (facts, fetch requests) are in
`webaudit.checktypes`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    from selectolax.lexbor import LexborHTMLParser

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


class Page:
    """An in-scope HTML page after it was fetched, decoded and parsed: what `check_page` reads.

    `html` is the decoded source; `tree` its selectolax (Lexbor) parse, shared by
    every page check; `text` the visible text of the body (computed on first use).
    `fetch` is the fetch result without its body. A page pickles without its tree
    and re-parses `html` on first use, so page checks can run in another process.
    """

    __slots__ = ("_text", "_tree", "depth", "encoding", "fetch", "html", "is_homepage", "links",
                 "site", "title", "url")

    def __init__(self, *, site: Site, url: str, fetch: FetchResult, depth: int, html: str,
                 encoding: str | None, title: str, links: tuple[Link, ...],
                 is_homepage: bool = False, tree: LexborHTMLParser | None = None) -> None:
        self.site = site
        self.url = url
        self.fetch = fetch if fetch.body is None else replace(fetch, body=None)
        self.depth = depth
        self.html = html
        self.encoding = encoding
        self.title = title
        self.links = links
        self.is_homepage = is_homepage
        self._tree = tree
        self._text: str | None = None

    @property
    def tree(self) -> LexborHTMLParser:
        """The parsed document (parsed from `html` on first use after unpickling)."""
        if self._tree is None:
            from .crawl.parse import parse_html

            self._tree = parse_html(self.html)
        return self._tree

    @property
    def text(self) -> str:
        """The body's visible text (no script, style or template content), space-separated."""
        if self._text is None:
            from .crawl.parse import visible_text

            self._text = visible_text(self.tree)
        return self._text

    def release(self) -> None:
        """Drop the tree and the cached text (the crawler calls this once the checks ran)."""
        self._tree = None
        self._text = None

    def __getstate__(self) -> dict[str, Any]:
        state = {name: getattr(self, name) for name in self.__slots__ if not name.startswith("_")}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)
        self._tree = None
        self._text = None

    def __repr__(self) -> str:
        return f"<Page {self.url} depth={self.depth}>"


@dataclass(slots=True)
class TargetStatus:
    """Everything the run learnt about one URL that some page links to.

    To keep memory flat on big sites, `fetch` is kept only for targets that
    failed, redirected or that a page check asked to keep (a `KeepTarget` fact);
    healthy ones keep
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
    keep: bool = False  # a KeepTarget fact asked for the referrers and the fetch
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


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    """A record (not an exception) of something that went wrong in the tool itself — a
    plugin hook, a writer, the crawler — rather than on the site. The report's `errors`."""

    source: str
    message: str
    site: str | None = None


@dataclass
class CrawlOutcome:
    """What the crawler learnt about a site besides its targets, for the site checks."""

    limits: tuple[str, ...] = ()  # bounds reached: max_pages, max_depth, time_budget, interrupted
    traps: dict[str, int] = field(default_factory=dict)  # URL pattern → URLs skipped as a trap
    hosts: tuple[str, ...] = ()  # the hosts crawled as part of the site
    address_categories: frozenset[str] = frozenset()  # non-public kinds the site itself lives on


@dataclass(repr=False)
class SiteResult:
    """The outcome of auditing one site."""

    site: Site
    stats: SiteStats = field(default_factory=SiteStats)
    findings: list[Finding] = field(default_factory=list)
    targets: dict[str, TargetStatus] = field(default_factory=dict)
    errors: list[ErrorRecord] = field(default_factory=list)
    homepage: FetchResult | None = None
    crawl: CrawlOutcome = field(default_factory=CrawlOutcome)

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
    errors: list[ErrorRecord] = field(default_factory=list)

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


@dataclass(frozen=True)
class RunDiff:
    """This run's findings against the previous run's, by fingerprint (`run_finished`'s
    `diff`). The history store that computes it is not built yet: the hook gets `None`."""

    previous_run: str
    new: tuple[Finding, ...] = ()
    resolved: tuple[Finding, ...] = ()
    still_open: tuple[Finding, ...] = ()
