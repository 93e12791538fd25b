"""The JSON form of a `Report` (schema `webaudit.report/1`, see docs/report-schema.md)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Final

from ..model import SEVERITIES, ErrorRecord, Report, SiteResult

SCHEMA_ID: Final = "webaudit.report/1"


def _error(err: ErrorRecord) -> dict[str, Any]:
    return {"source": err.source, "message": err.message, "site": err.site}


def _site(result: SiteResult) -> dict[str, Any]:
    stats = result.stats
    home = result.homepage
    return {
        "name": result.site.name,
        "url": result.site.url,
        "department": result.site.department,
        "homepage": None if home is None else {
            "url": home.url, "final_url": home.final_url, "status": home.status,
            "error": home.error, "address": home.address, "http_version": home.http_version,
        },
        "stats": {
            "pages": stats.pages, "links": stats.links, "attachments": stats.attachments,
            "requests": stats.requests, "bytes": stats.bytes, "errors": stats.errors,
            "duration": stats.duration,
        },
        "findings": [f.as_dict() for f in result.findings],
        "errors": [_error(e) for e in result.errors],
    }


def summary_counts(report: Report) -> dict[str, Any]:
    by_severity = dict.fromkeys(reversed(SEVERITIES), 0)
    by_check: dict[str, int] = {}
    for finding in report.findings:
        by_severity[finding.severity] += 1
        by_check[finding.check] = by_check.get(finding.check, 0) + 1
    return {"findings": sum(by_severity.values()), "by_severity": by_severity,
            "by_check": dict(sorted(by_check.items()))}


def report_to_dict(report: Report) -> dict[str, Any]:
    return {
        "schema": SCHEMA_ID,
        "run": {
            "tool": "webaudit",
            "version": report.tool_version,
            "started": report.started,
            "finished": report.finished,
            "as_of": report.as_of,
            "config_digest": report.config_digest,
        },
        "summary": summary_counts(report),
        "sites": [_site(s) for s in report.sites],
        "errors": [_error(e) for e in report.errors if e.site is None],
    }


def report_json(report: Report) -> str:
    return json.dumps(report_to_dict(report), ensure_ascii=False, indent=2, default=str)


def load_schema() -> dict[str, Any]:
    """The JSON Schema of the report, as shipped in the package."""
    text = resources.files("webaudit.report").joinpath("report.schema.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]
