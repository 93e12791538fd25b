"""The pages of a generated 政府网站 (see `sitegen.gov_site` for the defects it plants).

Each function writes one part of the site through a `SiteBuilder`. Links are
written the way real sites mix them: root-relative, ``./`` and ``../``
relative, and absolute with the server's port token. Standard library only.
"""

from __future__ import annotations

import posixpath
import random
from collections.abc import Callable, Sequence
from typing import Final

from . import govtext
from .builder import Article, SiteBuilder, rel
from .pagekit import PNG, PageWriter, ul
from .spec import Resource, redirect

PER_LIST_PAGE: Final = 15
COLUMN_BASE: Final = {"tzgg": "/zwgk/tzgg/", "zwdt": "/zwdt/", "zcwj": "/zwgk/zcwj/",
                      "zcjd": "/zwgk/zcjd/", "ndbg": "/zwgk/ndbg/"}
_ATTACHMENT_EXTS: Final = ("pdf", "doc", "docx", "xls", "xlsx", "wps", "ofd", "zip")
CALENDAR_ENTRY: Final = "/calendar?date=2024-05-12"


def build_gov_site(b: SiteBuilder, rng: random.Random, articles: Sequence[Article], *,
                   broken_internal: int, broken_external: int,
                   external_hosts: Sequence[str] | None, trap: bool, slow: bool, big: bool,
                   bomb: bool) -> None:
    site = b.site
    by_col: dict[str, list[Article]] = {c: [] for c in COLUMN_BASE}
    for article in articles:
        by_col[article.column].append(article)
    ext = list(external_hosts or ("www.gov.cn", site.province_host))
    for host in ext:
        b.external(host, {"/": f"{host} 门户网站"})
    b.external("bszs.conac.cn", {"/sitename": "党政机关网站标识"})
    b.external("dcs.conac.cn", {"/image/red.png": ""})
    b.external("beian.miit.gov.cn", {"/": "ICP/IP地址/域名信息备案管理系统"})
    b.external("www.beian.gov.cn", {"/portal/registerSystemInfo": "全国互联网安全管理服务平台"})
    b.external("zfwzzc.www.gov.cn",
               {"/check_web/errorInfo_querySiteInfo.action": "我为政府网站找错"})
    label = site.host.split(".")[1 if site.host.startswith("www.") else 0]
    b.zone[f"oa.{label}.gov.cn"] = ["10.0.0.8"]
    dead: list[tuple[str, str]] = []
    if broken_external > 0:
        dead.append((site.url("/col/col7283/old.html", ext[-1]), "省政府网站旧栏目"))
    dead += [(f"http://www.old-bureau{i}.invalid/", f"原{i}号机构网站（已撤销）")
             for i in range(1, broken_external)]
    broken = broken_links(rng, articles, broken_internal)
    for column, items in by_col.items():
        for i, article in enumerate(items):
            write_article(b, rng, article, items, i, by_col, broken.get(article.path, []))
        write_lists(b, column, items)
    homepage(b, by_col, ext)
    public_hub(b, big=big, bomb=bomb)
    interaction(b, label, trap=trap, slow=slow)
    services(b, trap=trap)
    misc_pages(b, by_col, dead)


def broken_links(rng: random.Random, articles: Sequence[Article],
                 count: int) -> dict[str, list[tuple[str, str]]]:
    """`count` links to articles that do not exist, spread over random articles."""
    out: dict[str, list[tuple[str, str]]] = {}
    for i in range(count):
        host_article = rng.choice(articles)
        date = host_article.date
        path = f"/zwgk/tzgg/{date:%Y%m}/t{date:%Y%m%d}_{990000 + i}.html"
        out.setdefault(host_article.path, []).append((path, "相关链接（原文已删除）"))
    return out


