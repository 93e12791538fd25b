"""The asyncio network backend under httpcore: reads, timeouts, EOF, flow control, errors.

Against real sockets on 127.0.0.1 (a tiny asyncio server in the same loop). The tests of
httpcore's stream contract run on httpcore's own backend too (`network_backend =
"httpcore"`), so the two are held to the same behaviour; flow control is ours alone.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Awaitable, Callable

import httpcore
import pytest
import trustme

from webaudit.net.aiostream import HIGH_WATER, AsyncioBackend
from webaudit.net.client import make_network_backend

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _serve(handler: Handler, tls: ssl.SSLContext | None = None) -> tuple[asyncio.Server, int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=tls)
    return server, server.sockets[0].getsockname()[1]


@pytest.fixture(scope="module")
def contexts() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server, client) TLS contexts for "localhost", signed by a throw-away CA."""
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(server)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return server, client


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def backend(network_backend: str) -> httpcore.AsyncNetworkBackend:
    return make_network_backend(network_backend)


@pytest.mark.anyio
async def test_read_in_chunks_then_eof(backend: httpcore.AsyncNetworkBackend) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"hello world")
        await writer.drain()
        writer.close()

    server, port = await _serve(handler)
    async with server:
        stream = await backend.connect_tcp("127.0.0.1", port, timeout=5)
        assert await stream.read(5, timeout=5) == b"hello"
        rest = b""
        while chunk := await stream.read(100, timeout=5):
            rest += chunk
        assert rest == b" world"
        assert await stream.read(100, timeout=5) == b""
        await stream.aclose()


@pytest.mark.anyio
async def test_read_timeout_and_is_readable(backend: httpcore.AsyncNetworkBackend) -> None:
    release = asyncio.Event()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await release.wait()
        writer.close()

    server, port = await _serve(handler)
    async with server:
        stream = await backend.connect_tcp("127.0.0.1", port, timeout=5)
        with pytest.raises(httpcore.ReadTimeout):
            await stream.read(100, timeout=0.05)
        assert stream.get_extra_info("is_readable") is False  # idle, still open
        release.set()
        assert await stream.read(100, timeout=5) == b""
        assert stream.get_extra_info("is_readable") is True  # closed by the peer: do not reuse
        assert stream.get_extra_info("server_addr")[:2] == ("127.0.0.1", port)
        await stream.aclose()


@pytest.mark.anyio
@pytest.mark.parametrize("tls", [False, True], ids=["tcp", "tls"])
async def test_a_big_body_read_slowly_arrives_whole(
        tls: bool, contexts: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    # Reading pauses past HIGH_WATER and must resume on the transport in use: a regression
    # once resumed the raw socket's reading under TLS, and the body stalled.
    body = bytes(range(256)) * (8 * HIGH_WATER // 256)

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(body)
        await writer.drain()
        writer.close()

    server_ctx, client_ctx = contexts
    server, port = await _serve(handler, tls=server_ctx if tls else None)
    async with server:
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5)
        if tls:
            stream = await stream.start_tls(client_ctx, "localhost", timeout=5)
        await asyncio.sleep(0.2)  # let the buffer fill past the mark: reading pauses
        assert stream._protocol.reading_paused  # type: ignore[attr-defined]
        received = bytearray()
        while chunk := await stream.read(65536, timeout=5):
            received += chunk
        assert bytes(received) == body
        await stream.aclose()


@pytest.mark.anyio
async def test_a_stalled_tls_handshake_is_a_connect_timeout(
        contexts: tuple[ssl.SSLContext, ssl.SSLContext],
        backend: httpcore.AsyncNetworkBackend) -> None:
    done = asyncio.Event()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await done.wait()  # accepts, never answers the ClientHello
        writer.close()

    server, port = await _serve(handler)
    async with server:
        stream = await backend.connect_tcp("127.0.0.1", port, timeout=5)
        with pytest.raises(httpcore.ConnectTimeout):
            await stream.start_tls(contexts[1], "localhost", timeout=0.2)
        done.set()


@pytest.mark.anyio
async def test_tls_on_a_connection_the_peer_closed_fails_at_once(
        contexts: tuple[ssl.SSLContext, ssl.SSLContext],
        backend: httpcore.AsyncNetworkBackend) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server, port = await _serve(handler)
    async with server:
        stream = await backend.connect_tcp("127.0.0.1", port, timeout=5)
        await asyncio.sleep(0.1)  # the FIN has arrived
        with pytest.raises(httpcore.ConnectError):
            # a hang here would be caught by wait_for's 5 s, far beyond the 1 s timeout
            await asyncio.wait_for(stream.start_tls(contexts[1], "localhost", timeout=1), 5)


@pytest.mark.anyio
async def test_refused_connection_keeps_its_cause(network_backend: str,
                                                 backend: httpcore.AsyncNetworkBackend) -> None:
    with pytest.raises(httpcore.ConnectError) as info:
        await backend.connect_tcp("127.0.0.1", _free_port(), timeout=5)
    if network_backend == "asyncio":
        assert isinstance(info.value.__cause__, ConnectionRefusedError)
    else:
        # anyio's connect_tcp wraps every failure in OSError("All connection attempts
        # failed"), the one refusal as its cause: the refusal is one link further down
        # (the client walks the chain, so both come out as `refused`)
        assert type(info.value.__cause__) is OSError
        assert isinstance(info.value.__cause__.__cause__, ConnectionRefusedError)


@pytest.mark.anyio
async def test_writing_to_a_closed_connection_is_a_write_error(
        network_backend: str, backend: httpcore.AsyncNetworkBackend) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.transport.abort()  # RST

    server, port = await _serve(handler)
    async with server:
        stream = await backend.connect_tcp("127.0.0.1", port, timeout=5)
        assert await _read_or_error(stream) in (b"", "ReadError")
        if network_backend == "asyncio":
            with pytest.raises(httpcore.WriteError):
                await stream.write(b"GET / HTTP/1.1\r\n\r\n", timeout=5)
        else:
            # anyio keeps a connection whose peer has closed open for writing (its
            # protocol's eof_received returns True: half-close), so the write goes to the
            # kernel and succeeds; the peer's end shows on the next read instead, which
            # httpcore turns into "server disconnected" (a retryable protocol error)
            await stream.write(b"GET / HTTP/1.1\r\n\r\n", timeout=5)
            assert await _read_or_error(stream) in (b"", "ReadError")
        await stream.aclose()


async def _read_or_error(stream: httpcore.AsyncNetworkStream) -> bytes | str:
    try:
        return await stream.read(100, timeout=5)
    except httpcore.ReadError:
        return "ReadError"
