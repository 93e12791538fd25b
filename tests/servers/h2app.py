"""A tiny ASGI app for the HTTP/2 test, served by hypercorn over TLS on loopback.

/ links to /zwgk/ (200) and /gone/ (404); every response names the HTTP version and
the Host header it saw.
"""

from __future__ import annotations

from typing import Any

HOME = ('<html><head><meta charset="utf-8"><title>首页</title></head><body>'
        '<a href="/zwgk/">政府信息公开</a><a href="/gone/">旧栏目</a></body></html>')


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    path = scope["path"]
    status, body = (200, HOME) if path in ("/", "/zwgk/") else (404, "not found")
    host = dict(scope["headers"]).get(b"host", b"").decode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"x-http-version", scope["http_version"].encode()),
        (b"x-seen-host", host.encode()),
    ]})
    await send({"type": "http.response.body", "body": body.encode()})
