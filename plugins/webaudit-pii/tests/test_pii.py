"""webaudit-pii: the ID-number rules, and a real crawl of a loopback site with the plugin."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from webaudit_pii.idnumber import check_digit, find_id_numbers, is_id_number, mask

import webaudit
from webaudit.testing import ReferenceSite, Resource, SiteSpec

AS_OF = dt.date(2026, 11, 26)
# The example numbers printed in GB 11643-1999, and two more made valid by their check digit.
STANDARD = "11010519491231002X"
BORN_1880 = "440524188001010014"
LEAK_A = "32010619850317" + "123" + check_digit("32010619850317123")
LEAK_B = "51010220010229" + "456"  # no 29 February in 2001: never valid
LEAK_C = "61011320000229" + "456" + check_digit("61011320000229456")


def test_check_digit_matches_the_standard_examples() -> None:
    assert check_digit(STANDARD[:17]) == "X"
    assert check_digit(BORN_1880[:17]) == "4"


@pytest.mark.parametrize(("number", "valid"), [
    (STANDARD, True),
    (STANDARD.lower(), True),                       # a lower-case x is still an X
    (LEAK_A, True),
    (LEAK_C, True),                                 # 2000 was a leap year
    (LEAK_B + "0", False),                          # impossible date
    (STANDARD[:-1] + "3", False),                   # wrong check digit
    ("99" + STANDARD[2:], False),                   # no province 99
    (BORN_1880, False),                             # born before 1900
    ("32010620300101" + "123" + check_digit("32010620300101123"), False),  # born after as_of
    (STANDARD[:-1], False),                         # 17 characters
])
def test_is_id_number(number: str, valid: bool) -> None:
    assert is_id_number(number, AS_OF) is valid


def test_find_id_numbers_needs_the_number_to_stand_alone() -> None:
    text = (f"张三 {STANDARD}；李四：{LEAK_A}。订单号 9{LEAK_A} 编号{LEAK_A}7 "
            f"ID{STANDARD} 已脱敏 110105********002X {LEAK_A}")
    assert list(find_id_numbers(text, AS_OF)) == [STANDARD, LEAK_A, LEAK_A]


def test_mask_keeps_region_and_last_two() -> None:
    assert mask(STANDARD) == "110105**********2X"


def _page(rows: str) -> Resource:
    return Resource(body=f"<html><head><title>公示</title></head><body>{rows}</body></html>")


def _spec() -> SiteSpec:
    spec = SiteSpec(default_host="127.0.0.1")
    spec.add("127.0.0.1", "/", _page('<a href="/gs/">低保公示</a> <a href="/ok/">已脱敏公示</a>'))
    spec.add("127.0.0.1", "/gs/", _page(
        f"<table><tr><td>张三</td><td>{STANDARD}</td></tr>"
        f"<tr><td>李四</td><td>{LEAK_A}</td></tr>"
        f"<tr><td>李四</td><td>{LEAK_A}</td></tr></table>"))
    spec.add("127.0.0.1", "/ok/", _page(
        f"<p>王五 110105********002X</p><script>var id = '{LEAK_A}';</script>"
        f'<input type="hidden" value="{STANDARD}"><!-- {STANDARD} -->'))
    spec.add("127.0.0.1", "/edu/", _page(f"<p>录取名单：赵六 {LEAK_C}</p>"))
    return spec


def test_a_crawl_reports_each_leaking_page_once(tmp_path: Path, webaudit_http_server) -> None:
    server = webaudit_http_server(_spec(), hosts=("127.0.0.1",))
    base = f"http://127.0.0.1:{server.port}"
    config = tmp_path / "audit.toml"
    config.write_text(f"""
plugins = ["webaudit_pii"]

[[sites]]
name = "民政局"
url = "{base}/"
department = "民政局"

[[sites]]
name = "教育局"
url = "{base}/edu/"
department = "教育局"

