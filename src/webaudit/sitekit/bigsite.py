"""A big, plain generated site for benchmarks (`big_site`), and `write_static` to put
any spec's plain files on disk for a static server such as nginx.

`big_site` has column list pages, articles with a fixed number of links each,
attachments, and about 1% of links pointing at pages that do not exist. It
uses only root-relative links and no behaviours, so `write_static` can serve
it byte for byte. Standard library only.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Final

from . import govtext
from .builder import SiteBuilder, site_info
from .expected import Expected, PageRecord
from .pagekit import PageWriter, file_body
from .spec import PORT_TOKEN, Resource, SiteSpec

PER_LIST: Final = 20
COLUMNS: Final = 10
BROKEN_SHARE: Final = 0.01
_EXTS: Final = ("pdf", "docx", "xls")


def big_site(host: str = "www.big.gov.cn", pages: int = 5000, links_per_page: int = 35,
             seed: int = 0, addresses: tuple[str, ...] = ("127.0.0.1", "::1"),
             ) -> tuple[SiteSpec, Expected]:
    """About `pages` HTML pages on `host`: a homepage, `COLUMNS` paged columns and
    articles with `links_per_page` links each (nav, related articles, an
    attachment on every third); about 1% of related links are 404s."""
    rng = random.Random(seed)
    site = site_info(host, seed)
    b = SiteBuilder(site, addresses)
    names = [f"{govtext.COLUMNS[c]}{i // 5 + 1}" for i, c in
             enumerate(list(govtext.COLUMNS) * 2)][:COLUMNS]
    articles_total = max(COLUMNS, pages - 1 - pages // (PER_LIST + 1))
    per_column = -(-articles_total // COLUMNS)
    newest = dt.date(2024, 5, 20)
    paths: list[list[str]] = []
    titles: dict[str, str] = {}
    serial = 100000
    for c in range(COLUMNS):
        column: list[str] = []
        for k in range(per_column):
            day = newest - dt.timedelta(days=k // 3)
            serial += 1
            path = f"/col{c}/{day:%Y%m}/t{day:%Y%m%d}_{serial}.html"
            column.append(path)
            titles[path] = govtext.title_for("tzgg", rng, site.city, day.year)
        paths.append(column)
    nav = [("/", "首页")] + [(f"/col{c}/", names[c]) for c in range(COLUMNS)]
    broken = 0

    def emit(path: str, title: str, links: list[tuple[str, str]], extra_paths: tuple[str, ...] = (),
             ) -> None:
        w = PageWriter(site.url(path))
        items = "".join(f"<li>{w.a(h, t)}</li>" for h, t in links)
        html = (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}'
                f"</title></head><body><h1>{title}</h1><ul>{items}</ul>"
                "<p>本页面为基准测试生成的政府网站页面。</p></body></html>\n")
        for p in (path, *extra_paths):
            b.spec.add(site.host, p, Resource(body=html))
            b.records[site.url(p)] = PageRecord(title, "utf-8", w.links)

    for c, column in enumerate(paths):
        lists = -(-len(column) // PER_LIST)
        for k in range(lists):
            chunk = column[k * PER_LIST:(k + 1) * PER_LIST]
            pager = [(f"/col{c}/index_{k + 1}.html", "下一页")] if k + 1 < lists else []
            list_path = f"/col{c}/" if k == 0 else f"/col{c}/index_{k}.html"
            emit(list_path, f"{names[c]}（第{k + 1}页）",
                 nav + [(p, titles[p]) for p in chunk] + pager)
        for i, path in enumerate(column):
            links = list(nav)
            if i % 3 == 0:
                attachment = path.replace(".html", f".{_EXTS[i % len(_EXTS)]}")
                name = attachment.rsplit("/", 1)[-1]
                b.spec.add(site.host, attachment,
                           Resource(body=file_body(name.rsplit(".", 1)[-1], name)))
                links.append((attachment, "附件"))
            j = i
            while len(links) < links_per_page:
                j = (j + 7) % len(column)
                if rng.random() < BROKEN_SHARE:
                    broken += 1
                    links.append((path.replace(".html", f"_{broken}.html"), "已删除的页面"))
                else:
                    links.append((column[j], titles[column[j]]))
            emit(path, titles[path], links)
    emit("/", f"{site.org}（基准测试站点）", [(f"/col{c}/", names[c]) for c in range(COLUMNS)],
         ("/index.html",))
    return b.spec, b.expected(site.url("/"))


def write_static(spec: SiteSpec, directory: str | Path, port: int | None = None) -> list[Path]:
    """Write every plain resource (status 200, no behaviour) as a file under
    ``directory/<host>/``, with robots.txt; ``…/`` paths become ``…/index.html``.

    `port` replaces `PORT_TOKEN` in the bodies (absolute links need it). Paths
    with a query string and special resources are skipped. Returns the host
    directories (one ``root`` each for nginx).
    """
    root = Path(directory)
    out: list[Path] = []
    for host, resources in spec.hosts.items():
        host_dir = root / host
        host_dir.mkdir(parents=True, exist_ok=True)
        out.append(host_dir)
        for path, resource in resources.items():
            if resource.behaviour or resource.status != 200 or "?" in path or "*" in path:
                continue
            rel = path.lstrip("/")
            if rel == "" or rel.endswith("/"):
                rel += "index.html"
            target = host_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            body = resource.body_bytes()
            if port is not None:
                body = body.replace(PORT_TOKEN.encode(), str(port).encode())
            target.write_bytes(body)
        if host in spec.robots:
            (host_dir / "robots.txt").write_text(spec.robots[host], encoding="utf-8")
    return out
