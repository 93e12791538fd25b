"""A report writer for ``.csvx`` files: one ``check,severity,target`` row per finding."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from webaudit import Report, ReportWriter, hookimpl

HEADER = "check,severity,target"


class CsvxWriter:
    name = "csvx"
    extensions = (".csvx",)

    def write(self, report: Report, path: str | os.PathLike[str]) -> None:
        rows = [HEADER, *(f"{f.check},{f.severity},{f.target}" for f in report.findings)]
        Path(path).write_text("\n".join(rows) + "\n", encoding="utf-8")


@hookimpl
def register_report_writers(register: Callable[[ReportWriter], None]) -> None:
    register(CsvxWriter())
