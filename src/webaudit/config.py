"""Load a TOML config file into `Settings`, validating every key (see docs/config.md).

Every problem is a `ConfigError` whose message is one line naming the file, the line
and the key, e.g. ``audit.toml:7: unknown key 'max_page' in [crawl] (did you mean
'max_pages'?)``. `tomllib` gives no positions for values, so `key_lines()` scans the
raw text for the line each table and key is defined on.

CLI flags (and `audit()` keyword options) go through `merge_overrides()`, which checks
them the same way; its errors name the flag (``--max-pages``) instead of a line.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import difflib
import hashlib
import ipaddress
import json
import math
import os
import re
import tomllib
import typing
from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from .crawl.urls import host_of, normalize
from .errors import ConfigError
from .model import SEVERITIES, Account, Site
from .net import NETWORK_BACKENDS
from .settings import CrawlSettings, DnsSettings, Settings

__all__ = ["config_digest", "key_lines", "load_config", "merge_overrides",
           "settings_from_mapping"]

KeyPath = tuple[str | int, ...]
"""Where a value sits: table names and keys, with a 0-based index for arrays of tables."""

_CRAWL_TYPES: Final[dict[str, Any]] = typing.get_type_hints(CrawlSettings)
_DNS_TYPES: Final[dict[str, Any]] = typing.get_type_hints(DnsSettings)
_TOP_KEYS: Final = ("plugins", "fail_on", "as_of", "crawl", "dns", "sites", "accounts", "plugin")
_TABLES: Final = frozenset({"crawl", "dns", "plugin"})
_ARRAYS_OF_TABLES: Final = frozenset({"sites", "accounts"})
_SITE_KEYS: Final = ("name", "url", "department", "extra_hosts")
_ACCOUNT_KEYS: Final = ("site", "platform", "name", "url")
_FAIL_ON: Final = (*reversed(SEVERITIES), "none")  # veto, error, warning, notice, none

# (bound, strict): a value must be >= bound, or > bound when strict.
_MINIMUM: Final[dict[str, tuple[int, bool]]] = {
    "max_pages": (1, False), "max_depth": (0, False), "concurrency": (1, False),
    "per_host": (1, False), "timeout": (0, True), "total_timeout": (0, True),
    "time_budget": (0, True), "max_bytes": (1, False), "max_decompressed": (1, False),
    "retries": (0, False), "backoff": (0, False), "max_retry_after": (0, False),
    "max_redirects": (0, False), "max_url_length": (1, False),
    "max_repeated_segments": (1, False), "max_query_variants": (1, False),
    "max_referrers": (0, False),
}
_DNS_MINIMUM: Final[dict[str, tuple[int, bool]]] = {"timeout": (0, True)}
_CHOICES: Final[dict[str, tuple[str, ...]]] = {"network_backend": NETWORK_BACKENDS}

# Option (flag) names accepted by merge_overrides() besides the CrawlSettings fields.
_DNS_OPTIONS: Final[dict[str, str]] = {
    "nameservers": "nameservers", "hosts": "hosts",
    **{f"dns_{name}": name for name in _DNS_TYPES},
}
_FLAG_NAMES: Final[dict[str, str]] = {"nameservers": "--nameserver", "plugins": "--plugin"}
_MODULE_NAME = re.compile(r"[^\W\d]\w*(\.[^\W\d]\w*)*")
_HOST_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_HOST_NAME = re.compile(rf"{_HOST_LABEL}(?:\.{_HOST_LABEL})*")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TOML_POSITION = re.compile(r"\s*\((?:at line (\d+), column \d+|at end of document)\)\s*$")


class _Invalid(Exception):
    """A bad value; the message starts with the key's label. `where` refines the key path."""

    def __init__(self, message: str, where: KeyPath = ()) -> None:
        super().__init__(message)
        self.where = where


# ---------------------------------------------------------------------------
# Public API


