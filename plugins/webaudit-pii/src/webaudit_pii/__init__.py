"""webaudit-pii: report pages that show full 居民身份证号码.

A department plugin for webaudit, written only against webaudit's public API and
installed through the ``webaudit`` entry-point group. Read it as the example of
how to write one:

- its ``[plugin.pii]`` table is a dataclass of `webaudit.setting` fields, validated by
  webaudit (``audit.toml:7: unknown key 'department' in [plugin.pii] (did you mean
  'departments'?)``);
- ``register_checks`` builds the check with that table and the run's settings, so
  nothing is kept in module globals;
- the check's ``check_page`` is pure: it reads the page and returns findings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from webaudit import BaseCheck, Check, Finding, Page, Settings, Severity, hookimpl, setting

from .idnumber import find_id_numbers, mask

__version__ = "0.2.0"

TABLE = "pii"


@dataclass(frozen=True)
class PiiSettings:
    """The ``[plugin.pii]`` table."""

    departments: tuple[str, ...] | None = setting(
        None, help="Check only the sites of these departments ([[sites]] department); "
                   "default: every site.")
    max_samples: int = setting(5, minimum=0, help="Masked numbers quoted per finding.")


@dataclass(frozen=True)
class IdNumberCheck(BaseCheck):
    """`pii.id-number`: full ID numbers in a page's visible text. One finding per page."""

    id: ClassVar[str] = "pii.id-number"
    title: ClassVar[str] = "Page shows full 居民身份证号码 (unmasked ID numbers)"
    severity: ClassVar[Severity] = "error"
    description: ClassVar[str] = (
        "An in-scope page whose visible text holds 18-digit ID numbers with a valid region "
        "code, birth date and check digit. Masked numbers are not reported.")

    settings: PiiSettings
    as_of: dt.date

    def check_page(self, page: Page) -> Iterator[Finding]:
        departments = self.settings.departments
        if departments is not None and page.site.department not in departments:
            return
        numbers = list(find_id_numbers(page.text, self.as_of))
        if not numbers:
            return
        distinct = list(dict.fromkeys(numbers))
        yield self.finding(
            site=page.site.name, url=page.url, target=page.url,
            message=f"page shows {len(distinct)} full ID number(s) (居民身份证号码)",
            count=len(distinct), samples=[mask(n) for n in distinct[: self.settings.max_samples]])


@hookimpl
def register_checks(register: Callable[[Check], None], config: Settings) -> None:
    register(IdNumberCheck(config.plugin_table(TABLE, PiiSettings), config.as_of))
