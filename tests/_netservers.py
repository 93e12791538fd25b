"""Loopback DNS and HTTP servers for the net tests, each run in a subprocess.

`python tests/_netservers.py dns TABLE_JSON` answers A/AAAA from a table
({"name": {"A": [...], "AAAA": [...]}}; names listed under "_silent" never get
an answer; anything else is NXDOMAIN) and prints {"port": N}.

`python tests/_netservers.py http BOMB_PATH [CERT KEY]` serves the test routes on
127.0.0.1 and ::1 (same port), on a 127.0.0.1-only port and, given a cert, over
TLS on 127.0.0.1; it prints {"port": P, "v4only": Q, "tls": T}.

The parent starts them with `start()` and stops them by PID with `stop()`.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

HERE = Path(__file__).resolve()


# --- parent side -------------------------------------------------------------------------

class Server:
    def __init__(self, proc: subprocess.Popen[str], info: dict[str, Any]) -> None:
        self.proc = proc
        self.info = info

    def __getitem__(self, key: str) -> Any:
        return self.info[key]


def start(*args: str) -> Server:
    """Run this file with `args`, wait for its JSON line, return it with the process."""
    proc = subprocess.Popen([sys.executable, str(HERE), *args], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.wait(5)
        raise RuntimeError(f"test server {args[0]} did not start (exit {proc.returncode})")
    return Server(proc, json.loads(line))


def stop(server: Server) -> None:
    """Kill the server by its PID and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(server.proc.pid, signal.SIGKILL)
    server.proc.wait(5)
    if server.proc.stdout is not None:
        server.proc.stdout.close()


def bomb_file() -> Path:
    """gzip of 200 MB of zeros (~200 KB), made once and cached in the temp dir."""
    path = Path(tempfile.gettempdir()) / "webaudit-test-bomb-200m.gz"
    if not path.exists() or path.stat().st_size < 1000:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        block = b"\0" * 1_000_000
        with tmp.open("wb") as fh:
            for _ in range(200):
                fh.write(comp.compress(block))
            fh.write(comp.flush())
        tmp.replace(path)
    return path


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- DNS server ----------------------------------------------------------------------------

def run_dns(table_json: str) -> None:
    from dnslib import AAAA, QTYPE, RCODE, RR, A, DNSRecord

    table: dict[str, dict[str, list[str]]] = json.loads(table_json)
    silent = {n.lower().rstrip(".") for n in table.pop("_silent", [])}  # type: ignore[arg-type]
    table = {k.lower().rstrip("."): v for k, v in table.items()}
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    print(json.dumps({"port": sock.getsockname()[1]}), flush=True)
    while True:
        data, peer = sock.recvfrom(4096)
        try:
            request = DNSRecord.parse(data)
        except Exception:
            continue
        name = str(request.q.qname).lower().rstrip(".")
        if name in silent:
            continue
        reply = request.reply()
        qtype = QTYPE[request.q.qtype]
        if name not in table:
            reply.header.rcode = RCODE.NXDOMAIN
        else:
            for value in table[name].get(qtype, []):
                rdata = A(value) if qtype == "A" else AAAA(value)
                reply.add_answer(RR(request.q.qname, request.q.qtype, rdata=rdata, ttl=60))
        sock.sendto(reply.pack(), peer)


# --- HTTP server ---------------------------------------------------------------------------

COUNTERS: dict[str, int] = {}
LOCK = threading.Lock()
BOMB = b""
BROTLI_TEXT = b"hello brotli " * 1000


