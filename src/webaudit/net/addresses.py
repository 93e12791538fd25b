"""Address categories: is an IP public, private, loopback, link-local or reserved?

The fetcher refuses to connect to non-public addresses unless the site itself
lives there (see `Fetcher.fetch(allow_private=...)`), so a page cannot make the
crawler probe an intranet.
"""

from __future__ import annotations

import ipaddress
from typing import Final, Literal

Category = Literal["public", "private", "loopback", "link-local", "reserved"]
_PRIVATE_NETS: Final = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",  # RFC 1918
    "100.64.0.0/10",  # RFC 6598 carrier-grade NAT
    "fc00::/7",  # RFC 4193 unique local
))


def parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address in `text` ("1.2.3.4", "::1", "[::1]", "fe80::1%eth0"), or None."""
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    text = text.split("%", 1)[0]  # zone id
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def address_category(ip: str) -> Category:
    """The category of an IP address; raises ValueError for a non-address."""
    addr = parse_ip(ip)
    if addr is None:
        raise ValueError(f"not an IP address: {ip!r}")
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    if addr.is_unspecified or addr.is_multicast:
        return "reserved"
    if addr.is_loopback:
        return "loopback"
    if addr.is_link_local:
        return "link-local"
    if any(addr.version == net.version and addr in net for net in _PRIVATE_NETS):
        return "private"
    if not addr.is_global:
        return "reserved"
    return "public"
