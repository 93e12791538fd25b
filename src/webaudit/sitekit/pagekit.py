"""Building blocks for generated 政府网站 pages: site identity, a page writer that
records every link it writes, the common layout (header, nav, footer) and tiny
attachment bodies.

The page writer is how generators know *exactly* which links a correct crawler
extracts from a page: every ``<a>``, ``<img>``, ``<area>``… goes through it and
is recorded resolved (against ``<base href>`` when the page has one), while
links hidden in comments or script text are recorded apart as never to be
requested. Standard library only.
"""

from __future__ import annotations

import functools
import html
import struct
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urljoin

from .spec import PORT_TOKEN

NAV: Final = (
    ("首页", "/"),
    ("政务公开", "/zwgk/"),
    ("政府信息公开指南", "/zwgk/gkzn/"),
    ("政府信息公开年报", "/zwgk/ndbg/"),
    ("政策文件", "/zwgk/zcwj/"),
    ("政策解读", "/zwgk/zcjd/"),
    ("通知公告", "/zwgk/tzgg/"),
    ("政务动态", "/zwdt/"),
    ("办事服务", "/bsfw/index.jsp"),
    ("互动交流", "/hdjl/"),
)
STATIC: Final = ("/css/common.css", "/js/jquery.min.js", "/js/common.js", "/favicon.ico",
                 "/images/logo.png", "/images/ga.png")
EXTERNAL_SERVICES: Final = ("bszs.conac.cn", "dcs.conac.cn", "beian.miit.gov.cn",
                            "www.beian.gov.cn", "zfwzzc.www.gov.cn")


@dataclass(frozen=True)
class SiteInfo:
    """Who runs a site, as its footer says."""

    host: str
    city: str  # 保定市
    province_short: str  # 冀
    province_host: str  # www.hebei.gov.cn
    id_code: str  # 网站标识码, 10 digits
    icp: str  # 冀ICP备05029117号-1
    police: str  # 13060202000123

    @property
    def org(self) -> str:
        return f"{self.city}人民政府"

    def url(self, path: str = "/", host: str | None = None) -> str:
        """An absolute URL on this site (or `host`) with the server's port token."""
        return f"http://{host or self.host}:{PORT_TOKEN}{path}"


@dataclass
class PageWriter:
    """Writes the HTML of one page and records what a browser would request from it."""

    url: str
    base: str | None = None
    links: list[str] = field(default_factory=list)
    hidden: dict[str, str] = field(default_factory=dict)  # url -> "comment" | "script"

    def resolve(self, href: str) -> str:
        return _join(self.base or self.url, href)

    def record(self, href: str) -> str:
        if not href.startswith(("javascript:", "mailto:", "tel:", "data:", "#")):
            self.links.append(self.resolve(href))
        return html.escape(href, quote=True)

    def a(self, href: str, text: str, **attrs: str) -> str:
        extra = "".join(f' {k.rstrip("_")}="{html.escape(v)}"' for k, v in attrs.items())
        return f'<a href="{self.record(href)}"{extra}>{html.escape(text)}</a>'

    def img(self, src: str, alt: str = "", srcset: Iterable[str] = ()) -> str:
        out = f'<img src="{self.record(src)}" alt="{html.escape(alt)}"'
        candidates = [f"{self.record(u)} {i + 2}x" for i, u in enumerate(srcset)]
        if candidates:
            out += f' srcset="{", ".join(candidates)}"'
        return out + ">"

    def link(self, href: str, rel: str = "stylesheet") -> str:
        return f'<link rel="{rel}" href="{self.record(href)}">'

    def script(self, src: str) -> str:
        return f'<script src="{self.record(src)}"></script>'

    def iframe(self, src: str, title: str) -> str:
        return f'<iframe src="{self.record(src)}" title="{html.escape(title)}"></iframe>'

    def area(self, href: str, alt: str, coords: str) -> str:
        return f'<area shape="rect" coords="{coords}" href="{self.record(href)}" alt="{alt}">'

    def refresh(self, href: str, delay: int = 0) -> str:
        return f'<meta http-equiv="refresh" content="{delay}; url={self.record(href)}">'

    def in_comment(self, href: str, text: str) -> str:
        """A link inside an HTML comment: a correct crawler never requests it."""
        self.hidden[self.resolve(href)] = "comment"
        return f'<!-- 旧版栏目，已停用 <a href="{html.escape(href)}">{text}</a> -->'

    def in_script(self, href: str) -> str:
        """A URL in inline script text: a correct crawler never requests it."""
        self.hidden[self.resolve(href)] = "script"
        return ("<script>\n  var oldLink = '<a href=\"" + href + "\">旧版入口</a>';\n"
                "  if (window.showOld) { document.write(oldLink); }\n</script>")


@functools.lru_cache(maxsize=65536)
def _join(base: str, href: str) -> str:
    if href.startswith(("http://", "https://")):
        return href
    if href.startswith("/") and not href.startswith("//"):
        scheme, _, rest = base.partition("://")
        return f"{scheme}://{rest.split('/', 1)[0]}{href}"
    return urljoin(base, href)


