"""The bundled demo site: 示范市人民政府门户网站 on ``www.demo-city.gov.cn``.

About 35 hand-written pages (首页, 政府信息公开 and its columns, 指南, 年报,
政策文件 with attachments, 政策解读, 通知公告, 政务动态, 互动交流, 办事服务) with
defects a person recognises in the demo report (see `DEFECTS`). Dates are
counted back from `today`, so only the planted defects show up, whenever the
demo runs.

The demo never leaves the machine: every external link goes to a host that the
same server answers (``www.gov.cn``, ``www.hebei.gov.cn``, the footer's badge
and 备案 hosts) or to a ``.invalid`` name, and the private-address link is an
IP literal a correct crawler refuses to contact. Standard library only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Final

from ..sitekit.builder import SiteBuilder
from ..sitekit.expected import Expected
from ..sitekit.pagekit import PNG, STATIC, PageWriter, SiteInfo, ul
from ..sitekit.spec import PORT_TOKEN, Resource, SiteSpec, redirect

HOST: Final = "www.demo-city.gov.cn"
ADDRESSES: Final = ("127.0.0.1", "::1")
SITE: Final = SiteInfo(host=HOST, city="示范市", province_short="冀",
                       province_host="www.hebei.gov.cn", id_code="1399000001",
                       icp="冀ICP备12345678号-1", police="13990002000101")
FOOTER_HOSTS: Final = {
    "bszs.conac.cn": {"/sitename": "党政机关网站标识"},
    "dcs.conac.cn": {"/image/red.png": ""},
    "beian.miit.gov.cn": {"/": "ICP/IP地址/域名信息备案管理系统"},
    "www.beian.gov.cn": {"/portal/registerSystemInfo": "全国互联网安全管理服务平台"},
    "zfwzzc.www.gov.cn": {"/check_web/errorInfo_querySiteInfo.action": "我为政府网站找错"},
    "www.gov.cn": {"/": "中国政府网", "/zhengce/": "政策_中国政府网"},
    "www.hebei.gov.cn": {"/": "河北省人民政府网"},
}
NAV: Final = (
    ("首页", "/"), ("政府信息公开", "/zwgk/"), ("政府信息公开指南", "/zwgk/xxgkzn/"),
    ("政府信息公开年报", "/zwgk/ndbg/"), ("政策文件", "/zwgk/zcwj/"), ("政策解读", "/zwgk/zcjd/"),
    ("通知公告", "/zwgk/tzgg/"), ("政务动态", "/zwdt/"), ("办事服务", "/bsfw/"),
    ("互动交流", "/hdjl/"),
)
CLOSED_BUREAU: Final = "http://www.closed-bureau.invalid/"
PRIVATE_OA: Final = "http://10.0.0.8/oa/"

DEFECTS: Final = (
    ("/zwgk/ldjh/", "首页", "404: 首页上的“领导讲话”栏目已撤销 (homepage broken link)"),
    ("/zwdt/202403/t20240315_1021.html", "/zwdt/ 下的新闻", "404: 相关阅读指向已删除的新闻"),
    ("/ztzl/2023lh/", "/wzdt/", "404: 网站地图里的专题已下线"),
    ("/zwgk/zcwj/P020240318391254673106.pdf", "政策文件", "404: 附件不存在 (broken attachment)"),
    ("/xxgk/", "/zwgk/", "redirect loop: /xxgk/ ⇄ /xxgk/index.html"),
    ("/zwgk/rsxx/", "/zwgk/", "soft 404: 200 OK with title 页面不存在"),
    (CLOSED_BUREAU, "/wzdt/", "DNS: host does not exist (原示范市物价局网站)"),
    (PRIVATE_OA, "首页", "private address 10.0.0.8: never contacted"),
)

# (path, title, days before today, body paragraphs, extra links (href, text))
Item = tuple[str, str, int, tuple[str, ...], tuple[tuple[str, str], ...]]

NEWS: Final[tuple[Item, ...]] = (
    ("/zwdt/{ym}/t{ymd}_1088.html", "市政府召开第38次常务会议", 1,
     ("会议研究部署优化营商环境、安全生产等工作。",
      "会议审议通过了《示范市城市更新行动实施方案》。"),
     ()),
    ("/zwdt/{ym}/t{ymd}_1086.html", "全市重点项目建设现场观摩会召开", 4,
     ("观摩团先后实地察看了12个重点项目。", "截至目前，全市重点项目累计完成投资86.5亿元。"),
     (("/zwdt/202403/t20240315_1021.html", "相关阅读：一季度重点项目开工情况"),)),
    ("/zwdt/{ym}/t{ymd}_1083.html", "我市“一网通办”改革取得阶段性成效", 9,
     ("全市政务服务事项网上可办率达到98%。",), ()),
    ("/zwdt/{ym}/t{ymd}_1079.html", "市领导调研防汛准备工作", 15,
     ("调研组一行检查了主要河道堤防和应急物资储备情况。",), ()),
    ("/zwdt/{ym}/t{ymd}_1072.html", "示范市召开安全生产专题会议", 23,
     ("会议要求压紧压实安全生产责任，坚决遏制重特大事故发生。",), ()),
    ("/zwdt/{ym}/t{ymd}_1065.html", "我市举办2024年春季招聘会", 34,
     ("本次招聘会共有186家企业参加，提供就业岗位5200余个。",), ()),
)
NOTICES: Final[tuple[Item, ...]] = (
    ("/zwgk/tzgg/{ym}/t{ymd}_2051.html", "关于开展2024年度城乡居民医疗保险集中参保工作的通知", 2,
     ("集中参保缴费时间为9月1日至12月31日。", "联系电话：0399-12345。"), ()),
    ("/zwgk/tzgg/{ym}/t{ymd}_2047.html", "关于公布示范市第一批政务服务“跨省通办”事项清单的公告", 12,
     ("现将第一批“跨省通办”事项清单予以公布。",), ()),
    ("/zwgk/tzgg/{ym}/t{ymd}_2040.html",
     "关于征求《示范市养老服务条例（征求意见稿）》意见的公告", 27,
     ("公众可通过信函、电子邮件等方式提出意见建议。",),
     (("mailto:yjzj@demo-city.gov.cn", "yjzj@demo-city.gov.cn"),)),
    ("/zwgk/tzgg/{ym}/t{ymd}_2033.html", "示范市2024年公开招聘事业单位工作人员公告", 45,
     ("本次计划招聘工作人员126名。",), ()),
)
POLICIES: Final[tuple[Item, ...]] = (
    ("/zwgk/zcwj/{ym}/t{ymd}_3015.html",
     "示范市人民政府办公室关于印发示范市城市更新行动实施方案的通知", 3,
     ("示政办发〔2024〕12号",
      "《示范市城市更新行动实施方案》已经市政府同意，现印发给你们，请认真贯彻执行。"),
     (("P020240318391254673106.pdf", "附件1：示范市城市更新行动实施方案.pdf"),
      ("P020240318391254673107.docx", "附件2：重点任务分工表.docx"),
      ("@4007", "政策解读：一图读懂《示范市城市更新行动实施方案》"))),
    ("/zwgk/zcwj/{ym}/t{ymd}_3011.html", "示范市人民政府关于进一步优化营商环境的若干措施", 20,
     ("示政发〔2024〕5号",),
     (("P020240301552163708211.pdf", "示范市进一步优化营商环境的若干措施.pdf"),
      ("P020240301552163708212.xls", "附件：政务服务事项清单.xls"),
      ("@4005", "政策解读：《关于进一步优化营商环境的若干措施》政策解读"))),
    ("/zwgk/zcwj/{ym}/t{ymd}_3008.html", "示范市农村人居环境整治提升五年行动实施方案", 41,
     ("示政办发〔2024〕3号",), (("P020240208117405262315.wps", "实施方案.wps"),)),
    ("/zwgk/zcwj/{ym}/t{ymd}_3002.html", "示范市政府信息公开工作管理办法", 66,
     ("示政办发〔2024〕1号",), (("P020240112004521003419.ofd", "管理办法（OFD版）.ofd"),)),
)
READINGS: Final[tuple[Item, ...]] = (
    ("/zwgk/zcjd/{ym}/t{ymd}_4007.html", "一图读懂《示范市城市更新行动实施方案》", 3,
     ("图解城市更新行动的目标任务和保障措施。",), (("@3015", "政策原文"),)),
    ("/zwgk/zcjd/{ym}/t{ymd}_4005.html", "《关于进一步优化营商环境的若干措施》政策解读", 19,
     ("一、起草背景", "二、主要内容：共5个方面22条措施。"), (("@3011", "政策原文"),)),
    ("/zwgk/zcjd/{ym}/t{ymd}_4002.html", "市农业农村局负责同志解读农村人居环境整治提升行动", 40,
     ("到2028年，农村卫生厕所普及率达到95%以上。",), (("@3008", "政策原文"),)),
)
COLUMNS: Final = {"/zwdt/": ("政务动态", NEWS), "/zwgk/tzgg/": ("通知公告", NOTICES),
                  "/zwgk/zcwj/": ("政策文件", POLICIES), "/zwgk/zcjd/": ("政策解读", READINGS)}


def demo_spec(today: dt.date | None = None) -> tuple[SiteSpec, dict[str, list[str]]]:
    """The demo site and the static DNS answers it needs (host → ["127.0.0.1", "::1"]).

    Serve it with ``python -m webaudit.sitekit.httpserver`` (its URLs carry the
    port token, which the server fills in) and crawl ``http://www.demo-city.gov.cn:PORT/``
    with ``DnsSettings(hosts=...)`` from the mapping. ``www.closed-bureau.invalid``
    is deliberately absent: it must fail to resolve without asking any real DNS.
    """
    spec, expected = demo_site(today)
    return spec, {name: list(ips) for name, ips in expected.zone.items()}


def demo_site(today: dt.date | None = None) -> tuple[SiteSpec, Expected]:
    """The demo spec and the `Expected` outcome of auditing it (URLs with `PORT_TOKEN`)."""
    today = today or dt.date.today()
    b = SiteBuilder(SITE, ADDRESSES, NAV)
    for host, paths in FOOTER_HOSTS.items():
        b.external(host, paths)
    for path in STATIC:
        b.file(path)
    b.spec.add(HOST, "/images/banner.jpg", Resource(body=PNG))
    ids = {raw.rsplit("_", 1)[1].split(".")[0]: _date_path(raw, today - dt.timedelta(days=days))
           for _, items in COLUMNS.values() for raw, _, days, _, _ in items}
    listed = {base: _articles(b, base, name, items, today, ids)
              for base, (name, items) in COLUMNS.items()}
    _homepage(b, listed)
    _xxgk(b, today)
    _interaction(b, today)
    b.spec.robots[HOST] = "User-agent: *\nDisallow: /search/\n"
    return b.spec, b.expected(SITE.url("/"))


def _date_path(path: str, day: dt.date) -> str:
    return path.format(ym=f"{day:%Y%m}", ymd=f"{day:%Y%m%d}")


def _articles(b: SiteBuilder, base: str, column: str, items: tuple[Item, ...],
              today: dt.date, ids: dict[str, str]) -> list[tuple[str, str, dt.date]]:
    """Write a column's articles and its list page; return (path, title, date), newest first."""
    rows = []
    for raw, title, days, paragraphs, extras in items:
        day = today - dt.timedelta(days=days)
        path = _date_path(raw, day)
        rows.append((path, title, day))
        folder = path.rsplit("/", 1)[0] + "/"
        links = []
        for href, text in extras:
            if href.startswith("@"):  # another article, by id (政策文件 ⇄ 政策解读)
                href = ids[href[1:]]
            elif href.startswith("P0"):  # an attachment, next to the article
                if href != "P020240318391254673106.pdf":  # the broken attachment
                    b.file(folder + href)
                else:
                    href = "/zwgk/zcwj/" + href
            links.append((href, text))
        gbk = path.endswith("_1083.html")

        def body(w: PageWriter, title: str = title, day: dt.date = day,
                 paragraphs: tuple[str, ...] = paragraphs,
                 links: list[tuple[str, str]] = links) -> str:
            text = "".join(f"<p>{p}</p>" for p in paragraphs)
            more = ul(w.a(h, t) for h, t in links) if links else ""
            return (f'<div class="crumb">{w.a("/", "首页")} &gt; {w.a("../", column)}</div>'
                    f"<h1>{title}</h1><div class='info'>发布时间：{day:%Y-%m-%d}　"
                    f"来源：{SITE.org}办公室</div><div class='content'>{text}</div>{more}")

        meta = {"ColumnName": column, "ArticleTitle": title, "PubDate": f"{day:%Y-%m-%d}"}
        b.page(path, title, body, column=base, meta=meta, charset="gbk" if gbk else "utf-8",
               declare="meta" if gbk else "both")
    _list_page(b, base, column, rows)
    return rows