def write_article(b: SiteBuilder, rng: random.Random, a: Article, items: list[Article], i: int,
                  by_col: dict[str, list[Article]], broken: list[tuple[str, str]]) -> None:
    site = b.site
    directory = posixpath.dirname(a.path) + "/"
    base = "/zwgk/zcwj/" if a.column == "zcjd" and i == 1 else None  # one page with <base href>
    origin = base or directory
    attachments: list[tuple[str, str]] = []
    if a.column in ("zcwj", "ndbg", "tzgg"):
        n = {"zcwj": rng.randint(1, 3), "ndbg": 1, "tzgg": rng.randint(0, 1)}[a.column]
        for k in range(n):
            ext = "pdf" if a.column == "ndbg" else rng.choice(_ATTACHMENT_EXTS)
            path = f"{directory}P0{a.date:%Y%m%d}{rng.randint(10**11, 10**12 - 1)}.{ext}"
            b.file(path, head_405=(ext == "pdf" and k == 0 and i % 3 == 0))
            attachments.append((path, f"附件{k + 1}：{a.title[:12]}.{ext}"))
        if a.column == "zcwj" and i == 0:  # a broken attachment and a Chinese file name
            missing = f"{directory}P0{a.date:%Y%m%d}000000000000.pdf"
            attachments.append((missing, "附件：解读材料.pdf"))
        if a.column == "zcwj" and i == 1:
            path = f"{directory}{a.date:%Y%m%d}附件-申请表.docx"
            b.file(path)
            attachments.append((path, "附件：申请表.docx"))
    related = [items[(i + k) % len(items)] for k in range(1, min(8, len(items)))]
    twin_col = {"zcjd": "zcwj", "zcwj": "zcjd"}.get(a.column)
    twins = by_col.get(twin_col or "", [])
    twin = twins[i] if twin_col and i < len(twins) else None

    def body(w: PageWriter) -> str:
        crumbs = [w.a("/", "首页")]
        if COLUMN_BASE[a.column].startswith("/zwgk/"):
            crumbs.append(w.a(rel(origin, "/zwgk/"), "政务公开"))
        crumbs.append(w.a(rel(origin, COLUMN_BASE[a.column] + "index.html"),
                          govtext.COLUMNS[a.column]))
        paragraphs = govtext.paragraphs(rng, rng.randint(3, 6), a.date.year)
        text = "".join(f"<p>{p}</p>" for p in paragraphs)
        parts = [f'<div class="crumb">{" &gt; ".join(crumbs)}</div>', f"<h1>{a.title}</h1>",
                 f'<div class="info">发布时间：{a.date:%Y-%m-%d}　来源：{site.org}</div>',
                 f'<div class="content">{text}</div>']
        if twin:
            word = "政策解读" if a.column == "zcwj" else "政策原文"
            parts.append(f'<p class="twin">{word}：{w.a(rel(origin, twin.path), twin.title)}</p>')
        if attachments:
            parts.append(ul((w.a(rel(origin, p), t) for p, t in attachments), "attachments"))
        parts.append(ul((w.a(rel(origin, r.path), r.title) for r in related), "related"))
        parts += [w.a(path, text) for path, text in broken]
        nav = []
        if i > 0:
            nav.append("上一篇：" + w.a(rel(origin, items[i - 1].path), items[i - 1].title))
        if i + 1 < len(items):
            nav.append("下一篇：" + w.a(rel(origin, items[i + 1].path), items[i + 1].title))
        parts.append(f'<div class="pn">{"<br>".join(nav)}</div>')
        parts.append(f'<p class="topic">热点专题：{w.a(rel(origin, "/ztzl/"), "专题专栏")}</p>')
        parts.append(w.in_script("/js/old-share.html"))
        return "\n".join(parts)

    meta = {"ColumnName": govtext.COLUMNS[a.column], "ArticleTitle": a.title,
            "PubDate": f"{a.date:%Y-%m-%d} 09:30", "ContentSource": site.org}
    gbk = a.gbk is not None
    b.page(a.path, a.title, body, column=COLUMN_BASE[a.column], charset="gbk" if gbk else "utf-8",
           declare=a.gbk or "both", base=site.url(base) if base else None, meta=meta)


