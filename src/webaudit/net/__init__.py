"""Networking: DNS resolution (dnspython), the HTTP client (httpx over per-host
httpcore pools that connect to resolved addresses, with address-family pinning),
bounded body decoding, and the `Fetcher` that turns a URL into a `FetchResult`.
"""

from typing import Final

NETWORK_BACKENDS: Final = ("asyncio", "httpcore")
"""The values of `CrawlSettings.network_backend`: the socket layer under httpcore's pools
(see `webaudit.net.client.make_network_backend`)."""
