"""The types a check is made of and returns: the plugin author's side of the check contract.

A check is an object with an `id`, a `title` and a `severity`, and any of three
phases, each found by name and each optional:

- ``check_page(page)`` — synchronous and pure: it reads one parsed `Page` and
  returns (or yields) `Finding`s, `Fact`s and `FetchRequest`s. It never fetches,
  sleeps, or reads another check's state, so it can run in another process on a
  pickled page.
- ``check_fetched(request, result)`` — synchronous and pure: the answer to one of
  this check's `FetchRequest`s, as soon as it arrived; returns findings, facts and
  further requests. A check without it gets its answers in ``check_site``'s
  ``fetched`` instead.
- ``check_site(site, result, facts, fetched, ctx)`` — once per site after the
  crawl, accepting any subset of those keyword arguments; may be ``async`` and may
  ``await ctx.fetch(...)``. Only it decides: it reduces its own facts to findings.

Nothing here does I/O.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from .model import Report


@dataclass(frozen=True, slots=True)
class Fact:
    """Base class of the small values a page check hands to its own site phase.

    Subclass it with a frozen dataclass of plain values (str, int, float, bool,
    dates, tuples, frozensets): facts are kept per site until the site phase runs and
    must pickle (page checks will run in worker processes). Facts go only to the
    check that returned them.
    """


@dataclass(frozen=True, slots=True)
class KeepTarget(Fact):
    """Ask the crawl to keep the fetch result and the referring pages of `url`.

    Healthy targets normally keep only their status; a check that reports on a
    page that answered well (a soft 404, a stale column page) returns this so its
    site phase can name the pages that link there.
    """

    url: str


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """A fetch a page check asks for; the crawl's scheduler performs it.

    It goes through the run's robots.txt gate, per-host limits and fetch cache like
    the crawl's own requests: a URL the crawl already fetched the same way is not
    requested again. `family` 4 or 6 pins the connection to that address family.
    `body` asks for the body; `max_bytes` caps it (an attachment's first bytes:
    up to 64 KiB of such bodies are kept in the run's cache for other checks).
    """

    url: str
    method: Literal["GET", "HEAD"] = "GET"
    family: Literal[4, 6] | None = None
    body: bool = True
    max_bytes: int | None = None

    def __post_init__(self) -> None:
        if self.method not in ("GET", "HEAD"):
            raise ValueError(f"FetchRequest method must be GET or HEAD, not {self.method!r}")
        if self.method == "HEAD" and self.body:
            object.__setattr__(self, "body", False)
        if self.family not in (None, 4, 6):
            raise ValueError(f"FetchRequest family must be 4, 6 or None, not {self.family!r}")
        if self.max_bytes is not None and self.max_bytes < 1:
            raise ValueError(f"FetchRequest max_bytes must be at least 1, not {self.max_bytes}")


class Check(Protocol):
    """A check contributed through `register_checks`: see the module docstring."""

    @property
    def id(self) -> str:
        """Stable dotted id, your plugin's prefix first (``pii.id-number``)."""
        ...

    @property
    def title(self) -> str:
        """One line saying what the check finds."""
        ...

    @property
    def severity(self) -> str:
        """Default severity: ``veto``, ``error``, ``warning`` or ``notice``."""
        ...


class ReportWriter(Protocol):
    """An output format contributed through `register_report_writers`."""

    @property
    def name(self) -> str:
        """Short name (``json``)."""
        ...

    @property
    def extensions(self) -> tuple[str, ...]:
        """File extensions it writes, with the dot (``(".json",)``); matched case-insensitively."""
        ...

    def write(self, report: Report, path: str | os.PathLike[str]) -> None:
        """Write `report` to `path`."""
        ...
