"""Chinese text for generated 政府网站: regions, titles per column, body paragraphs.

Every string is GBK-encodable (some generated pages are served as GBK).
Deterministic for a given `random.Random`. Standard library only.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Final

# (city, province short name, province portal, ICP number, 公安备案 prefix)
REGIONS: Final = (
    ("保定市", "冀", "www.hebei.gov.cn", "冀ICP备05029117号-1", "1306"),
    ("邯郸市", "冀", "www.hebei.gov.cn", "冀ICP备05003255号-2", "1304"),
    ("宜春市", "赣", "www.jiangxi.gov.cn", "赣ICP备06001089号-1", "3609"),
    ("株洲市", "湘", "www.hunan.gov.cn", "湘ICP备05007153号-1", "4302"),
    ("阳江市", "粤", "www.gd.gov.cn", "粤ICP备05067512号-3", "4417"),
    ("宝鸡市", "陕", "www.shaanxi.gov.cn", "陕ICP备05004921号-1", "6103"),
)

COLUMNS: Final = {
    "tzgg": "通知公告",
    "zwdt": "政务动态",
    "zcwj": "政策文件",
    "zcjd": "政策解读",
    "ndbg": "政府信息公开年报",
}

_DEPARTMENTS: Final = ("市发展和改革委员会", "市教育局", "市民政局", "市财政局",
                       "市人力资源和社会保障局", "市自然资源和规划局", "市生态环境局",
                       "市住房和城乡建设局", "市交通运输局",
                       "市农业农村局", "市卫生健康委员会", "市市场监督管理局", "市应急管理局")
_TOPICS: Final = ("优化营商环境", "城乡居民基本医疗保险", "农村人居环境整治", "安全生产专项整治",
                  "高标准农田建设", "稳就业保民生", "老旧小区改造", "数字政府建设", "大气污染防治",
                  "政务服务“一网通办”", "义务教育招生入学", "防汛抗旱", "食品安全监督抽检",
                  "养老服务体系建设", "重点项目建设", "城市更新行动")
_NOTICE: Final = ("关于{d}{t}工作的通知", "关于开展{t}专项行动的公告", "{d}关于{t}有关事项的通知",
                  "关于公布{y}年{t}名单的公示", "关于征求《{t}实施方案（征求意见稿）》意见的公告")
_NEWS: Final = ("市政府召开{t}工作推进会", "{d}扎实推进{t}", "我市{t}取得阶段性成效",
                "市领导调研{t}工作", "{d}召开{t}专题会议", "全市{t}现场观摩会召开")
_POLICY: Final = ("{c}人民政府办公室关于印发{t}实施方案的通知", "{c}人民政府关于加快推进{t}的意见",
                  "{d}关于印发《{t}管理办法》的通知", "{c}{t}三年行动计划（{y}—{z}年）")
_READING: Final = ("一图读懂《{t}实施方案》", "《关于加快推进{t}的意见》政策解读",
                   "{d}负责同志解读{t}新政", "图解：{y}年{t}政策要点")
_SENTENCES: Final = (
    "为深入贯彻落实党中央、国务院决策部署，进一步推动{t}工作，结合我市实际，制定本方案。",
    "各县（市、区）人民政府、市政府各部门要高度重视，切实加强组织领导，明确责任分工。",
    "{d}将会同有关部门加强督促检查，确保各项任务落到实处、取得实效。",
    "本通知自印发之日起施行，有效期{n}年。",
    "截至目前，全市已累计完成投资{n}亿元，惠及群众{m}万人。",
    "会议强调，要坚持以人民为中心的发展思想，持续提升{t}水平。",
    "联系电话：0312-{p}，联系人：张同志。",
    "请于{y}年{mo}月{da}日前将有关材料报送至{d}办公室。",
    "下一步，我市将继续聚焦{t}，推动政策落地见效，不断增强群众获得感。",
)


def title_for(column: str, rng: random.Random, city: str, year: int) -> str:
    """An article title typical of `column` (one of `COLUMNS`)."""
    patterns = {"tzgg": _NOTICE, "zwdt": _NEWS, "zcwj": _POLICY, "zcjd": _READING}.get(column)
    if column == "ndbg":
        return f"{city}{rng.choice(_DEPARTMENTS)}{year - 1}年政府信息公开工作年度报告"
    assert patterns is not None, column
    return rng.choice(patterns).format(
        c=city, d=rng.choice(_DEPARTMENTS), t=rng.choice(_TOPICS), y=year, z=year + 2)


def paragraphs(rng: random.Random, count: int, year: int) -> list[str]:
    out = []
    for _ in range(count):
        sentence = " ".join(
            rng.choice(_SENTENCES).format(
                t=rng.choice(_TOPICS), d=rng.choice(_DEPARTMENTS), n=rng.randint(2, 5),
                m=rng.randint(3, 90), p=rng.randint(3000000, 3999999), y=year,
                mo=rng.randint(1, 12), da=rng.randint(1, 28))
            for _ in range(rng.randint(2, 4))
        )
        out.append(sentence)
    return out


def dates(rng: random.Random, count: int, newest: dt.date, span_days: int) -> list[dt.date]:
    """`count` publication dates, newest first, within `span_days` before `newest`."""
    return sorted((newest - dt.timedelta(days=rng.randint(0, span_days)) for _ in range(count)),
                  reverse=True)
