"""webaudit-pii: report pages that show full 居民身份证号码.

A department plugin for webaudit, written only against webaudit's public API
(`webaudit.hookimpl`, `Finding`, `Page`, `Settings`, `ConfigError`), and installed
through the ``webaudit`` entry-point group. Read it as the example of how to write one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, Final, Literal

from webaudit import ConfigError, Finding, Page, Settings, hookimpl

from .idnumber import find_id_numbers, mask

__version__ = "0.1.0"

CHECK_ID = "pii.id-number"
SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title"})


class IdNumberCheck:
    """`pii.id-number`: full ID numbers in a page's visible text. One finding per page."""

    id = CHECK_ID
    title = "Page shows full 居民身份证号码 (unmasked ID numbers)"
    severity: Final[Literal["error"]] = "error"
    description = ("An in-scope page whose visible text holds 18-digit ID numbers with a valid "
                   "region code, birth date and check digit. Masked numbers are not reported.")

    def __init__(self) -> None:
        self.departments: frozenset[str] | None = None
        self.max_samples = 5
        self.as_of = dt.date.today()

    def configure(self, settings: Settings, table: dict[str, Any]) -> None:
        unknown = sorted(set(table) - {"departments", "max_samples"})
        if unknown:
            raise ConfigError(f"[plugin.pii] unknown key {unknown[0]!r} "
                              "(known: departments, max_samples)")
        departments = table.get("departments")
        if departments is not None and (not isinstance(departments, list)
                                        or not all(isinstance(d, str) for d in departments)):
            raise ConfigError("[plugin.pii] 'departments' must be an array of strings")
        self.departments = None if departments is None else frozenset(departments)
        samples = table.get("max_samples", 5)
        if isinstance(samples, bool) or not isinstance(samples, int) or samples < 0:
            raise ConfigError(f"[plugin.pii] 'max_samples' must be an integer >= 0, got {samples!r}")
        self.max_samples = samples
        self.as_of = settings.as_of

    def check_page(self, page: Page, ctx: Any) -> Iterator[Finding]:
        if page.tree is None or page.tree.body is None:
            return
        if self.departments is not None and page.site.department not in self.departments:
            return
        numbers = list(find_id_numbers(_visible_text(page.tree.body), self.as_of))
        if not numbers:
            return
        distinct = list(dict.fromkeys(numbers))
        yield Finding(
            check=self.id, severity=self.severity, site=page.site.name, url=page.url,
            target=page.url,
            message=f"page shows {len(distinct)} full ID number(s) (居民身份证号码)",
            evidence={"count": len(distinct),
                      "samples": [mask(n) for n in distinct[: self.max_samples]]},
        )


def _visible_text(body: Any) -> str:
    parts = []
    for node in body.traverse(include_text=True):
        if node.tag == "-text" and (node.parent is None or node.parent.tag not in SKIPPED_TAGS):
            parts.append(node.text_content)
    return " ".join(parts)


CHECK = IdNumberCheck()


@hookimpl
def configure(config: Settings, plugin_config: dict[str, Any]) -> None:
    CHECK.configure(config, plugin_config.get("pii", {}))


@hookimpl
def register_checks(register: Any) -> None:
    register(CHECK)