def write_lists(b: SiteBuilder, column: str, items: list[Article]) -> None:
    base = COLUMN_BASE[column]
    name = govtext.COLUMNS[column]
    pages = max(1, -(-len(items) // PER_LIST_PAGE))

    def index(k: int) -> str:
        return "index.html" if k == 0 else f"index_{k}.html"

    for k in range(pages):
        chunk = items[k * PER_LIST_PAGE:(k + 1) * PER_LIST_PAGE]

        def body(w: PageWriter, k: int = k, chunk: list[Article] = chunk) -> str:
            rows = [f'{w.a("./" + rel(base, a.path), a.title)}<span>{a.date:%Y-%m-%d}</span>'
                    for a in chunk]
            paging = [w.a(index(0), "首页")]
            if k > 0:
                paging.append(w.a(index(k - 1), "上一页"))
            if k + 1 < pages:
                paging.append(w.a(index(k + 1), "下一页"))
            paging.append(w.a(index(pages - 1), "尾页"))
            return (f"<h2>{name}</h2>{ul(rows)}"
                    f'<div class="page">共{pages}页 {" ".join(paging)}</div>')

        paths = [base + "index.html", base] if k == 0 else [base + index(k)]
        b.page(paths, f"{name}_{b.site.org}", body, column=base, meta={"ColumnName": name})


def _latest(w: PageWriter, items: list[Article], n: int, href: Callable[[str], str]) -> str:
    return ul(f'{w.a(href(a.path), a.title)}<span>{a.date:%m-%d}</span>' for a in items[:n])


def homepage(b: SiteBuilder, by_col: dict[str, list[Article]], ext: list[str]) -> None:
    site = b.site
    for path in ("/images/banner.jpg", "/images/banner@2x.jpg", "/images/ztzl.png"):
        b.spec.add(site.host, path, Resource(body=PNG))

    def body(w: PageWriter) -> str:
        return "\n".join([
            w.img("/images/banner.jpg", "banner", srcset=["/images/banner@2x.jpg"]),
            '<div class="tools">' + w.a("javascript:void(0)", "设为首页")
            + w.a(f"mailto:webmaster@{site.host}", "联系我们")
            + w.a("tel:12345", "12345热线") + w.a("data:text/plain,hello", "数据") + "</div>",
            "<h2>政务要闻</h2>" + _latest(w, by_col["zwdt"], 6, site.url),
            "<h2>通知公告</h2>" + _latest(w, by_col["tzgg"], 6, lambda p: p),
            "<h2>政策文件</h2>" + _latest(w, by_col["zcwj"], 5, lambda p: "." + p),
            "<h2>政策解读</h2>" + _latest(w, by_col["zcjd"], 4, lambda p: p.lstrip("/")),
            "<h2>信息公开</h2>" + ul([w.a("/zwgk/gkzn/", "政府信息公开指南"),
                                  w.a("zwgk/ndbg/", "政府信息公开年报"),
                                  w.a("/zwgk/ldjh/", "领导讲话")]),
            w.iframe("/zwgk/iframe/weather.html", "天气预报"),
            '<img src="' + w.record("/images/ztzl.png") + '" usemap="#zt" alt="专题">'
            '<map name="zt">' + w.area("/ztzl/", "专题专栏", "0,0,300,80") + "</map>",
            "<h2>政府网站</h2>" + ul(w.a(site.url("/", h), h) for h in ext),
            w.a("http://192.168.1.10/oa/", "内网办公"),
            w.in_comment("/zwgk/old-column/index.html", "旧版栏目"),
            w.in_script("/js/old-entry.html"),
        ])

    b.page(["/", "/index.html"], f"{site.org}门户网站", body, meta={"ColumnName": "首页"})


def public_hub(b: SiteBuilder, *, big: bool, bomb: bool) -> None:
    site = b.site
    links = [("./tzgg/", "通知公告"), ("./zcwj/", "政策文件"), ("./zcjd/", "政策解读"),
             ("gkzn/", "政府信息公开指南"), ("ndbg/index.html", "政府信息公开年报"),
             ("../zwdt/", "政务动态"), ("jgzn/", "机构职能"), ("rsxx/", "人事信息"),
             ("xxgkml/", "政府信息公开目录"), ("sjfb/", "数据发布"),
             ("zcwj/old/", "政策文件（旧版）"), ("/xxgk/", "信息公开（旧版）")]
    if big:
        b.spec.add(site.host, "/zwgk/tjsj/nj2023.html", Resource(behaviour="big", size=8 << 20))
        links.append(("tjsj/nj2023.html", "统计年鉴"))
    if bomb:
        b.spec.add(site.host, "/zwgk/tjsj/report.html", Resource(behaviour="gzip-bomb"))
        links.append(("tjsj/report.html", "统计公报"))
    b.page(["/zwgk/", "/zwgk/index.html"], f"政务公开_{site.org}",
           lambda w: "<h2>政务公开</h2>" + ul(w.a(h, t) for h, t in links), column="/zwgk/")
    b.page("/zwgk/jgzn/", "页面不存在", lambda w: "<h1>对不起，您访问的页面不存在！</h1>"
           + w.a("/", "返回首页"), soft_404=True)
    b.page("/zwgk/rsxx/", site.org, lambda w: "<h1>404 找不到页面</h1><p>该栏目正在建设中。</p>",
           soft_404=True)
    b.page("/zwgk/xxgkml/", "页面跳转", lambda w: "<p>页面已迁移，正在跳转……</p>",
           head_extra=lambda w: w.refresh("/zwgk/"))
    b.page("/zwgk/sjfb/", f"数据发布_{site.org}", lambda w: "<h2>数据发布</h2><p>统计数据。</p>",
           behaviour=Resource(behaviour="retry-after", retry_after=1))
    b.spec.add(site.host, "/zwgk/zcwj/old/", redirect("/zwgk/zcwj/old/index.html", 301))
    b.spec.add(site.host, "/zwgk/zcwj/old/index.html", redirect(site.url("/zwgk/zcwj/"), 302))
    b.spec.add(site.host, "/xxgk/", redirect("/xxgk/index.html", 301))
    b.spec.add(site.host, "/xxgk/index.html", redirect("/xxgk/", 302))
    b.page("/zwgk/iframe/weather.html", "天气预报", lambda w: "<p>晴 18℃～27℃</p>")


def interaction(b: SiteBuilder, label: str, *, trap: bool, slow: bool) -> None:
    site = b.site
    links = [("ldxx/list.do", "领导信箱"), ("zxft/", "在线访谈"), ("zjdc/", "征集调查"),
             ("/private/txl.html", "内部通讯录"), (f"http://oa.{label}.gov.cn/", "协同办公")]
    if trap:
        links.append((CALENDAR_ENTRY, "活动日历"))
        b.spec.add(site.host, "/calendar*", Resource(behaviour="calendar"))
    if slow:
        stall = Resource(behaviour="stall-headers", body="<p>网上调查</p>")
        b.spec.add(site.host, "/hdjl/wsdc/", stall)
        links.append(("wsdc/", "网上调查"))
    b.page(["/hdjl/", "/hdjl/index.html"], f"互动交流_{site.org}",
           lambda w: "<h2>互动交流</h2>" + ul(w.a(h, t) for h, t in links), column="/hdjl/")
    error = ("<html><head><title>500 Internal Server Error</title></head>"
             "<body>java.lang.NullPointerException</body></html>")
    b.spec.add(site.host, "/hdjl/ldxx/list.do", Resource(status=500, body=error))
    b.page("/hdjl/zxft/", f"在线访谈_{site.org}", lambda w: "<h2>在线访谈</h2><p>暂无访谈。</p>",
           behaviour=Resource(behaviour="fail-then-ok", fail_count=1))
    b.page("/hdjl/zjdc/", f"征集调查_{site.org}", lambda w: "<h2>征集调查</h2><p>意见征集。</p>")
    b.page("/private/txl.html", "内部通讯录", lambda w: "<p>内部资料，请勿外传。</p>")


def services(b: SiteBuilder, *, trap: bool) -> None:
    pages = {"/bsfw/index.jsp": "办事服务", "/bsfw/list.jsp": "办事指南列表",
             "/bsfw/detail.jsp": "办事指南"}
    links = [("/bsfw/list.jsp?type=1", "个人办事"), ("/bsfw/list.jsp?type=2", "法人办事"),
             ("/bsfw/detail.jsp?id=101", "社会保障卡申领")]
    for path, title in pages.items():
        b.page(path, f"{title}_{b.site.org}", lambda w: ul(w.a(h, t) for h, t in links),
               column="/bsfw/index.jsp", record=not trap,
               behaviour=Resource(behaviour="session") if trap else None)


def misc_pages(b: SiteBuilder, by_col: dict[str, list[Article]],
               dead: list[tuple[str, str]]) -> None:
    site = b.site
    columns = [(base, govtext.COLUMNS[c]) for c, base in COLUMN_BASE.items()]
    b.page("/wzdt/", f"网站地图_{site.org}", lambda w: ul(w.a(h, t) for h, t in columns)
           + "<h2>相关网站</h2>" + ul(w.a(h, t) for h, t in dead))
    b.page("/lxwm/", f"联系我们_{site.org}", lambda w: "<p>地址：市府路1号　电话："
           + w.a("tel:0312-3021234", "0312-3021234") + "</p>")
    b.page("/gybz/", f"关于本站_{site.org}",
           lambda w: "<p>本网站由" + site.org + "办公室主办。</p>")
    topics = by_col["zwdt"][:3]
    b.page("/ztzl/", f"专题专栏_{site.org}",
           lambda w: ul(w.a("../" + a.path.lstrip("/"), a.title) for a in topics))
    gkzn = ("<h2>政府信息公开指南</h2><p>为了更好地开展政府信息公开工作，"
            "根据《中华人民共和国政府信息公开条例》，编制本指南。</p>"
            "<p>一、主动公开：" + site.org + "通过门户网站、政务服务中心等方式"
            "主动公开政府信息。</p><p>二、依申请公开：申请人可通过信函、当面等方式"
            "提出申请。</p>")
    b.page(["/zwgk/gkzn/", "/zwgk/gkzn/index.html"], f"政府信息公开指南_{site.org}",
           lambda w: gkzn + w.a("../ndbg/", "政府信息公开年报"), column="/zwgk/gkzn/",
           charset="gbk", declare="meta")
