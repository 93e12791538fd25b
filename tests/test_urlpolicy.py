"""Scope, dedup and crawler-trap guards."""

from __future__ import annotations

from webaudit.crawl.urlpolicy import UrlPolicy, dedup_key, extension, is_attachment
from webaudit.settings import CrawlSettings


def make() -> UrlPolicy:
    return UrlPolicy(hosts={"www.x.gov.cn"}, settings=CrawlSettings(max_query_variants=5))


def test_session_ids_do_not_make_new_pages() -> None:
    assert dedup_key("http://h/a;jsessionid=ABC?x=1&sid=9") == "http://h/a?x=1"
    assert dedup_key("http://h/a?PHPSESSID=1") == "http://h/a"
    # ASP.NET cookieless sessions: a fresh id in the path on every response
    assert dedup_key("http://h/(S(x1ab2cd3ef))/wsbs/default.aspx") == "http://h/wsbs/default.aspx"
    assert dedup_key("http://h/(A(k9)S(x1)F(z))/list.aspx?id=3") == "http://h/list.aspx?id=3"
    assert dedup_key("http://h/(S(x1))") == "http://h"
    assert dedup_key("http://h/ztzl/(2024)/a.html") == "http://h/ztzl/(2024)/a.html"
    policy = make()
    assert policy.first_visit("http://www.x.gov.cn/a;jsessionid=1")
    assert not policy.first_visit("http://www.x.gov.cn/a;jsessionid=2")


def test_scope_is_by_host() -> None:
    policy = make()
    assert policy.in_scope("http://www.x.gov.cn:8080/p")
    assert policy.in_scope("https://www.x.gov.cn/p")
    assert not policy.in_scope("http://x.gov.cn/p")
    policy.add_host("X.gov.cn")
    assert policy.in_scope("http://x.gov.cn/p")


def test_calendar_trap_is_bounded() -> None:
    policy = make()
    reasons = [policy.trap_reason(f"http://www.x.gov.cn/calendar/2024/{m}/{d}/")
               for m in range(1, 4) for d in range(1, 4)]
    assert reasons[:5] == [None] * 5
    assert set(reasons[5:]) == {"calendar"}
    assert policy.trapped == {"http://www.x.gov.cn/calendar/N/N/N/": 4}


def test_query_variants_and_repeats_and_length() -> None:
    policy = make()
    reasons = [policy.trap_reason(f"http://www.x.gov.cn/list?p={i}") for i in range(7)]
    assert reasons.count("query-variants") == 2
    assert policy.trap_reason("http://www.x.gov.cn/a/b/a/b/a/b/a/x.html") == "repeated-segments"
    assert policy.trap_reason("http://www.x.gov.cn/" + "x" * 600) == "url-length"
    assert policy.trap_reason("http://www.x.gov.cn/zwgk/tzgg/202405/t20240512_1.html") is None


def test_attachment_extensions() -> None:
    assert extension("http://h/a/b.PDF?x=1") == "pdf"
    assert is_attachment("http://h/f/附件.wps")
    assert is_attachment("http://h/f/a.ofd")
    assert not is_attachment("http://h/zwgk/")