[plugin.pii]
departments = ["民政局"]
max_samples = 1
""", encoding="utf-8")
    report = webaudit.audit(str(config), as_of=AS_OF, load_entrypoints=False)
    found = [f for f in report.findings if f.check == "pii.id-number"]
    assert [(f.site, f.url, f.severity) for f in found] == [("民政局", f"{base}/gs/", "error")]
    assert found[0].evidence == {"count": 2, "samples": [mask(STANDARD)]}
    assert STANDARD not in json.dumps([f.as_dict() for f in report.findings], ensure_ascii=False)

    config.write_text(config.read_text(encoding="utf-8").split("[plugin.pii]")[0], encoding="utf-8")
    report = webaudit.audit(str(config), as_of=AS_OF, load_entrypoints=False)
    assert sorted(f.url for f in report.findings if f.check == "pii.id-number") == [
        f"{base}/edu/", f"{base}/gs/"]  # no departments given: every site is checked


def test_two_runs_at_once_keep_their_own_plugin_tables(tmp_path: Path,
                                                       webaudit_http_server) -> None:
    """Checks are built per run from that run's table: nothing is shared in module globals."""
    import asyncio

    server = webaudit_http_server(_spec(), hosts=("127.0.0.1",))
    base = f"http://127.0.0.1:{server.port}"
    configs = []
    for name, table in (("a", 'departments = ["民政局"]\nmax_samples = 1'),
                        ("b", 'departments = ["教育局"]\nmax_samples = 0')):
        config = tmp_path / f"{name}.toml"
        config.write_text(f'plugins = ["webaudit_pii"]\n'
                          f'[[sites]]\nname = "民政局"\nurl = "{base}/"\ndepartment = "民政局"\n'
                          f'[[sites]]\nname = "教育局"\nurl = "{base}/edu/"\ndepartment = "教育局"\n'
                          f"[plugin.pii]\n{table}\n", encoding="utf-8")
        configs.append(str(config))

    async def both() -> list[webaudit.Report]:
        return list(await asyncio.gather(*(
            webaudit.audit_async(c, as_of=AS_OF, load_entrypoints=False) for c in configs)))

    first, second = asyncio.run(both())
    assert [(f.url, f.evidence) for f in first.findings if f.check == "pii.id-number"] == [
        (f"{base}/gs/", {"count": 2, "samples": [mask(STANDARD)]})]
    assert [(f.url, f.evidence) for f in second.findings if f.check == "pii.id-number"] == [
        (f"{base}/edu/", {"count": 1, "samples": []})]


def test_the_plugin_leaves_the_built_in_results_alone(
        webaudit_reference_site: ReferenceSite) -> None:
    report = webaudit_reference_site.audit(plugins=["webaudit_pii"], as_of=AS_OF,
                                           plugin_config={"pii": {"max_samples": 1}})
    assert webaudit_reference_site.differences(report) == []
    assert [f for f in report.findings if f.check == "pii.id-number"] == []  # none planted


def test_a_bad_plugin_table_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    config = tmp_path / "audit.toml"
    config.write_text('plugins = ["webaudit_pii"]\n[[sites]]\nname = "x"\n'
                      'url = "http://127.0.0.1:9/"\n[plugin.pii]\ndepartment = ["民政局"]\n',
                      encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    proc = subprocess.run([sys.executable, "-m", "webaudit", "crawl", str(config), "--no-progress"],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert proc.returncode == 2
    # webaudit validates the table against PiiSettings: file, line, key and a did-you-mean
    assert proc.stderr.strip().splitlines() == [
        f"webaudit: error: {config}:6: unknown key 'department' in [plugin.pii] "
        "(did you mean 'departments'?)"]

    config.write_text('plugins = ["webaudit_pii"]\n[[sites]]\nname = "x"\n'
                      'url = "http://127.0.0.1:9/"\n[plugin.pii]\nmax_samples = -1\n',
                      encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "webaudit", "crawl", str(config), "--no-progress"],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert (proc.returncode, proc.stderr) == (
        2, f"webaudit: error: {config}:6: [plugin.pii] 'max_samples' must be at least 0, got -1\n")


def test_the_check_is_listed() -> None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    proc = subprocess.run([sys.executable, "-m", "webaudit", "checks", "--json",
                           "--plugin", "webaudit_pii"],
                          capture_output=True, text=True, env=env, timeout=60, check=True)
    checks = {c["id"]: c for c in json.loads(proc.stdout)}
    assert checks["pii.id-number"]["severity"] == "error"
