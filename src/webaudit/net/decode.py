"""Content-Encoding decoders that never produce more than a set number of bytes.

httpx would decompress a gzip bomb in full; `BodyDecoder` stops at the limit
instead and says so (`exceeded`). It handles gzip / x-gzip, deflate (zlib or
raw, detected), br and identity, and chains such as "gzip, br". A coding it
does not know makes it pass the bytes through untouched (`unsupported`).
"""

from __future__ import annotations

import zlib
from typing import Protocol

import brotli


class DecodeError(ValueError):
    """The body is not valid data for its Content-Encoding."""


class _Stage(Protocol):
    def process(self, data: bytes, max_out: int) -> bytes: ...
    def pending(self) -> bool: ...
    def flush(self, max_out: int) -> bytes: ...


class _Zlib:
    """gzip (possibly multi-member), zlib-wrapped or raw deflate."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._buffer = b""  # deflate: bytes held until the header can be told apart
        self._obj: zlib._Decompress | None = None
        if name == "gzip":
            self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._tail = b""

    def _start_deflate(self) -> None:
        head = self._buffer[:2]
        zlib_header = (head[0] & 0x0F) == 8 and ((head[0] << 8) | head[1]) % 31 == 0
        self._obj = zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)
        self._tail, self._buffer = self._buffer, b""

    def process(self, data: bytes, max_out: int) -> bytes:
        if self._obj is None:
            self._buffer += data
            if len(self._buffer) < 2:
                return b""
            self._start_deflate()
            data = b""
        data = self._tail + data if self._tail else data
        self._tail = b""
        out = bytearray()
        try:
            while data and len(out) < max_out and self._obj is not None:
                out += self._obj.decompress(data, max_out - len(out))
                data = self._obj.unconsumed_tail
                if self._obj.eof:
                    rest = self._obj.unused_data
                    if self._name == "gzip" and rest[:2] == b"\x1f\x8b":
                        self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
                        data = rest + data
                    else:
                        data = b""  # trailing garbage after the stream: ignored
        except zlib.error as exc:
            raise DecodeError(f"invalid {self._name} data ({exc})") from exc
        self._tail = data
        return bytes(out)

    def pending(self) -> bool:
        return bool(self._tail)

    def flush(self, max_out: int) -> bytes:
        if self._obj is None:
            if self._buffer:
                raise DecodeError("truncated deflate data")
            return b""
        out = self.process(b"", max_out)
        if self._tail or self._obj is None:
            return out
        try:
            return out + self._obj.flush()[: max(0, max_out - len(out))]
        except zlib.error as exc:
            raise DecodeError(f"invalid {self._name} data ({exc})") from exc


class _Brotli:
    def __init__(self) -> None:
        self._obj = brotli.Decompressor()
        self._blocked = False  # output limit hit: only empty input may follow

    def process(self, data: bytes, max_out: int) -> bytes:
        try:
            if self._blocked:
                if data:  # the caller stops once the limit is passed; never reached
                    raise DecodeError("brotli: more input while output is pending")
                out = self._obj.process(b"", output_buffer_limit=max(1, max_out))
            else:
                out = self._obj.process(data, output_buffer_limit=max(1, max_out))
        except brotli.error as exc:
            raise DecodeError(f"invalid br data ({exc})") from exc
        self._blocked = not self._obj.can_accept_more_data()
        return bytes(out)

    def pending(self) -> bool:
        return self._blocked

    def flush(self, max_out: int) -> bytes:
        return self.process(b"", max_out) if self._blocked else b""


class _Identity:
    def process(self, data: bytes, max_out: int) -> bytes:
        return data

    def pending(self) -> bool:
        return False

    def flush(self, max_out: int) -> bytes:
        return b""


def _stage(coding: str) -> _Stage | None:
    if coding in ("gzip", "x-gzip"):
        return _Zlib("gzip")
    if coding == "deflate":
        return _Zlib("deflate")
    if coding == "br":
        return _Brotli()
    if coding == "identity":
        return _Identity()
    return None


class BodyDecoder:
    """Decodes a body for a Content-Encoding header value, capping the output.

    `decode(chunk, limit)` returns the next decoded bytes, never letting the
    total pass `limit`; when more would have come, `exceeded` becomes true and
    later calls return nothing.
    """

    def __init__(self, content_encoding: str | None) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
        self.codings: tuple[str, ...] = tuple(c for c in codings if c)
        self.unsupported: tuple[str, ...] = tuple(c for c in self.codings if _stage(c) is None)
        stages = [_stage(c) for c in reversed(self.codings)]  # applied first = undone last
        self._stages: list[_Stage] = ([] if self.unsupported else
                                      [s for s in stages if s is not None])
        self.exceeded = False
        self.produced = 0

    def decode(self, chunk: bytes, limit: int) -> bytes:
        return self._run(chunk, limit, final=False)

    def flush(self, limit: int) -> bytes:
        """The output still held by the decompressors at the end of the body."""
        return self._run(b"", limit, final=True)

    def _run(self, data: bytes, limit: int, *, final: bool) -> bytes:
        if self.exceeded:
            return b""
        budget = limit - self.produced
        for stage in self._stages:
            # Asking for one byte past the budget tells "exactly at the limit" from
            # "more to come". Intermediate stages get the same cap: each later stage
            # only inflates, so an intermediate result past the budget is a bomb too.
            out = stage.process(data, budget + 1) if data or stage.pending() else b""
            if final and len(out) <= budget and not stage.pending():
                out += stage.flush(budget + 1 - len(out))
            data = out
            if len(data) > budget or stage.pending():
                self.exceeded = True
                break
        if len(data) > budget:
            self.exceeded = True
            data = data[:budget]
        self.produced += len(data)
        return data
