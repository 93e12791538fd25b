"""Run a site-kit server program as a subprocess and stop it by its PID.

Each server is ``sys.executable -m webaudit.sitekit.<program>``; the parent
waits for the one JSON "ready" line, and stops the child by its PID (SIGTERM,
then SIGKILL after 5 s). A server that is never stopped explicitly is stopped
when its handle is garbage-collected or the interpreter exits. The child's
stderr goes to a file; `.errors()` reads it and `stop()` copies it to our
stderr, so a server-side traceback is never lost. Standard library only.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
import weakref
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

READY_TIMEOUT: Final = 10.0
STOP_TIMEOUT: Final = 5.0
LOOPBACK: Final = ("127.0.0.1", "::1")


class ServerStartError(RuntimeError):
    """A site-kit server did not print its ready line in time (or exited first)."""


@functools.cache
def ipv6_available() -> bool:
    """Whether this machine can listen on ::1."""
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


class ServerProcess:
    """One server subprocess: start, wait for the ready line, stop by PID."""

    def __init__(self, module: str, args: Sequence[str], workdir: Path,
                 timeout: float = READY_TIMEOUT) -> None:
        self.workdir = workdir
        self.stderr_path = workdir / "stderr.txt"
        src_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src_root, env.get("PYTHONPATH")) if p)
        with self.stderr_path.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", module, *args],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, env=env,
                cwd=workdir,
            )
        self.pid = self.proc.pid
        self._finalizer = weakref.finalize(self, _terminate, self.proc, workdir)
        try:
            self.ready = self._read_ready(timeout)
        except BaseException as exc:
            message = self.errors().strip()[-2000:]
            self.stop(relay=False)
            detail = f"{module}: {exc}" + (f"\n{message}" if message else "")
            raise ServerStartError(detail) from exc

    def _read_ready(self, timeout: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        buffer = b""
        while b"\n" not in buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ServerStartError(f"no ready line within {timeout} s")
            readable, _, _ = select.select([fd], [], [], left)
            if readable:
                chunk = os.read(fd, 4096)
                if not chunk:
                    raise ServerStartError(f"exited with code {self.proc.wait()} before ready")
                buffer += chunk
        ready: dict[str, Any] = json.loads(buffer.split(b"\n", 1)[0])
        return ready

    def errors(self) -> str:
        """What the child wrote to stderr so far."""
        try:
            return self.stderr_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, relay: bool = True) -> None:
        text = self.errors() if relay and self._finalizer.alive else ""
        self._finalizer()
        if text:
            sys.stderr.write(text)


def _terminate(proc: subprocess.Popen[bytes], workdir: Path) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()
    shutil.rmtree(workdir, ignore_errors=True)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerHandle:
    """What every server handle shares: stop by PID, stderr, context manager."""

    _child: ServerProcess

    def errors(self) -> str:
        """What the server wrote to stderr (tracebacks of handler errors)."""
        return self._child.errors()

    @property
    def alive(self) -> bool:
        return self._child.alive

    def stop(self) -> None:
        """Stop the server (idempotent): SIGTERM, wait 5 s, SIGKILL."""
        self._child.stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
