"""A one-line progress display for long crawls, on stderr, only when it is a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from .crawl.crawler import Progress


class ProgressLine:
    """Call with `Progress` events; redraws at most ten times a second."""

    def __init__(self, stream: TextIO | None = None, *, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._last = 0.0
        self._width = 0

    def __call__(self, event: Progress) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1:
            return
        self._last = now
        rate = event.requests / event.elapsed if event.elapsed > 0 else 0.0
        line = (f"{event.site}: {event.pages} pages, {event.queued} queued, "
                f"{event.errors} errors, {rate:.0f} req/s")
        self._width = max(self._width, len(line))
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()

    def close(self) -> None:
        """Clear the line; nothing is drawn after this."""
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
        self.enabled = False
