"""The site builder that generators share: writes pages through `PageWriter`,
adds files and outside hosts, keeps the DNS zone, and runs the reference crawl
that yields `Expected`. Standard library only.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from . import govtext
from .expected import Expected, PageRecord, ReferenceCrawl
from .pagekit import NAV, PNG, PageWriter, SiteInfo, file_body, page_html
from .spec import Resource, SiteSpec

Declare = Literal["both", "header", "meta", "lie"]


@dataclass
class Article:
    column: str
    path: str
    title: str
    date: dt.date
    gbk: Declare | None = None  # how a GBK article declares its charset


class SiteBuilder:
    """Accumulates a spec and the page records of one generated site."""

    def __init__(self, site: SiteInfo, addresses: Sequence[str],
                 nav: Sequence[tuple[str, str]] = NAV) -> None:
        self.site = site
        self.nav = nav
        self.spec = SiteSpec(default_host=site.host)
        self.records: dict[str, PageRecord] = {}
        self.addresses = list(addresses)
        self.zone: dict[str, list[str]] = {site.host: list(addresses)}
        self.soft_404: list[str] = []

    def page(self, paths: str | Sequence[str], title: str, body: Callable[[PageWriter], str], *,
             column: str = "/", charset: str = "utf-8", declare: Declare = "both",
             base: str | None = None, head_extra: Callable[[PageWriter], str] | None = None,
             meta: dict[str, str] | None = None, behaviour: Resource | None = None,
             record: bool = True, soft_404: bool = False) -> str:
        """Write one page (served at every path in `paths`); return its first URL.

        `declare` says how the charset is announced: header and meta (``both``),
        only the header, only a meta tag, or a header that lies (says UTF-8).
        `record` false keeps the page out of the reference crawl (trap pages).
        """
        paths = [paths] if isinstance(paths, str) else list(paths)
        url = self.site.url(paths[0])
        w = PageWriter(url, base)
        label = {"gbk": "gb2312" if declare == "meta" else "GBK"}.get(charset, charset)
        html = page_html(w, self.site, title, body, column=column, head_extra=head_extra,
                         meta_charset=None if declare in ("lie", "header") else label, meta=meta,
                         nav=self.nav)
        html.encode(charset)  # fail here, not in the server, if a GBK page has a non-GBK char
        header = {"both": f"text/html; charset={label}", "header": f"text/html; charset={label}",
                  "meta": "text/html", "lie": "text/html; charset=utf-8"}[declare]
        resource = behaviour or Resource()
        resource.body, resource.charset = html, charset
        resource.headers = {"Content-Type": header, **resource.headers}
        for path in paths:
            self.spec.add(self.site.host, path, resource)
            if record:
                self.records[self.site.url(path)] = PageRecord(title, charset, w.links, w.hidden)
            if soft_404:
                self.soft_404.append(self.site.url(path))
        return url

    def file(self, path: str, host: str | None = None, head_405: bool = False) -> str:
        """A small attachment or static file at `path`; returns its URL. With `head_405`
        its server refuses HEAD (405, with a body all the same)."""
        name = posixpath.basename(path)
        body = file_body(name.rsplit(".", 1)[-1].lower(), name)
        resource = (Resource(body=body, head_status=405, head_body="HEAD not allowed")
                    if head_405 else Resource(body=body))
        self.spec.add(host or self.site.host, path, resource)
        return self.site.url(path, host)

    def external(self, host: str, paths: dict[str, str] | None = None) -> None:
        """An outside host that DNS answers and the test server serves: each path is
        a tiny page with the given title (an image for ``.png``). No paths: the
        host is in DNS and every request to it is a 404."""
        self.zone[host] = list(self.addresses)
        self.spec.host(host)
        for path, title in (paths or {}).items():
            if path.endswith(".png"):
                self.spec.add(host, path, Resource(body=PNG))
            else:
                self.spec.add(host, path, tiny_page(title))

    def expected(self, homepage: str, **prefixes: str | None) -> Expected:
        return ReferenceCrawl(self.spec, self.records, homepage=homepage, zone=self.zone,
                              soft_404=self.soft_404, **prefixes).run()


def rel(from_dir: str, target: str) -> str:
    """`target` as a relative reference from directory `from_dir` (both root paths)."""
    out = posixpath.relpath(target, from_dir.rstrip("/") or "/")
    return out + "/" if target.endswith("/") and not out.endswith("/") else out


def site_info(host: str, seed: int) -> SiteInfo:
    rng = random.Random(seed)
    city, short, province, icp, prefix = govtext.REGIONS[seed % len(govtext.REGIONS)]
    return SiteInfo(host=host.lower(), city=city, province_short=short, province_host=province,
                    id_code=f"{prefix}{rng.randint(0, 999999):06d}", icp=icp,
                    police=f"{prefix}02000{rng.randint(100, 999)}")


def tiny_page(title: str, text: str = "") -> Resource:
    body = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><h1>{title}</h1><p>{text}</p></body></html>")
    return Resource(body=body)
