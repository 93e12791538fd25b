"""Public contracts: every hook documented with its signature, every check id and setting
documented, the public API complete, default plugins that do something, ruff and mypy clean."""

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


def test_every_hook_is_documented_with_its_signature() -> None:
    """The heading of each hook in docs/plugins.md spells the spec's parameters, in order."""
    docs = (ROOT / "docs" / "plugins.md").read_text("utf-8")
    documented = dict(re.findall(r"^### (\w+)\(([^)]*)\)", docs, re.MULTILINE))
    for name in hook_names():
        params = list(inspect.signature(getattr(hookspecs, name)).parameters)
        assert documented.get(name) == ", ".join(params), (
            f"docs/plugins.md: '### {name}({documented.get(name)})' but the spec takes "
            f"({', '.join(params)})")


def test_hookspecs_are_typed() -> None:
    """No hook hands a plugin an untyped argument (plugin_config is parsed TOML: Any values)."""
    for name in hook_names():
        spec = getattr(hookspecs, name)
        for param in inspect.signature(spec).parameters.values():
            annotation = str(param.annotation)
            assert annotation != "Any" and annotation is not inspect.Parameter.empty, (name, param)
            if param.name != "plugin_config":
                assert "Any" not in annotation, (name, param.name, annotation)
    register = inspect.signature(hookspecs.register_checks).parameters["register"]
    assert register.annotation == "Callable[[Check], None]"


def test_every_default_plugin_implements_a_hook() -> None:
    from webaudit.plugins import DEFAULT_PLUGINS, get_plugin_manager

    pm = get_plugin_manager(load_entrypoints=False)
    for name in DEFAULT_PLUGINS:
        assert pm.get_hookcallers(pm.get_plugin(name)), f"default plugin {name} implements no hook"


def test_every_registered_check_is_documented() -> None:
    """A row in docs/checks.md for each built-in check id, with its severity; the worked
    plugin documents its own in its README."""
    from webaudit.checkrunner import collect_checks
    from webaudit.plugins import get_plugin_manager
    from webaudit.settings import Settings

    rows = dict(re.findall(r"^\| `([\w.-]+)` \| (\w+) \|", (ROOT / "docs" / "checks.md")
                           .read_text("utf-8"), re.MULTILINE))
    checks = collect_checks(get_plugin_manager(load_entrypoints=False), Settings())
    assert {c.id: str(c.check.severity) for c in checks} == rows
    readme = (ROOT / "plugins" / "webaudit-pii" / "README.md").read_text("utf-8")
    assert "`pii.id-number`" in readme


def _docs_table(section: str) -> list[list[str]]:
    docs = (ROOT / "docs" / "config.md").read_text("utf-8")
    body = docs.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip("|").split(" | ") for line in body.splitlines()
            if line.startswith("| `")]
    return [[cell.strip() for cell in row] for row in rows]


@pytest.mark.parametrize(("section", "cls"), [
    ("Top level", "Settings"), ("`[crawl]`", "CrawlSettings"), ("`[dns]`", "DnsSettings")])
def test_config_docs_follow_the_setting_declarations(section: str, cls: str) -> None:
    """docs/config.md lists every declared key, in declaration order, with its type and
    default as the declaration has them."""
    from webaudit import settings

    declared = settings.declared(getattr(settings, cls))
    rows = _docs_table(section)
    assert [row[0].strip("`") for row in rows] == list(declared)
    for row in rows:
        d = declared[row[0].strip("`")]
        assert (row[1], row[2].strip("`")) == (d.type_text, d.default_text), row[0]


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
