"""The reference crawl: the generated 政府网站 served on loopback with its answer key.

A plugin's tests crawl it with the plugin registered and check that the built-in
checks still report exactly what the answer key (`Expected`) says: a plugin may add
findings of its own, but must not hide, change or add to the built-in ones::

    def test_my_plugin_leaves_the_built_in_results_alone(webaudit_reference_site):
        report = webaudit_reference_site.audit(plugins=["my_plugin"])
        assert webaudit_reference_site.differences(report) == []

The site is `gov_site(REFERENCE_HOST, REFERENCE_PAGES)`, the one the
``webaudit_gov_site`` fixtures serve. Standard library only at import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Self

from ..sitekit.expected import Expected
from ..sitekit.live import LiveSite, start_gov_site
from .audit import Plugin, run_audit

if TYPE_CHECKING:
    from ..model import Report

REFERENCE_HOST: Final = "www.demo.gov.cn"
REFERENCE_PAGES: Final = 200
CHECK_OF_KIND: Final[Mapping[str, str]] = {
    "status": "links.broken",
    "dns": "links.broken",
    "timeout": "links.broken",
    "too-many-redirects": "links.broken",
    "redirect-loop": "links.redirect-loop",
    "soft-404": "links.soft-404",
    "private-address": "links.private-address",
}
"""The built-in check that reports each kind of `Expected.broken` target."""
BUILT_IN_CHECKS: Final = frozenset({*CHECK_OF_KIND.values(), "site.unreachable",
                                    "internal.check-error"})
"""The built-in checks whose findings the answer key fixes exactly (a check that raised,
``internal.check-error``, is never expected). ``crawl.trap`` and ``crawl.limit`` are
notices about the crawl's own bounds: their count is not fixed."""


def expected_findings(expected: Expected) -> set[tuple[str, str]]:
    """(check id, target) of every finding the built-in checks must report."""
    return {(CHECK_OF_KIND[b.kind], url) for url, b in expected.broken.items()}


def built_in_findings(report: Report) -> set[tuple[str, str]]:
    """(check id, target) of the report's findings by the built-in link and site checks."""
    return {(f.check, f.target) for f in report.findings if f.check in BUILT_IN_CHECKS}


def differences(report: Report, expected: Expected) -> list[str]:
    """How the report's built-in findings differ from the answer key, one line each
    (``missing links.broken URL``, ``unexpected …``, and the run's errors, e.g. a
    plugin's hook that raised); empty when they agree."""
    want, got = expected_findings(expected), built_in_findings(report)
    lines = [f"missing {check} {target}" for check, target in sorted(want - got)]
    lines += [f"unexpected {check} {target}" for check, target in sorted(got - want)]
    if expected.trap_prefix and not any(f.check == "crawl.trap" for f in report.findings):
        lines.append(f"missing crawl.trap below {expected.trap_prefix}")
    lines += [f"run error in {e.source}: {e.message}" for e in report.errors]
    return lines


@dataclass
class ReferenceSite:
    """The reference site being served (`site`), with its answer key (`expected`).

    `audit(plugins=…)` crawls it (`run_audit`, counters reset first);
    `differences(report)` compares a report's built-in findings with the answer key.
    A context manager: leaving it stops both servers.
    """

    site: LiveSite

    @property
    def url(self) -> str:
        return self.site.url

    @property
    def nameserver(self) -> str:
        return self.site.nameserver

    @property
    def expected(self) -> Expected:
        return self.site.expected

    def audit(self, *, plugins: Iterable[Plugin] = (),
              plugin_config: Mapping[str, Any] | None = None, **options: Any) -> Report:
        """Crawl the reference site with the built-in plugins and `plugins` (see
        `run_audit`); the server's counters and behaviour state are reset first, so
        every crawl meets the same site."""
        self.site.server.reset()
        return run_audit(self.site, plugins=plugins, plugin_config=plugin_config, **options)

    def differences(self, report: Report) -> list[str]:
        """See `differences`: empty when the built-in results are as the answer key says."""
        return differences(report, self.expected)

    def stop(self) -> None:
        self.site.stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def start_reference_site() -> ReferenceSite:
    """Generate and serve the reference site (HTTP on loopback, DNS for its zone)."""
    return ReferenceSite(start_gov_site(REFERENCE_HOST, REFERENCE_PAGES))