def load_config(path: str | os.PathLike[str], *,
                overrides: Mapping[str, Any] | None = None) -> Settings:
    """Read, parse and validate the TOML config file at `path`, then apply `overrides`."""
    source = os.fspath(path)
    try:
        with open(source, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        raise ConfigError("no such file", path=source) from None
    except IsADirectoryError:
        raise ConfigError("is a directory, not a config file", path=source) from None
    except PermissionError:
        raise ConfigError("permission denied", path=source) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", path=source) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as "
                          "UTF-8", path=source, line=line) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, toml_line = _toml_error(str(exc), text)
        raise ConfigError(f"invalid TOML: {message}", path=source, line=toml_line) from None
    return settings_from_mapping(data, source=source, text=text, overrides=overrides)


def settings_from_mapping(data: Mapping[str, Any], *, source: str | None = None,
                          text: str | None = None,
                          overrides: Mapping[str, Any] | None = None) -> Settings:
    """Validate parsed config `data` (as `tomllib` returns it) into `Settings`.

    `source` names the file in errors and becomes `Settings.source`; `text` is the
    raw file, used only to find line numbers for errors.
    """
    ctx = _FileContext(source, key_lines(text) if text is not None else {})
    values: dict[str, Any] = {}
    accounts: Any = None
    for key, value in data.items():
        path: KeyPath = (key,)
        if key == "crawl":
            values["crawl"] = _section(ctx, value, path, CrawlSettings, _CRAWL_TYPES, _MINIMUM)
        elif key == "dns":
            values["dns"] = _section(ctx, value, path, DnsSettings, _DNS_TYPES, _DNS_MINIMUM)
        elif key == "sites":
            values["sites"] = _sites(ctx, value)
        elif key == "accounts":
            accounts = value  # checked once every site is known
        elif key == "plugin":
            values["plugin_config"] = _plugin_tables(ctx, value)
        elif key in _TOP_KEYS:
            with ctx.at(path):
                values[key] = _top_value(key, value, f"{key!r}")
        else:
            raise ctx.unknown(key, value, path, "at top level", _TOP_KEYS)
    if accounts is not None:
        values["accounts"] = _accounts(ctx, accounts, values.get("sites", ()))
    settings = Settings(**values, source=source)
    if overrides:
        settings = merge_overrides(settings, overrides)
    return settings


def merge_overrides(settings: Settings, overrides: Mapping[str, Any]) -> Settings:
    """`settings` with option values (CLI flags, `audit()` keywords) put over the file's.

    Names are the config keys: any `[crawl]` key, `nameservers`, `hosts`,
    `dns_timeout` (also `dns_nameservers`, `dns_hosts`), `plugins`, `fail_on`,
    `as_of`. `None` means "not given". `plugins` are added to the file's; every
    other option replaces the file's value. Errors name the flag, e.g. ``--max-pages``.
    """
    crawl: dict[str, Any] = {}
    dns: dict[str, Any] = {}
    top: dict[str, Any] = {}
    for key, value in overrides.items():
        if value is None:
            continue
        label = _flag(key)
        try:
            if key in _CRAWL_TYPES:
                crawl[key] = _typed(key, _CRAWL_TYPES[key], value, label, _MINIMUM)
            elif key in _DNS_OPTIONS:
                name = _DNS_OPTIONS[key]
                dns[name] = _dns_value(name, value, label)
            elif key == "plugins":
                top[key] = tuple(dict.fromkeys((*settings.plugins, *_plugins(value, label))))
            elif key in ("fail_on", "as_of"):
                top[key] = _top_value(key, value, label)
            else:
                known = [*_CRAWL_TYPES, *_DNS_OPTIONS, "plugins", "fail_on", "as_of"]
                close = difflib.get_close_matches(key, known, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ConfigError(f"unknown option {key!r}{hint}", key=key)
        except _Invalid as exc:
            raise ConfigError(str(exc), key=key) from None
    return dataclasses.replace(
        settings,
        crawl=dataclasses.replace(settings.crawl, **crawl),
        dns=dataclasses.replace(settings.dns, **dns),
        **top,
    )


def config_digest(settings: Settings) -> str:
    """SHA-256 (hex) of a canonical JSON form of `settings`, without `source` and `as_of`."""
    data = dataclasses.asdict(settings)
    del data["source"], data["as_of"]
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=_json_default)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------
# Line numbers


