"""`webaudit demo` end to end, and the progress line."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import jsonschema

from webaudit.crawl.crawler import Progress
from webaudit.demo import DEFECTS
from webaudit.progress import ProgressLine
from webaudit.report.serialize import load_schema


def test_demo_finds_the_planted_defects(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "webaudit", "demo", "--no-progress"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    report = json.loads((tmp_path / "webaudit-report.json").read_text("utf-8"))
    jsonschema.validate(report, load_schema())
    findings = report["sites"][0]["findings"]
    got = {(f["check"], f["target"].split(":", 2)[-1].split("/", 1)[-1]
            if "demo-city" in f["target"] else f["target"]) for f in findings}
    assert got == {
        ("links.broken", "zwgk/ldjh/"),
        ("links.broken", "zwdt/202403/t20240315_1021.html"),
        ("links.broken", "ztzl/2023lh/"),
        ("links.broken", "zwgk/zcwj/P020240318391254673106.pdf"),
        ("links.redirect-loop", "xxgk/"),
        ("links.soft-404", "zwgk/rsxx/"),
        ("links.broken", "http://www.closed-bureau.invalid/"),
        ("links.private-address", "http://10.0.0.8/oa/"),
    }
    assert len(got) == len(DEFECTS)
    on_home = {f["target"].rstrip("/").rsplit("/", 1)[-1] for f in findings
               if f["evidence"]["on_homepage"]}
    assert on_home == {"ldjh", "oa"}
    assert "8 finding(s): 6 error, 2 warning" in proc.stdout


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_only_on_a_terminal() -> None:
    event = Progress(site="门户", pages=12, queued=30, errors=1, requests=50, elapsed=2.0)
    tty = FakeTTY()
    line = ProgressLine(tty)
    line(event)
    line.close()
    assert "\r门户: 12 pages, 30 queued, 1 errors, 25 req/s" in tty.getvalue()
    assert tty.getvalue().endswith("\r")
    pipe = io.StringIO()
    quiet = ProgressLine(pipe)
    quiet(event)
    quiet.close()
    assert pipe.getvalue() == ""
