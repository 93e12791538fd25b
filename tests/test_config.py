"""Tests for webaudit.config: the TOML loader, its error messages, overrides and digest."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from pathlib import Path
from textwrap import dedent

import pytest

from webaudit.config import (
    config_digest,
    key_lines,
    line_of,
    load_config,
    merge_overrides,
    settings_from_mapping,
)
from webaudit.errors import ConfigError
from webaudit.model import Account, Site
from webaudit.sample_config import SAMPLE_CONFIG
from webaudit.settings import CrawlSettings, DnsSettings, Settings


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def load(text: str, **kwargs: object) -> Settings:
    Path("audit.toml").write_text(dedent(text), encoding="utf-8")
    return load_config("audit.toml", **kwargs)  # type: ignore[arg-type]


def error(text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load(text)
    message = str(info.value)
    assert "\n" not in message
    return message


# --------------------------------------------------------------------------- key_lines


def test_key_lines_tables_and_keys() -> None:
    text = dedent("""\
        plugins = ["a"]  # [not a table]
        fail_on = "error"

        [crawl]
        max_pages = 5
          per_host=8
        [dns]
        "timeout" = 5.0
        'nameservers' = []
        """)
    assert key_lines(text) == {
        ("plugins",): 1, ("fail_on",): 2, ("crawl",): 4, ("crawl", "max_pages"): 5,
        ("crawl", "per_host"): 6, ("dns",): 7, ("dns", "timeout"): 8,
        ("dns", "nameservers"): 9,
    }


def test_key_lines_arrays_of_tables() -> None:
    text = dedent("""\
        [[sites]]
        url = "https://a.gov.cn/"

        [[sites]]
        name = "b"
        url = "https://b.gov.cn/"
        [[accounts]]
        site = "b"
        """)
    lines = key_lines(text)
    assert lines[("sites",)] == 1
    assert lines[("sites", 0)] == 1
    assert lines[("sites", 0, "url")] == 2
    assert lines[("sites", 1)] == 4
    assert lines[("sites", 1, "name")] == 5
    assert lines[("sites", 1, "url")] == 6
    assert lines[("accounts", 0, "site")] == 8


def test_key_lines_nested_arrays_of_tables() -> None:
    text = "[[a]]\n[[a.b]]\nx = 1\n[[a]]\n[[a.b]]\nx = 2\n[[a.b]]\nx = 3\n[a.c]\ny = 1\n"
    lines = key_lines(text)
    assert lines[("a", 0, "b", 0, "x")] == 3
    assert lines[("a", 1, "b", 0, "x")] == 6
    assert lines[("a", 1, "b", 1, "x")] == 8
    assert lines[("a", 1, "c", "y")] == 10


def test_key_lines_dotted_quoted_and_inline() -> None:
    text = dedent("""\
        crawl.max_pages = 1
        [dns]
        hosts = { "www.x.gov.cn" = ["127.0.0.1"], "政府.cn" = ["::1"] }
        [plugin."my.plugin"]
        "a\\u0062c" . d = 1
        """)
    lines = key_lines(text)
    assert lines[("crawl",)] == 1
    assert lines[("crawl", "max_pages")] == 1
    assert lines[("dns", "hosts", "www.x.gov.cn")] == 3
    assert lines[("dns", "hosts", "政府.cn")] == 3
    assert lines[("plugin", "my.plugin")] == 4
    assert lines[("plugin", "my.plugin", "abc", "d")] == 5


def test_key_lines_skips_multiline_values() -> None:
    text = dedent('''\
        a = """
        [crawl]
        b = 1 \\"""
        """
        c = \'\'\'
        [[sites]]\'\'\'
        sites = [
          { url = "https://a.gov.cn/" },  # comment with ] and }
          # [[x]]

          { name = "b" },
        ]
        d = 1979-05-27 07:32:00Z
        e = 1
        ''')
    assert tomllib.loads(text)  # the test text is valid TOML
    lines = key_lines(text)
    assert ("crawl",) not in lines
    assert ("b",) not in lines
    assert lines[("c",)] == 5
    assert lines[("sites",)] == 7
    assert lines[("sites", 0, "url")] == 8
    assert lines[("sites", 1)] == 11
    assert lines[("sites", 1, "name")] == 11
    assert ("x",) not in lines
    assert lines[("d",)] == 13
    assert lines[("e",)] == 14


def test_key_lines_crlf_and_garbage() -> None:
    assert key_lines("a = 1\r\n[t]\r\nb = 2\r\n") == {("a",): 1, ("t",): 2, ("t", "b"): 3}
    assert key_lines("a = 1\nb = [1,\n") == {("a",): 1, ("b",): 2}  # gets lost, keeps what it had
    assert key_lines("") == {}


def test_line_of_falls_back_to_enclosing_table() -> None:
    lines = {("sites",): 1, ("sites", 0): 1, ("sites", 1): 4, ("sites", 1, "url"): 5}
    assert line_of(lines, ("sites", 1, "url")) == 5
    assert line_of(lines, ("sites", 1, "name")) == 4
    assert line_of(lines, ("sites", 7, "name")) == 1
    assert line_of(lines, ("crawl", "x")) is None


# --------------------------------------------------------------------------- file errors


def test_missing_file(in_tmp: Path) -> None:
    with pytest.raises(ConfigError, match=r"^audit\.toml: no such file$") as info:
        load_config("audit.toml")
    assert info.value.path == "audit.toml"
    assert info.value.line is None


def test_directory(in_tmp: Path) -> None:
    (in_tmp / "conf.toml").mkdir()
    with pytest.raises(ConfigError, match=r"^conf\.toml: is a directory, not a config file$"):
        load_config("conf.toml")


def test_not_utf8(in_tmp: Path) -> None:
    Path("audit.toml").write_bytes('[crawl]\nuser_agent = "政府"\n'.encode("gbk"))
    with pytest.raises(ConfigError) as info:
        load_config("audit.toml")
    assert str(info.value) == "audit.toml:2: not valid UTF-8 (byte 0xd5); save the file as UTF-8"


def test_bom_is_fine(in_tmp: Path) -> None:
    Path("audit.toml").write_bytes(b"\xef\xbb\xbf[crawl]\nmax_pages = 3\n")
    assert load_config("audit.toml").crawl.max_pages == 3


def test_invalid_toml(in_tmp: Path) -> None:
    message = error("""\
        [crawl]
        max_pages = 3
        per_host 8
        """)
    assert message == "audit.toml:3: invalid TOML: Expected '=' after a key in a key/value pair"
    assert error('a = 1\na = 2\n') == "audit.toml:2: invalid TOML: Cannot overwrite a value"
    assert error('[crawl]\nmax_pages = ') == "audit.toml:2: invalid TOML: Invalid value"


def test_error_attributes(in_tmp: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load("[crawl]\nper_host = 0\n")
    assert (info.value.path, info.value.line, info.value.key) == ("audit.toml", 2, "crawl.per_host")
    assert info.value.exit_code == 2


# --------------------------------------------------------------------------- unknown keys


@pytest.mark.parametrize(("text", "message"), [
    ("[crawl]\nmax_pages = 1\nmax_page = 5\n",
     "audit.toml:3: unknown key 'max_page' in [crawl] (did you mean 'max_pages'?)"),
    ("[crawl]\nfoo = 5\n", "audit.toml:2: unknown key 'foo' in [crawl]"),
    ("[crawl]\nnameservers = []\n",
     "audit.toml:2: unknown key 'nameservers' in [crawl] (it belongs in [dns])"),
    ("[dns]\nnameserver = []\n",
     "audit.toml:2: unknown key 'nameserver' in [dns] (did you mean 'nameservers'?)"),
    ("[dns]\nper_host = 1\n",
     "audit.toml:2: unknown key 'per_host' in [dns] (it belongs in [crawl])"),
    ("fail_on = 'error'\nplugin_s = []\n",
     "audit.toml:2: unknown key 'plugin_s' at top level (did you mean 'plugins'?)"),
    ("max_pages = 5\n",
     "audit.toml:1: unknown key 'max_pages' at top level (it belongs in [crawl])"),
    ("\n[craw]\nmax_pages = 5\n", "audit.toml:2: unknown table [craw] (did you mean [crawl]?)"),
    ("[[site]]\nurl = 'https://a.gov.cn/'\n",
     "audit.toml:1: unknown table [[site]] (did you mean [[sites]]?)"),
    ("[[sites]]\nurl = 'https://a.gov.cn/'\nurls = 'x'\n",
     "audit.toml:3: unknown key 'urls' in [[sites]] #1 (did you mean 'url'?)"),
    ("[[sites]]\nurl = 'https://a.gov.cn/'\n[[accounts]]\nsite = 'a.gov.cn'\nplatfrom = 'x'\n",
     "audit.toml:5: unknown key 'platfrom' in [[accounts]] #1 (did you mean 'platform'?)"),
])
def test_unknown_keys(in_tmp: Path, text: str, message: str) -> None:
    assert error(text) == message


# --------------------------------------------------------------------------- value errors


@pytest.mark.parametrize(("text", "message"), [
    ('[crawl]\nmax_pages = 10\nper_host = "8"\n',
     "audit.toml:3: 'per_host' must be an integer, got \"8\""),
    ("[crawl]\nmax_pages = true\n", "audit.toml:2: 'max_pages' must be an integer, got true"),
    ("[crawl]\nmax_pages = 1.5\n", "audit.toml:2: 'max_pages' must be an integer, got 1.5"),
    ("[crawl]\nmax_pages = 0\n", "audit.toml:2: 'max_pages' must be at least 1, got 0"),
    ("[crawl]\nmax_depth = -1\n", "audit.toml:2: 'max_depth' must be at least 0, got -1"),
    ("[crawl]\nconcurrency = 0\n", "audit.toml:2: 'concurrency' must be at least 1, got 0"),
    ("[crawl]\ntimeout = 0\n", "audit.toml:2: 'timeout' must be greater than 0, got 0"),
    ("[crawl]\ntimeout = -0.5\n", "audit.toml:2: 'timeout' must be greater than 0, got -0.5"),
    ("[crawl]\ntimeout = inf\n", "audit.toml:2: 'timeout' must be a finite number, got inf"),
    ("[crawl]\ntimeout = '15'\n", "audit.toml:2: 'timeout' must be a number, got \"15\""),
    ("[crawl]\ntimeout = false\n", "audit.toml:2: 'timeout' must be a number, got false"),
    ("[crawl]\nignore_robots = 'yes'\n",
     "audit.toml:2: 'ignore_robots' must be true or false, got \"yes\""),
    ("[crawl]\nignore_robots = 1\n", "audit.toml:2: 'ignore_robots' must be true or false, got 1"),
    ("[crawl]\nuser_agent = 5\n", "audit.toml:2: 'user_agent' must be a string, got 5"),
    ("[crawl]\nmax_pages = [1]\n", "audit.toml:2: 'max_pages' must be an integer, got an array"),
    ("crawl = 5\n", "audit.toml:1: [crawl] must be a table, got 5"),
    ("[dns]\ntimeout = 0\n", "audit.toml:2: 'timeout' must be greater than 0, got 0"),
    ("fail_on = 'fatal'\n",
     "audit.toml:1: 'fail_on' must be one of veto, error, warning, notice, none; got \"fatal\""),
    ("fail_on = false\n",
     "audit.toml:1: 'fail_on' must be one of veto, error, warning, notice, none; got false"),
    ("as_of = '2026-13-01'\n",
     "audit.toml:1: 'as_of' must be a date (YYYY-MM-DD), got \"2026-13-01\""),
    ("as_of = '20261101'\n", "audit.toml:1: 'as_of' must be a date (YYYY-MM-DD), got \"20261101\""),
    ("as_of = 2026-11-25T08:00:00\n",
     "audit.toml:1: 'as_of' must be a date (YYYY-MM-DD), got 2026-11-25T08:00:00"),
    ("plugins = 'my_plugin'\n",
     "audit.toml:1: 'plugins' must be an array of strings, got \"my_plugin\""),
    ("plugins = ['ok', 'my_plugin.py/x']\n",
     "audit.toml:1: 'plugins' entry \"my_plugin.py/x\" is not a Python module name "
     "(like my_plugin.checks)"),
    ("plugin = 5\n", "audit.toml:1: [plugin] must be a table, got 5"),
    ("[plugin]\nfoo = 1\n", "audit.toml:2: [plugin] 'foo' must be a table ([plugin.foo]), got 1"),
])
def test_value_errors(in_tmp: Path, text: str, message: str) -> None:
    assert error(text) == message


@pytest.mark.parametrize(("entry", "message"), [
    ("dns.example.com", '"dns.example.com" is not an IP address with an optional port '
                        "(e.g. 223.5.5.5, 223.5.5.5:53, [2400:3200::1]:53)"),
    ("1.2.3", '"1.2.3" is not an IP address with an optional port '
              "(e.g. 223.5.5.5, 223.5.5.5:53, [2400:3200::1]:53)"),
    ("[::1", '"[::1" is not an IP address with an optional port '
             "(e.g. 223.5.5.5, 223.5.5.5:53, [2400:3200::1]:53)"),
    ("fe80::1%eth0", '"fe80::1%eth0" is not an IP address with an optional port '
                     "(e.g. 223.5.5.5, 223.5.5.5:53, [2400:3200::1]:53)"),
    ("127.0.0.1:0", '"127.0.0.1:0": port must be 1-65535'),
    ("127.0.0.1:65536", '"127.0.0.1:65536": port must be 1-65535'),
    ("127.0.0.1:", '"127.0.0.1:": port must be 1-65535'),
    ("[::1]:x", '"[::1]:x": port must be 1-65535'),
])
def test_bad_nameservers(in_tmp: Path, entry: str, message: str) -> None:
    text = f'[dns]\ntimeout = 2\nnameservers = [\n  "1.1.1.1",\n  "{entry}",\n]\n'
    assert error(text) == f"audit.toml:3: 'nameservers' entry {message}"


def test_good_nameservers(in_tmp: Path) -> None:
    good = ["127.0.0.1:5353", "[::1]:53", "223.5.5.5", "2400:3200::1", " [2400:3200::1] "]
    settings = load(f"[dns]\nnameservers = {good!r}\n".replace("'", '"'))
    assert settings.dns.nameservers == ("127.0.0.1:5353", "[::1]:53", "223.5.5.5",
                                        "2400:3200::1", "[2400:3200::1]")


@pytest.mark.parametrize(("value", "message"), [
    ('{ "www.x.gov.cn" = ["1.2.3"] }',
     "'hosts' entry \"www.x.gov.cn\": \"1.2.3\" is not an IP address"),
    ('{ "a.gov.cn" = ["::1"], "www.x.gov.cn" = [] }',
     "'hosts' entry \"www.x.gov.cn\" must be a non-empty array of IP addresses, got an array"),
    ('{ "http://x.gov.cn/" = ["::1"] }', "'hosts' entry \"http://x.gov.cn/\" is not a host name"),
    ('{ "X.gov.cn" = ["::1"], "x.gov.cn." = ["::1"] }', "'hosts' lists \"x.gov.cn\" twice"),
    ('["127.0.0.1"]', "'hosts' must be a table of host = [\"address\", ...], got an array"),
])
def test_bad_hosts(in_tmp: Path, value: str, message: str) -> None:
    assert error(f"[dns]\nhosts = {value}\n") == f"audit.toml:2: {message}"


def test_bad_hosts_table_form_names_the_entry_line(in_tmp: Path) -> None:
    text = '[dns.hosts]\n"a.gov.cn" = ["::1"]\n"b.gov.cn" = ["nope"]\n'
    assert error(text) == "audit.toml:3: 'hosts' entry \"b.gov.cn\": \"nope\" is not an IP address"


def test_hosts_normalised(in_tmp: Path) -> None:
    settings = load("""\
        [dns]
        hosts = { "WWW.Example.gov.cn." = ["127.0.0.1", "[::1]"], "政府.cn" = "10.0.0.1" }
        """)
    assert settings.dns.hosts == (("www.example.gov.cn", ("127.0.0.1", "::1")),
                                  ("xn--mxtq1m.cn", ("10.0.0.1",)))


# --------------------------------------------------------------------------- sites and accounts


def test_site_url_errors(in_tmp: Path) -> None:
    sites = '[[sites]]\nurl = "https://a.gov.cn/"\n\n[[sites]]\nname = "x"\n'
    assert error(sites + 'url = "www.x.gov.cn"\n') == (
        "audit.toml:6: [[sites]] #2 'url' is not an http(s) URL: 'www.x.gov.cn' "
        "(did you mean 'https://www.x.gov.cn/'?)")
    assert error(sites + 'url = "ftp://x.gov.cn/"\n') == (
        "audit.toml:6: [[sites]] #2 'url' is not an http(s) URL: 'ftp://x.gov.cn/'")
    assert error(sites + 'url = "首页"\n') == (
        "audit.toml:6: [[sites]] #2 'url' is not an http(s) URL: '首页'")
    assert error(sites + "url = 5\n") == "audit.toml:6: [[sites]] #2 'url' must be a string, got 5"
    assert error(sites) == "audit.toml:4: [[sites]] #2 is missing 'url'"
    assert error('sites = "https://a.gov.cn/"\n') == (
        "audit.toml:1: 'sites' must be an array of tables ([[sites]]), got \"https://a.gov.cn/\"")


def test_site_other_errors(in_tmp: Path) -> None:
    base = '[[sites]]\nname = "门户"\nurl = "https://a.gov.cn/"\n[[sites]]\n'
    assert error(base + 'name = "门户"\nurl = "https://b.gov.cn/"\n') == (
        "audit.toml:5: [[sites]] #2 'name' \"门户\" is already used by [[sites]] #1")
    assert error(base + 'name = " "\nurl = "https://b.gov.cn/"\n') == (
        "audit.toml:5: [[sites]] #2 'name' must not be empty")
    assert error('[[sites]]\nurl = "https://a.gov.cn/"\n[[sites]]\nurl = "https://A.gov.cn"\n') == (
        "audit.toml:4: [[sites]] #2 name (its URL's host) \"a.gov.cn\" is already used by "
        "[[sites]] #1")
    assert error(base + 'url = "https://b.gov.cn/"\nextra_hosts = "b.gov.cn"\n') == (
        "audit.toml:6: [[sites]] #2 'extra_hosts' must be an array of strings, got \"b.gov.cn\"")
    assert error(base + 'url = "https://b.gov.cn/"\nextra_hosts = ["https://c.gov.cn/"]\n') == (
        "audit.toml:6: [[sites]] #2 'extra_hosts' entry \"https://c.gov.cn/\" is not a host "
        "name (no scheme, port or path, e.g. xxgk.example.gov.cn)")
    assert error(base + 'url = "https://b.gov.cn/"\ndepartment = 1\n') == (
        "audit.toml:6: [[sites]] #2 'department' must be a string, got 1")


def test_sites_parsed(in_tmp: Path) -> None:
    settings = load("""\
        [[sites]]
        url = "HTTPS://WWW.Example.gov.cn"
        [[sites]]
        name = "  市政府门户 "
        url = "http://b.gov.cn:8080/index.html#top"
        department = ""
        extra_hosts = ["XXGK.b.gov.cn", "xxgk.b.gov.cn.", "政府.cn", "10.0.0.1", "[::1]"]
        """)
    assert settings.sites == (
        Site(name="www.example.gov.cn", url="https://www.example.gov.cn/"),
        Site(name="市政府门户", url="http://b.gov.cn:8080/index.html",
             extra_hosts=("xxgk.b.gov.cn", "xn--mxtq1m.cn", "10.0.0.1", "::1")),
    )


def test_inline_sites_array(in_tmp: Path) -> None:
    text = 'sites = [\n  { url = "https://a.gov.cn/" },\n  { url = "a" },\n]\n'
    assert error(text) == "audit.toml:3: [[sites]] #2 'url' is not an http(s) URL: 'a'"


def test_account_errors(in_tmp: Path) -> None:
    site = '[[sites]]\nname = "市政府门户"\nurl = "https://a.gov.cn/"\n'
    account = '[[accounts]]\nplatform = "wechat"\nname = "某某发布"\nurl = "https://mp.weixin.qq.com/"\n'
    assert error(site + account + 'site = "市政府"\n') == (
        "audit.toml:8: [[accounts]] #1 'site' \"市政府\" does not name a [[sites]] entry "
        "(did you mean \"市政府门户\"?)")
    assert error(site + account + 'site = "区政府网站"\n') == (
        "audit.toml:8: [[accounts]] #1 'site' \"区政府网站\" does not name a [[sites]] entry")
    assert error(account + 'site = "x"\n') == (
        "audit.toml:5: [[accounts]] #1 'site' \"x\" does not name a [[sites]] entry "
        "(no [[sites]] in this file)")
    assert error(site + account) == "audit.toml:4: [[accounts]] #1 is missing 'site'"
    assert error(site + account.replace("https://mp.weixin.qq.com/", "weixin://x") +
                 'site = "市政府门户"\n') == (
        "audit.toml:7: [[accounts]] #1 'url' is not an http(s) URL: 'weixin://x'")
    assert error(site + account.replace('"wechat"', '""') + 'site = "市政府门户"\n') == (
        "audit.toml:5: [[accounts]] #1 'platform' must not be empty")
    assert error('accounts = 1\n') == (
        "audit.toml:1: 'accounts' must be an array of tables ([[accounts]]), got 1")


def test_accounts_before_sites(in_tmp: Path) -> None:
    settings = load("""\
        [[accounts]]
        site = "门户"
        platform = "weibo"
        name = "某某发布"
        url = "https://weibo.com/u/1"

        [[sites]]
        name = "门户"
        url = "https://a.gov.cn/"
        """)
    assert settings.accounts == (Account(site="门户", platform="weibo", name="某某发布",
                                         url="https://weibo.com/u/1"),)


# --------------------------------------------------------------------------- valid configs


FULL = """\
plugins = ["my_plugin.module", "other"]
fail_on = "warning"
as_of = 2026-11-25

[crawl]
max_pages = 200
max_depth = 3
concurrency = 4
per_host = 2
timeout = 7
total_timeout = 30.5
time_budget = 600.0
max_bytes = 1_000_000
max_decompressed = 4_000_000
retries = 0
backoff = 0
max_retry_after = 10.0
max_redirects = 5
ignore_robots = true
user_agent = "audit-bot"
prefer_ipv4 = false
http2 = false
check_external = false
max_url_length = 300
max_repeated_segments = 2
max_query_variants = 10
max_referrers = 0

[dns]
nameservers = ["127.0.0.1:5353", "[::1]:53"]
timeout = 2.5
hosts = { "www.example.gov.cn" = ["127.0.0.1", "::1"] }

[[sites]]
name = "市政府门户"
url = "https://www.example.gov.cn"
department = "市政府办公室"
extra_hosts = ["xxgk.example.gov.cn"]

[[sites]]
url = "https://b.example.gov.cn/index.html"

[[accounts]]
site = "市政府门户"
platform = "wechat"
name = "某某发布"
url = "https://mp.weixin.qq.com/s/abc"

[plugin.my_plugin]
threshold = 3
when = 2026-01-01
nested = { a = [1, 2] }
"""


def test_full_config(in_tmp: Path) -> None:
    settings = load(FULL)
    assert settings == Settings(
        crawl=CrawlSettings(
            max_pages=200, max_depth=3, concurrency=4, per_host=2, timeout=7.0,
            total_timeout=30.5, time_budget=600.0, max_bytes=1_000_000,
            max_decompressed=4_000_000, retries=0, backoff=0.0, max_retry_after=10.0,
            max_redirects=5, ignore_robots=True, user_agent="audit-bot", prefer_ipv4=False,
            http2=False, check_external=False, max_url_length=300, max_repeated_segments=2,
            max_query_variants=10, max_referrers=0),
        dns=DnsSettings(nameservers=("127.0.0.1:5353", "[::1]:53"), timeout=2.5,
                        hosts=(("www.example.gov.cn", ("127.0.0.1", "::1")),)),
        sites=(Site(name="市政府门户", url="https://www.example.gov.cn/", department="市政府办公室",
                    extra_hosts=("xxgk.example.gov.cn",)),
               Site(name="b.example.gov.cn", url="https://b.example.gov.cn/index.html")),
        accounts=(Account(site="市政府门户", platform="wechat", name="某某发布",
                          url="https://mp.weixin.qq.com/s/abc"),),
        plugins=("my_plugin.module", "other"),
        fail_on="warning",
        as_of=dt.date(2026, 11, 25),
        source="audit.toml",
        plugin_config={"my_plugin": {"threshold": 3, "when": dt.date(2026, 1, 1),
                                     "nested": {"a": [1, 2]}}},
    )
    assert isinstance(settings.crawl.timeout, float)
    assert isinstance(settings.crawl.backoff, float)
    # the same data through settings_from_mapping gives the same settings
    assert settings_from_mapping(tomllib.loads(FULL), source="audit.toml") == settings


def test_empty_config_is_defaults(in_tmp: Path) -> None:
    settings = load("")
    assert settings == Settings(as_of=settings.as_of, source="audit.toml")
    assert settings.as_of == dt.date.today()


def test_small_values(in_tmp: Path) -> None:
    settings = load('fail_on = "none"\nas_of = "2026-02-28"\n[crawl]\nmax_depth = 0\n')
    assert settings.fail_on is None
    assert settings.as_of == dt.date(2026, 2, 28)
    assert settings.crawl.max_depth == 0


def test_path_like_source(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_text("[crawl]\nmax_pages = 2\n", encoding="utf-8")
    assert load_config(path).source == str(path)


def test_mapping_without_text_has_no_line() -> None:
    with pytest.raises(ConfigError) as info:
        settings_from_mapping({"crawl": {"per_host": "8"}}, source="x.toml")
    assert str(info.value) == "x.toml: 'per_host' must be an integer, got \"8\""
    with pytest.raises(ConfigError) as info:
        settings_from_mapping({"crawl": {"per_host": 0}})
    assert str(info.value) == "'per_host' must be at least 1, got 0"


# --------------------------------------------------------------------------- overrides


def test_overrides_win(in_tmp: Path) -> None:
    Path("audit.toml").write_text(FULL, encoding="utf-8")
    settings = load_config("audit.toml", overrides={
        "max_pages": 9, "per_host": 1, "timeout": 3, "ignore_robots": False,
        "nameservers": ("223.5.5.5",), "dns_timeout": 1, "plugins": ("extra", "other"),
        "fail_on": "none", "as_of": dt.date(2027, 1, 2), "max_depth": None,
    })
    assert settings.crawl.max_pages == 9
    assert settings.crawl.per_host == 1
    assert settings.crawl.timeout == 3.0
    assert settings.crawl.ignore_robots is False
    assert settings.crawl.max_depth == 3  # None = not given
    assert settings.crawl.user_agent == "audit-bot"  # untouched
    assert settings.dns.nameservers == ("223.5.5.5",)
    assert settings.dns.timeout == 1.0
    assert settings.dns.hosts == (("www.example.gov.cn", ("127.0.0.1", "::1")),)
    assert settings.plugins == ("my_plugin.module", "other", "extra")
    assert settings.fail_on is None
    assert settings.as_of == dt.date(2027, 1, 2)
    assert settings.source == "audit.toml"


def test_merge_overrides_on_defaults() -> None:
    settings = merge_overrides(Settings(), {"as_of": "2026-11-25", "hosts": {"A.gov.cn": ["::1"]}})
    assert settings.as_of == dt.date(2026, 11, 25)
    assert settings.dns.hosts == (("a.gov.cn", ("::1",)),)
    assert merge_overrides(settings, {}) == settings


@pytest.mark.parametrize(("overrides", "message"), [
    ({"max_pages": 0}, "--max-pages must be at least 1, got 0"),
    ({"per_host": "8"}, "--per-host must be an integer, got \"8\""),
    ({"concurrency": True}, "--concurrency must be an integer, got true"),
    ({"timeout": 0.0}, "--timeout must be greater than 0, got 0.0"),
    ({"ignore_robots": "yes"}, "--ignore-robots must be true or false, got \"yes\""),
    ({"nameservers": ["x"]}, "--nameserver entry \"x\" is not an IP address with an optional "
                             "port (e.g. 223.5.5.5, 223.5.5.5:53, [2400:3200::1]:53)"),
    ({"nameservers": "1.1.1.1"}, "--nameserver must be an array of strings, got \"1.1.1.1\""),
    ({"plugins": ["a b"]}, "--plugin entry \"a b\" is not a Python module name "
                           "(like my_plugin.checks)"),
    ({"fail_on": "fatal"}, "--fail-on must be one of veto, error, warning, notice, none; "
                           "got \"fatal\""),
    ({"as_of": "tomorrow"}, "--as-of must be a date (YYYY-MM-DD), got \"tomorrow\""),
    ({"dns_timeout": -1}, "--dns-timeout must be greater than 0, got -1"),
    ({"max_page": 5}, "unknown option 'max_page' (did you mean 'max_pages'?)"),
    ({"nameserver": ["1.1.1.1"]}, "unknown option 'nameserver' (did you mean 'nameservers'?)"),
    ({"colour": "red"}, "unknown option 'colour'"),
])
def test_override_errors(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        merge_overrides(Settings(), overrides)
    assert str(info.value) == message
    assert info.value.path is None
    assert info.value.key == next(iter(overrides))


def test_override_error_through_load_config(in_tmp: Path) -> None:
    with pytest.raises(ConfigError, match=r"^--max-pages must be at least 1, got 0$"):
        load("[crawl]\nmax_pages = 5\n", overrides={"max_pages": 0})


# --------------------------------------------------------------------------- digest


def test_digest_stable(in_tmp: Path) -> None:
    first = load(FULL)
    digest = config_digest(first)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    # key order in the file, source and as_of do not matter
    reordered = FULL.replace('plugins = ["my_plugin.module", "other"]\nfail_on = "warning"\n',
                             'fail_on = "warning"\nplugins = ["my_plugin.module", "other"]\n')
    reordered = reordered.replace("as_of = 2026-11-25", "as_of = 2020-01-01")
    assert reordered != FULL
    Path("audit.toml").rename("old.toml")
    second = load(reordered)
    assert second.as_of != first.as_of
    assert config_digest(second) == digest
    assert config_digest(dataclasses.replace(first, source="other.toml")) == digest
    # any setting does
    assert config_digest(merge_overrides(first, {"max_pages": 201})) != digest
    assert config_digest(dataclasses.replace(
        first, plugin_config={"my_plugin": {"threshold": 4}})) != digest
    assert config_digest(Settings()) == config_digest(Settings(as_of=dt.date(2000, 1, 1)))


def test_digest_known_value() -> None:
    """The digest of the defaults must not change by accident (report readers compare it)."""
    assert config_digest(Settings()) == config_digest(settings_from_mapping({}))
    assert len({config_digest(Settings()), config_digest(Settings(plugins=("a",)))}) == 2


# --------------------------------------------------------------------------- sample config


def test_sample_config_is_the_defaults(in_tmp: Path) -> None:
    settings = load(SAMPLE_CONFIG)
    assert settings == Settings(as_of=settings.as_of, source="audit.toml")


def test_sample_config_names_every_key() -> None:
    data = tomllib.loads(SAMPLE_CONFIG)
    assert list(data["crawl"]) == [f.name for f in dataclasses.fields(CrawlSettings)]
    assert list(data["dns"]) == [f.name for f in dataclasses.fields(DnsSettings)]
    for key in ("plugins", "fail_on", "as_of", "[[sites]]", "[[accounts]]", "[plugin.NAME]"):
        assert key in SAMPLE_CONFIG
    for line in SAMPLE_CONFIG.splitlines():
        assert len(line) <= 100


def test_sample_config_examples_load(in_tmp: Path) -> None:
    uncommented = re.sub(r"(?m)^# (\[|[a-z_]+ = )", r"\1", SAMPLE_CONFIG)
    settings = load(uncommented)
    assert settings.sites == (Site(name="市政府门户", url="https://www.example.gov.cn/",
                                   department="市政府办公室",
                                   extra_hosts=("xxgk.example.gov.cn",)),)
    assert settings.accounts[0].site == "市政府门户"
    assert settings.plugin_config == {"NAME": {"key": "value"}}
    assert settings.as_of == dt.date(2026, 1, 1)


def test_error_key_for_array_of_tables(in_tmp: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load('[[sites]]\nurl = "https://a.gov.cn/"\n[[sites]]\nurl = "x"\n')
    assert (info.value.line, info.value.key) == (4, "sites[2].url")
