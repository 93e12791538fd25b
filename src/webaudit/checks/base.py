"""A small base class for checks: id, title, severity and a `finding()` helper."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ..model import Finding, Severity


@dataclass(frozen=True)
class BaseCheck:
    """Subclass and set `id`, `title`, `severity`; add `check_page` / `check_site`."""

    id: ClassVar[str]
    title: ClassVar[str]
    severity: ClassVar[Severity]
    description: ClassVar[str] = ""

    def finding(self, *, site: str, url: str, target: str, message: str,
                severity: Severity | None = None, **evidence: Any) -> Finding:
        return Finding(check=self.id, severity=severity or self.severity, site=site, url=url,
                       target=target, message=message, evidence=evidence)