def _list_page(b: SiteBuilder, base: str, column: str,
               rows: list[tuple[str, str, dt.date]]) -> None:
    def body(w: PageWriter) -> str:
        items = [f"{w.a('.' + p[len(base) - 1:], t)}<span>{d:%Y-%m-%d}</span>" for p, t, d in rows]
        return f"<h2>{column}</h2>{ul(items)}<div class='page'>共1页</div>"

    b.page([base, base + "index.html"], f"{column}_{SITE.org}", body, column=base,
           meta={"ColumnName": column})


def _homepage(b: SiteBuilder, listed: dict[str, list[tuple[str, str, dt.date]]]) -> None:
    def latest(w: PageWriter, base: str, n: int) -> str:
        return ul(f"{w.a(p, t)}<span>{d:%m-%d}</span>" for p, t, d in listed[base][:n])

    def body(w: PageWriter) -> str:
        return "".join([
            w.img("/images/banner.jpg", "示范市欢迎您"),
            "<h2>政务动态</h2>", latest(w, "/zwdt/", 5),
            "<h2>通知公告</h2>", latest(w, "/zwgk/tzgg/", 4),
            "<h2>政策文件</h2>", latest(w, "/zwgk/zcwj/", 3),
            "<h2>政府信息公开</h2>", ul([w.a("/zwgk/xxgkzn/", "政府信息公开指南"),
                                      w.a("/zwgk/ndbg/", "政府信息公开年报"),
                                      w.a("/zwgk/ldjh/", "领导讲话")]),
            "<h2>办事服务</h2>", ul([w.a("/bsfw/", "办事指南"), w.a(PRIVATE_OA, "内网办公")]),
            "<h2>政府网站</h2>", ul([w.a(SITE.url("/", "www.gov.cn"), "中国政府网"),
                                    w.a(SITE.url("/", "www.hebei.gov.cn"), "河北省人民政府")]),
        ])

    b.page(["/", "/index.html"], f"{SITE.org}门户网站", body, meta={"ColumnName": "首页"})


