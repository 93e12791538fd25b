"""Crawl benchmark: webaudit vs LinkChecker (PyPI) vs linkinator (npm) on one loopback site.

Generates `webaudit.testing.big_site` sites (5,000 and 1,000 pages by default), serves
them with nginx on 127.0.0.1, runs each tool on the big site (webaudit also on the
small one) and prints wall time, pages crawled, URLs checked, pages/s, peak RSS and
the ratios the acceptance criteria name. Results go to bench/out/results.json.

    .venv/bin/python bench/run.py [--pages 5000] [--small 1000] [--repeat 3]
                                  [--tools webaudit,linkchecker,linkinator]
                                  [--baseline REF]

--baseline REF also measures the webaudit of git commit REF (exported with `git archive`,
installed non-editable into bench/.tools/baseline-<commit>, reused next time) as the tool
`webaudit@<short sha>`: same command line, same site, same rounds as the current build,
which is always the webaudit of the Python running this script.

It installs what it needs (nginx-light and time with apt-get when root, LinkChecker
into bench/.tools/venv, linkinator into bench/.tools/node) unless --no-install.
Every request goes to 127.0.0.1. See bench/README.md.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import datetime as dt
import importlib
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
TOOLS_DIR = BENCH / ".tools"
OUT_DIR = BENCH / "out"
LINKCHECKER_VERSION = "10.6.0"
LINKINATOR_VERSION = "7.6.1"
ALL_TOOLS = ("webaudit", "linkchecker", "linkinator")
# --tools token for the --baseline build (also accepted: webaudit@REF, which sets --baseline)
BASELINE_TOKEN = "baseline"
BASELINE_MARKER = "webaudit-bench-baseline.json"  # written into a baseline venv once complete
INSTALL_TIMEOUT = 900.0

# Targets from the issue.
TARGET_VS_LINKCHECKER = 5.0
TARGET_VS_LINKINATOR = 1.0
TARGET_MEMORY_GROWTH = 1.3


# -- process bookkeeping: everything we start, we stop by PID ------------------------------

_LIVE: dict[int, subprocess.Popen[Any]] = {}


def _kill_group(proc: subprocess.Popen[Any], sig: int = signal.SIGKILL) -> None:
    """Signal the process group of `proc` (we start every child in its own session)."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def _cleanup() -> None:
    for proc in list(_LIVE.values()):
        _kill_group(proc, signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            _kill_group(proc, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)
        _LIVE.pop(proc.pid, None)


atexit.register(_cleanup)


def _on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def spawn(cmd: list[str], **kwargs: Any) -> subprocess.Popen[Any]:
    proc = subprocess.Popen(cmd, start_new_session=True, **kwargs)
    _LIVE[proc.pid] = proc
    return proc


def reap(proc: subprocess.Popen[Any], timeout: float) -> int | None:
    """Wait for `proc`; on timeout kill its group and return None."""
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.wait(10)
        return None
    finally:
        _LIVE.pop(proc.pid, None)


def run_quiet(cmd: list[str], timeout: float = 120.0, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False, **kwargs)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# -- tool installation -----------------------------------------------------------------------

def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)


def apt_install(packages: list[str]) -> None:
    if os.geteuid() != 0:
        raise SystemExit(f"need {', '.join(packages)}: install them (apt-get install -y "
                         f"{' '.join(packages)}) or run as root")
    log(f"installing {' '.join(packages)} with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]
    if run_quiet(cmd, INSTALL_TIMEOUT, env=env).returncode != 0:
        run_quiet(["apt-get", "update", "-q"], INSTALL_TIMEOUT, env=env)
        done = run_quiet(cmd, INSTALL_TIMEOUT, env=env)
        if done.returncode != 0:
            raise SystemExit(f"apt-get install {' '.join(packages)} failed:\n{done.stderr[-2000:]}")


def ensure_tools(tools: list[str], install: bool) -> dict[str, str]:
    """Paths of nginx, /usr/bin/time and the tools; installs what is missing."""
    paths: dict[str, str] = {}
    missing = []
    if find_nginx() is None:
        missing.append("nginx-light")
    if not os.access("/usr/bin/time", os.X_OK):
        missing.append("time")
    if missing and install:
        apt_install(missing)
    nginx = find_nginx()
    if nginx is None:
        raise SystemExit("nginx not found (apt-get install nginx-light)")
    paths["nginx"] = nginx
    if os.access("/usr/bin/time", os.X_OK):
        paths["time"] = "/usr/bin/time"
    if "webaudit" in tools:
        exe = Path(sys.executable).parent / "webaudit"
        found = str(exe) if exe.exists() else shutil.which("webaudit")
        if found is None:
            raise SystemExit("webaudit not installed in this Python (pip install -e .)")
        paths["webaudit"] = found
    if "linkchecker" in tools:
        venv = TOOLS_DIR / "venv"
        exe = venv / "bin" / "linkchecker"
        if not exe.exists():
            if not install:
                raise SystemExit(f"{exe} missing (run without --no-install)")
            log(f"installing linkchecker=={LINKCHECKER_VERSION} into {venv}")
            run_quiet([sys.executable, "-m", "venv", str(venv)], INSTALL_TIMEOUT).check_returncode()
            done = run_quiet([str(venv / "bin" / "pip"), "install", "-q",
                              f"linkchecker=={LINKCHECKER_VERSION}"], INSTALL_TIMEOUT)
            if done.returncode != 0:
                raise SystemExit(f"pip install linkchecker failed:\n{done.stderr[-2000:]}")
        paths["linkchecker"] = str(exe)
    if "linkinator" in tools:
        node = shutil.which("node")
        npm = shutil.which("npm")
        if node is None:
            if not install:
                raise SystemExit("node not found")
            apt_install(["nodejs", "npm"])
            node, npm = shutil.which("node"), shutil.which("npm")
        prefix = TOOLS_DIR / "node"
        cli = prefix / "node_modules" / "linkinator" / "build" / "src" / "cli.js"
        if not cli.exists():
            if not install or npm is None:
                raise SystemExit(f"{cli} missing (run without --no-install; needs npm)")
            log(f"installing linkinator@{LINKINATOR_VERSION} into {prefix}")
            prefix.mkdir(parents=True, exist_ok=True)
            if not (prefix / "package.json").exists():
                (prefix / "package.json").write_text('{"private": true}\n', encoding="utf-8")
            done = run_quiet([npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix),
                              f"linkinator@{LINKINATOR_VERSION}"], INSTALL_TIMEOUT)
            if done.returncode != 0 or not cli.exists():
                raise SystemExit(f"npm install linkinator failed:\n{done.stderr[-2000:]}")
        assert node is not None
        paths["node"] = node
        paths["linkinator"] = str(cli)
    return paths