def key_lines(text: str) -> dict[KeyPath, int]:
    """Map each table and key defined in TOML `text` to its 1-based line number.

    Paths are tuples of names with a 0-based index after an array of tables:
    ``[[sites]]`` twice gives ``("sites", 0)`` and ``("sites", 1)``, and the
    ``url`` key in the second is ``("sites", 1, "url")``. Dotted keys, quoted keys,
    inline tables and inline arrays of tables are followed. The first definition of
    a path wins. Meant for text `tomllib` accepted; on anything else it returns
    what it found before getting lost.
    """
    scanner = _Scanner(text)
    with contextlib.suppress(IndexError, ValueError):
        scanner.scan()
    return scanner.lines


def line_of(lines: Mapping[KeyPath, int], path: KeyPath) -> int | None:
    """The line of `path`, else of its nearest enclosing table that has one, else None."""
    for end in range(len(path), 0, -1):
        line = lines.get(path[:end])
        if line is not None:
            return line
    return None


_BARE_KEY_CHARS: Final = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class _Scanner:
    """A forgiving walk over TOML text that records where tables and keys are defined."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.lines: dict[KeyPath, int] = {}
        self._newlines = [i for i, char in enumerate(text) if char == "\n"]
        self._table_counts: dict[KeyPath, int] = {}

    def line(self) -> int:
        return bisect_right(self._newlines, self.pos - 1) + 1

    def peek(self, length: int = 1) -> str:
        return self.text[self.pos:self.pos + length]

    def record(self, path: KeyPath) -> None:
        self.lines.setdefault(path, self.line())

    def skip_blanks(self, newlines: bool = False) -> None:
        """Skip spaces and tabs; with `newlines`, also line breaks and comments."""
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t" or (newlines and char in "\r\n"):
                self.pos += 1
            elif newlines and char == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            else:
                return

    def scan(self) -> None:
        table: KeyPath = ()
        while True:
            self.skip_blanks(newlines=True)
            if self.pos >= len(self.text):
                return
            if self.peek(2) == "[[":
                self.pos += 2
                table = self.header(self.key(), array=True)
                self.skip_blanks()
                self.pos += 2
            elif self.peek() == "[":
                self.pos += 1
                table = self.header(self.key(), array=False)
                self.skip_blanks()
                self.pos += 1
            else:
                self.key_value(table)

    def header(self, names: list[str], *, array: bool) -> KeyPath:
        path: KeyPath = ()
        for i, name in enumerate(names):
            path = (*path, name)
            last = i == len(names) - 1
            if last and array:
                index = self._table_counts[path] = self._table_counts.get(path, -1) + 1
                self.record(path)
                path = (*path, index)
            elif path in self._table_counts:
                path = (*path, self._table_counts[path])
            self.record(path)
        return path

    def key_value(self, table: KeyPath) -> None:
        names = self.key()
        for end in range(1, len(names) + 1):
            self.record((*table, *names[:end]))
        self.skip_blanks()
        if self.peek() != "=":
            raise ValueError("expected '='")
        self.pos += 1
        self.skip_blanks()
        self.value((*table, *names))

    def key(self) -> list[str]:
        """Read a (dotted) key: bare, "basic" or 'literal' parts."""
        names: list[str] = []
        while True:
            self.skip_blanks()
            char = self.peek()
            if char == '"':
                names.append(_decode_basic(self.basic_string()))
            elif char == "'":
                end = self.text.index("'", self.pos + 1)
                names.append(self.text[self.pos + 1:end])
                self.pos = end + 1
            else:
                start = self.pos
                while self.pos < len(self.text) and self.text[self.pos] in _BARE_KEY_CHARS:
                    self.pos += 1
                if self.pos == start:
                    raise ValueError("expected a key")
                names.append(self.text[start:self.pos])
            self.skip_blanks()
            if self.peek() != ".":
                return names
            self.pos += 1

    def basic_string(self) -> str:
        """Skip a one-line "basic string"; return it with its quotes."""
        start = self.pos
        self.pos += 1
        while self.text[self.pos] != '"':
            self.pos += 2 if self.text[self.pos] == "\\" else 1
        self.pos += 1
        return self.text[start:self.pos]

    def value(self, path: KeyPath) -> None:
        char = self.peek()
        if self.peek(3) in ('"""', "'''"):
            quote = self.peek(3)
            self.pos += 3
            while self.peek(3) != quote:
                self.pos += 2 if quote == '"""' and self.peek() == "\\" else 1
                if self.pos >= len(self.text):
                    raise ValueError("unclosed string")
            self.pos += 3
            while self.peek() == quote[0]:  # up to two quotes may end the content
                self.pos += 1
        elif char == '"':
            self.basic_string()
        elif char == "'":
            self.pos = self.text.index("'", self.pos + 1) + 1
        elif char == "[":
            self.array(path)
        elif char == "{":
            self.inline_table(path)
        else:
            while self.pos < len(self.text) and self.text[self.pos] not in ",]}\r\n#":
                self.pos += 1

    def array(self, path: KeyPath) -> None:
        self.pos += 1
        index = 0
        while True:
            self.skip_blanks(newlines=True)
            if self.peek() == "]":
                self.pos += 1
                return
            if self.peek() == "{":
                self.record((*path, index))
            self.value((*path, index))
            index += 1
            self.skip_blanks(newlines=True)
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "]":
                raise ValueError("expected ',' or ']'")

    def inline_table(self, path: KeyPath) -> None:
        self.pos += 1
        while True:
            self.skip_blanks()
            if self.peek() == "}":
                self.pos += 1
                return
            self.key_value(path)
            self.skip_blanks()
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "}":
                raise ValueError("expected ',' or '}'")