def nav_html(w: PageWriter, site: SiteInfo, current: str = "/", absolute: bool = False,
             nav: Sequence[tuple[str, str]] = NAV) -> str:
    items = []
    for text, path in nav:
        href = site.url(path) if absolute else path
        cls = ' class="on"' if path == current else ""
        items.append(f"<li{cls}>{w.a(href, text)}</li>")
    return '<div class="nav"><ul>' + "".join(items) + "</ul></div>"


def footer_html(w: PageWriter, site: SiteInfo) -> str:
    """The 页面底部功能区: site map, contact, 找错, 主办单位, 网站标识码, ICP, 公安备案,
    党政机关标识."""
    zc = site.url(f"/check_web/errorInfo_querySiteInfo.action?websiteid={site.id_code}",
                  "zfwzzc.www.gov.cn")
    police = site.url(f"/portal/registerSystemInfo?recordcode={site.police}", "www.beian.gov.cn")
    conac = site.url(f"/sitename?method=show&id={site.id_code}", "bszs.conac.cn")
    parts = [  # written in document order: the writer records links as they are made
        '<div class="footer"><p>', w.a("/wzdt/", "网站地图"), " | ", w.a("/lxwm/", "联系我们"),
        " | ", w.a("/gybz/", "关于本站"), " | ", w.a(zc, "我为政府网站找错"), "</p>",
        f"<p>主办单位：{site.org}办公室　承办单位：{site.city}大数据中心</p>",
        f"<p>网站标识码：{site.id_code}　", w.a(site.url("/", "beian.miit.gov.cn"), site.icp), "　",
        w.img("/images/ga.png", "公安备案"),
        w.a(police, f"{site.province_short}公网安备 {site.police}号"), "</p>",
        '<div class="conac">', w.img(site.url("/image/red.png", "dcs.conac.cn"), "党政机关"),
        w.a(conac, "党政机关网站标识"), "</div></div>",
    ]
    return "".join(parts)


def page_html(w: PageWriter, site: SiteInfo, title: str, body: Callable[[PageWriter], str], *,
              column: str = "/", meta_charset: str | None = "utf-8",
              head_extra: Callable[[PageWriter], str] | None = None,
              meta: dict[str, str] | None = None, absolute_nav: bool = False,
              nav: Sequence[tuple[str, str]] = NAV) -> str:
    """A whole page: head with the 网页标签 meta tags, header, nav, body, footer.

    `body` and `head_extra` are called in document order, so `w.links` is too.
    """
    tags = {"SiteName": site.org, "SiteDomain": site.host, "SiteIDCode": site.id_code,
            **(meta or {})}
    metas = "".join(f'<meta name="{k}" content="{html.escape(v)}">\n' for k, v in tags.items())
    charset = (f'<meta http-equiv="Content-Type" content="text/html; charset={meta_charset}">\n'
               if meta_charset else "")
    base = f'<base href="{html.escape(w.base)}">\n' if w.base else ""
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n'
        f"{charset}{base}<title>{html.escape(title)}</title>\n{metas}"
        f'{w.link("/css/common.css")}\n{w.link("/favicon.ico", "shortcut icon")}\n'
        f'{w.script("/js/jquery.min.js")}{w.script("/js/common.js")}\n'
        f'{head_extra(w) if head_extra else ""}</head>\n'
        f'<body>\n<div class="header"><a href="{w.record(site.url("/") if absolute_nav else "/")}">'
        f'{w.img("/images/logo.png", site.org)}</a>'
        f'<form action="/search/" method="get"><input name="q"><button>搜索</button></form></div>\n'
        f"{nav_html(w, site, column, absolute_nav, nav)}\n"
        f'<div class="main">\n{body(w)}\n</div>\n{footer_html(w, site)}\n</body>\n</html>\n'
    )


def ul(items: Iterable[str], cls: str = "list") -> str:
    return f'<ul class="{cls}">' + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


# -- tiny file bodies ---------------------------------------------------------------------------

_OLE: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _zip_bytes(name: str, payload: bytes) -> bytes:
    """A one-file stored ZIP (what .docx/.xlsx/.ofd/.zip start as), without zipfile I/O."""
    crc = zlib.crc32(payload)
    raw = name.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, crc, len(payload),
                        len(payload), len(raw), 0) + raw + payload
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0, crc,
                          len(payload), len(payload), len(raw), 0, 0, 0, 0, 0, 0) + raw
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local), 0)
    return local + central + end


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


PNG: Final = _png()


def file_body(ext: str, label: str = "附件") -> bytes:
    """A small, plausibly-typed body for an attachment or static file."""
    text = f"{label}\n".encode()
    if ext == "pdf":
        return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n" + text + b"%%EOF\n"
    if ext in ("doc", "xls", "wps", "et", "ppt"):
        return _OLE + bytes(504) + text
    if ext in ("docx", "xlsx", "pptx", "ofd", "zip"):
        return _zip_bytes("content.xml" if ext != "ofd" else "OFD.xml", text)
    if ext in ("png", "jpg", "gif", "ico"):
        return PNG
    if ext == "css":
        return b"body{font-family:'Microsoft YaHei',sans-serif;margin:0}.nav li{display:inline}\n"
    if ext == "js":
        return b"(function(){window.govSite=true;})();\n"
    return text