def _count(key: str) -> int:
    with LOCK:
        COUNTERS[key] = COUNTERS.get(key, 0) + 1
        return COUNTERS[key]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_HEAD(self) -> None:
        self.route()

    def do_GET(self) -> None:
        self.route()

    def send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
             ctype: str = "text/html; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Server-Addr", str(self.server.server_address[0]))
        self.send_header("X-Host", self.headers.get("Host", ""))
        self.send_header("X-Method", self.command)
        self.send_header("X-SNI", getattr(self.connection, "webaudit_sni", "") or "")
        self.send_header("X-Accept-Encoding", self.headers.get("Accept-Encoding", ""))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def route(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        path = url.path
        key = query.get("key", "")
        try:
            if path == "/ok":
                self.send(200, b"<html><title>ok</title>hello</html>")
            elif path.startswith("/redirect/"):
                n = int(path.rsplit("/", 1)[1])
                target = "/ok" if n == 0 else (f"/redirect/{n - 1}" if n % 2 else
                                               f"{n - 1}")
                self.send(302, b"moved", {"Location": target})
            elif path == "/to":
                self.send(301, b"", {"Location": query["url"]})
            elif path == "/loop/a":
                self.send(302, b"", {"Location": "/loop/b"})
            elif path == "/loop/b":
                self.send(302, b"", {"Location": "/loop/a"})
            elif path == "/flaky":
                if _count("flaky" + key) <= int(query.get("fail", "1")):
                    self.send(int(query.get("status", "500")), b"oops")
                else:
                    self.send(200, b"recovered")
            elif path == "/429":
                if _count("429" + key) == 1:
                    self.send(429, b"slow down", {"Retry-After": query.get("after", "1")})
                else:
                    self.send(200, b"thanks")
            elif path == "/count":
                self.send(200, str(COUNTERS.get(query["name"], 0)).encode())
            elif path == "/stall":
                time.sleep(float(query.get("s", "3")))
                self.send(200, b"late")
            elif path == "/big":
                size = 20 * 1024 * 1024
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(size))
                self.end_headers()
                block = b"x" * 65536
                for _ in range(size // len(block)):
                    self.wfile.write(block)
            elif path == "/bomb":
                self.send(200, BOMB, {"Content-Encoding": "gzip"}, "text/plain")
            elif path == "/gzip":
                self.send(200, gzip.compress(b"hello gzip"), {"Content-Encoding": "gzip"},
                          "text/plain")
            elif path == "/br":
                import brotli

                self.send(200, brotli.compress(BROTLI_TEXT), {"Content-Encoding": "br"},
                          "text/plain")
            elif path == "/head405":
                if self.command == "HEAD":
                    self.send(405, b"", {"Allow": "GET"})
                else:
                    self.send(200, b"got it")
            elif path in ("/head404", "/head500"):  # servers that get HEAD wrong
                if self.command == "HEAD":
                    self.send(int(path[-3:]), b"")
                else:
                    self.send(200, b"got it")
            elif path.startswith("/status/"):
                self.send(int(path.rsplit("/", 1)[1]), b"status")
            else:
                self.send(404, b"not found")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class QuietServer(ThreadingHTTPServer):
    request_queue_size = 128
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up early are part of the tests


class V6Server(QuietServer):
    address_family = socket.AF_INET6

    def server_bind(self) -> None:
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        super().server_bind()


def _serve(server: QuietServer) -> None:
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()


def _dual_stack() -> tuple[QuietServer, QuietServer]:
    for _ in range(50):
        v4 = QuietServer(("127.0.0.1", 0), Handler)
        try:
            v6 = V6Server(("::1", v4.server_address[1]), Handler)
        except OSError:
            v4.server_close()
            continue
        return v4, v6
    raise RuntimeError("no port free on both 127.0.0.1 and ::1")


def run_http(bomb_path: str, cert: str | None = None, key: str | None = None) -> None:
    global BOMB
    BOMB = Path(bomb_path).read_bytes()
    v4, v6 = _dual_stack()
    only4 = QuietServer(("127.0.0.1", 0), Handler)
    servers: list[QuietServer] = [v4, v6, only4]
    info = {"port": v4.server_address[1], "v4only": only4.server_address[1]}
    if cert and key:
        tls = QuietServer(("127.0.0.1", 0), Handler)
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(cert, key)

        def remember_sni(sslobj: ssl.SSLObject, name: str | None, _: Any) -> None:
            sslobj.webaudit_sni = name  # type: ignore[attr-defined]

        ctx.sni_callback = remember_sni  # type: ignore[assignment]
        tls.socket = ctx.wrap_socket(tls.socket, server_side=True,
                                     do_handshake_on_connect=False)

        class TLSHandler(Handler):
            def setup(self) -> None:
                try:
                    self.request.do_handshake()
                except (ssl.SSLError, OSError):
                    self.request.close()
                    raise
                super().setup()

        tls.RequestHandlerClass = TLSHandler
        servers.append(tls)
        info["tls"] = tls.server_address[1]
    for server in servers:
        _serve(server)
    print(json.dumps(info), flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    if sys.argv[1] == "dns":
        run_dns(sys.argv[2])
    else:
        run_http(*sys.argv[2:])
