"""The short text summary `webaudit crawl` prints on stdout."""

from __future__ import annotations

from ..model import Report, SiteResult
from .serialize import summary_counts

MAX_LINES_PER_SITE = 15


def _site_lines(result: SiteResult) -> list[str]:
    s = result.stats
    lines = [f"{result.site.name}  {result.site.url}",
             f"  {s.pages} pages, {s.links} links, {s.attachments} attachments, "
             f"{s.requests} requests, {s.errors} errors, {s.duration:.1f}s"]
    order = {"veto": 0, "error": 1, "warning": 2, "notice": 3}
    findings = sorted(result.findings, key=lambda f: (order[f.severity], f.check, f.target))
    for finding in findings[:MAX_LINES_PER_SITE]:
        home = " [homepage]" if finding.evidence.get("on_homepage") else ""
        lines.append(f"  {finding.severity:<7} {finding.check:<22} {finding.target}{home}")
        lines.append(f"          {finding.message}")
    if len(findings) > MAX_LINES_PER_SITE:
        lines.append(f"  … and {len(findings) - MAX_LINES_PER_SITE} more (see the report file)")
    for error in result.errors:
        lines.append(f"  tool error ({error.source}): {error.message}")
    return lines


def summary_text(report: Report) -> str:
    lines: list[str] = []
    for result in report.sites:
        lines.extend(_site_lines(result))
        lines.append("")
    counts = summary_counts(report)
    sev = ", ".join(f"{n} {name}" for name, n in counts["by_severity"].items() if n)
    lines.append(f"{len(report.sites)} site(s), {counts['findings']} finding(s)"
                 + (f": {sev}" if sev else ""))
    for error in report.errors:
        if error.site is None:
            lines.append(f"tool error ({error.source}): {error.message}")
    return "\n".join(lines)