def versions(paths: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {"python": platform.python_version()}

    def first_line(cmd: list[str]) -> str:
        try:
            done = run_quiet(cmd, 60)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"? ({exc})"
        text = (done.stdout.strip() or done.stderr.strip()).splitlines()
        return text[0] if text else "?"

    out["nginx"] = first_line([paths["nginx"], "-v"])
    for tool in sorted(t for t in paths if is_webaudit(t)):
        out[tool] = first_line([paths[tool], "--version"])
    if "linkchecker" in paths:
        out["linkchecker"] = first_line([paths["linkchecker"], "--version"])
    if "linkinator" in paths:
        out["node"] = first_line([paths["node"], "--version"])
        out["linkinator"] = first_line([paths["node"], paths["linkinator"], "--version"])
    return out


def source_state() -> dict[str, Any]:
    """The webaudit checkout measured (read-only git): commit and whether src/ has edits.
    webaudit is installed editable, so a commit landing mid-run changes what is measured."""
    repo = BENCH.parent
    try:
        head = run_quiet(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], 30).stdout.strip()
        dirty = run_quiet(["git", "-C", str(repo), "status", "--porcelain", "--", "src"],
                          30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return {"commit": None, "src_modified": None}
    return {"commit": head or None, "src_modified": bool(dirty)}


def is_webaudit(tool: str) -> bool:
    """The current build ("webaudit") or the --baseline build ("webaudit@<sha>")."""
    return tool == "webaudit" or tool.startswith("webaudit@")


def current_build() -> dict[str, Any]:
    """The current build: full commit of the checkout and where its `webaudit` is imported from
    (it must be this checkout's src/, an editable install, for the commit to mean anything)."""
    repo = BENCH.parent
    commit = None
    with contextlib.suppress(OSError, subprocess.TimeoutExpired):
        commit = run_quiet(["git", "-C", str(repo), "rev-parse", "HEAD"], 30).stdout.strip() or None
    try:
        import webaudit
        module = str(Path(webaudit.__file__).resolve())
    except ImportError:
        module = None
    editable = module is not None and Path(module).is_relative_to(repo / "src")
    return {"commit": commit, "module": module, "from_this_checkout": editable}


# -- the --baseline build: another commit of this repository, in its own venv ----------------

@dataclass
class Baseline:
    ref: str
    commit: str  # full sha
    short: str
    venv: Path
    reused: bool = False
    dependency_differences: list[str] = field(default_factory=list)
    # whether each build's webaudit package has compiled .pyc files (see sync_bytecode)
    bytecode: dict[str, bool] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"webaudit@{self.short}"

    @property
    def exe(self) -> Path:
        return self.venv / "bin" / "webaudit"


def resolve_ref(ref: str) -> tuple[str, str]:
    """Full and short sha of `ref` in the repository this script lives in."""
    if ref.startswith("-") or not ref.strip():
        raise SystemExit(f"--baseline {ref!r}: not a git ref")
    repo = str(BENCH.parent)
    done = run_quiet(["git", "-C", repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], 30)
    commit = done.stdout.strip()
    if done.returncode != 0 or not re.fullmatch(r"[0-9a-f]{40}", commit):
        raise SystemExit(f"--baseline {ref!r}: no such commit in {repo}")
    short = run_quiet(["git", "-C", repo, "rev-parse", "--short", commit], 30).stdout.strip()
    return commit, short or commit[:7]


def pip_freeze(python: Path | str) -> dict[str, str]:
    """name -> version of the distributions installed for `python` (editables and direct
    references left out: they cannot be constraints)."""
    done = run_quiet([str(python), "-m", "pip", "freeze", "--exclude-editable"], 120)
    out: dict[str, str] = {}
    for line in done.stdout.splitlines():
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", line.strip())
        if m:
            out[re.sub(r"[-_.]+", "-", m.group(1)).lower()] = m.group(2)
    return out


def export_commit(commit: str, dest: Path) -> None:
    """The tree of `commit` into `dest` (`git archive`: read-only, leaves no worktree entry)."""
    tar = dest.with_suffix(".tar")
    done = run_quiet(["git", "-C", str(BENCH.parent), "archive", "--format=tar", "-o", str(tar),
                      commit], 300)
    if done.returncode != 0:
        raise SystemExit(f"git archive {commit} failed:\n{done.stderr[-2000:]}")
    dest.mkdir()
    with tarfile.open(tar) as archive:
        archive.extractall(dest, filter="data")
    tar.unlink()


def _has_bytecode(package: Path) -> bool:
    return any(package.rglob("__pycache__/*.pyc"))


def sync_bytecode(base: Baseline, package: Path) -> None:
    """Start both builds alike. pip compiles what it installs, but the editable current build
    has .pyc files only where Python could write them (not with PYTHONDONTWRITEBYTECODE=1,
    where every run compiles src/ again: ~0.2 s and ~2 MiB of peak RSS here). So when the
    current build's package has none, the baseline's loses its own (its dependencies keep
    theirs, as the current venv's do)."""
    current = _has_bytecode(BENCH.parent / "src" / "webaudit")
    if not current:
        for cache in sorted(package.rglob("__pycache__"), reverse=True):
            shutil.rmtree(cache, ignore_errors=True)
    base.bytecode = {"webaudit": current, base.name: _has_bytecode(package)}
    if base.bytecode["webaudit"] != base.bytecode[base.name]:
        log(f"WARNING compiled bytecode: current build {current}, {base.name} "
            f"{base.bytecode[base.name]}: start-up times differ")


def dependency_differences(ours: dict[str, str], theirs: dict[str, str], name: str) -> list[str]:
    """How the baseline venv's distributions differ from the current venv's (webaudit aside)."""
    out = []
    for dist in sorted((set(ours) | set(theirs)) - {"webaudit"}):
        if dist not in theirs:
            out.append(f"{dist} {ours[dist]} only in the current venv")
        elif dist not in ours:
            out.append(f"{dist} {theirs[dist]} only in {name}'s venv")
        elif ours[dist] != theirs[dist]:
            out.append(f"{dist} {ours[dist]} (current) vs {theirs[dist]} ({name})")
    return out


def prepare_baseline(ref: str, install: bool) -> Baseline:
    """The venv bench/.tools/baseline-<commit> with webaudit at `ref` installed (non-editable):
    reused when it is complete, else built from a `git archive` export that is then deleted.
    Next to it go the same distributions at the same versions as in the current venv (test
    extras included: httpx imports pygments when it is there, and that is ~1.5 MiB of peak RSS),
    so that the two builds differ only in webaudit's own code."""
    commit, short = resolve_ref(ref)
    venv = TOOLS_DIR / f"baseline-{commit}"
    base = Baseline(ref=ref, commit=commit, short=short, venv=venv)
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "-q"]
    marker = venv / BASELINE_MARKER
    info: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):
        info = json.loads(marker.read_text(encoding="utf-8"))
    ours = {k: v for k, v in pip_freeze(sys.executable).items() if k != "webaudit"}
    tmp = Path(tempfile.mkdtemp(prefix=f"webaudit-baseline-{short}-"))
    try:
        requirements = tmp / "requirements.txt"
        requirements.write_text("".join(f"{k}=={v}\n" for k, v in sorted(ours.items())),
                                encoding="utf-8")
        if info.get("commit") == commit and base.exe.exists():
            base.reused = True
            log(f"baseline {base.name} ({ref}): reusing {venv}")
            if dependency_differences(ours, pip_freeze(python), base.name) and install:
                log("    the current venv's distributions changed; installing them there too")
                run_quiet([*pip, "-r", str(requirements)], INSTALL_TIMEOUT)
        else:
            if not install:
                raise SystemExit(f"{venv} missing (run without --no-install)")
            shutil.rmtree(venv, ignore_errors=True)  # an incomplete earlier attempt
            TOOLS_DIR.mkdir(parents=True, exist_ok=True)
            log(f"baseline {base.name} ({ref}): installing commit {commit} into {venv}")
            src = tmp / "src"
            export_commit(commit, src)
            run_quiet([sys.executable, "-m", "venv", str(venv)], INSTALL_TIMEOUT).check_returncode()
            done = run_quiet([*pip, "-r", str(requirements), str(src)], INSTALL_TIMEOUT)
            for fallback in (["-c", str(requirements)], []):
                if done.returncode == 0:
                    break
                log("    it does not fit the current venv's distributions; installing with "
                    + ("them as constraints" if fallback else "what it asks for"))
                done = run_quiet([*pip, *fallback, str(src)], INSTALL_TIMEOUT)
            if done.returncode != 0:
                shutil.rmtree(venv, ignore_errors=True)
                raise SystemExit(f"pip install of {base.name} failed:\n{done.stderr[-2000:]}")
            marker.write_text(json.dumps({
                "ref": ref, "commit": commit,
                "installed": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}, indent=2) + "\n",
                encoding="utf-8")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    # The tool runs with this environment: make sure it imports its own copy (a PYTHONPATH
    # pointing at src/ would make both builds the current one).
    probe = run_quiet([str(python), "-c", "import webaudit, sys; sys.stdout.write(webaudit.__file__)"], 60)
    where = probe.stdout.strip()
    if probe.returncode != 0 or not Path(where).resolve().is_relative_to(venv.resolve()):
        raise SystemExit(f"{base.name} imports webaudit from {where or probe.stderr[-500:]!r}, "
                         f"not from {venv} (is PYTHONPATH set?)")
    sync_bytecode(base, Path(where).resolve().parent)
    base.dependency_differences = dependency_differences(ours, pip_freeze(python), base.name)
    return base


