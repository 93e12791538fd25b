"""Broken-link checks: `links.broken`, `links.redirect-loop`, `links.soft-404`, `links.private-address`.

One finding per broken target, listing the pages that link to it (capped) and
whether the homepage links to it: the inspection rules (《政府网站与政务新媒体检查指标》,
链接可用性) count homepage links separately from other pages' links.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

from ..checktypes import Check, Fact, KeepTarget
from ..hookspecs import hookimpl
from ..model import Finding, Page, Site, SiteResult, TargetStatus
from .base import BaseCheck

LOOP_ERRORS: Final = frozenset({"redirect-loop"})
NOT_BROKEN: Final = frozenset({"private-address", "redirect-loop"})

# Soft-404 wording seen on Chinese government CMS error pages (TRS, Hanweb, Ucap, Dahan).
# Precision first: the phrase must be in the title or a top heading, and the page short.
SOFT_404: Final = re.compile(
    r"页面不存在|页面未找到|找不到[^，。！!？?,.\s]{0,8}?(?:页面|网页)"
    r"|(?:您|你)(?:所)?(?:要)?访问的(?:页面|网页|信息|内容)(?:不存在|已删除|已被删除)"
    r"|(?:信息|文章|内容|稿件)(?:不存在|已删除|已被删除|已撤销|已下线)"
    # not \b404\b: Chinese characters are \w to re, so "404错误" has no word boundary
    r"|(?<![0-9A-Za-z])404(?![0-9A-Za-z])\s*(?:错误|页面|not\s*found|error)|^\s*404\s*$"
    r"|\bnot\s+found\b|页面已删除",
    re.IGNORECASE,
)
SOFT_404_MAX_TEXT: Final = 3000
# On a page this short the phrase may be anywhere in the text, not only in a heading:
# CMS error pages often put it in a plain <p> under a title such as 提示信息.
SOFT_404_SHORT_TEXT: Final = 200
# Every SOFT_404 match contains one of these: pages without any skip the heading search.
SOFT_404_HINT: Final = re.compile(r"404|不存在|找不到|未找到|已删除|已被删除|已撤销|已下线|not\s*found",
                                  re.IGNORECASE)


def _first_referrer(target: TargetStatus, homepage: str | None) -> str:
    if target.on_homepage and homepage and homepage in target.referrers:
        return homepage
    return target.referrers[0] if target.referrers else target.url


def _linked_from(target: TargetStatus) -> dict[str, Any]:
    return {
        "linked_from": list(target.referrers),
        "linked_from_count": target.referrer_count,
        "on_homepage": target.on_homepage,
    }


def _redirects(target: TargetStatus) -> list[dict[str, Any]]:
    if target.fetch is None:
        return []
    return [{"url": r.url, "status": r.status, "location": r.location}
            for r in target.fetch.redirects]


def _homepage(result: SiteResult) -> str | None:
    return result.homepage.final_url if result.homepage is not None else None


class BrokenLinks(BaseCheck):
    id = "links.broken"
    title = "Broken link (4xx/5xx after retries, DNS failure, refused, TLS error, timeout)"
    severity = "error"
    description = ("A URL a page links to (page, image, attachment, external site) could not be "
                   "fetched. Evidence: kind, status, detail, redirect chain, linking pages.")

    def check_site(self, site: Site, result: SiteResult) -> Iterator[Finding]:
        home = _homepage(result)
        for target in result.targets.values():
            fetch = target.fetch
            if not target.problem or fetch is None or fetch.error in NOT_BROKEN:
                continue
            if target.referrer_count == 0:
                continue  # the start URL itself: `site.unreachable` reports it
            kind = fetch.error or f"http-{fetch.status}"
            what = (f"HTTP {fetch.status}" if fetch.error is None
                    else f"{fetch.error}: {fetch.error_detail or ''}".rstrip(": "))
            where = ", the homepage among them" if target.on_homepage else ""
            yield self.finding(
                site=site.name, url=_first_referrer(target, home), target=target.url,
                message=f"broken link ({what}), linked {target.referrer_count} time(s){where}",
                kind=kind, status=fetch.status, error=fetch.error, detail=fetch.error_detail,
                method=fetch.method, attempts=fetch.attempts, final_url=fetch.final_url,
                redirects=_redirects(target), external=not target.in_scope,
                **_linked_from(target),
            )


class RedirectLoop(BaseCheck):
    id = "links.redirect-loop"
    title = "Link whose redirects go round in a loop"
    severity = "error"
    description = "Following the Location headers comes back to a URL already in the chain."

    def check_site(self, site: Site, result: SiteResult) -> Iterator[Finding]:
        home = _homepage(result)
        for target in result.targets.values():
            fetch = target.fetch
            if fetch is None or fetch.error not in LOOP_ERRORS or target.referrer_count == 0:
                continue
            chain = _redirects(target)
            yield self.finding(
                site=site.name, url=_first_referrer(target, home), target=target.url,
                message=f"redirect loop after {len(chain)} hop(s)",
                redirects=chain, detail=fetch.error_detail, **_linked_from(target),
            )


@dataclass(frozen=True, slots=True)
class SoftNotFound(Fact):
    """A page that answered 200 but says it does not exist."""

    url: str  # the page's URL after redirects
    requested: str  # the URL fetched (what pages link to)
    phrase: str
    title: str
    text_length: int


def soft_404_phrase(page: Page) -> tuple[str, int] | None:
    """The not-found phrase of a short page that says it does not exist, with its text length."""
    tree = page.tree
    body = tree.body
    body_text = body.text(strip=True) if body is not None else ""
    if not SOFT_404_HINT.search(page.title) and not SOFT_404_HINT.search(body_text):
        return None  # the headings searched below are in the body: cheap exit, no css() call
    headings = [page.title]
    for node in tree.css("h1, h2, .error, #error"):
        headings.append(node.text(strip=True)[:200])
        if len(headings) > 4:
            break
    phrase = next((m.group(0) for h in headings if h and (m := SOFT_404.search(h))), None)
    if phrase is None and len(body_text) <= SOFT_404_SHORT_TEXT:
        phrase = m.group(0) if (m := SOFT_404.search(body_text)) else None
    if phrase is None:
        return None
    text_len = len(body_text) if body is not None else len(page.html)
    return None if text_len > SOFT_404_MAX_TEXT else (phrase, text_len)


class Soft404(BaseCheck):
    id = "links.soft-404"
    title = "Page answers HTTP 200 but says it does not exist (页面不存在)"
    severity = "warning"
    description = ("An in-scope page whose title or main heading says 页面不存在 / 404 / 找不到, "
                   "and whose text is short. Only pages the crawl parsed are judged.")

    def check_page(self, page: Page) -> Iterator[Fact]:
        if page.is_homepage or page.fetch.status != 200:
            return
        found = soft_404_phrase(page)
        if found is None:
            return
        phrase, text_length = found
        requested = page.fetch.url
        yield SoftNotFound(page.url, requested, phrase, page.title, text_length)
        # its referrers are named in the finding: the crawl must keep them
        yield KeepTarget(requested)
        if page.url != requested:
            yield KeepTarget(page.url)

    def check_site(self, site: Site, result: SiteResult,
                   facts: Sequence[Fact]) -> Iterator[Finding]:
        home = _homepage(result)
        for fact in facts:
            if not isinstance(fact, SoftNotFound):
                continue
            target = result.targets.get(fact.requested) or result.targets.get(fact.url)
            if target is None or target.referrer_count == 0:
                continue
            # the URL pages link to, as for links.broken; where it redirected, the page
            # that says "not found" is in final_url
            yield self.finding(
                site=site.name, url=_first_referrer(target, home), target=target.url,
                message=f"page answers 200 but says {fact.phrase!r}",
                title=fact.title, phrase=fact.phrase, text_length=fact.text_length,
                final_url=fact.url, **_linked_from(target),
            )


class PrivateAddress(BaseCheck):
    id = "links.private-address"
    title = "Public page links to a private, loopback or link-local address"
    severity = "warning"
    description = ("The link's host is (or resolves to) an intranet address the public cannot "
                   "reach. webaudit does not connect to it, unless the site itself is on "
                   "such an address.")

    def check_site(self, site: Site, result: SiteResult) -> Iterator[Finding]:
        home = _homepage(result)
        for target in result.targets.values():
            fetch = target.fetch
            if fetch is None or fetch.error != "private-address" or target.referrer_count == 0:
                continue
            yield self.finding(
                site=site.name, url=_first_referrer(target, home), target=target.url,
                message=f"link to a non-public address ({fetch.error_detail})",
                detail=fetch.error_detail, **_linked_from(target),
            )


@hookimpl
def register_checks(register: Callable[[Check], None]) -> None:
    for check in (BrokenLinks(), RedirectLoop(), Soft404(), PrivateAddress()):
        register(check)