def _xxgk(b: SiteBuilder, today: dt.date) -> None:
    hub = [("xxgkzn/", "政府信息公开指南"), ("xxgkzd/", "政府信息公开制度"),
           ("ndbg/", "政府信息公开年报"), ("zcwj/", "政策文件"), ("zcjd/", "政策解读"),
           ("tzgg/", "通知公告"), ("jgzn/", "机构职能"),
           ("rsxx/", "人事信息"), ("/xxgk/", "信息公开（旧版）")]
    b.page(["/zwgk/", "/zwgk/index.html"], f"政府信息公开_{SITE.org}",
           lambda w: "<h2>政府信息公开</h2>" + ul(w.a(h, t) for h, t in hub), column="/zwgk/")
    guide = ("<h2>示范市人民政府信息公开指南</h2><p>一、主动公开：本机关主动公开的政府信息，"
             "通过门户网站、政府公报等方式公开。</p><p>二、依申请公开：公民、法人或者其他组织"
             "可以向本机关申请获取相关政府信息。</p><p>三、工作机构：示范市人民政府办公室，"
             "地址：示范市人民路1号，电话：0399-12345。</p>")
    simple = {
        "/zwgk/xxgkzn/": ("政府信息公开指南", guide),
        "/zwgk/xxgkzd/": ("政府信息公开制度", "<p>示范市政府信息公开保密审查制度。</p>"),
        "/zwgk/jgzn/": ("机构职能", "<p>示范市人民政府办公室负责处理市政府日常工作。</p>"),
        "/bsfw/": ("办事服务", "<p>个人办事 | 法人办事 | 部门服务</p>"),
        "/lxwm/": ("联系我们", "<p>地址：示范市人民路1号　邮编：099000</p>"),
        "/gybz/": ("关于本站", "<p>本网站由示范市人民政府办公室主办。</p>"),
    }
    for path, (title, html) in simple.items():
        b.page(path, f"{title}_{SITE.org}", _const(html), column=path)
    b.page("/zwgk/rsxx/", "页面不存在", _const("<h1>对不起，您访问的页面不存在！</h1>"),
           soft_404=True)
    b.spec.add(HOST, "/xxgk/", redirect("/xxgk/index.html", 301))
    b.spec.add(HOST, "/xxgk/index.html", redirect("/xxgk/", 302))
    last = today.year - 1 if today >= dt.date(today.year, 1, 31) else today.year - 2
    reports = []
    for year in (last, last - 1, last - 2):
        path = f"/zwgk/ndbg/{year + 1}01/t{year + 1}0125_{year}.html"
        title = f"示范市人民政府{year}年政府信息公开工作年度报告"
        pdf = f"/zwgk/ndbg/{year + 1}01/P0{year + 1}0125{year}.pdf"
        b.file(pdf)
        body = (f"<p>本报告根据《中华人民共和国政府信息公开条例》编制，统计期限为{year}年1月1日至"
                f"12月31日。</p>")
        meta = {"ColumnName": "政府信息公开年报", "PubDate": f"{year + 1}-01-25"}
        b.page(path, title, _with_link(body, pdf, "报告全文（PDF）"), column="/zwgk/ndbg/",
               meta=meta)
        reports.append((path, title, dt.date(year + 1, 1, 25)))
    _list_page(b, "/zwgk/ndbg/", "政府信息公开年报", reports)
    sitemap = [("/zwgk/", "政府信息公开"), ("/zwdt/", "政务动态"), ("/hdjl/", "互动交流"),
               ("/ztzl/2023lh/", "2023年全国两会专题"), (CLOSED_BUREAU, "原示范市物价局")]
    b.page("/wzdt/", f"网站地图_{SITE.org}", lambda w: ul(w.a(h, t) for h, t in sitemap))


