"""The built-in JSON report writer (a plugin of `register_report_writers`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..hookspecs import hookimpl
from ..model import Report
from .serialize import report_json


@dataclass(frozen=True)
class JsonWriter:
    name: str = "json"
    extensions: tuple[str, ...] = (".json",)

    def write(self, report: Report, path: str | os.PathLike[str]) -> None:
        target = Path(path)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(report_json(report) + "\n", encoding="utf-8")
        tmp.replace(target)  # readers never see half a report


@hookimpl
def register_report_writers(register: Any) -> None:
    register(JsonWriter())
