"""Fixtures shared by webaudit's own tests (plugin authors get theirs from `webaudit.testing`)."""

from __future__ import annotations

import pytest

from webaudit.net import NETWORK_BACKENDS


@pytest.fixture(params=NETWORK_BACKENDS)
def network_backend(request: pytest.FixtureRequest) -> str:
    """Each `CrawlSettings.network_backend` in turn: ``"asyncio"`` (webaudit's own sockets)
    and ``"httpcore"`` (httpcore's anyio backend)."""
    value: str = request.param
    return value