def _interaction(b: SiteBuilder, today: dt.date) -> None:
    asked = today - dt.timedelta(days=10)
    answered = today - dt.timedelta(days=6)
    letters = (f"<h2>领导信箱</h2><table><tr><th>标题</th><th>来信时间</th><th>回复时间</th></tr>"
               f"<tr><td>关于小区加装电梯补贴的咨询</td><td>{asked:%Y-%m-%d}</td>"
               f"<td>{answered:%Y-%m-%d}</td></tr></table>")
    b.page("/hdjl/", f"互动交流_{SITE.org}", lambda w: ul([
        w.a("ldxx/", "领导信箱"), w.a("zjdc/", "征集调查"),
        w.a(SITE.url("/zhengce/", "www.gov.cn"), "国务院政策文件库")]), column="/hdjl/")
    b.page("/hdjl/ldxx/", f"领导信箱_{SITE.org}", _const(letters), column="/hdjl/")
    b.page("/hdjl/zjdc/", f"征集调查_{SITE.org}",
           _const("<h2>征集调查</h2><p>《示范市养老服务条例（征求意见稿）》意见征集。</p>"),
           column="/hdjl/")


def _const(html: str) -> Callable[[PageWriter], str]:
    return lambda w: html


def _with_link(html: str, href: str, text: str) -> Callable[[PageWriter], str]:
    return lambda w: html + w.a(href, text)


__all__ = ["DEFECTS", "HOST", "PORT_TOKEN", "demo_site", "demo_spec"]
