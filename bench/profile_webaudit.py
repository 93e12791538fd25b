"""Profile webaudit on the benchmark site and measure candidate fixes.

    .venv/bin/python bench/profile_webaudit.py [--pages 5000]            # cProfile + py-spy
    .venv/bin/python bench/profile_webaudit.py --fixes "urls;head;all"   # plain vs patched
    .venv/bin/python bench/profile_webaudit.py --client-floor            # httpx vs aiohttp

Serves the same generated site with nginx on 127.0.0.1 as bench/run.py, then:
- cProfile (deterministic; writes bench/out/webaudit-<pages>.prof and a text summary);
- py-spy (sampling, installed into bench/.tools/venv-exp; self and inclusive time);
- --fixes: plain webaudit against bench/experiments/candidate_fixes.py with WA_FIX set to
  each ';'-separated entry, alternating, --repeat times each (medians);
- --client-floor: fetch-only loop over the site's URLs with httpx, httpx over an aiohttp
  transport, and aiohttp (bench/experiments/client_floor.py; installs aiohttp and
  webaudit's httpx version into bench/.tools/venv-exp).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pstats
import re
import signal
import statistics
import subprocess
import sys
from collections import Counter
from importlib import metadata
from pathlib import Path

import run as bench  # bench/run.py: site, nginx and process helpers

TOOLS_VENV = bench.TOOLS_DIR / "venv-exp"  # not LinkChecker's venv: keep that one clean
EXPERIMENTS = bench.BENCH / "experiments"


def webaudit_flags(url: str) -> list[str]:
    return ["crawl", url, "--max-pages", "1000000", "--max-depth", "1000000",
            "--fail-on", "none", "--no-progress", "-q"]


def tools_pip(*packages: str) -> None:
    if not (TOOLS_VENV / "bin" / "python").exists():
        bench.run_quiet([sys.executable, "-m", "venv", str(TOOLS_VENV)],
                        bench.INSTALL_TIMEOUT).check_returncode()
    done = bench.run_quiet([str(TOOLS_VENV / "bin" / "pip"), "install", "-q", *packages],
                           bench.INSTALL_TIMEOUT)
    if done.returncode != 0:
        raise SystemExit(f"pip install {' '.join(packages)} failed:\n{done.stderr[-2000:]}")


def run_bounded(cmd: list[str], timeout: float, **kwargs: object) -> int | None:
    proc = bench.spawn(cmd, **kwargs)
    return bench.reap(proc, timeout)


def short(frame: str) -> str:
    m = re.match(r"(.*) \((.*?):(\d+)\)$", frame)
    if not m:
        return frame
    name, path, _ = m.groups()
    path = re.sub(r".*site-packages/", "", path)
    path = re.sub(r".*/src/webaudit/", "webaudit/", path)
    path = re.sub(r".*/lib/python3\.\d+/", "", path)
    return f"{name} ({path})"


def pyspy_summary(raw: Path, top: int = 25) -> str:
    own: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [short(f) for f in stack.split(";")]
        own[frames[-1]] += n
        for f in set(frames):
            incl[f] += n
    if not total:
        return "py-spy recorded no samples\n"
    out = [f"py-spy: {total} samples", "", "self time:"]
    out += [f"  {100 * v / total:5.1f}%  {k}" for k, v in own.most_common(top)]
    out += ["", "inclusive time (webaudit and library frames):"]
    out += [f"  {100 * v / total:5.1f}%  {k}" for k, v in incl.most_common(top * 3)
            if k and not k.startswith(("<module>", "main (", "run (", "Runner.run", "BaseEventLoop",
                                 "Handle._run", "Group.invoke", "Command.", "Context.invoke"))][:top * 2]
    return "\n".join(out) + "\n"


def cprofile_summary(prof: Path, top: int = 30) -> str:
    import io

    buf = io.StringIO()
    stats = pstats.Stats(str(prof), stream=buf)
    stats.strip_dirs()
    buf.write("== by own time ==\n")
    stats.sort_stats("tottime").print_stats(top)
    buf.write("== by cumulative time ==\n")
    stats.sort_stats("cumulative").print_stats(top + 20)
    return buf.getvalue()


def do_cprofile(site: bench.Site, timeout: float) -> None:
    prof = bench.OUT_DIR / f"webaudit-{site.pages}.prof"
    cmd = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "webaudit",
           *webaudit_flags(site.url)]
    bench.log(f"cProfile: {' '.join(cmd)}")
    if run_bounded(cmd, timeout, stdout=subprocess.DEVNULL) is None:
        bench.log("cProfile run timed out")
        return
    text = cprofile_summary(prof)
    (bench.OUT_DIR / f"webaudit-{site.pages}-cprofile.txt").write_text(text, encoding="utf-8")
    print(text[:6000], flush=True)


def do_pyspy(site: bench.Site, paths: dict[str, str], timeout: float, install: bool) -> None:
    pyspy = TOOLS_VENV / "bin" / "py-spy"
    if not pyspy.exists():
        if not install:
            bench.log("py-spy not installed; skipped")
            return
        tools_pip("py-spy")
    raw = bench.OUT_DIR / f"webaudit-{site.pages}-pyspy.txt"
    cmd = [str(pyspy), "record", "-r", "200", "-f", "raw", "-o", str(raw), "--",
           paths["webaudit"], *webaudit_flags(site.url)]
    bench.log(f"py-spy: {' '.join(cmd)}")
    code = run_bounded(cmd, timeout, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if code is None or not raw.exists():
        bench.log("py-spy failed (it needs ptrace: run as root or with CAP_SYS_PTRACE)")
        return
    text = pyspy_summary(raw)
    (bench.OUT_DIR / f"webaudit-{site.pages}-pyspy-summary.txt").write_text(text, encoding="utf-8")
    print(text, flush=True)


def do_fixes(site: bench.Site, paths: dict[str, str], configs: list[str], repeat: int,
             timeout: float) -> dict[str, list[float]]:
    walls: dict[str, list[float]] = {c: [] for c in ["none", *configs]}
    script = EXPERIMENTS / "candidate_fixes.py"
    for rep in range(repeat):
        for config in walls:
            if config == "none":
                cmd, env = [paths["webaudit"], *webaudit_flags(site.url)], None
            else:
                cmd = [sys.executable, str(script), *webaudit_flags(site.url)]
                env = {**os.environ, "WA_FIX": config}
            stem = bench.OUT_DIR / f"fixes-{config.replace(',', '+')}-r{rep + 1}"
            m = bench.measure(cmd, stem.with_suffix(".out"), stem.with_suffix(".err"), timeout,
                              paths.get("time"), env=env)
            if m.wall is None or m.returncode != 0:
                bench.log(f"  {config}: failed ({m.returncode}); see {stem}.err")
                continue
            walls[config].append(m.wall)
            bench.log(f"  [{rep + 1}/{repeat}] WA_FIX={config}: {m.wall:.2f}s, "
                      f"peak RSS {(m.peak_rss_kb or 0) / 1024:.0f} MiB")
    base = statistics.median(walls["none"]) if walls["none"] else float("nan")
    print(f"\ncandidate fixes, {site.pages}-page site, median of {repeat}:")
    for config, values in walls.items():
        if values:
            med = statistics.median(values)
            print(f"  {config:<32} {med:6.2f}s  ({base / med:4.2f}x plain)  runs: "
                  + ", ".join(f"{v:.2f}" for v in values))
    return walls


def do_client_floor(site: bench.Site, timeout: float, install: bool) -> None:
    from webaudit.sitekit import big_site
    from webaudit.sitekit.spec import PORT_TOKEN

    _, expected = big_site(pages=site.pages)
    host = expected.homepage.split("/")[2]  # www.big.gov.cn:__PORT__

    def local(url: str) -> str:
        return url.replace(host, f"127.0.0.1:{site.port}", 1)

    assert PORT_TOKEN in host
    attachments = {u for u in expected.healthy if u.rsplit(".", 1)[-1] in ("pdf", "docx", "xls")}
    urls = {"get": sorted(local(u) for u in (set(expected.pages) | set(expected.broken))),
            "head": sorted(local(u) for u in attachments)}
    listing = bench.OUT_DIR / f"urls-{site.pages}.json"
    listing.write_text(json.dumps(urls), encoding="utf-8")
    python = TOOLS_VENV / "bin" / "python"
    probe = bench.run_quiet([str(python), "-c", "import aiohttp, httpx; print(httpx.__version__)"]) \
        if python.exists() else None
    want = metadata.version("httpx")
    if probe is None or probe.returncode != 0 or probe.stdout.strip() != want:
        if not install:
            bench.log("aiohttp/httpx missing in bench/.tools/venv-exp; skipped")
            return
        tools_pip("aiohttp", f"httpx=={want}")
    cmd = [str(python), str(EXPERIMENTS / "client_floor.py"), str(listing), "--concurrency", "8"]
    bench.log(f"client floor: {' '.join(cmd)}")
    print(f"\nfetch-only floor, {len(urls['get'])} GET + {len(urls['head'])} HEAD, 8 in flight:",
          flush=True)
    run_bounded(cmd, timeout)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pages", type=int, default=5000)
    p.add_argument("--no-cprofile", action="store_true")
    p.add_argument("--no-pyspy", action="store_true")
    p.add_argument("--fixes", help="';'-separated WA_FIX settings to compare with plain webaudit, "
                   "e.g. 'urls;scheme;head;readable;cookies;all'")
    p.add_argument("--repeat", type=int, default=3, help="runs per --fixes setting")
    p.add_argument("--client-floor", action="store_true")
    p.add_argument("--timeout", type=float, default=600.0)
    p.add_argument("--no-install", action="store_true")
    args = p.parse_args()
    signal.signal(signal.SIGTERM, bench._on_sigterm)
    install = not args.no_install
    paths = bench.ensure_tools(["webaudit"], install=install)
    bench.OUT_DIR.mkdir(parents=True, exist_ok=True)
    with bench.workdir(keep=False) as tmp:
        site = bench.make_site(args.pages, tmp / f"site-{args.pages}")
        (tmp / "nginx").mkdir()
        nginx = bench.Nginx(paths["nginx"], [site], tmp / "nginx")
        try:
            nginx.start()
            bench.log(f"nginx serves {site.pages} pages on {site.url}")
            if not args.no_cprofile:
                do_cprofile(site, args.timeout)
            if not args.no_pyspy:
                do_pyspy(site, paths, args.timeout, install)
            if args.fixes:
                do_fixes(site, paths, [c for c in args.fixes.split(";") if c], args.repeat,
                         args.timeout)
            if args.client_floor:
                do_client_floor(site, args.timeout, install)
        finally:
            nginx.stop()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    finally:
        with contextlib.suppress(Exception):
            bench._cleanup()
