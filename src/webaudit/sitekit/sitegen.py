"""Generate test sites: `gov_site()` (a realistic 政府网站 with known defects) and
`big_site()` (a large, plain one for benchmarks), each with its `Expected`.

This module is the public face of the generators; the site model lives in
`spec`, the pages in `govpages` and `bigsite`. Standard library only: the demo
and the HTTP server run without the test extras.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Final

from . import govtext
from .bigsite import big_site, write_static
from .builder import Article, Declare, SiteBuilder, site_info
from .expected import BrokenTarget, Expected
from .govpages import CALENDAR_ENTRY, COLUMN_BASE, PER_LIST_PAGE, build_gov_site
from .pagekit import STATIC, SiteInfo
from .spec import PORT_TOKEN, Resource, SiteSpec

__all__ = ["PORT_TOKEN", "BrokenTarget", "Expected", "Resource", "SiteSpec", "big_site",
           "gov_site", "write_static"]

_SHARE: Final = {"zwdt": 0.35, "tzgg": 0.25, "zcwj": 0.2, "zcjd": 0.15, "ndbg": 0.05}
_FIXED_PAGES: Final = 24


def gov_site(host: str = "www.demo.gov.cn", pages: int = 200, *, seed: int = 0,
             gbk_share: float = 0.3, broken_internal: int = 3, broken_external: int = 2,
             external_hosts: Sequence[str] | None = None, trap: bool = True,
             slow: bool = False, big: bool = False, bomb: bool = False,
             addresses: Sequence[str] = ("127.0.0.1", "::1"),
             newest: dt.date = dt.date(2024, 5, 20)) -> tuple[SiteSpec, Expected]:
    """A realistic 政府网站 on `host` with about `pages` HTML pages, and what a correct
    audit of it finds. Deterministic for a given `seed`.

    Planted defects (paths on `host` unless a URL is given):

    - homepage: ``/zwgk/ldjh/`` (404) and ``http://192.168.1.10/oa/`` (private address);
    - ``oa.<label>.gov.cn`` resolving to 10.0.0.8 (private address, linked from /hdjl/);
    - ``/hdjl/ldxx/list.do`` answers 500 every time; ``/hdjl/zxft/`` answers 500 once,
      then 200; ``/zwgk/sjfb/`` answers 429 with ``Retry-After: 1`` once, then 200;
    - ``/zwgk/zcwj/old/`` → 301 → 302 → ``/zwgk/zcwj/`` (healthy chain);
      ``/xxgk/`` ⇄ ``/xxgk/index.html`` (redirect loop);
    - soft-404s: ``/zwgk/jgzn/`` (title 页面不存在), ``/zwgk/rsxx/`` (h1 404 找不到页面);
    - a missing ``.pdf`` attachment on the newest 政策文件; `broken_internal` more 404s
      on random articles;
    - `broken_external`: one 404 on an outside host the server answers, the rest
      ``www.old-bureau<i>.invalid`` hosts that DNS does not know (NXDOMAIN);
    - robots.txt disallows ``/private/`` (``/private/txl.html`` is linked, served 200);
    - links in a comment (``/zwgk/old-column/index.html``) and in script text
      (``/js/old-entry.html``, ``/js/old-share.html``) that would 404 if requested;
    - `trap`: an endless calendar below ``/calendar`` and session-id pages below
      ``/bsfw/``; `slow`: ``/hdjl/wsdc/`` stalls 30 s before answering; `big`: an
      8 MB page; `bomb`: a 200 MB gzip bomb (both under ``/zwgk/tjsj/``).

    About `gbk_share` of the articles are GBK (declared by header or by meta); one
    政务动态 article is GBK with a header that says UTF-8 and no meta; the 公开指南
    is GBK declared as gb2312. `addresses` are what DNS gives the site's hosts.
    URLs carry `PORT_TOKEN`: call `Expected.with_port` once the server runs.
    """
    rng = random.Random(seed)
    site = site_info(host, seed)
    builder = SiteBuilder(site, addresses)
    articles = plan_articles(rng, site, pages, gbk_share, newest)
    build_gov_site(builder, rng, articles, broken_internal=broken_internal,
                   broken_external=broken_external, external_hosts=external_hosts,
                   trap=trap, slow=slow, big=big, bomb=bomb)
    for path in STATIC:
        builder.file(path)
    builder.spec.robots[site.host] = "User-agent: *\nDisallow: /private/\nDisallow: /search/\n"
    expected = builder.expected(
        site.url("/"),
        trap_prefix=site.url(CALENDAR_ENTRY.split("?")[0]) if trap else None,
        session_prefix=site.url("/bsfw/") if trap else None,
    )
    return builder.spec, expected


def plan_articles(rng: random.Random, site: SiteInfo, pages: int, gbk_share: float,
                  newest: dt.date) -> list[Article]:
    """Paths, titles, dates and charsets of the articles, newest first per column."""
    total = max(len(_SHARE) * 2, (pages - _FIXED_PAGES) * PER_LIST_PAGE // (PER_LIST_PAGE + 1))
    next_id = rng.randint(100000, 800000)
    out: list[Article] = []
    for column, share in _SHARE.items():
        count = max(2, round(total * share))
        span = 700 if column == "ndbg" else 540
        for date in govtext.dates(rng, count, newest, span):
            next_id += rng.randint(1, 40)
            path = f"{COLUMN_BASE[column]}{date:%Y%m}/t{date:%Y%m%d}_{next_id}.html"
            title = govtext.title_for(column, rng, site.city, date.year)
            gbk: Declare | None = None
            if rng.random() < gbk_share:
                gbk = "header" if len(out) % 2 else "meta"
            out.append(Article(column, path, title, date, gbk))
    liar = next(a for a in out if a.column == "zwdt" and a.gbk is None)
    liar.gbk = "lie"
    return out
