"""The HTTP client's floor: fetch a URL list (GET pages, HEAD attachments), N in flight,
with nothing else going on. Compares httpx (what webaudit uses), httpx over an aiohttp
transport, and aiohttp. Run by bench/profile_webaudit.py --client-floor in the
bench/.tools/venv-exp, which has aiohttp and the same httpx version as webaudit.

    python client_floor.py URLS.json [--concurrency 8] [--clients httpx,httpx-aiohttp,aiohttp]

URLS.json: {"get": [...], "head": [...]}, loopback URLs only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any


async def crawl(jobs: list[tuple[str, str]], concurrency: int,
                fetch: Callable[[str, str], Awaitable[int]]) -> tuple[int, float]:
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    done = 0

    async def worker() -> None:
        nonlocal done
        while not queue.empty():
            method, url = queue.get_nowait()
            await fetch(method, url)
            done += 1

    start = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done, time.monotonic() - start


async def with_httpx(jobs: list[tuple[str, str]], concurrency: int) -> tuple[int, float]:
    import httpx

    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=concurrency)) as client:
        async def fetch(method: str, url: str) -> int:
            async with client.stream(method, url) as response:
                await response.aread()
                return response.status_code

        return await crawl(jobs, concurrency, fetch)


async def with_httpx_aiohttp(jobs: list[tuple[str, str]], concurrency: int) -> tuple[int, float]:
    import aiohttp
    import httpx

    class Stream(httpx.AsyncByteStream):
        def __init__(self, response: Any) -> None:
            self.response = response

        async def __aiter__(self) -> AsyncIterator[bytes]:
            async for chunk in self.response.content.iter_any():
                yield chunk

        async def aclose(self) -> None:
            self.response.release()

    class Transport(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=concurrency), auto_decompress=False)

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
            response = await self.session.request(request.method, str(request.url),
                                                  headers=headers, allow_redirects=False)
            return httpx.Response(response.status, headers=list(response.raw_headers),
                                  stream=Stream(response))

        async def aclose(self) -> None:
            await self.session.close()

    async with httpx.AsyncClient(transport=Transport()) as client:
        async def fetch(method: str, url: str) -> int:
            async with client.stream(method, url) as response:
                await response.aread()
                return response.status_code

        return await crawl(jobs, concurrency, fetch)


async def with_aiohttp(jobs: list[tuple[str, str]], concurrency: int) -> tuple[int, float]:
    import aiohttp

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        async def fetch(method: str, url: str) -> int:
            async with session.request(method, url, allow_redirects=False) as response:
                await response.read()
                return int(response.status)

        return await crawl(jobs, concurrency, fetch)


CLIENTS = {"httpx": with_httpx, "httpx-aiohttp": with_httpx_aiohttp, "aiohttp": with_aiohttp}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("urls")
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--clients", default=",".join(CLIENTS))
    args = p.parse_args()
    with open(args.urls, encoding="utf-8") as f:
        data = json.load(f)
    jobs = [("GET", u) for u in data["get"]] + [("HEAD", u) for u in data["head"]]
    for url in (u for _, u in jobs):
        if not url.startswith(("http://127.0.0.1:", "http://[::1]:")):
            raise SystemExit(f"not a loopback URL: {url}")
    results = {}
    for name in args.clients.split(","):
        done, seconds = asyncio.run(CLIENTS[name](jobs, args.concurrency))
        results[name] = {"requests": done, "seconds": round(seconds, 2),
                         "requests_per_s": round(done / seconds)}
        print(f"{name:<14} {done} requests in {seconds:6.2f}s = {done / seconds:6.0f}/s", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
