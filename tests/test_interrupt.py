"""Stopping a run early (SIGINT, SIGTERM, the library's `stop` event) keeps what was gathered.

A site whose homepage links to a 404 page, a healthy page, and pages that stall for a
minute: the crawl is stopped while the stalled requests are in flight.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

import webaudit
from webaudit.report.serialize import load_schema
from webaudit.sitekit import Resource, RunningServer, SiteSpec, start_http_server

WEBAUDIT = Path(sys.executable).parent / "webaudit"
HOST = "slow.example"
STALLED = ("/slow1/", "/slow2/", "/slow3/")


def _page(title: str, links: str = "") -> Resource:
    return Resource(body=f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}'
                         f"</title></head><body><h1>{title}</h1>{links}</body></html>")


@pytest.fixture(scope="module")
def slow_site() -> Iterator[RunningServer]:
    spec = SiteSpec(default_host=HOST)
    links = "".join(f'<a href="{p}">栏目</a>' for p in ("/gone/", "/ok/", *STALLED))
    spec.add(HOST, "/", _page("某市人民政府", links))
    spec.add(HOST, "/gone/", Resource(status=404))
    spec.add(HOST, "/ok/", _page("政务公开"))
    for path in STALLED:
        spec.add(HOST, path, Resource(body="<html><title>慢</title></html>",
                                      behaviour="stall-headers", stall_seconds=60))
    server = start_http_server(spec, hosts=("127.0.0.1",))
    try:
        yield server
    finally:
        server.stop()


def _wait_for_stalls(server: RunningServer, timeout: float = 20) -> None:
    """Until the server has received every stalling request (and the 404 before them)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = server.stats().paths()
        if seen >= {"/gone/", "/ok/", *STALLED}:
            time.sleep(0.5)  # the quick answers (404, /ok/) have been read by now
            return
        time.sleep(0.05)
    raise AssertionError(f"the crawl never reached the stalling pages: {server.stats()}")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_the_crawl_and_the_report_is_written(
        slow_site: RunningServer, tmp_path: Path, signum: signal.Signals) -> None:
    slow_site.reset()
    url = slow_site.url("127.0.0.1", "/")
    proc = subprocess.Popen([str(WEBAUDIT), "crawl", url, "-o", "r.json", "--no-progress",
                             "--timeout", "60"], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_stalls(slow_site)
        started = time.monotonic()
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=30)
        took = time.monotonic() - started
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 128 + signum, err
    assert took < 20  # not the 60 s the stalled pages would take
    assert "Traceback" not in out + err
    assert err.splitlines()[0].startswith(f"webaudit: {signum.name}: stopping")
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    jsonschema.validate(report, load_schema())
    findings = {(f["check"], f["target"]) for f in report["sites"][0]["findings"]}
    assert findings == {("links.broken", slow_site.url("127.0.0.1", "/gone/")),
                        ("crawl.limit", "interrupted")}
    assert "report written to r.json" in out


def test_the_library_stop_event_returns_a_partial_report(slow_site: RunningServer) -> None:
    slow_site.reset()

    async def main() -> webaudit.Report:
        stop = asyncio.Event()
        task = asyncio.create_task(webaudit.audit_async(
            slow_site.url("127.0.0.1", "/"), stop=stop, timeout=60, load_entrypoints=False))
        await asyncio.to_thread(_wait_for_stalls, slow_site)
        stop.set()
        return await asyncio.wait_for(task, 20)

    report = asyncio.run(main())
    site = report.sites[0]
    assert {(f.check, f.target) for f in site.findings} == {
        ("links.broken", slow_site.url("127.0.0.1", "/gone/")), ("crawl.limit", "interrupted")}
    assert {site.targets[slow_site.url("127.0.0.1", p)].skipped for p in STALLED} == {"interrupted"}
    assert site.stats.pages == 2  # the homepage and /ok/
