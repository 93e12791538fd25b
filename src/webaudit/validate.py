"""Checkers for setting values: each returns the value in its typed form or raises `Invalid`.

Every message starts with the label of what is checked (``'max_pages'``,
``[[sites]] #2 'url'``, ``--max-pages``, ``[plugin.pii] 'max_samples'``), so the
same checker serves config files, flags, keyword options and plugin tables;
the caller adds the place (file and line, or nothing for a flag). Values are
shown as TOML would spell them (`show`). No I/O.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import json
import math
import re
import types
import typing
from collections.abc import Mapping
from typing import Any, Final

from .crawl.urls import host_of, normalize
from .model import SEVERITIES

KeyPath = tuple[str | int, ...]

FAIL_ON_CHOICES: Final = (*reversed(SEVERITIES), "none")  # veto, error, warning, notice, none
_MODULE_NAME: Final = re.compile(r"[^\W\d]\w*(\.[^\W\d]\w*)*")
_HOST_LABEL: Final = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_HOST_NAME: Final = re.compile(rf"{_HOST_LABEL}(?:\.{_HOST_LABEL})*")
_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


class Invalid(Exception):
    """A bad value; the message starts with the key's label. `where` refines the key path."""

    def __init__(self, message: str, where: KeyPath = ()) -> None:
        super().__init__(message)
        self.where = where


