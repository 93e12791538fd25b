"""Public contracts: every hook documented, the public API complete, ruff clean."""

from __future__ import annotations

import inspect
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import webaudit
from webaudit import hookspecs

ROOT = Path(__file__).resolve().parents[1]


def hook_names() -> list[str]:
    return sorted(name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
                  if hasattr(fn, "webaudit_spec"))


def test_every_hook_has_a_docstring_and_a_docs_section() -> None:
    docs = (ROOT / "docs" / "plugins.md").read_text("utf-8")
    headings = set(re.findall(r"^### (\w+)\(", docs, re.MULTILINE))
    names = hook_names()
    assert len(names) >= 8
    for name in names:
        spec = getattr(hookspecs, name)
        assert spec.__doc__ and len(spec.__doc__.strip()) > 80, f"{name} has no docstring"
        assert name in headings, f"hook {name} is not documented in docs/plugins.md"
    assert headings <= set(names), f"docs/plugins.md documents unknown hooks: {headings - set(names)}"


def test_every_hook_has_a_test() -> None:
    tests = "\n".join(p.read_text("utf-8") for p in (ROOT / "tests").glob("test_*.py"))
    for name in hook_names():
        assert f"def test_hook_{name}" in tests, f"no test_hook_{name}"


def test_public_api_is_complete_and_sorted() -> None:
    assert webaudit.__all__ == sorted(webaudit.__all__)
    for name in webaudit.__all__:
        assert getattr(webaudit, name) is not None
    public = {n for n in dir(webaudit) if not n.startswith("_")}
    functions_and_classes = {
        n for n in public
        if str(getattr(getattr(webaudit, n), "__module__", "")).startswith("webaudit")
        and not inspect.ismodule(getattr(webaudit, n))}
    assert functions_and_classes <= set(webaudit.__all__)


@pytest.mark.skipif(shutil.which("ruff", path=str(Path(sys.executable).parent)) is None,
                    reason="ruff not installed")
def test_ruff_clean() -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    dirs = [d for d in ("src", "tests", "bench", "plugins") if (ROOT / d).is_dir()]
    proc = subprocess.run([ruff, "check", *dirs], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.skipif(shutil.which("mypy", path=str(Path(sys.executable).parent)) is None,
                    reason="mypy not installed")
def test_mypy_strict_clean() -> None:
    mypy = shutil.which("mypy", path=str(Path(sys.executable).parent))
    proc = subprocess.run([mypy], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
