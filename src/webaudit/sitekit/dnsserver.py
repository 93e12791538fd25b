"""A loopback authoritative DNS server for tests: ``python -m webaudit.sitekit.dnsserver``.

Usage::

    python -m webaudit.sitekit.dnsserver ZONE.json --port 0 [--stats FILE]

ZONE maps names to lists of addresses; each becomes an A or AAAA record by its
form. Special keys:

- ``"__nxdomain__"``: ``true`` (default) answers NXDOMAIN for names not in the
  zone; ``false`` answers REFUSED. Nothing is ever forwarded anywhere.
- ``"__silent__"``: names that get no answer at all (to test resolver timeouts).
- ``"__ttl__"``: the TTL of every record (default 60).

A name in the zone with no record of the asked type gets an empty NOERROR
answer. It listens on UDP and TCP with the same port on 127.0.0.1, prints
``{"port": N, "pid": P}`` when ready, and, with ``--stats``, keeps FILE updated
with ``{"queries": {"name TYPE": count}, "total": n}`` after every query.

This is the only module of `webaudit.sitekit` that needs dnslib (a test extra).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import ipaddress
import json
import os
import signal
import socket
import socketserver
import struct
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any, Final

from dnslib import AAAA, QTYPE, RCODE, RR, A, DNSRecord

_RETRY_BIND: Final = 8


class Zone:
    """Answers from a zone mapping; counts the questions."""

    def __init__(self, data: dict[str, Any], stats_path: Path | None = None) -> None:
        self.records: dict[str, list[str]] = {}
        for name, value in data.items():
            if not name.startswith("__"):
                self.records[_norm(name)] = list(value)
        self.nxdomain = bool(data.get("__nxdomain__", True))
        self.silent = {_norm(n) for n in data.get("__silent__", ())}
        self.ttl = int(data.get("__ttl__", 60))
        self.stats_path = stats_path
        self.lock = threading.Lock()
        self.queries: Counter[str] = Counter()

    def answer(self, packet: bytes) -> bytes | None:
        """The reply to one query packet, or `None` to stay silent."""
        try:
            request = DNSRecord.parse(packet)
        except Exception:
            return None
        reply = request.reply()
        reply.header.ra = 0
        reply.header.aa = 1
        question = request.q
        name = _norm(str(question.qname))
        qtype = QTYPE.get(question.qtype, str(question.qtype))
        self._count(f"{name} {qtype}")
        if name in self.silent:
            return None
        if name not in self.records:
            reply.header.rcode = RCODE.NXDOMAIN if self.nxdomain else RCODE.REFUSED
            return bytes(reply.pack())
        for address in self.records[name]:
            version = ipaddress.ip_address(address).version
            if version == 4 and qtype in ("A", "ANY"):
                reply.add_answer(RR(question.qname, QTYPE.A, ttl=self.ttl, rdata=A(address)))
            elif version == 6 and qtype in ("AAAA", "ANY"):
                reply.add_answer(RR(question.qname, QTYPE.AAAA, ttl=self.ttl,
                                    rdata=AAAA(address)))
        return bytes(reply.pack())

    def _count(self, key: str) -> None:
        with self.lock:
            self.queries[key] += 1
            if self.stats_path is not None:
                self.write_stats()

    def write_stats(self) -> None:
        """Write the counters to the stats file atomically (call with the lock held)."""
        if self.stats_path is None:
            return
        data = {"queries": dict(self.queries), "total": sum(self.queries.values())}
        tmp = self.stats_path.with_name(self.stats_path.name + ".tmp")
        tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.stats_path)


def _norm(name: str) -> str:
    return name.strip().rstrip(".").lower()


class _UDPHandler(socketserver.BaseRequestHandler):
    server: _UDPServer

    def handle(self) -> None:
        packet, sock = self.request
        reply = self.server.zone.answer(packet)
        if reply is not None:
            if len(reply) > 512:  # no EDNS here: truncate and let the client retry on TCP
                record = DNSRecord.parse(reply)
                record.rr = []
                record.header.tc = 1
                reply = record.pack()
            sock.sendto(reply, self.client_address)


class _TCPHandler(socketserver.BaseRequestHandler):
    server: _TCPServer

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(10)
        with contextlib.suppress(OSError):
            while header := _read_exact(sock, 2):
                packet = _read_exact(sock, struct.unpack("!H", header)[0])
                if packet is None:
                    return
                reply = self.server.zone.answer(packet)
                if reply is None:
                    return
                sock.sendall(struct.pack("!H", len(reply)) + reply)


def _read_exact(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        piece = sock.recv(size - len(data))
        if not piece:
            return None
        data += piece
    return data


class _UDPServer(socketserver.ThreadingUDPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], zone: Zone) -> None:
        self.zone = zone
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, _UDPHandler)


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], zone: Zone) -> None:
        self.zone = zone
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, _TCPHandler)


def bind(zone: Zone, host: str, port: int) -> tuple[_UDPServer, _TCPServer]:
    """UDP and TCP servers on the same port (a free one when `port` is 0)."""
    last: OSError | None = None
    for _ in range(_RETRY_BIND if port == 0 else 1):
        udp = _UDPServer((host, port), zone)
        try:
            return udp, _TCPServer((host, udp.server_address[1]), zone)
        except OSError as exc:
            udp.server_close()
            if exc.errno != errno.EADDRINUSE or port != 0:
                raise
            last = exc
    raise last or OSError("could not bind")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m webaudit.sitekit.dnsserver")
    parser.add_argument("zone", help="zone JSON file: name -> [addresses]")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--stats", type=Path, help="keep query counts in this JSON file")
    args = parser.parse_args(argv)
    zone = Zone(json.loads(Path(args.zone).read_text(encoding="utf-8")), args.stats)
    udp, tcp = bind(zone, args.host, args.port)
    with zone.lock:
        zone.write_stats()
    stop = threading.Event()

    def on_term(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_term)
    for server in (udp, tcp):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdout.write(json.dumps({"port": udp.server_address[1], "pid": os.getpid()}) + "\n")
    sys.stdout.flush()
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    with zone.lock:
        zone.write_stats()
    return 0


if __name__ == "__main__":
    sys.exit(main())
