"""The HTTP client: httpx over small httpcore pools that connect to resolved addresses.

`make_client()` builds the one `httpx.AsyncClient` a run shares. Its transport,
`ResolvingTransport`, keeps a few small connection pools per (scheme, host,
port, address family) - httpcore scans a pool's connection list on every
event, so many small pools are much faster than one big one. Each pool's
network backend resolves the host with our `Resolver` and tries the addresses
in order (IPv4 first by default, then IPv6), so a host with broken IPv6 still
loads; a request whose extensions carry ``"webaudit.family": 4`` or ``6`` only
ever connects over that family. The Host header and TLS SNI stay the name.
Sockets are asyncio transports (`aiostream.AsyncioBackend`, ``network_backend =
"asyncio"``, the default), or httpcore's own anyio streams (`httpcore.AnyIOBackend`,
``"httpcore"``): slower, but httpcore's reference behaviour, to rule our backend in or
out when something looks wrong.

Connection failures come out as `httpx.ConnectError` subclasses the fetcher can
tell apart: `DNSError` (with the `Resolution`), `RefusedError`, `TLSError`.
"""

from __future__ import annotations

import contextlib
import math
import ssl
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import httpcore
import httpx

from ..settings import CrawlSettings
from . import NETWORK_BACKENDS
from .aiostream import AsyncioBackend
from .resolver import Resolution, Resolver

FAMILY_EXTENSION = "webaudit.family"
POOL_SIZE = 8
MAX_POOLS = 1024  # idle pools beyond this are closed, least recently used first


class DNSError(httpx.ConnectError):
    """The host did not resolve (or has no address of the pinned family)."""

    def __init__(self, message: str, resolution: Resolution,
                 *, request: httpx.Request | None = None) -> None:
        super().__init__(message, request=request)
        self.resolution = resolution


class RefusedError(httpx.ConnectError):
    """Every address of the host refused the connection."""


class TLSError(httpx.ConnectError):
    """The TLS handshake failed (certificate, protocol, or the peer hung up)."""


def _fmt(ip: str, port: int) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def _cause(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, kind):
            return cur
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return None


class ResolvedStream(httpcore.AsyncNetworkStream):
    """A connected stream that remembers the IP it reached (`address`)."""

    def __init__(self, stream: httpcore.AsyncNetworkStream, address: str, port: int) -> None:
        self._stream = stream
        self.address = address
        self.port = port

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._stream.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._stream.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        try:
            tls = await self._stream.start_tls(ssl_context, server_hostname, timeout)
        except httpcore.ConnectTimeout:
            raise
        except httpcore.ConnectError as exc:
            cause = exc.__cause__ or exc
            text = str(cause) or type(cause).__name__
            raise TLSError(f"TLS handshake with {server_hostname} at "
                           f"{_fmt(self.address, self.port)} failed: {text}") from exc
        return ResolvedStream(tls, self.address, self.port)

    def get_extra_info(self, info: str) -> Any:
        if info == "webaudit.address":
            return self.address
        value = self._stream.get_extra_info(info)
        if value is None and info == "server_addr":
            return (self.address, self.port)
        return value


def make_network_backend(name: str = "asyncio") -> httpcore.AsyncNetworkBackend:
    """A fresh network backend by its `CrawlSettings.network_backend` name: ``"asyncio"``
    (ours, `aiostream.AsyncioBackend`) or ``"httpcore"`` (`httpcore.AnyIOBackend`)."""
    if name == "asyncio":
        return AsyncioBackend()
    if name == "httpcore":
        return httpcore.AnyIOBackend()
    raise ValueError(f"unknown network backend {name!r} (one of {', '.join(NETWORK_BACKENDS)})")


