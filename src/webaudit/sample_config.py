"""The commented sample config that `webaudit init` writes, generated from the declarations.

Every key is present with its default value and its help text, so loading the file
as written gives the default `Settings`; the `[[sites]]`, `[[accounts]]` and
`[plugin.NAME]` examples are commented out.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from typing import Any, Final

from .settings import CrawlSettings, Declared, DnsSettings, Settings, declared

WIDTH: Final = 100
COMMENT_COLUMN: Final = 29

_HEAD: Final = """\
# webaudit config file (TOML, UTF-8). Reference: docs/config.md
# Run: webaudit crawl webaudit.toml        (command-line flags win over this file)
# Every key below is set to its default; delete the ones you do not change.
"""

_EXAMPLES: Final = """\
# One [[sites]] table per website (网站) to audit (or give URLs on the command line).
# [[sites]]
# name = "市政府门户"                     # unique; default: the URL's host
# url = "https://www.example.gov.cn/"     # homepage (首页), http or https
# department = "市政府办公室"             # owning department (主办单位), optional
# extra_hosts = ["xxgk.example.gov.cn"]   # other hosts crawled as part of this site, optional

# 政务新媒体 accounts, each belonging to a site above.
# [[accounts]]
# site = "市政府门户"                     # the [[sites]] name it belongs to
# platform = "wechat"                     # wechat, weibo, douyin, toutiao, app, ...
# name = "某某发布"                       # account name (账号名称)
# url = "https://mp.weixin.qq.com/"       # account page or profile URL

# Settings for a plugin, passed to it as plugin_config["NAME"].
# [plugin.NAME]
# key = "value"
"""


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int) and value >= 100_000:
        return f"{value:_}"
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


def _line(setting: Declared) -> list[str]:
    info = setting.info
    if isinstance(setting.default, dt.date):  # as_of: its default is "today"
        assignment = f"# {setting.name} = 2026-01-01"
    elif setting.name == "hosts":
        assignment = "hosts = {}"
    else:
        assignment = f"{setting.name} = {_toml(setting.default)}"
    line = f"{assignment.ljust(COMMENT_COLUMN - 1)} # {info.help}"
    if len(line) <= WIDTH:
        return [line]
    return [*textwrap.wrap(info.help, WIDTH - 2, initial_indent="# ",
                           subsequent_indent="# "), assignment]


def sample_config() -> str:
    """The sample file's text."""
    lines = [_HEAD]
    for setting in declared(Settings).values():
        lines.extend(_line(setting))
    for table, cls in (("crawl", CrawlSettings), ("dns", DnsSettings)):
        lines += ["", f"[{table}]"]
        for setting in declared(cls).values():
            lines.extend(_line(setting))
    lines += ["", _EXAMPLES]
    return "\n".join(lines)


SAMPLE_CONFIG: Final = sample_config()
