"""Networking: DNS resolution (dnspython), the HTTP client (httpx over per-host
httpcore pools that connect to resolved addresses, with address-family pinning),
bounded body decoding, and the `Fetcher` that turns a URL into a `FetchResult`.
"""
