"""The fetcher: one URL in, one `FetchResult` out, with every bound applied.

It follows redirects itself (recording each hop and catching loops), refuses
to connect to non-public addresses the site did not allow, retries timeouts,
connection errors and 5xx with exponential backoff, honours Retry-After,
confirms a failed HEAD with GET (servers often answer HEAD wrongly), caps the body on the
wire and after decompression, and bounds the whole thing by
`CrawlSettings.total_timeout`. Network trouble is never raised: it is the
result's `error` ("dns", "refused", "connect", "tls", "timeout", "protocol",
"invalid-url", "redirect-loop", "too-many-redirects", "private-address").
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import logging
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import ada_url
import httpx

from ..model import FetchResult, Redirect
from ..settings import CrawlSettings
from .addresses import address_category, parse_ip
from .client import FAMILY_EXTENSION, DNSError, RefusedError, TLSError
from .decode import BodyDecoder, DecodeError
from .resolver import Resolver

log = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRYABLE_ERRORS = frozenset({"timeout", "connect", "refused", "protocol"})
DRAIN_LIMIT = 64 * 1024
"""A body we do not want is still read when it declares at most this many bytes, so the
connection can be reused; a bigger (or undeclared) one closes the connection instead."""

_TIMEOUT_NAMES = {httpx.ConnectTimeout: "connect timeout", httpx.ReadTimeout: "read timeout",
                  httpx.WriteTimeout: "write timeout", httpx.PoolTimeout: "pool timeout"}


def _retryable_status(status: int) -> bool:
    return status == 429 or (status >= 500 and status not in (501, 505))


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait for a Retry-After value (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    cur: BaseException | None = exc
    for _ in range(12):
        if cur is None:
            return False
        if isinstance(cur, kind):
            return True
        cur = cur.__cause__ or cur.__context__
    return False


def classify(exc: BaseException, timeout: float | None = None) -> tuple[str, str]:
    """(error kind, detail) for an exception raised while sending or reading."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, DNSError):
        res = exc.resolution
        return "dns", res.detail or f"{res.host}: {res.error}"
    if isinstance(exc, RefusedError):
        return "refused", text
    if isinstance(exc, TLSError):
        return "tls", text
    if isinstance(exc, httpx.TimeoutException):
        name = _TIMEOUT_NAMES.get(type(exc), "timeout")
        after = f" after {timeout:g}s" if timeout is not None else ""
        extra = f" ({text})" if str(exc) and str(exc) not in ("timed out", "") else ""
        return "timeout", f"{name}{after}{extra}"
    if isinstance(exc, httpx.ConnectError):
        if _caused_by(exc, ssl.SSLError):
            return "tls", text
        if _caused_by(exc, ConnectionRefusedError):
            return "refused", text
        return "connect", text
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return "invalid-url", text
    if isinstance(exc, DecodeError):
        return "protocol", f"content-encoding: {text}"
    if isinstance(exc, ssl.SSLError):
        return "tls", text
    if isinstance(exc, OSError):
        return "connect", f"{type(exc).__name__}: {text}"
    return "protocol", f"{type(exc).__name__}: {text}"


@dataclass
class _Progress:
    """What one fetch has learnt so far (so a total timeout can still report it)."""

    url: str
    method: str
    redirects: list[Redirect] = field(default_factory=list)
    attempts: int = 0
    bytes: int = 0
    status: int | None = None


