"""The loopback HTTP server that serves a `SiteSpec`: ``python -m webaudit.sitekit.httpserver``.

Usage::

    python -m webaudit.sitekit.httpserver SPEC.json --port 0 --host 127.0.0.1 --host ::1 \\
        [--tls-cert CERT.pem --tls-key KEY.pem]

It listens on every ``--host`` with the same port (``0``: pick a free one), then
prints one JSON line, ``{"port": N, "pid": P, "addresses": [...], "tls": bool}``,
and serves until it is terminated. With ``--tls-cert`` every listener speaks
HTTPS (HTTP/1.1; the handshake runs in the connection's own thread) and records
the SNI name the client sent. The virtual host comes from the Host header (port
dropped); an unknown host gets 404. Responses are HTTP/1.1 with keep-alive and
carry ``X-Served-By: <bound address>``. Stateful behaviours (fail-then-ok,
retry-after) count per (host, path with query). Two paths exist on every host:

- ``GET /__stats``: JSON ``{"requests": [{"host", "path", "method", "count"}], "total",
  "connections"}``; `path` is the request target with percent-escapes decoded, and
  `connections` counts the connections that carried a request for a site;
- ``POST /__reset``: forget the counters and the behaviours' state.

Nothing is logged except errors (to stderr). Standard library only.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import socket
import ssl
import sys
import threading
from http.server import ThreadingHTTPServer
from typing import Any, Final

from .handler import SiteHandler, SiteState
from .spec import SiteSpec

_RETRY_BIND: Final = 8


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = False
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], state: SiteState,
                 tls: ssl.SSLContext | None = None) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.state = state
        self.bound_address = address[0]
        self.tls = tls
        super().__init__(address, SiteHandler)

    def server_bind(self) -> None:
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        super().server_bind()

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        if self.tls is None:
            return sock, address
        return self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError | ssl.SSLError):
            return  # the client gave up (stall, big body, untrusted certificate): expected
        super().handle_error(request, client_address)


def tls_context(cert: str, key: str) -> ssl.SSLContext:
    """A server context for `cert` and `key` that records each connection's SNI name."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def remember_sni(sock: Any, name: str | None, _: ssl.SSLContext) -> None:
        sock.webaudit_sni = name  # read back by SiteHandler for X-SNI

    context.sni_callback = remember_sni
    return context


def bind_servers(state: SiteState, hosts: list[str], port: int,
                 tls: ssl.SSLContext | None = None) -> list[SiteServer]:
    """Bind one server per address, all on one port (a free one when `port` is 0)."""
    last: OSError | None = None
    for _ in range(_RETRY_BIND if port == 0 else 1):
        servers: list[SiteServer] = []
        try:
            chosen = port
            for host in hosts:
                server = SiteServer((host, chosen), state, tls)
                servers.append(server)
                chosen = server.server_address[1]
            state.port = chosen
            return servers
        except OSError as exc:
            for server in servers:
                server.server_close()
            if exc.errno != errno.EADDRINUSE or port != 0:
                raise
            last = exc
    raise last or OSError("could not bind")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m webaudit.sitekit.httpserver")
    parser.add_argument("spec", help="SiteSpec JSON file")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", action="append", dest="hosts",
                        help="address to listen on (repeatable; default 127.0.0.1)")
    parser.add_argument("--tls-cert", help="serve HTTPS with this certificate chain (PEM)")
    parser.add_argument("--tls-key", help="the certificate's private key (PEM)")
    args = parser.parse_args(argv)
    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key go together")
    tls = tls_context(args.tls_cert, args.tls_key) if args.tls_cert else None
    state = SiteState(SiteSpec.load(args.spec))
    servers = bind_servers(state, args.hosts or ["127.0.0.1"], args.port, tls)
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    addresses = [s.bound_address for s in servers]
    ready = {"port": state.port, "pid": os.getpid(), "addresses": addresses,
             "tls": tls is not None}
    sys.stdout.write(json.dumps(ready) + "\n")
    sys.stdout.flush()
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
