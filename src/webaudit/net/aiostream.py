"""An httpcore network backend written directly on asyncio transports.

httpcore's own asyncio support goes through anyio: every read and write opens a
cancel scope and a `fail_after` deadline and asks sniffio which event loop runs.
On a crawl that is tens of thousands of small reads, and it cost about a sixth
of the CPU time. This backend keeps the same contract
(`httpcore.AsyncNetworkBackend` / `AsyncNetworkStream`) with a plain
`asyncio.Protocol`: received data waits in a buffer, a read only suspends when
the buffer is empty, and timeouts are one `call_later` per wait.

Errors are httpcore's: `ConnectError`/`ConnectTimeout` (the `OSError` as
``__cause__``, so a refused connection can be told apart), `ReadError`,
`ReadTimeout`, `WriteError`, `WriteTimeout`.
"""

from __future__ import annotations

import asyncio
import select
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore

HIGH_WATER = 256 * 1024  # stop reading from the socket while this much is unread


class _Protocol(asyncio.Protocol):
    """Buffers what arrives and wakes the one reader or writer waiting on it."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.error: BaseException | None = None
        self.reading_paused = False
        self.writing_paused = False
        self._read_waiter: asyncio.Future[None] | None = None
        self._drain_waiter: asyncio.Future[None] | None = None

    # asyncio callbacks
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > HIGH_WATER and not self.reading_paused and self.transport is not None:
            self.reading_paused = True
            self.transport.pause_reading()
        _wake(self._read_waiter)

    def eof_received(self) -> bool:
        self.eof = True
        _wake(self._read_waiter)
        return False  # let the transport close itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.error = exc
        _wake(self._read_waiter)
        _wake(self._drain_waiter)

    def pause_writing(self) -> None:
        self.writing_paused = True

    def resume_writing(self) -> None:
        self.writing_paused = False
        _wake(self._drain_waiter)

    # used by the stream
    def take(self, max_bytes: int) -> bytes:
        """Up to `max_bytes` of what arrived; resumes reading once the buffer has drained."""
        data = bytes(self.buffer[:max_bytes])
        del self.buffer[:max_bytes]
        if self.reading_paused and len(self.buffer) <= HIGH_WATER // 4 and self.transport:
            self.reading_paused = False
            self.transport.resume_reading()
        return data

    async def wait_readable(self, timeout: float | None) -> None:
        waiter = self._loop.create_future()
        self._read_waiter = waiter
        try:
            await _wait(self._loop, waiter, timeout, httpcore.ReadTimeout)
        finally:
            self._read_waiter = None

    async def drain(self, timeout: float | None) -> None:
        while self.writing_paused and not self.eof:
            waiter = self._loop.create_future()
            self._drain_waiter = waiter
            try:
                await _wait(self._loop, waiter, timeout, httpcore.WriteTimeout)
            finally:
                self._drain_waiter = None


def _wake(waiter: asyncio.Future[None] | None) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(None)


def _expire(waiter: asyncio.Future[None], error: type[Exception], timeout: float) -> None:
    if not waiter.done():
        waiter.set_exception(error(f"timed out after {timeout:g}s"))


async def _wait(loop: asyncio.AbstractEventLoop, waiter: asyncio.Future[None],
                timeout: float | None, error: type[Exception]) -> None:
    if timeout is None:
        await waiter
        return
    handle = loop.call_later(timeout, _expire, waiter, error, timeout)
    try:
        await waiter
    finally:
        handle.cancel()


def _secs(timeout: float | None) -> str:
    return f"{timeout:g}s" if timeout is not None else "the system's limit"


def _poll_readable(sock: socket.socket | None) -> bool:
    fd = sock.fileno() if sock is not None else -1
    if fd < 0:
        return True
    if not hasattr(select, "poll"):  # Windows
        return bool(select.select([fd], [], [], 0)[0])
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One TCP (or TLS) connection as httpcore sees it."""

    def __init__(self, transport: asyncio.Transport, protocol: _Protocol) -> None:
        self._transport = transport
        self._protocol = protocol

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        p = self._protocol
        if not p.buffer and not p.eof:
            await p.wait_readable(timeout)
        if p.buffer:
            return p.take(max_bytes)
        if p.error is not None:
            raise httpcore.ReadError(str(p.error) or type(p.error).__name__) from p.error
        return b""

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        p = self._protocol
        if p.error is not None or self._transport.is_closing():
            detail = str(p.error) if p.error is not None else "connection closed"
            raise httpcore.WriteError(detail) from p.error
        try:
            self._transport.write(buffer)
        except (OSError, RuntimeError) as exc:
            raise httpcore.WriteError(str(exc)) from exc
        if p.writing_paused:
            await p.drain(timeout)

    async def aclose(self) -> None:
        if self._transport.get_extra_info("ssl_object") is not None:
            # close() would start a TLS shutdown that waits up to 30 s for the peer's
            # close_notify, keeping the socket open past the end of a run; nothing more
            # is read from this connection, so drop it now.
            self._transport.abort()
        else:
            self._transport.close()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        # httpcore does not close a stream whose start_tls raised: every failure aborts it.
        p = self._protocol
        if p.eof or p.error is not None or self._transport.is_closing():
            # asyncio's TLS layer would wait for a handshake on a dead socket forever
            self._transport.abort()
            raise httpcore.ConnectError("connection closed before the TLS handshake")
        loop = asyncio.get_running_loop()
        try:
            # Our own deadline, so a slow handshake is a timeout: asyncio's
            # ssl_handshake_timeout raises ConnectionAbortedError instead.
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(
                    self._transport, p, ssl_context, server_hostname=server_hostname,
                    ssl_handshake_timeout=timeout + 5 if timeout else None,
                )
        except TimeoutError as exc:
            self._transport.abort()
            raise httpcore.ConnectTimeout(f"TLS handshake timed out after {_secs(timeout)}") from exc
        except Exception as exc:
            self._transport.abort()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        except BaseException:
            self._transport.abort()
            raise
        if transport is None:  # the peer hung up during the handshake
            self._transport.abort()
            raise httpcore.ConnectError("connection closed during the TLS handshake")
        # start_tls keeps our protocol but does not call connection_made again: point it
        # at the TLS transport, which now owns reading (pause/resume act on it).
        p.transport = transport
        return AsyncioStream(transport, p)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            p = self._protocol
            return bool(p.buffer) or p.eof or _poll_readable(
                self._transport.get_extra_info("socket"))
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "socket":
            return self._transport.get_extra_info("socket")
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Connects with `loop.create_connection` to an address (webaudit passes IPs)."""

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        local = (local_address, 0) if local_address else None
        try:
            async with asyncio.timeout(timeout):
                transport, protocol = await loop.create_connection(
                    lambda: _Protocol(loop), host, port, local_addr=local)
        except TimeoutError as exc:  # our deadline, or the kernel's ETIMEDOUT
            raise httpcore.ConnectTimeout(f"connect timed out after {_secs(timeout)}") from exc
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        try:
            sock = transport.get_extra_info("socket")
            for option in socket_options or ():
                sock.setsockopt(*option)
        except OSError as exc:
            transport.abort()
            raise httpcore.ConnectError(f"socket option: {exc}") from exc
        return AsyncioStream(transport, protocol)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None,
                                  ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used by webaudit")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