def machine() -> dict[str, Any]:
    model = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    return {"cores": os.cpu_count(), "cpu": model, "memory_gib": round(mem_kb / 2**20, 1),
            "kernel": platform.release(), "system": platform.system()}


# -- the site ---------------------------------------------------------------------------------

@dataclass
class Site:
    pages: int
    root: Path
    port: int = 0
    expected_pages: int = 0
    expected_urls: int = 0
    expected_broken: int = 0
    expected_attachments: int = 0
    files: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


def site_generator() -> tuple[Callable[..., Any], Callable[..., Any], str]:
    """big_site and write_static of the current build (never the baseline's): from
    `webaudit.sitekit` where a build has it, else from `webaudit.testing`."""
    for name in ("webaudit.sitekit", "webaudit.testing"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        if hasattr(module, "big_site") and hasattr(module, "write_static"):
            return module.big_site, module.write_static, name
    raise SystemExit("neither webaudit.sitekit nor webaudit.testing has big_site and write_static")


def make_site(pages: int, directory: Path) -> Site:
    big_site, write_static, _ = site_generator()
    spec, expected = big_site(pages=pages)
    (root,) = write_static(spec, directory)
    site = Site(pages=pages, root=root)
    site.expected_pages = len(expected.pages)
    site.expected_broken = len(expected.broken)
    site.expected_urls = len(set(expected.healthy) | set(expected.broken))
    site.expected_attachments = sum(1 for u in expected.healthy
                                    if u.rsplit(".", 1)[-1] in ("pdf", "docx", "xls"))
    site.files = sum(1 for p in root.rglob("*") if p.is_file())
    # big_site uses root-relative links only: the same files work on any host:port.
    sample = next(root.rglob("t*.html")).read_text(encoding="utf-8")
    if re.search(r'href="https?://', sample):
        raise SystemExit("big_site emitted absolute links; the tools would leave 127.0.0.1")
    return site


# -- nginx -----------------------------------------------------------------------------------

NGINX_CONF = """\
daemon off;
master_process on;
{user}
worker_processes 1;
worker_rlimit_nofile {nofile};
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections {connections}; }}
http {{
  types {{
    text/html html htm;
    text/plain txt;
    application/pdf pdf;
    application/vnd.openxmlformats-officedocument.wordprocessingml.document docx;
    application/vnd.ms-excel xls;
  }}
  default_type application/octet-stream;
  charset utf-8;
  server_tokens off;
  log_format bench '$connection $connection_requests $request_method $status '
                   '"$sent_http_content_type" $request_uri';
  access_log {tmp}/access.log bench;
  log_not_found off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  open_file_cache max=50000 inactive=300s;
  keepalive_timeout 75s;
  keepalive_requests 1000000;
  client_body_temp_path {tmp}/client_body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
{servers}
}}
"""
# LinkChecker throttles itself to ~3 requests/s per host unless the server sends a
# "LinkChecker" header (and maxrequestspersecond is raised): see bench/README.md.
SERVER_BLOCK = """\
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    root {root};
    add_header LinkChecker benchmark always;
  }}"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Nginx:
    """One nginx master (one worker) serving every site on its own loopback port."""

    def __init__(self, binary: str, sites: list[Site], tmp: Path) -> None:
        self.binary = binary
        self.sites = sites
        self.tmp = tmp
        self.proc: subprocess.Popen[Any] | None = None
        self.access_log = tmp / "access.log"

    def start(self) -> None:
        used: set[int] = set()
        for site in self.sites:
            while (port := free_port()) in used:
                pass
            site.port = port
            used.add(port)
        _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        root = os.geteuid() == 0
        nofile = 65536 if root else (hard if hard != resource.RLIM_INFINITY else 65536)
        conf = NGINX_CONF.format(
            user="user root;" if root else "", tmp=self.tmp, nofile=nofile,
            connections=max(1024, nofile // 2 - 16),
            servers="\n".join(SERVER_BLOCK.format(port=s.port, root=s.root) for s in self.sites))
        (self.tmp / "nginx.conf").write_text(conf, encoding="utf-8")
        test = run_quiet([self.binary, "-t", "-q", "-e", str(self.tmp / "error.log"),
                          "-p", str(self.tmp), "-c", str(self.tmp / "nginx.conf")], 30)
        if test.returncode != 0:
            raise SystemExit(f"nginx -t failed:\n{test.stderr}")
        self.proc = spawn([self.binary, "-e", str(self.tmp / "error.log"), "-p", str(self.tmp),
                           "-c", str(self.tmp / "nginx.conf")],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        for site in self.sites:
            while True:
                if self.proc.poll() is not None:
                    raise SystemExit(f"nginx exited: {(self.tmp / 'error.log').read_text()[-2000:]}")
                try:
                    with urllib.request.urlopen(site.url, timeout=2) as resp:
                        if resp.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit(f"nginx did not answer on {site.url}")
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is None:
            return
        _kill_group(self.proc, signal.SIGTERM)
        if reap(self.proc, 15) is None:
            log("nginx did not stop on SIGTERM; killed")
        self.proc = None

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in children.split()]

    def cpu_seconds(self) -> float:
        """User+system CPU of the worker processes so far."""
        total = 0
        tick = os.sysconf("SC_CLK_TCK")
        for pid in self.worker_pids():
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
        return total / tick

    def log_offset(self) -> int:
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def log_since(self, offset: int) -> list[str]:
        with self.access_log.open("rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace").splitlines()


_LOG_LINE = re.compile(r'^(\d+) (\d+) (\S+) (\d+) "([^"]*)" (\S+)$')


def server_view(lines: list[str]) -> dict[str, Any]:
    """What nginx saw during one run: the same yardstick for every tool."""
    requests = 0
    conns: set[str] = set()
    methods: dict[str, int] = {}
    statuses: dict[str, int] = {}
    pages: set[str] = set()
    uris: set[str] = set()
    for line in lines:
        m = _LOG_LINE.match(line)
        if not m:
            continue
        conn, _, method, status, ctype, uri = m.groups()
        requests += 1
        conns.add(conn)
        methods[method] = methods.get(method, 0) + 1
        statuses[status] = statuses.get(status, 0) + 1
        if uri != "/robots.txt":
            uris.add(uri)
        if method == "GET" and status == "200" and ctype.startswith("text/html"):
            pages.add(uri)
    return {"requests": requests, "connections": len(conns), "methods": methods,
            "statuses": statuses, "pages": len(pages), "distinct_uris": len(uris)}


# -- measuring one run ------------------------------------------------------------------------

class TreePeak(threading.Thread):
    """Fallback when /usr/bin/time is missing: poll the summed VmRSS of a process tree."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_kb = 0
        self.stop_event = threading.Event()

    def _tree(self) -> list[int]:
        pids, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            with contextlib.suppress(OSError, ValueError):
                todo.extend(int(c) for c in
                            Path(f"/proc/{pid}/task/{pid}/children").read_text().split())
        return pids

    def run(self) -> None:
        while not self.stop_event.is_set():
            total = 0
            for pid in self._tree():
                with contextlib.suppress(OSError, ValueError):
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
                            break
            self.peak_kb = max(self.peak_kb, total)
            self.stop_event.wait(self.interval)


@dataclass
class Measure:
    wall: float | None  # seconds; None on timeout
    returncode: int | None
    peak_rss_kb: int | None
    cpu_percent: float | None
    user_s: float | None
    sys_s: float | None
    rss_source: str


def measure(cmd: list[str], stdout: Path, stderr: Path, timeout: float, time_bin: str | None,
            env: dict[str, str] | None = None, cwd: Path | None = None) -> Measure:
    rusage = stdout.with_suffix(".time")
    full = ([time_bin, "-f", "%e %M %P %U %S", "-o", str(rusage), "--", *cmd]
            if time_bin else cmd)
    with stdout.open("wb") as out, stderr.open("wb") as err:
        start = time.monotonic()
        proc = spawn(full, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=cwd)
        poller = None
        if not time_bin:
            poller = TreePeak(proc.pid)
            poller.start()
        code = reap(proc, timeout)
        wall = time.monotonic() - start
        if poller is not None:
            poller.stop_event.set()
            poller.join()
    if code is None:
        return Measure(None, None, None, None, None, None, "timeout")
    if poller is not None:
        return Measure(wall, code, poller.peak_kb, None, None, None, "poll VmRSS (tree sum)")
    # GNU time prefixes "Command exited with non-zero status N" when the tool exits non-zero.
    last = rusage.read_text().strip().splitlines()[-1].split()
    cpu = float(last[2].rstrip("%")) if last[2].rstrip("%").replace(".", "").isdigit() else None
    return Measure(wall, code, int(last[1]), cpu, float(last[3]), float(last[4]),
                   "/usr/bin/time %M (max RSS of the process)")


# -- the tools --------------------------------------------------------------------------------

@dataclass
class ToolRun:
    tool: str
    profile: str
    site_pages: int
    concurrency: str
    command: list[str]
    repeat: int
    measure: Measure | None = None
    tool_view: dict[str, Any] = field(default_factory=dict)
    server: dict[str, Any] = field(default_factory=dict)
    nginx_cpu_s: float | None = None
    problems: list[str] = field(default_factory=list)


def webaudit_cmd(exe: str, site: Site, conc: int | None, out: Path) -> tuple[list[str], str]:
    """The same command line for the current build and the --baseline one; only `exe` differs."""
    cmd = [exe, "crawl", site.url, "-o", str(out),
           "--max-pages", "1000000", "--max-depth", "1000000",
           "--fail-on", "none", "--no-progress", "-q"]
    if conc is None:
        return cmd, "32 in all, 8 per host (defaults)"
    return [*cmd, "--concurrency", str(conc), "--per-host", str(conc)], f"{conc} in all, {conc} per host"


def webaudit_view(out: Path) -> dict[str, Any]:
    report = json.loads(out.read_text(encoding="utf-8"))
    site = report["sites"][0]
    stats = site["stats"]
    return {"pages": stats["pages"], "urls": stats["links"], "broken":
            report["summary"]["by_check"].get("links.broken", 0),
            "requests": stats["requests"], "attachments": stats["attachments"],
            "findings": report["summary"]["by_check"], "errors": len(report.get("errors", []))}


LC_RC = """\
[checking]
threads={threads}
# default 10: LinkChecker waits 0.1-0.6 s between requests to a host; lifted for the
# benchmark (nginx sends the "LinkChecker" header that allows rates above 10/s)
maxrequestspersecond=1000000
[output]
status=0
"""


def linkchecker_cmd(paths: dict[str, str], site: Site, conc: int | None, rc: Path,
                    ) -> tuple[list[str], str]:
    threads = 10 if conc is None else conc
    rc.write_text(LC_RC.format(threads=threads), encoding="utf-8")
    cmd = [paths["linkchecker"], "-f", str(rc), "--no-status", "--threads", str(threads),
           "-o", "text", site.url]
    return cmd, f"{threads} threads" + (" (default)" if threads == 10 else "")


def linkchecker_view(out: Path) -> dict[str, Any]:
    text = out.read_text(encoding="utf-8", errors="replace")
    view: dict[str, Any] = {"pages": None}
    m = re.search(r"(\d+) links? in (\d+) URLs? checked", text)
    if m:
        view["links"], view["urls"] = int(m.group(1)), int(m.group(2))
    m = re.search(r"That's it\..*?(\d+) errors? found", text)
    if m:
        view["broken"] = int(m.group(1))
    m = re.search(r"Content types: .*?(\d+) text,", text)
    if m:
        view["text_urls"] = int(m.group(1))
    return view


def linkinator_cmd(paths: dict[str, str], site: Site, conc: int | None) -> tuple[list[str], str]:
    cmd = [paths["node"], paths["linkinator"], site.url, "--recurse", "--format", "json"]
    if conc is None:
        return cmd, "100 (default)"
    return [*cmd, "--concurrency", str(conc)], str(conc)


def linkinator_view(out: Path, site: Site) -> dict[str, Any]:
    data = json.loads(out.read_text(encoding="utf-8"))
    links = data.get("links", [])
    state: dict[str, str] = {}
    status: dict[str, int] = {}
    for link in links:
        state[link["url"]] = link["state"]
        status[link["url"]] = link.get("status", 0)
    pages = sum(1 for url, s in state.items()
                if s == "OK" and url.startswith(site.url) and url.endswith(("/", ".html")))
    return {"pages": pages, "urls": len(state), "broken": sum(s == "BROKEN" for s in state.values()),
            "network_errors": sum(1 for u, s in status.items() if s == 0 and state[u] == "BROKEN"),
            "results": len(links), "passed": data.get("passed")}


# -- driver -----------------------------------------------------------------------------------

@dataclass
class Plan:
    tool: str
    profile: str
    site: Site
    conc: int | None


def plan_runs(tools: list[str], profiles: dict[str, int | None], big: Site, small: Site | None,
              ) -> list[Plan]:
    plans: list[Plan] = []
    seen: set[tuple[str, int, int | None]] = set()
    for profile, conc in profiles.items():
        for tool in tools:
            sites = [big] + ([small] if small is not None and is_webaudit(tool) else [])
            for site in sites:
                effective = conc
                if tool == "linkchecker" and conc == 10:
                    effective = None  # LinkChecker's default is 10 threads: the same run
                key = (tool, site.pages, effective)
                if key in seen:
                    continue
                seen.add(key)
                plans.append(Plan(tool, profile, site, effective))
    return plans


def execute(plan: Plan, rep: int, paths: dict[str, str], nginx: Nginx, timeout: float) -> ToolRun:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    stem = f"{plan.tool}-{plan.profile}-{plan.site.pages}-r{rep}"
    stdout, stderr = OUT_DIR / f"{stem}.out", OUT_DIR / f"{stem}.err"
    env = None
    if is_webaudit(plan.tool):
        report = OUT_DIR / f"{stem}.json"
        cmd, conc = webaudit_cmd(paths[plan.tool], plan.site, plan.conc, report)
    elif plan.tool == "linkchecker":
        cmd, conc = linkchecker_cmd(paths, plan.site, plan.conc, OUT_DIR / f"{stem}.linkcheckerrc")
        env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}  # English summary line
    else:
        cmd, conc = linkinator_cmd(paths, plan.site, plan.conc)
        env = {k: v for k, v in os.environ.items()
               if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    run = ToolRun(plan.tool, plan.profile, plan.site.pages, conc, cmd, rep)
    offset = nginx.log_offset()
    cpu0 = nginx.cpu_seconds()
    run.measure = measure(cmd, stdout, stderr, timeout, paths.get("time"), env=env)
    time.sleep(0.2)  # let nginx finish logging the last responses
    run.nginx_cpu_s = round(nginx.cpu_seconds() - cpu0, 2)
    run.server = server_view(nginx.log_since(offset))
    if run.measure.wall is None:
        run.problems.append(f"timed out after {timeout:g}s")
        return run
    try:
        if is_webaudit(plan.tool):
            run.tool_view = webaudit_view(OUT_DIR / f"{stem}.json")
        elif plan.tool == "linkchecker":
            run.tool_view = linkchecker_view(stdout)
        else:
            run.tool_view = linkinator_view(stdout, plan.site)
    except (OSError, ValueError, KeyError) as exc:
        run.problems.append(f"could not read the tool's output: {type(exc).__name__}: {exc}")
    check_same_work(run, plan.site)
    return run


def check_same_work(run: ToolRun, site: Site) -> None:
    view, server = run.tool_view, run.server
    if server.get("pages") != site.expected_pages:
        run.problems.append(f"server saw {server.get('pages')} distinct HTML pages fetched, "
                            f"expected {site.expected_pages}")
    if view.get("urls") is not None and view["urls"] != site.expected_urls:
        run.problems.append(f"tool reports {view['urls']} URLs, expected {site.expected_urls}")
    if view.get("broken") is not None and view["broken"] != site.expected_broken:
        run.problems.append(f"tool reports {view['broken']} broken, expected {site.expected_broken}")
    if view.get("pages") is not None and view["pages"] != site.expected_pages:
        run.problems.append(f"tool reports {view['pages']} pages, expected {site.expected_pages}")
    if view.get("network_errors"):
        run.problems.append(f"{view['network_errors']} links failed with network errors")
    # every distinct URL must have been requested (robots.txt aside)
    requested = server.get("distinct_uris", 0)
    if requested < site.expected_urls:
        run.problems.append(f"server saw only {requested} distinct URLs, expected {site.expected_urls}")


def median(values: list[float]) -> float:
    return float(statistics.median(values))


@dataclass
class Summary:
    tool: str
    profile: str
    site_pages: int
    concurrency: str
    runs: int
    wall_s: float
    wall_all: list[float]
    pages: int
    pages_per_s: float
    urls: int | None
    broken: int | None
    requests: int
    connections: int
    peak_rss_mib: float | None
    cpu_percent: float | None
    nginx_cpu_s: float | None
    problems: list[str]
    cpu_s: float | None = None  # median user+system CPU seconds of the tool process


def summarize(runs: list[ToolRun]) -> list[Summary]:
    groups: dict[tuple[str, str, int], list[ToolRun]] = {}
    for run in runs:
        groups.setdefault((run.tool, run.profile, run.site_pages), []).append(run)
    out = []
    for (tool, profile, pages), group in groups.items():
        ok = [r for r in group if r.measure is not None and r.measure.wall is not None]
        first = group[0]
        problems = sorted({p for r in group for p in r.problems})
        if not ok:
            out.append(Summary(tool, profile, pages, first.concurrency, 0, float("nan"), [], 0,
                               float("nan"), None, None, 0, 0, None, None, None, problems))
            continue
        walls = [r.measure.wall for r in ok if r.measure and r.measure.wall is not None]
        rss = [r.measure.peak_rss_kb for r in ok if r.measure and r.measure.peak_rss_kb]
        cpu = [r.measure.cpu_percent for r in ok if r.measure and r.measure.cpu_percent is not None]
        ngx = [r.nginx_cpu_s for r in ok if r.nginx_cpu_s is not None]
        cpu_s = [r.measure.user_s + r.measure.sys_s for r in ok if r.measure
                 and r.measure.user_s is not None and r.measure.sys_s is not None]
        wall = median(walls)
        server = ok[0].server
        out.append(Summary(
            tool, profile, pages, first.concurrency, len(ok), round(wall, 2),
            [round(w, 2) for w in walls], server["pages"], round(server["pages"] / wall, 1),
            ok[0].tool_view.get("urls"), ok[0].tool_view.get("broken"), server["requests"],
            server["connections"], round(median([float(x) for x in rss]) / 1024, 1) if rss else None,
            round(median(cpu), 0) if cpu else None, round(median(ngx), 2) if ngx else None, problems,
            cpu_s=round(median(cpu_s), 2) if cpu_s else None))
    return out


def find(summaries: list[Summary], tool: str, profile: str, pages: int) -> Summary | None:
    for s in summaries:
        if s.tool == tool and s.site_pages == pages and s.profile == profile:
            return s
    if tool == "linkchecker":  # shared between profiles when the settings are the same
        for s in summaries:
            if s.tool == tool and s.site_pages == pages:
                return s
    return None


def ratios(summaries: list[Summary], profiles: list[str], big: int, small: int | None,
           baseline: str | None = None) -> dict[str, dict[str, Any]]:
    """Per profile: each webaudit build against the peers and its own memory growth (keys
    prefixed "baseline_" for the --baseline build), and the current build over the baseline.
    Every entry carries its printed label."""
    out: dict[str, dict[str, Any]] = {}
    builds = [("", "webaudit")] + ([("baseline_", baseline)] if baseline else [])
    for profile in profiles:
        entry: dict[str, Any] = {}

        def speed(tool: str, other: str, label: str, target: float,
                  profile: str = profile) -> dict[str, Any] | None:
            wa, o = find(summaries, tool, profile, big), find(summaries, other, profile, big)
            if wa is None or o is None or not wa.runs or not o.runs:
                return None
            value = wa.pages_per_s / o.pages_per_s
            return {"label": f"{tool} / {label} pages/s", "value": round(value, 2),
                    "target": f">= {target:g}", "pass": value >= target,
                    f"{tool}_pages_per_s": wa.pages_per_s, f"{other}_pages_per_s": o.pages_per_s}

        def growth(tool: str, profile: str = profile) -> dict[str, Any] | None:
            if not small:
                return None
            wa, ws = find(summaries, tool, profile, big), find(summaries, tool, profile, small)
            if not (wa and ws and wa.peak_rss_mib and ws.peak_rss_mib):
                return None
            value = wa.peak_rss_mib / ws.peak_rss_mib
            return {"label": f"{tool} peak RSS big / small site", "value": round(value, 2),
                    "target": f"<= {TARGET_MEMORY_GROWTH:g}", "pass": value <= TARGET_MEMORY_GROWTH,
                    f"rss_{big}_mib": wa.peak_rss_mib, f"rss_{small}_mib": ws.peak_rss_mib}

        for prefix, tool in builds:
            entry[f"{prefix}speed_vs_linkchecker"] = speed(tool, "linkchecker", "LinkChecker",
                                                           TARGET_VS_LINKCHECKER)
            entry[f"{prefix}speed_vs_linkinator"] = speed(tool, "linkinator", "linkinator",
                                                          TARGET_VS_LINKINATOR)
            entry[f"{prefix}memory_big_over_small"] = growth(tool)
            if prefix or baseline is None:
                continue
            # the current build over the baseline: no target, ~1.00 when both are one commit
            cur, base = find(summaries, "webaudit", profile, big), find(summaries, baseline, profile, big)
            if cur is None or base is None or not cur.runs or not base.runs:
                continue
            entry["speed_vs_baseline"] = {
                "label": f"webaudit / {baseline} pages/s",
                "value": round(cur.pages_per_s / base.pages_per_s, 2), "target": None, "pass": None,
                "webaudit_pages_per_s": cur.pages_per_s, f"{baseline}_pages_per_s": base.pages_per_s}
            if cur.cpu_s and base.cpu_s:
                # CPU seconds are less disturbed than wall time when the machine is shared
                entry["cpu_vs_baseline"] = {
                    "label": f"webaudit / {baseline} CPU s ({big} pages)",
                    "value": round(cur.cpu_s / base.cpu_s, 2), "target": None, "pass": None,
                    "webaudit_cpu_s": cur.cpu_s, f"{baseline}_cpu_s": base.cpu_s}
            if cur.peak_rss_mib and base.peak_rss_mib:
                entry["rss_vs_baseline"] = {
                    "label": f"webaudit / {baseline} peak RSS ({big} pages)",
                    "value": round(cur.peak_rss_mib / base.peak_rss_mib, 2), "target": None,
                    "pass": None, "webaudit_rss_mib": cur.peak_rss_mib,
                    f"{baseline}_rss_mib": base.peak_rss_mib}
        out[profile] = {k: v for k, v in entry.items() if v is not None}
    return out


def print_table(summaries: list[Summary]) -> None:
    head = ("tool", "profile", "site", "concurrency", "wall s", "pages", "pages/s", "URLs",
            "broken", "requests", "conns", "peak RSS MiB", "CPU %", "CPU s", "nginx CPU s")
    rows = [head]
    for s in summaries:
        rows.append((s.tool, s.profile, str(s.site_pages), s.concurrency,
                     f"{s.wall_s:.2f}" + (f" ({min(s.wall_all):.2f}-{max(s.wall_all):.2f})"
                                          if len(s.wall_all) > 1 else ""),
                     str(s.pages), f"{s.pages_per_s:.0f}", str(s.urls), str(s.broken),
                     str(s.requests), str(s.connections), str(s.peak_rss_mib),
                     "" if s.cpu_percent is None else f"{s.cpu_percent:.0f}",
                     "" if s.cpu_s is None else f"{s.cpu_s:.2f}",
                     "" if s.nginx_cpu_s is None else f"{s.nginx_cpu_s:.2f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for n, row in enumerate(rows):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    for s in summaries:
        for p in s.problems:
            print(f"WARNING {s.tool}/{s.profile}/{s.site_pages}: {p}")


def print_ratios(result: dict[str, dict[str, Any]]) -> None:
    width = max((len(r["label"]) for entry in result.values() for r in entry.values()), default=36)
    for profile, entry in result.items():
        print(f"\nratios, profile {profile}:")
        for r in entry.values():
            verdict = ("" if r["target"] is None else
                       f"   target {r['target']:<6} {'PASS' if r['pass'] else 'FAIL'}")
            print(f"  {r['label']:<{width}} {r['value']:>6.2f}{verdict}")


@contextlib.contextmanager
def workdir(keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="webaudit-bench-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        if keep:
            log(f"kept {path}")
        else:
            shutil.rmtree(path, ignore_errors=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pages", type=int, default=5000, help="pages of the big site (default 5000)")
    p.add_argument("--small", type=int, default=1000,
                   help="pages of the small site webaudit also crawls, for the memory ratio "
                        "(default 1000; 0 skips it)")
    p.add_argument("--tools", default=",".join(ALL_TOOLS), help="comma-separated subset of "
                   + ",".join(ALL_TOOLS) + f" (default: all), plus {BASELINE_TOKEN} (or webaudit@REF) "
                   "for the --baseline build, which --baseline adds anyway")
    p.add_argument("--baseline", metavar="REF",
                   help="also measure webaudit at git commit REF of this repository (e.g. HEAD, "
                        "main~3, 490fcc4), installed into bench/.tools/baseline-<commit>, as the "
                        "tool webaudit@<short sha>, in the same rounds as the current build")
    p.add_argument("--profiles", default="default,matched",
                   help="default: each tool's own concurrency; matched: --matched in flight "
                        "for every tool (default: both)")
    p.add_argument("--matched", type=int, default=10,
                   help="requests in flight for every tool in the matched profile (default 10, "
                        "LinkChecker's default thread count)")
    p.add_argument("--repeat", type=int, default=3, help="runs of each; the median is reported")
    p.add_argument("--timeout", type=float, default=1200.0, help="seconds per tool run")
    p.add_argument("--no-install", action="store_true", help="fail instead of installing tools")
    p.add_argument("--keep-site", action="store_true", help="keep the generated site and nginx dir")
    p.add_argument("--output", type=Path, default=OUT_DIR / "results.json")
    args = p.parse_args(argv)
    args.baseline_alias = None
    tools: list[str] = []
    for tool in (t.strip() for t in args.tools.split(",")):
        if tool.startswith("webaudit@"):  # webaudit@REF: the baseline, by its ref
            ref = tool.split("@", 1)[1]
            if not ref:
                p.error("--tools webaudit@REF needs a REF")
            if args.baseline is not None and args.baseline != ref:
                # the same commit under two names is fine; main() checks that after resolving
                args.baseline_alias = ref
            else:
                args.baseline = ref
            tool = BASELINE_TOKEN
        if not tool or tool in tools:
            continue
        if tool not in (*ALL_TOOLS, BASELINE_TOKEN):
            p.error(f"unknown tool {tool!r}")
        tools.append(tool)
    if BASELINE_TOKEN in tools and args.baseline is None:
        p.error(f"--tools {BASELINE_TOKEN} needs --baseline REF")
    if args.baseline is not None and BASELINE_TOKEN not in tools:
        # --baseline always runs the baseline, next to the current build when that runs
        at = tools.index("webaudit") + 1 if "webaudit" in tools else 0
        tools.insert(at, BASELINE_TOKEN)
    if not tools:
        p.error("--tools names no tool")
    args.tools = tools
    args.profiles = [x.strip() for x in args.profiles.split(",") if x.strip()]
    for prof in args.profiles:
        if prof not in ("default", "matched"):
            p.error(f"unknown profile {prof!r}")
    if args.pages < 20 or args.repeat < 1 or args.matched < 1:
        p.error("--pages >= 20, --repeat >= 1 and --matched >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _on_sigterm)
    paths = ensure_tools(args.tools, install=not args.no_install)
    current = current_build()
    if "webaudit" in args.tools and not current["from_this_checkout"]:
        log(f"WARNING the current build's webaudit is imported from {current['module']}, not "
            f"from {BENCH.parent / 'src'}: install this checkout with pip install -e .")
    baseline: Baseline | None = None
    if args.baseline is not None:
        baseline = prepare_baseline(args.baseline, install=not args.no_install)
        if args.baseline_alias is not None and resolve_ref(args.baseline_alias)[0] != baseline.commit:
            raise SystemExit(f"--baseline {args.baseline} and --tools webaudit@{args.baseline_alias} "
                             "are different commits; one baseline at a time")
        paths[baseline.name] = str(baseline.exe)
        args.tools = [baseline.name if t == BASELINE_TOKEN else t for t in args.tools]
        for diff in baseline.dependency_differences:
            log(f"WARNING the venvs differ: {diff} (delete {baseline.venv} to rebuild it)")
        if baseline.commit == current["commit"]:
            log(f"baseline {baseline.name} is the current HEAD: a same-build fairness check "
                "(expect ratios near 1.00)")
    profiles: dict[str, int | None] = {
        p: (None if p == "default" else args.matched) for p in args.profiles}
    started = dt.datetime.now(dt.UTC)
    source_before = source_state()
    with workdir(args.keep_site) as tmp:
        log(f"generating the {args.pages}-page site" +
            (f" and the {args.small}-page site" if args.small else ""))
        big = make_site(args.pages, tmp / f"site-{args.pages}")
        small = make_site(args.small, tmp / f"site-{args.small}") if args.small else None
        nginx_dir = tmp / "nginx"
        nginx_dir.mkdir()
        nginx = Nginx(paths["nginx"], [s for s in (big, small) if s is not None], nginx_dir)
        runs: list[ToolRun] = []
        try:
            nginx.start()
            log(f"nginx (pid {nginx.proc.pid if nginx.proc else '?'}) serves "
                + ", ".join(f"{s.pages} pages on {s.url}" for s in nginx.sites))
            plans = plan_runs(args.tools, profiles, big, small)
            for rep in range(1, args.repeat + 1):
                shift = (rep - 1) % len(plans)  # rotate the order so no tool always runs first
                for plan in plans[shift:] + plans[:shift]:
                    log(f"[{rep}/{args.repeat}] {plan.tool} ({plan.profile}) on {plan.site.pages} pages")
                    run = execute(plan, rep, paths, nginx, args.timeout)
                    m = run.measure
                    log(f"    {m.wall:.2f}s, {run.server.get('pages')} pages, peak RSS "
                        f"{(m.peak_rss_kb or 0) / 1024:.0f} MiB" if m and m.wall is not None
                        else f"    failed: {run.problems}")
                    for problem in run.problems:
                        log(f"    WARNING: {problem}")
                    runs.append(run)
        finally:
            nginx.stop()
        summaries = summarize(runs)
        result_ratios = ratios(summaries, args.profiles, big.pages, small.pages if small else None,
                               baseline.name if baseline else None)
        sites = [s for s in (big, small) if s is not None]
    source_after = source_state()
    print()
    if source_after != source_before:
        print(f"WARNING webaudit's source changed during the run ({source_before} -> "
              f"{source_after}): the rounds measured different code; run again")
    if baseline is not None:
        print(f"builds: webaudit = {(current['commit'] or '?')[:12]}"
              f"{' (src/ modified)' if source_after.get('src_modified') else ''} (this venv), "
              f"{baseline.name} = {baseline.commit[:12]} ({baseline.ref}; {baseline.venv.name})")
        for diff in baseline.dependency_differences:
            print(f"WARNING the venvs differ: {diff}")
    print_table(summaries)
    print_ratios(result_ratios)
    results = {
        "date": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "webaudit_source": {"before": source_before, "after": source_after},
        "builds": {
            "current": {"tool": "webaudit", "commit": current["commit"], "module": current["module"],
                        "src_modified": source_after.get("src_modified"),
                        "site_generator": site_generator()[2]},
            "baseline": None if baseline is None else {
                "tool": baseline.name, "ref": baseline.ref, "commit": baseline.commit,
                "venv": str(baseline.venv), "reused_venv": baseline.reused,
                "dependency_differences": baseline.dependency_differences,
                "package_has_bytecode": baseline.bytecode}},
        "versions": versions(paths),
        "sites": [{k: v for k, v in asdict(s).items() if k not in ("root", "port")} for s in sites],
        "settings": {"repeat": args.repeat, "matched_concurrency": args.matched,
                     "profiles": args.profiles, "nginx": "1 worker, sendfile, keep-alive, "
                     "open_file_cache, access log on (same for all tools)"},
        "summary": [asdict(s) for s in summaries],
        "ratios": result_ratios,
        "runs": [{**asdict(r), "command": [str(c) for c in r.command]} for r in runs],
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nresults: {args.output}")
    return 0


def _entry() -> int:
    try:
        return main()
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        _cleanup()


if __name__ == "__main__":
    sys.exit(_entry())