def _decode_basic(quoted: str) -> str:
    try:
        value = tomllib.loads(f"k = {quoted}")["k"]
    except tomllib.TOMLDecodeError:
        return quoted[1:-1]
    return str(value)


def _toml_error(message: str, text: str) -> tuple[str, int | None]:
    """tomllib's message without its "(at line N, column M)", and N."""
    match = _TOML_POSITION.search(message)
    if match is None:
        return message, None
    if match.group(1):
        return message[:match.start()], int(match.group(1))
    return message[:match.start()], max(1, len(text.splitlines()))


# ---------------------------------------------------------------------------
# Walking the file


class _FileContext:
    """Turns problems at a key path into located `ConfigError`s."""

    def __init__(self, source: str | None, lines: Mapping[KeyPath, int]) -> None:
        self.source = source
        self.lines = lines

    def error(self, message: str, path: KeyPath) -> ConfigError:
        key = ".".join(f"[{p + 1}]" if isinstance(p, int) else str(p) for p in path)
        return ConfigError(message, path=self.source, line=line_of(self.lines, path),
                           key=key.replace(".[", "["))

    @contextlib.contextmanager
    def at(self, path: KeyPath) -> Iterator[None]:
        try:
            yield
        except _Invalid as exc:
            raise self.error(str(exc), (*path, *exc.where)) from None

    def unknown(self, key: str, value: Any, path: KeyPath, where: str,
                choices: Sequence[str], belongs: Mapping[str, str] | None = None) -> ConfigError:
        """An unknown key or table, with the table it belongs in or a did-you-mean."""
        is_table = path == (key,) and (isinstance(value, Mapping)
                                       or (bool(value) and _is_table_array(value)))
        if not is_table:
            what = f"key {key!r} {where}"
        elif isinstance(value, Mapping):
            what = f"table [{key}]"
        else:
            what = f"table [[{key}]]"
        if belongs is None:
            belongs = {**{k: "[dns]" for k in _DNS_TYPES}, **{k: "[crawl]" for k in _CRAWL_TYPES}}
        close = difflib.get_close_matches(key, choices, n=1)
        if key in belongs and where != f"in {belongs[key]}":
            hint = f" (it belongs in {belongs[key]})"
        elif close:
            hint = f" (did you mean {_display_key(close[0]) if is_table else repr(close[0])}?)"
        else:
            hint = ""
        return self.error(f"unknown {what}{hint}", path)

    def table(self, value: Any, path: KeyPath, label: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.error(f"{label} must be a table, got {_show(value)}", path)
        return value


def _display_key(key: str) -> str:
    if key in _TABLES:
        return f"[{key}]"
    if key in _ARRAYS_OF_TABLES:
        return f"[[{key}]]"
    return repr(key)


def _section(ctx: _FileContext, value: Any, path: KeyPath, cls: type[Any],
             types: Mapping[str, Any], minimum: Mapping[str, tuple[int, bool]]) -> Any:
    name = str(path[0])
    table = ctx.table(value, path, f"[{name}]")
    fields: dict[str, Any] = {}
    for key, item in table.items():
        kpath = (*path, key)
        if key not in types:
            raise ctx.unknown(key, item, kpath, f"in [{name}]", list(types))
        with ctx.at(kpath):
            if cls is DnsSettings:
                fields[key] = _dns_value(key, item, repr(key))
            else:
                fields[key] = _typed(key, types[key], item, repr(key), minimum)
    return cls(**fields)


def _sites(ctx: _FileContext, value: Any) -> tuple[Site, ...]:
    if not _is_table_array(value):
        raise ctx.error(f"'sites' must be an array of tables ([[sites]]), got {_show(value)}",
                        ("sites",))
    sites: list[Site] = []
    named: dict[str, int] = {}
    for index, table in enumerate(value):
        path: KeyPath = ("sites", index)
        label = f"[[sites]] #{index + 1}"
        for key, item in table.items():
            if key not in _SITE_KEYS:
                raise ctx.unknown(key, item, (*path, key), f"in {label}", _SITE_KEYS, {})
        if "url" not in table:
            raise ctx.error(f"{label} is missing 'url'", path)
        with ctx.at((*path, "url")):
            url = _http_url(table["url"], f"{label} 'url'")
        name = host_of(url)
        if "name" in table:
            with ctx.at((*path, "name")):
                name = _text(table["name"], f"{label} 'name'")
        if name in named:
            which = "'name'" if "name" in table else "name (its URL's host)"
            key = "name" if "name" in table else "url"
            raise ctx.error(f"{label} {which} {_show(name)} is already used by [[sites]] "
                            f"#{named[name] + 1}", (*path, key))
        named[name] = index
        department = None
        if "department" in table:
            with ctx.at((*path, "department")):
                department = _string(table["department"], f"{label} 'department'").strip() or None
        hosts: tuple[str, ...] = ()
        if "extra_hosts" in table:
            with ctx.at((*path, "extra_hosts")):
                hosts = _extra_hosts(table["extra_hosts"], f"{label} 'extra_hosts'")
        sites.append(Site(name=name, url=url, department=department, extra_hosts=hosts))
    return tuple(sites)


def _accounts(ctx: _FileContext, value: Any, sites: Sequence[Site]) -> tuple[Account, ...]:
    if not _is_table_array(value):
        raise ctx.error(f"'accounts' must be an array of tables ([[accounts]]), "
                        f"got {_show(value)}", ("accounts",))
    names = [site.name for site in sites]
    accounts: list[Account] = []
    for index, table in enumerate(value):
        path: KeyPath = ("accounts", index)
        label = f"[[accounts]] #{index + 1}"
        for key, item in table.items():
            if key not in _ACCOUNT_KEYS:
                raise ctx.unknown(key, item, (*path, key), f"in {label}", _ACCOUNT_KEYS, {})
        fields: dict[str, str] = {}
        for key in _ACCOUNT_KEYS:
            if key not in table:
                raise ctx.error(f"{label} is missing {key!r}", path)
            with ctx.at((*path, key)):
                if key == "url":
                    fields[key] = _text(table[key], f"{label} 'url'")
                    _http_url(fields[key], f"{label} 'url'")
                else:
                    fields[key] = _text(table[key], f"{label} {key!r}")
        if fields["site"] not in names:
            close = difflib.get_close_matches(fields["site"], names, n=1)
            hint = (f" (did you mean {_show(close[0])}?)" if close
                    else " (no [[sites]] in this file)" if not names else "")
            raise ctx.error(f"{label} 'site' {_show(fields['site'])} does not name a "
                            f"[[sites]] entry{hint}", (*path, "site"))
        accounts.append(Account(**fields))
    return tuple(accounts)


def _plugin_tables(ctx: _FileContext, value: Any) -> dict[str, Any]:
    table = ctx.table(value, ("plugin",), "[plugin]")
    for name, item in table.items():
        if not isinstance(item, Mapping):
            raise ctx.error(f"[plugin] {name!r} must be a table ([plugin.{name}]), "
                            f"got {_show(item)}", ("plugin", name))
    return {name: dict(item) for name, item in table.items()}


# ---------------------------------------------------------------------------
# Values. Each checker raises _Invalid with a message that starts with `label`.


def _top_value(key: str, value: Any, label: str) -> Any:
    if key == "plugins":
        return _plugins(value, label)
    if key == "fail_on":
        return _fail_on(value, label)
    if key == "as_of":
        return _date(value, label)
    raise AssertionError(key)


def _typed(key: str, kind: Any, value: Any, label: str,
           minimum: Mapping[str, tuple[int, bool]]) -> Any:
    """A value of a plain `int`/`float`/`bool`/`str` settings field, range-checked."""
    if kind is bool:
        if not isinstance(value, bool):
            raise _Invalid(f"{label} must be true or false, got {_show(value)}")
        return value
    if kind is str:
        text = _string(value, label)
        if key in _CHOICES and text not in _CHOICES[key]:
            choices = ", ".join(repr(c) for c in _CHOICES[key])
            raise _Invalid(f"{label} must be one of {choices}, got {_show(value)}")
        return text
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Invalid(f"{label} must be an integer, got {_show(value)}")
        number: float = value
    elif kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _Invalid(f"{label} must be a number, got {_show(value)}")
        if not math.isfinite(value):
            raise _Invalid(f"{label} must be a finite number, got {_show(value)}")
        number = float(value)
    else:
        raise _Invalid(f"{label} cannot be set here")
    if key in minimum:
        bound, strict = minimum[key]
        if number < bound or (strict and number == bound):
            limit = f"greater than {bound}" if strict else f"at least {bound}"
            raise _Invalid(f"{label} must be {limit}, got {_show(value)}")
    return number


def _dns_value(name: str, value: Any, label: str) -> Any:
    if name == "nameservers":
        return tuple(_nameserver(item, label) for item in _strings(value, label))
    if name == "hosts":
        return _hosts(value, label)
    return _typed(name, _DNS_TYPES[name], value, label, _DNS_MINIMUM)


def _string(value: Any, label: str) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"{label} must be a string, got {_show(value)}")
    return value


