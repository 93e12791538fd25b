"""BodyDecoder: every Content-Encoding we accept, chunked input, and the output cap."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest

from webaudit.net.decode import BodyDecoder, DecodeError

TEXT = b"<html>" + "政务公开".encode() * 2000 + b"</html>"


def _feed(decoder: BodyDecoder, data: bytes, limit: int, size: int = 1000) -> bytes:
    out = bytearray()
    for i in range(0, len(data), size):
        out += decoder.decode(data[i:i + size], limit)
    return bytes(out + decoder.flush(limit))


def _raw_deflate(data: bytes) -> bytes:
    comp = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return comp.compress(data) + comp.flush()


@pytest.mark.parametrize(("coding", "encode"), [
    (None, lambda b: b),
    ("identity", lambda b: b),
    ("gzip", gzip.compress),
    ("x-gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("deflate", _raw_deflate),
    ("br", brotli.compress),
    ("GZIP", gzip.compress),
    ("gzip, br", lambda b: brotli.compress(gzip.compress(b))),
    ("deflate, gzip", lambda b: gzip.compress(zlib.compress(b))),
])
@pytest.mark.parametrize("size", [1, 7, 1000, 1 << 20])
def test_round_trip(coding: str | None, encode, size: int) -> None:
    decoder = BodyDecoder(coding)
    assert _feed(decoder, encode(TEXT), 10 * len(TEXT), size) == TEXT
    assert not decoder.exceeded
    assert decoder.unsupported == ()


def test_multi_member_gzip() -> None:
    data = gzip.compress(b"one ") + gzip.compress(b"two")
    assert _feed(BodyDecoder("gzip"), data, 100, 5) == b"one two"


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "identity"])
def test_limit_is_exact(coding: str) -> None:
    encode = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress,
              "identity": lambda b: b}[coding]
    decoder = BodyDecoder(coding)
    out = _feed(decoder, encode(TEXT), 1234, 300)
    assert out == TEXT[:1234]
    assert decoder.exceeded
    # Exactly at the limit is not "exceeded".
    decoder = BodyDecoder(coding)
    assert _feed(decoder, encode(TEXT), len(TEXT), 300) == TEXT
    assert not decoder.exceeded


@pytest.mark.parametrize(("coding", "encode"), [("gzip", gzip.compress),
                                                ("br", brotli.compress),
                                                ("gzip, br", None)])
def test_bomb_is_cut_without_inflating(coding: str, encode) -> None:
    zeros = b"\0" * 50_000_000
    if encode is None:
        payload = brotli.compress(gzip.compress(zeros, 9), quality=1)
    else:
        payload = encode(zeros) if coding != "br" else brotli.compress(zeros, quality=1)
    decoder = BodyDecoder(coding)
    out = bytearray()
    for i in range(0, len(payload), 16384):
        chunk = decoder.decode(payload[i:i + 16384], 1_000_000)
        assert len(chunk) <= 1_000_000
        out += chunk
        if decoder.exceeded:
            break
    assert decoder.exceeded
    assert len(out) == 1_000_000
    assert decoder.decode(b"more", 1_000_000) == b""


def test_unknown_coding_passes_through() -> None:
    decoder = BodyDecoder("gzip, zstd")
    assert decoder.unsupported == ("zstd",)
    assert _feed(decoder, b"opaque bytes", 100) == b"opaque bytes"
    decoder = BodyDecoder("compress")
    assert _feed(decoder, b"abcdef", 4) == b"abcd"
    assert decoder.exceeded


def test_invalid_data_raises_decode_error() -> None:
    with pytest.raises(DecodeError, match="gzip"):
        _feed(BodyDecoder("gzip"), b"this is not gzip at all", 100)
    with pytest.raises(DecodeError, match="br"):
        _feed(BodyDecoder("br"), b"\xff" * 50, 100)


def test_empty_body() -> None:
    for coding in ("gzip", "deflate", "br", None):
        decoder = BodyDecoder(coding)
        assert decoder.flush(10) == b""