def typed(kind: Any, value: Any, label: str, *, minimum: float | None = None,
          exclusive: bool = False, choices: tuple[str, ...] = ()) -> Any:
    """A value of type `kind` — bool, int, float, str, ``tuple[str, ...]``, or one of them
    ``| None`` — range-checked against `minimum` (``>`` when `exclusive`) and `choices`."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        kinds = [k for k in typing.get_args(kind) if k is not type(None)]
        if len(kinds) == 1:
            kind = kinds[0]
    if choices:
        if not isinstance(value, str) or value not in choices:
            raise Invalid(f"{label} must be one of {', '.join(choices)}; got {show(value)}")
        return value
    if kind is bool:
        if not isinstance(value, bool):
            raise Invalid(f"{label} must be true or false, got {show(value)}")
        return value
    if kind is str:
        return string(value, label)
    if typing.get_origin(kind) is tuple and typing.get_args(kind) == (str, ...):
        return tuple(strings(value, label))
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"{label} must be an integer, got {show(value)}")
        number: float = value
    elif kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Invalid(f"{label} must be a number, got {show(value)}")
        if not math.isfinite(value):
            raise Invalid(f"{label} must be a finite number, got {show(value)}")
        number = float(value)
    else:
        raise Invalid(f"{label} cannot be set here")
    if minimum is not None and (number < minimum or (exclusive and number == minimum)):
        limit = f"greater than {minimum}" if exclusive else f"at least {minimum}"
        raise Invalid(f"{label} must be {limit}, got {show(value)}")
    return number


def string(value: Any, label: str) -> str:
    if not isinstance(value, str):
        raise Invalid(f"{label} must be a string, got {show(value)}")
    return value


def text(value: Any, label: str) -> str:
    """A non-empty string, stripped."""
    text = string(value, label).strip()
    if not text:
        raise Invalid(f"{label} must not be empty")
    return text


def strings(value: Any, label: str) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise Invalid(f"{label} must be an array of strings, got {show(value)}")
    return list(value)


def module_names(value: Any, label: str) -> tuple[str, ...]:
    names: list[str] = []
    for item in strings(value, label):
        name = item.strip()
        if not _MODULE_NAME.fullmatch(name):
            raise Invalid(f"{label} entry {show(item)} is not a Python module name "
                           "(like my_plugin.checks)")
        names.append(name)
    return tuple(dict.fromkeys(names))


def fail_on(value: Any, label: str) -> str | None:
    if value not in FAIL_ON_CHOICES or not isinstance(value, str):
        choices = ", ".join(FAIL_ON_CHOICES)
        raise Invalid(f"{label} must be one of {choices}; got {show(value)}")
    return None if value == "none" else value


def date(value: Any, label: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(value.strip())
    raise Invalid(f"{label} must be a date (YYYY-MM-DD), got {show(value)}")


def http_url(value: Any, label: str) -> str:
    raw = string(value, label)
    url = normalize(raw.strip())
    if url is None:
        guess = normalize(f"https://{raw.strip()}") if "://" not in raw else None
        hint = f" (did you mean {guess!r}?)" if guess and "." in host_of(guess) else ""
        raise Invalid(f"{label} is not an http(s) URL: {raw!r}{hint}")
    return url


def host_name(text: str) -> str | None:
    """`text` as a lower-case host name (IDN as punycode) or IP address, or None."""
    host = text.strip().lower().rstrip(".")
    with contextlib.suppress(ValueError):
        return str(ipaddress.ip_address(host[1:-1] if host.startswith("[") else host))
    if not host or any(char in host for char in "/\\:?#@ \t%"):
        return None
    converted = host_of(f"http://{host}/")
    return converted if _HOST_NAME.fullmatch(converted) and len(converted) <= 253 else None


def extra_hosts(value: Any, label: str) -> tuple[str, ...]:
    hosts: list[str] = []
    for item in strings(value, label):
        host = host_name(item)
        if host is None:
            raise Invalid(f"{label} entry {show(item)} is not a host name "
                           "(no scheme, port or path, e.g. xxgk.example.gov.cn)")
        hosts.append(host)
    return tuple(dict.fromkeys(hosts))


def nameservers(value: Any, label: str) -> tuple[str, ...]:
    return tuple(nameserver(item, label) for item in strings(value, label))


def nameserver(text: str, label: str) -> str:
    """Check "IP", "IP:PORT", "IPv6" or "[IPv6]:PORT"; return it stripped."""
    raw = text.strip()
    host, port, has_port = raw, "", False
    if raw.startswith("["):
        end = raw.find("]")
        rest = raw[end + 1:]
        host = raw[1:end] if end > 0 and (not rest or rest.startswith(":")) else ""
        port, has_port = rest[1:], bool(rest)
    elif raw.count(":") == 1:
        host, port = raw.split(":")
        has_port = True
    try:
        ipaddress.ip_address(host)
        valid = "%" not in host
    except ValueError:
        valid = False
    if not valid:
        raise Invalid(f"{label} entry {show(text)} is not an IP address with an optional "
                       "port (e.g. 223.5.5.5, 223.5.5.5:53, [2400:3200::1]:53)")
    if has_port and not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
        raise Invalid(f"{label} entry {show(text)}: port must be 1-65535")
    return raw


def static_hosts(value: Any, label: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if isinstance(value, list | tuple) and all(
            isinstance(v, list | tuple) and len(v) == 2 for v in value):
        value = dict(value)  # the Settings form, from a Python caller
    if not isinstance(value, Mapping):
        raise Invalid(f"{label} must be a table of host = [\"address\", ...], "
                       f"got {show(value)}")
    entries: dict[str, tuple[str, ...]] = {}
    for name, addresses in value.items():
        where: KeyPath = (name,)
        host = host_name(str(name))
        if host is None:
            raise Invalid(f"{label} entry {show(name)} is not a host name", where)
        if host in entries:
            raise Invalid(f"{label} lists {show(host)} twice", where)
        if isinstance(addresses, str):
            addresses = [addresses]
        if not isinstance(addresses, list | tuple) or not addresses:
            raise Invalid(f"{label} entry {show(name)} must be a non-empty array of IP "
                           f"addresses, got {show(addresses)}", where)
        ips: list[str] = []
        for address in addresses:
            try:
                ips.append(str(ipaddress.ip_address(str(address).strip().strip("[]"))))
            except ValueError:
                raise Invalid(f"{label} entry {show(name)}: {show(address)} is not an IP "
                               "address", where) from None
        entries[host] = tuple(ips)
    return tuple(entries.items())




def is_table_array(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(v, Mapping) for v in value)


def show(value: Any) -> str:
    """A value as TOML would spell it, for messages (arrays and tables only named)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list | tuple):
        return "an array"
    return repr(value)
