"""HTTPS through our resolver: HTTP/2 is negotiated, SNI is the host name, and an
untrusted certificate is a `tls` finding. The server is hypercorn on 127.0.0.1 (the site
kit's server speaks HTTP/1.1 only). Each test runs on both network backends."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

import webaudit

HOST = "www.h2.gov.cn"
ROOT = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    tmp = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    cert = ca.issue_cert(HOST)
    cert.private_key_and_cert_chain_pem.write_to_path(str(tmp / "server.pem"))
    ca.cert_pem.write_to_path(str(tmp / "ca.pem"))
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hypercorn", "--bind", f"127.0.0.1:{port}",
         "--certfile", str(tmp / "server.pem"), "--keyfile", str(tmp / "server.pem"),
         "tests.servers.h2app:app"],
        cwd=ROOT.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "died") from None
                time.sleep(0.05)
        yield port, tmp / "ca.pem"
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(5)
        if proc.stderr is not None:
            proc.stderr.close()


def test_http2_over_tls_with_sni(tls_server: tuple[int, Path], monkeypatch: pytest.MonkeyPatch,
                                 webaudit_dns_server: Callable[..., Any],
                                 network_backend: str) -> None:
    port, ca = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))  # trust the test CA, as a user would
    dns = webaudit_dns_server({HOST: ["127.0.0.1"]})
    report = webaudit.audit(f"https://{HOST}:{port}/", nameservers=[dns.nameserver],
                            load_entrypoints=False, retries=0, timeout=5.0,
                            network_backend=network_backend)
    site = report.sites[0]
    assert site.homepage is not None
    assert (site.homepage.status, site.homepage.http_version) == (200, "HTTP/2")
    assert site.homepage.address == "127.0.0.1"
    assert site.homepage.header("x-seen-host") == f"{HOST}:{port}"
    assert [(f.check, f.target) for f in report.findings] == [
        ("links.broken", f"https://{HOST}:{port}/gone/")]


def test_untrusted_certificate_is_a_tls_finding(
        tls_server: tuple[int, Path], monkeypatch: pytest.MonkeyPatch,
        webaudit_dns_server: Callable[..., Any], network_backend: str) -> None:
    port, _ = tls_server
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    dns = webaudit_dns_server({HOST: ["127.0.0.1"]})
    report = webaudit.audit(f"https://{HOST}:{port}/", nameservers=[dns.nameserver],
                            load_entrypoints=False, retries=0, timeout=5.0,
                            network_backend=network_backend)
    (finding,) = report.findings
    assert finding.check == "site.unreachable"
    assert finding.evidence["kind"] == "tls"