class Fetcher:
    """Fetches URLs through the shared client and resolver, never raising for the network."""

    def __init__(self, client: httpx.AsyncClient, resolver: Resolver, settings: CrawlSettings,
                 prepare_request: Callable[[httpx.Request], None] | None = None) -> None:
        self._client = client
        self._resolver = resolver
        self._settings = settings
        self._prepare = prepare_request
        self._requests = 0
        self._bytes = 0
        self._prepare_failures = 0

    @property
    def requests(self) -> int:
        """HTTP requests sent, counting retries and redirect hops."""
        return self._requests

    @property
    def bytes_received(self) -> int:
        """Body bytes read off the wire (before decompression)."""
        return self._bytes

    async def fetch(self, url: str, *, method: str = "GET", keep_body: bool = True,
                    family: int | None = None, allow_private: frozenset[str] = frozenset(),
                    max_bytes: int | None = None,
                    stop_before: Callable[[str], bool] | None = None) -> FetchResult:
        """Fetch `url`; see the module docstring. Only cancellation propagates.

        `stop_before(location)` is asked before each redirect is followed; when it
        answers True (the crawler already has that URL's answer) the result ends at
        the redirect, with `final_url` set to the location and no error.
        """
        start = time.monotonic()
        progress = _Progress(url=url, method=method.upper())
        total = self._settings.total_timeout
        try:
            async with asyncio.timeout(total):
                result = await self._fetch(url, progress, keep_body, family, allow_private,
                                           max_bytes or self._settings.max_bytes, stop_before)
        except TimeoutError:
            result = self._error(url, progress, "timeout", f"total timeout {total:g}s")
        except Exception as exc:  # a bug here or in a plugin hook: still a result
            log.exception("fetching %s failed unexpectedly", url)
            result = self._error(url, progress, "error", f"{type(exc).__name__}: {exc}")
        return replace(result, elapsed=time.monotonic() - start)

    def _error(self, url: str, p: _Progress, kind: str, detail: str,
               status: int | None = None) -> FetchResult:
        return FetchResult(url=url, final_url=p.url, method=p.method, status=status,
                           redirects=tuple(p.redirects), error=kind, error_detail=detail,
                           bytes_received=p.bytes, attempts=max(1, p.attempts))

    async def _fetch(self, url: str, p: _Progress, keep_body: bool, family: int | None,
                     allow_private: frozenset[str], limit: int,
                     stop_before: Callable[[str], bool] | None) -> FetchResult:
        try:
            seen = [ada_url.URL(url).href]
        except ValueError:
            return self._error(url, p, "invalid-url", f"not a valid URL: {url!r}")
        current = url
        while True:
            p.url = current
            problem = await self._check_target(current, family, allow_private)
            if problem is not None:
                return self._error(url, p, *problem)
            outcome = await self._hop(url, current, p, keep_body, family, limit)
            if isinstance(outcome, FetchResult):
                return outcome
            status, location = outcome
            try:
                target = ada_url.join_url(current, location)
            except ValueError:
                p.redirects.append(Redirect(current, status, location))
                return self._error(url, p, "invalid-url",
                                   f"{current} redirects to invalid Location {location!r}",
                                   status)
            p.redirects.append(Redirect(current, status, target))
            if target in seen:
                chain = " -> ".join([*seen, target])
                return self._error(url, p, "redirect-loop", f"redirect loop: {chain}", status)
            if len(p.redirects) > self._settings.max_redirects:
                return self._error(url, p, "too-many-redirects",
                                   f"more than {self._settings.max_redirects} redirects "
                                   f"(last: {current} -> {target})", status)
            if stop_before is not None and stop_before(target):
                return FetchResult(url=url, final_url=target, method=p.method, status=status,
                                   redirects=tuple(p.redirects), bytes_received=p.bytes,
                                   attempts=max(1, p.attempts))
            seen.append(target)
            current = target
            if (status in (301, 302) and p.method == "POST") or (
                    status == 303 and p.method not in ("GET", "HEAD")):
                p.method = "GET"

    async def _check_target(self, url: str, family: int | None,
                            allow_private: frozenset[str]) -> tuple[str, str] | None:
        """An (error, detail) when `url` must not be requested, else None."""
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as exc:
            return "invalid-url", f"{url}: {exc}"
        if parsed.scheme not in ("http", "https") or not parsed.raw_host:
            return "invalid-url", f"{url}: not an http(s) URL with a host"
        host = parsed.raw_host.decode("ascii")
        if parse_ip(host) is not None:
            addresses = [host]
        else:
            res = await self._resolver.resolve(host)
            if res.error is not None:
                return "dns", res.detail or f"{host}: {res.error}"
            addresses = res.addresses(family, self._settings.prefer_ipv4)
            if not addresses:
                return "dns", f"{host}: no {'AAAA' if family == 6 else 'A'} record"
        for address in addresses:
            category = address_category(address)
            if category != "public" and category not in allow_private:
                return "private-address", f"{host} resolves to {address} ({category})"
        return None

    def _prepare_hook(self, request: httpx.Request) -> None:
        if self._prepare is None:
            return
        try:
            self._prepare(request)
        except Exception:
            self._prepare_failures += 1
            level = logging.WARNING if self._prepare_failures == 1 else logging.DEBUG
            log.log(level, "prepare_request hook failed for %s", request.url, exc_info=True)

    async def _hop(self, url: str, current: str, p: _Progress, keep_body: bool,
                   family: int | None, limit: int) -> FetchResult | tuple[int, str]:
        """One URL with its retries: a final result, or (status, Location) to follow."""
        settings = self._settings
        retries_used = 0
        fell_back = False
        p.attempts = 0
        while True:
            p.attempts += 1
            try:
                request = self._client.build_request(p.method, current,
                                                     extensions={FAMILY_EXTENSION: family})
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                return self._error(url, p, "invalid-url", f"{current}: {exc}")
            self._prepare_hook(request)
            self._requests += 1
            response: httpx.Response | None = None
            wait: float | None = None
            try:
                response = await self._client.send(request, stream=True)
                status = p.status = response.status_code
                if p.method == "HEAD" and status >= 400 and status != 429 and not fell_back:
                    # Many servers answer HEAD wrongly (405, 403, 501, but also 404 or
                    # 500 for files GET serves): a failure is confirmed with GET before a
                    # link is called broken. Such an answer often carries a body, which
                    # would corrupt the next exchange: do not reuse the connection.
                    fell_back = True
                    p.method = "GET"
                    await response.aclose()
                    continue
                location = response.headers.get("location")
                if status in REDIRECT_STATUSES and location:
                    await self._discard(response, p)
                    return status, location
                note = None
                if _retryable_status(status):
                    delay = parse_retry_after(response.headers.get("retry-after"))
                    if delay is not None and delay > settings.max_retry_after:
                        note = (f"Retry-After {delay:g}s is longer than max_retry_after "
                                f"{settings.max_retry_after:g}s; gave up")
                    elif retries_used < settings.retries:
                        wait = delay if delay is not None else settings.backoff * 2**retries_used
                        await self._discard(response, p)
                if wait is None:
                    return await self._final(url, p, response, keep_body and not fell_back,
                                             limit, note)
            except (httpx.HTTPError, DecodeError, OSError) as exc:
                kind, detail = classify(exc, settings.timeout)
                if kind not in RETRYABLE_ERRORS or retries_used >= settings.retries:
                    return self._error(url, p, kind, detail)
                wait = settings.backoff * 2**retries_used
            finally:
                if response is not None:
                    await response.aclose()
            retries_used += 1
            await asyncio.sleep(wait)

    async def _final(self, url: str, p: _Progress, response: httpx.Response, keep_body: bool,
                     limit: int, note: str | None) -> FetchResult:
        body: bytes | None = None
        truncated = None
        error = None
        address = _address(response)
        if keep_body and p.method != "HEAD":
            body, truncated, error = await self._read_body(response, p, limit)
        else:
            await self._discard(response, p)
        headers = tuple((k.lower(), v) for k, v in response.headers.multi_items())
        content_type = response.headers.get("content-type")
        if content_type is not None:
            content_type = content_type.split(";", 1)[0].strip().lower() or None
        return FetchResult(
            url=url, final_url=p.url, method=p.method, status=response.status_code,
            headers=headers, content_type=content_type, body=body,
            redirects=tuple(p.redirects), error="protocol" if error else None,
            error_detail=error or note, bytes_received=p.bytes, truncated=truncated,
            address=address, http_version=response.http_version, attempts=p.attempts)

    async def _read_body(self, response: httpx.Response, p: _Progress,
                         limit: int) -> tuple[bytes, str | None, str | None]:
        """(decoded body, truncated reason, decode error) for a streamed response."""
        decoder = BodyDecoder(response.headers.get("content-encoding"))
        cap = self._settings.max_decompressed
        out = bytearray()
        wire = 0
        truncated = None
        try:
            async for chunk in response.aiter_raw():
                if wire + len(chunk) > limit:
                    chunk = chunk[: limit - wire]
                    truncated = "max-bytes"
                wire += len(chunk)
                self._count(p, len(chunk))
                out += decoder.decode(chunk, cap)
                if decoder.exceeded:
                    truncated = "decompressed-size"
                if truncated:
                    break
            else:
                out += decoder.flush(cap)
                if decoder.exceeded:
                    truncated = "decompressed-size"
        except DecodeError as exc:
            return bytes(out), truncated, f"content-encoding: {exc}"
        if decoder.unsupported:
            log.debug("%s: unsupported Content-Encoding %s, body kept as sent", p.url,
                      ", ".join(decoder.unsupported))
        return bytes(out), truncated, None

    async def _discard(self, response: httpx.Response, p: _Progress) -> None:
        """Drop a body: read it when small and declared (keeps the connection), else close.

        A HEAD response has no body, but its end must still be read: otherwise
        httpcore sees the exchange unfinished and closes a reusable connection.
        """
        length = response.headers.get("content-length", "")
        if response.request.method == "HEAD" or response.status_code in (204, 304) or (
                length.isdigit() and int(length) <= DRAIN_LIMIT):
            try:
                async for chunk in response.aiter_raw():
                    self._count(p, len(chunk))
            except httpx.HTTPError:
                pass
        await response.aclose()

    def _count(self, p: _Progress, n: int) -> None:
        p.bytes += n
        self._bytes += n


def _address(response: httpx.Response) -> str | None:
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    address = stream.get_extra_info("webaudit.address")
    if address is None:
        server = stream.get_extra_info("server_addr")
        address = server[0] if server else None
    return str(address) if address is not None else None