class ResolvingBackend(httpcore.AsyncNetworkBackend):
    """Connects to a host's resolved addresses in order; `family` pins 4 or 6."""

    def __init__(self, resolver: Resolver, family: int | None = None,
                 prefer_ipv4: bool = True,
                 backend: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._resolver = resolver
        self._family = family
        self._prefer_ipv4 = prefer_ipv4
        self._backend = backend or AsyncioBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        resolution = await self._resolver.resolve(host)
        if resolution.error is not None:
            raise DNSError(resolution.detail or f"{host}: {resolution.error}", resolution)
        addresses = resolution.addresses(self._family, self._prefer_ipv4)
        if not addresses:
            kind = "AAAA" if self._family == 6 else "A"
            raise DNSError(f"{host}: no {kind} record",
                           Resolution(host, resolution.ipv4, resolution.ipv6, "no-answer",
                                      f"{host}: no {kind} record"))
        failures: list[tuple[str, BaseException]] = []
        for ip in addresses:
            try:
                stream = await self._backend.connect_tcp(ip, port, timeout, local_address,
                                                         socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failures.append((ip, exc))
                continue
            return ResolvedStream(stream, ip, port)
        targets = ", ".join(_fmt(ip, port) for ip, _ in failures)
        if all(_cause(exc, ConnectionRefusedError) for _, exc in failures):
            raise RefusedError(f"connection refused ({targets})")
        if all(isinstance(exc, httpcore.ConnectTimeout) for _, exc in failures):
            raise httpcore.ConnectTimeout(f"connect timeout after {timeout}s ({targets})")
        reasons = "; ".join(f"{_fmt(ip, port)}: {_describe(exc)}" for ip, exc in failures)
        raise httpx.ConnectError(f"cannot connect ({reasons})")

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None,
                                  ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used by webaudit")

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, httpcore.ConnectTimeout):
        return "timeout"
    cur: BaseException | None = exc
    for _ in range(10):
        if cur is None:
            break
        if isinstance(cur, OSError) and cur.strerror:
            return cur.strerror
        cur = cur.__cause__ or cur.__context__
    return str(exc) or type(exc).__name__


# Most specific first: the first match wins (what httpx's own transport does).
_EXCEPTIONS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def _mapped() -> Iterator[None]:
    """Re-raise httpcore exceptions as their httpx counterparts."""
    try:
        yield
    except httpx.HTTPError:
        raise
    except Exception as exc:
        for source, target in _EXCEPTIONS:
            if isinstance(exc, source):
                raise target(str(exc) or type(exc).__name__) from exc
        raise


class _ResponseStream(httpx.AsyncByteStream):
    def __init__(self, stream: Any, on_close: Any) -> None:
        self._stream = stream
        self._on_close = on_close

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _mapped():
            async for part in self._stream:
                yield part

    async def aclose(self) -> None:
        try:
            if hasattr(self._stream, "aclose"):
                with _mapped():
                    await self._stream.aclose()
        finally:
            if self._on_close is not None:
                self._on_close()
                self._on_close = None


class _Shards:
    """The pools of one (scheme, host, port, family), used round-robin."""

    def __init__(self, pools: list[httpcore.AsyncConnectionPool]) -> None:
        self.pools = pools
        self.next = 0
        self.active = 0

    def pick(self) -> httpcore.AsyncConnectionPool:
        pool = self.pools[self.next % len(self.pools)]
        self.next += 1
        return pool


class ResolvingTransport(httpx.AsyncBaseTransport):
    """An httpx transport with per-host pool shards and address-family pinning."""

    def __init__(self, resolver: Resolver, *, per_host: int = 8, http2: bool = True,
                 prefer_ipv4: bool = True, ssl_context: ssl.SSLContext | None = None,
                 keepalive_expiry: float = 5.0, max_pools: int = MAX_POOLS,
                 network_backend: str = "asyncio") -> None:
        self._resolver = resolver
        self._http2 = http2
        self._ssl = ssl_context or httpx.create_ssl_context()
        self._keepalive = keepalive_expiry
        self._max_pools = max_pools
        per_host = max(1, per_host)
        shards = math.ceil(per_host / POOL_SIZE)
        # Sizes add up to per_host: 20 -> 7, 7, 6.
        self._sizes = [per_host // shards + (1 if i < per_host % shards else 0)
                       for i in range(shards)]
        sockets = make_network_backend(network_backend)
        self._backends = {family: ResolvingBackend(resolver, family, prefer_ipv4, sockets)
                          for family in (None, 4, 6)}
        self._shards: OrderedDict[tuple[bytes, bytes, int, int | None], _Shards] = OrderedDict()
        self._closed = False

    def _new_shards(self, family: int | None) -> _Shards:
        return _Shards([httpcore.AsyncConnectionPool(
            ssl_context=self._ssl, max_connections=size, max_keepalive_connections=size,
            keepalive_expiry=self._keepalive, http1=True, http2=self._http2,
            network_backend=self._backends[family]) for size in self._sizes])

    async def _shards_for(self, key: tuple[bytes, bytes, int, int | None]) -> _Shards:
        shards = self._shards.get(key)
        if shards is not None:
            self._shards.move_to_end(key)
            return shards
        shards = self._shards[key] = self._new_shards(key[3])
        if len(self._shards) > self._max_pools:
            idle = [k for k, s in self._shards.items() if s.active == 0 and k != key]
            for old in idle[: len(self._shards) - self._max_pools]:
                for pool in self._shards.pop(old).pools:
                    await pool.aclose()
        return shards

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise RuntimeError("the transport is closed")
        family = request.extensions.get(FAMILY_EXTENSION)
        if family not in (None, 4, 6):
            raise ValueError(f"{FAMILY_EXTENSION} must be 4, 6 or None, not {family!r}")
        url = request.url
        port = url.port or (443 if url.scheme == "https" else 80)
        key = (url.raw_scheme, url.raw_host.lower(), port, family)
        shards = await self._shards_for(key)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port,
                             target=url.raw_path),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        shards.active += 1

        def done() -> None:
            shards.active -= 1

        try:
            with _mapped():
                response = await shards.pick().handle_async_request(core_request)
        except BaseException:
            done()
            raise
        return httpx.Response(status_code=response.status, headers=response.headers,
                              stream=_ResponseStream(response.stream, done),
                              extensions=response.extensions)

    async def aclose(self) -> None:
        self._closed = True
        shards, self._shards = list(self._shards.values()), OrderedDict()
        for group in shards:
            for pool in group.pools:
                await pool.aclose()