def _text(value: Any, label: str) -> str:
    """A non-empty string, stripped."""
    text = _string(value, label).strip()
    if not text:
        raise _Invalid(f"{label} must not be empty")
    return text


def _strings(value: Any, label: str) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise _Invalid(f"{label} must be an array of strings, got {_show(value)}")
    return list(value)


def _plugins(value: Any, label: str) -> tuple[str, ...]:
    names: list[str] = []
    for item in _strings(value, label):
        name = item.strip()
        if not _MODULE_NAME.fullmatch(name):
            raise _Invalid(f"{label} entry {_show(item)} is not a Python module name "
                           "(like my_plugin.checks)")
        names.append(name)
    return tuple(dict.fromkeys(names))


def _fail_on(value: Any, label: str) -> str | None:
    if value not in _FAIL_ON or not isinstance(value, str):
        choices = ", ".join(_FAIL_ON)
        raise _Invalid(f"{label} must be one of {choices}; got {_show(value)}")
    return None if value == "none" else value


def _date(value: Any, label: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(value.strip())
    raise _Invalid(f"{label} must be a date (YYYY-MM-DD), got {_show(value)}")


def _http_url(value: Any, label: str) -> str:
    raw = _string(value, label)
    url = normalize(raw.strip())
    if url is None:
        guess = normalize(f"https://{raw.strip()}") if "://" not in raw else None
        hint = f" (did you mean {guess!r}?)" if guess and "." in host_of(guess) else ""
        raise _Invalid(f"{label} is not an http(s) URL: {raw!r}{hint}")
    return url


def _host_name(text: str) -> str | None:
    """`text` as a lower-case host name (IDN as punycode) or IP address, or None."""
    host = text.strip().lower().rstrip(".")
    with contextlib.suppress(ValueError):
        return str(ipaddress.ip_address(host[1:-1] if host.startswith("[") else host))
    if not host or any(char in host for char in "/\\:?#@ \t%"):
        return None
    converted = host_of(f"http://{host}/")
    return converted if _HOST_NAME.fullmatch(converted) and len(converted) <= 253 else None


def _extra_hosts(value: Any, label: str) -> tuple[str, ...]:
    hosts: list[str] = []
    for item in _strings(value, label):
        host = _host_name(item)
        if host is None:
            raise _Invalid(f"{label} entry {_show(item)} is not a host name "
                           "(no scheme, port or path, e.g. xxgk.example.gov.cn)")
        hosts.append(host)
    return tuple(dict.fromkeys(hosts))


def _nameserver(text: str, label: str) -> str:
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
        raise _Invalid(f"{label} entry {_show(text)} is not an IP address with an optional "
                       "port (e.g. 223.5.5.5, 223.5.5.5:53, [2400:3200::1]:53)")
    if has_port and not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
        raise _Invalid(f"{label} entry {_show(text)}: port must be 1-65535")
    return raw


def _hosts(value: Any, label: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if isinstance(value, list | tuple) and all(
            isinstance(v, list | tuple) and len(v) == 2 for v in value):
        value = dict(value)  # the Settings form, from a Python caller
    if not isinstance(value, Mapping):
        raise _Invalid(f"{label} must be a table of host = [\"address\", ...], "
                       f"got {_show(value)}")
    entries: dict[str, tuple[str, ...]] = {}
    for name, addresses in value.items():
        where: KeyPath = (name,)
        host = _host_name(str(name))
        if host is None:
            raise _Invalid(f"{label} entry {_show(name)} is not a host name", where)
        if host in entries:
            raise _Invalid(f"{label} lists {_show(host)} twice", where)
        if isinstance(addresses, str):
            addresses = [addresses]
        if not isinstance(addresses, list | tuple) or not addresses:
            raise _Invalid(f"{label} entry {_show(name)} must be a non-empty array of IP "
                           f"addresses, got {_show(addresses)}", where)
        ips: list[str] = []
        for address in addresses:
            try:
                ips.append(str(ipaddress.ip_address(str(address).strip().strip("[]"))))
            except ValueError:
                raise _Invalid(f"{label} entry {_show(name)}: {_show(address)} is not an IP "
                               "address", where) from None
        entries[host] = tuple(ips)
    return tuple(entries.items())


# ---------------------------------------------------------------------------
# Small helpers


def _flag(option: str) -> str:
    return _FLAG_NAMES.get(option, "--" + option.replace("_", "-"))


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(v, Mapping) for v in value)


def _show(value: Any) -> str:
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


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    return repr(value)
