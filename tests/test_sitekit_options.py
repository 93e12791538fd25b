"""The site kit's HTTP server options that the net tests rely on: request echo headers,
a wrong HEAD status, fail statuses, a repeated big body, a request header as the body,
an unannounced close, connection counts, and HTTPS with the SNI name recorded.

Requests go through `http.client` straight to 127.0.0.1 with an explicit Host header.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from webaudit.sitekit import Resource, RunningServer, SiteSpec, start_http_server

HOST = "www.opt.gov.cn"


def spec() -> SiteSpec:
    site = SiteSpec(default_host=HOST, echo_request=True)
    add = site.add
    add(HOST, "/ok", Resource(body="ok"))
    add(HOST, "/head404", Resource(body="got it", head_status=404))
    add(HOST, "/head405", Resource(body="got it", head_status=405, head_body="no HEAD"))
    add(HOST, "/flaky?key=a", Resource(behaviour="fail-then-ok", fail_count=1, fail_status=502,
                                       body="recovered"))
    add(HOST, "/xs", Resource(behaviour="big", size=100_001, body=b"xy",
                              headers={"Content-Type": "application/octet-stream"}))
    add(HOST, "/whoami", Resource(behaviour="request-header", request_header="Cookie", body="-"))
    add(HOST, "/bye", Resource(body="bye", close=True))
    return site


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with start_http_server(spec(), hosts=("127.0.0.1",)) as running:
        yield running


def request(conn: http.client.HTTPConnection, path: str, method: str = "GET",
            **headers: str) -> http.client.HTTPResponse:
    conn.request(method, path, headers={"Host": f"{HOST}:{conn.port}", **headers})
    response = conn.getresponse()
    response.read()
    return response


def test_echo_request_headers(server: RunningServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    response = request(conn, "/ok", "HEAD", **{"Accept-Encoding": "gzip, br"})
    conn.close()
    echoed = {k: response.headers[k] for k in
              ("X-Server-Addr", "X-Host", "X-Method", "X-SNI", "X-Accept-Encoding")}
    assert echoed == {"X-Server-Addr": "127.0.0.1", "X-Host": f"{HOST}:{server.port}",
                      "X-Method": "HEAD", "X-SNI": "", "X-Accept-Encoding": "gzip, br"}


def test_wrong_head_status_fail_status_and_repeated_body(server: RunningServer) -> None:
    server.reset()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    head = request(conn, "/head404", "HEAD")
    assert (head.status, head.headers["Content-Length"]) == (404, "0")
    assert request(conn, "/head404").status == 200  # GET is fine; the connection still is
    conn.close()
    raw = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    raw.sendall(f"HEAD /head405 HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
    answer = b""
    while not answer.endswith(b"no HEAD"):
        answer += raw.recv(4096)  # the body arrives although this was a HEAD
    raw.close()
    assert answer.startswith(b"HTTP/1.1 405") and b"\r\nAllow: GET\r\n" in answer
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    assert [request(conn, "/flaky?key=a").status for _ in range(2)] == [502, 200]
    conn.request("GET", "/xs", headers={"Host": HOST})
    body = conn.getresponse().read()
    conn.close()
    assert body == (b"xy" * 50_001)[:100_001]


def test_request_header_close_and_connection_count(server: RunningServer) -> None:
    server.reset()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", "/whoami", headers={"Host": HOST})
    assert conn.getresponse().read() == b"-"
    conn.request("GET", "/whoami", headers={"Host": HOST, "Cookie": "sid=1"})
    assert conn.getresponse().read() == b"sid=1"
    bye = request(conn, "/bye")
    assert bye.status == 200 and "Connection" not in bye.headers
    assert conn.sock is not None and conn.sock.recv(1) == b""  # closed after the answer
    conn.close()
    stats = server.stats()  # its own connection is not counted
    assert (stats.connections, stats.total) == (1, 3)
    server.reset()
    assert server.stats().connections == 0


def test_tls_records_sni(tmp_path: Path) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert(HOST)
    cert.cert_chain_pems[0].write_to_path(str(tmp_path / "cert.pem"))
    cert.private_key_pem.write_to_path(str(tmp_path / "key.pem"))
    context = ssl.create_default_context()
    ca.configure_trust(context)
    files = (tmp_path / "cert.pem", tmp_path / "key.pem")
    with start_http_server(spec(), hosts=("127.0.0.1",), tls=files) as server:
        assert server.url(HOST, "/ok") == f"https://{HOST}:{server.port}/ok"
        conn = http.client.HTTPSConnection(HOST, server.port, context=context, timeout=5)
        conn.sock = context.wrap_socket(socket.create_connection(("127.0.0.1", server.port)),
                                        server_hostname=HOST)
        response = request(conn, "/ok")
        conn.close()
        assert (response.status, response.headers["X-SNI"]) == (200, HOST)
        with pytest.raises(ssl.SSLError):  # a client that does not trust the certificate
            ssl.create_default_context().wrap_socket(
                socket.create_connection(("127.0.0.1", server.port)), server_hostname=HOST)
        assert server.stats().total == 1  # /__stats works over TLS too
        errors = server.errors()
    assert errors == ""  # the refused handshake is no server error