class _Cookies(httpx.Cookies):
    """A cookie jar that skips the cookiejar machinery for responses setting none.

    httpx hands every response to `extract_cookies`, which wraps request and response
    for `http.cookiejar` even when there is no Set-Cookie header; most crawl responses
    have none.
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers:
            super().extract_cookies(response)


class AuditClient(httpx.AsyncClient):
    """`httpx.AsyncClient` with a cookie jar that is cheap for cookie-less responses."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cookies = self._cookies

    @property
    def cookies(self) -> httpx.Cookies:
        return self._cookies

    @cookies.setter
    def cookies(self, cookies: httpx._types.CookieTypes) -> None:
        self._cookies = _Cookies(cookies)


def make_client(resolver: Resolver, settings: CrawlSettings, *,
                ssl_context: ssl.SSLContext | None = None) -> httpx.AsyncClient:
    """The run's one HTTP client: no automatic redirects, no automatic decoding needed.

    Read bodies with `response.aiter_raw()` and `decode.BodyDecoder` so size caps hold.
    `ssl_context` replaces the default certificate store (tests use a private CA).
    `settings.network_backend` picks the sockets under the pools (see `make_network_backend`).
    """
    transport = ResolvingTransport(resolver, per_host=settings.per_host,
                                   http2=settings.http2, prefer_ipv4=settings.prefer_ipv4,
                                   ssl_context=ssl_context,
                                   network_backend=settings.network_backend)
    return AuditClient(
        transport=transport,
        follow_redirects=False,
        timeout=httpx.Timeout(connect=settings.timeout, read=settings.timeout,
                              write=settings.timeout, pool=None),
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate, br"},
        trust_env=False,
    )
