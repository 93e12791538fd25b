"""Run the webaudit CLI with the speed fixes proposed in docs/benchmarks.md applied as
monkeypatches, to measure them before anyone changes src/. Not used by webaudit itself.

    .venv/bin/python bench/experiments/candidate_fixes.py crawl URL [webaudit flags]
    WA_FIX=urls,head .venv/bin/python bench/experiments/candidate_fixes.py crawl URL ...

WA_FIX picks fixes (default: all):
  urls      crawl/urls.resolve: take ada's href as the normal form (one C call) and only
            fall back to the attribute-by-attribute normalize() when it has a '%'
  scheme    crawl/urls.is_ignored_scheme: one str.startswith(tuple) instead of any(genexpr)
  head      net/fetch._discard: also "drain" HEAD responses (their body is empty), so
            httpcore keeps the connection instead of closing it after every HEAD
  readable  net/client.ResolvedStream.get_extra_info("is_readable"): poll a cached raw
            socket instead of anyio's extra() (which builds a dict and calls getpeername)
  cookies   skip httpx's cookie-jar work for responses without Set-Cookie
  repr      model.Report/SiteResult: a short __repr__. On Python 3.11, asyncio.run's
            signal.getsignal(SIGINT) builds an enum error message with repr() of the main
            task, whose result is the Report: the dataclass repr of every target is built
            (~10 MiB at 5,000 pages) and then cut to a few characters by reprlib
All six have since landed in src/: urls, scheme and head in e000c74 and 297cb44;
readable, cookies and repr in bab36a6 (readable was then superseded by the asyncio
network backend, net/aiostream.py, which answers is_readable from its own buffer).
On those checkouts these patches re-apply the same behaviour and measure nothing; the
script is kept to reproduce docs/benchmarks.md's measurements on older commits. They
patch webaudit 0.1.0 internals and may stop applying when src/ changes.
"""

from __future__ import annotations

import os
from typing import Any

import ada_url
import httpx

from webaudit.crawl import parse, urls
from webaudit.net import client, fetch

ALL_FIXES = ("urls", "scheme", "head", "readable", "cookies", "repr")


def apply(fixes: set[str]) -> None:
    if "urls" in fixes:
        slow_normalize = urls.normalize

        def resolve(base: str, reference: str) -> str | None:
            ref = reference.strip()
            if not ref or ref[0] == "#":
                return None
            try:
                href = ada_url.join_url(base, ref)
            except ValueError:
                return None
            if not href.startswith(("http://", "https://")):
                return None
            href = href.split("#", 1)[0]
            return slow_normalize(href) if "%" in href else href

        urls.resolve = resolve
        parse.resolve = resolve  # type: ignore[attr-defined]

    if "scheme" in fixes:
        ignored = tuple(urls.IGNORED_SCHEMES)

        def is_ignored_scheme(reference: str) -> bool:
            return reference.lstrip()[:12].lower().startswith(ignored)

        urls.is_ignored_scheme = is_ignored_scheme
        parse.is_ignored_scheme = is_ignored_scheme  # type: ignore[attr-defined]

    if "head" in fixes:
        drain_limit = fetch.DRAIN_LIMIT

        async def _discard(self: Any, response: httpx.Response, p: Any) -> None:
            length = response.headers.get("content-length", "")
            if response.request.method == "HEAD" or (length.isdigit()
                                                      and int(length) <= drain_limit):
                try:
                    async for chunk in response.aiter_raw():
                        self._count(p, len(chunk))
                except httpx.HTTPError:
                    pass
            await response.aclose()

        fetch.Fetcher._discard = _discard  # type: ignore[method-assign]

    if "readable" in fixes:
        from httpcore._utils import is_socket_readable

        slow_info = client.ResolvedStream.get_extra_info

        def get_extra_info(self: Any, info: str) -> Any:
            if info == "is_readable":
                sock = self.__dict__.get("_raw_socket")
                if sock is None:
                    sock = self._raw_socket = self._stream.get_extra_info("socket")
                return is_socket_readable(sock)
            return slow_info(self, info)

        client.ResolvedStream.get_extra_info = get_extra_info  # type: ignore[method-assign]

    if "cookies" in fixes:
        slow_extract = httpx.Cookies.extract_cookies

        def extract_cookies(self: httpx.Cookies, response: httpx.Response) -> None:
            if "set-cookie" in response.headers:
                slow_extract(self, response)

        httpx.Cookies.extract_cookies = extract_cookies  # type: ignore[method-assign]


    if "repr" in fixes:
        from webaudit import model

        def report_repr(self: Any) -> str:
            return f"<Report: {len(self.sites)} site(s)>"

        def site_repr(self: Any) -> str:
            return f"<SiteResult {self.site.url}: {len(self.targets)} targets>"

        model.Report.__repr__ = report_repr  # type: ignore[method-assign]
        model.SiteResult.__repr__ = site_repr  # type: ignore[method-assign]


def main() -> None:
    chosen = os.environ.get("WA_FIX", "all")
    fixes = set(ALL_FIXES) if chosen == "all" else {f for f in chosen.split(",") if f}
    unknown = fixes - set(ALL_FIXES) - {"none"}
    if unknown:
        raise SystemExit(f"unknown WA_FIX entries: {', '.join(sorted(unknown))}")
    apply(fixes)
    from webaudit.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
