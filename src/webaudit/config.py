"""Load a TOML config file into `Settings`, validating every key (see docs/config.md).

Every problem is a `ConfigError` whose message is one line naming the file, the line
and the key, e.g. ``audit.toml:7: unknown key 'max_page' in [crawl] (did you mean
'max_pages'?)``. Lines come from `tomllines.key_lines()`; what a valid value is comes
from the declarations in `settings` (checked by `validate`), so the file, the flags
and plugin tables (`plugin_table`) share one set of rules and messages.

CLI flags (and `audit()` keyword options) go through `merge_overrides()`, which checks
them the same way; its errors name the flag (``--max-pages``) instead of a line.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import difflib
import hashlib
import json
import os
import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final, TypeVar

from . import validate
from .crawl.urls import host_of
from .errors import ConfigError
from .model import Account, Site
from .settings import CrawlSettings, Declared, DnsSettings, Settings, declared
from .tomllines import KeyPath, key_lines, line_of

__all__ = ["OPTIONS", "config_digest", "key_lines", "line_of", "load_config", "merge_overrides",
           "plugin_table", "settings_from_mapping"]

T = TypeVar("T")

CRAWL: Final = declared(CrawlSettings)
DNS: Final = declared(DnsSettings)
TOP: Final = declared(Settings)
_TOP_KEYS: Final = (*TOP, "crawl", "dns", "sites", "accounts", "plugin")
_TABLES: Final = frozenset({"crawl", "dns", "plugin"})
_ARRAYS_OF_TABLES: Final = frozenset({"sites", "accounts"})
_SITE_KEYS: Final = ("name", "url", "department", "extra_hosts")
_ACCOUNT_KEYS: Final = ("site", "platform", "name", "url")
_TOML_POSITION: Final = re.compile(r"\s*\((?:at line (\d+), column \d+|at end of document)\)\s*$")


@dataclasses.dataclass(frozen=True)
class Option:
    """A keyword option (and CLI flag): which table's setting it sets."""

    table: str  # "crawl", "dns" or "" (top level)
    setting: Declared

    @property
    def flag(self) -> str:
        return self.setting.info.flag or "--" + self.setting.option.replace("_", "-")


def _options() -> dict[str, Option]:
    options = {d.option: Option("crawl", d) for d in CRAWL.values()}
    for d in DNS.values():
        options[d.option] = options[f"dns_{d.name}"] = Option("dns", d)
    options.update({d.option: Option("", d) for d in TOP.values()})
    return options


OPTIONS: Final = _options()
"""Keyword options (`audit()`, `merge_overrides`) by name; those with a `flag` are CLI flags."""


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
            values["crawl"] = CrawlSettings(**_section(ctx, value, path, CRAWL))
        elif key == "dns":
            values["dns"] = DnsSettings(**_section(ctx, value, path, DNS))
        elif key == "sites":
            values["sites"] = _sites(ctx, value)
        elif key == "accounts":
            accounts = value  # checked once every site is known
        elif key == "plugin":
            values["plugin_config"] = _plugin_tables(ctx, value)
        elif key in TOP:
            with ctx.at(path):
                values[key] = TOP[key].check(value, f"{key!r}")
        else:
            raise ctx.unknown(key, value, path, "at top level", _TOP_KEYS)
    if accounts is not None:
        values["accounts"] = _accounts(ctx, accounts, values.get("sites", ()))
    settings = Settings(**values, source=source, key_lines=ctx.lines)
    if overrides:
        settings = merge_overrides(settings, overrides)
    return settings


def merge_overrides(settings: Settings, overrides: Mapping[str, Any]) -> Settings:
    """`settings` with option values (CLI flags, `audit()` keywords) put over the file's.

    Names are the `OPTIONS`: any `[crawl]` key, `nameservers`, `hosts`, `dns_timeout`
    (also `dns_nameservers`, `dns_hosts`), `plugins`, `fail_on`, `as_of`. `None` means
    "not given". `plugins` are added to the file's; every other option replaces the
    file's value. Errors name the flag, e.g. ``--max-pages``.
    """
    changes: dict[str, dict[str, Any]] = {"crawl": {}, "dns": {}, "": {}}
    for key, value in overrides.items():
        if value is None:
            continue
        option = OPTIONS.get(key)
        if option is None:
            close = difflib.get_close_matches(key, list(OPTIONS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"unknown option {key!r}{hint}", key=key)
        try:
            checked = option.setting.check(value, option.flag)
        except validate.Invalid as exc:
            raise ConfigError(str(exc), key=key) from None
        if option.setting.name == "plugins":
            checked = tuple(dict.fromkeys((*settings.plugins, *checked)))
        changes[option.table][option.setting.name] = checked
    return dataclasses.replace(
        settings,
        crawl=dataclasses.replace(settings.crawl, **changes["crawl"]),
        dns=dataclasses.replace(settings.dns, **changes["dns"]),
        **changes[""],
    )


def plugin_table(settings: Settings, name: str, cls: type[T]) -> T:
    """`Settings.plugin_table`: the ``[plugin.NAME]`` table validated against `cls`."""
    fields = declared(cls)
    table = settings.plugin_config.get(name, {})
    ctx = _FileContext(settings.source, settings.key_lines)
    label = f"[plugin.{name}]"
    values: dict[str, Any] = {}
    for key, value in table.items():
        path: KeyPath = ("plugin", name, key)
        if key not in fields:
            raise ctx.unknown(key, value, path, f"in {label}", list(fields), {})
        with ctx.at(path):
            values[key] = fields[key].check(value, f"{label} {key!r}")
    missing = [key for key, d in fields.items() if key not in values
               and d.default is dataclasses.MISSING]
    if missing:
        raise ctx.error(f"{label} is missing {missing[0]!r}", ("plugin", name))
    return cls(**values)


def config_digest(settings: Settings) -> str:
    """SHA-256 (hex) of a canonical JSON form of `settings`, without `source`, `as_of` and
    the key positions."""
    data = dataclasses.asdict(settings)
    del data["source"], data["as_of"], data["key_lines"]
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=_json_default)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------
# Line numbers and messages


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
        except validate.Invalid as exc:
            raise self.error(str(exc), (*path, *exc.where)) from None

    def unknown(self, key: str, value: Any, path: KeyPath, where: str,
                choices: Sequence[str], belongs: Mapping[str, str] | None = None) -> ConfigError:
        """An unknown key or table, with the table it belongs in or a did-you-mean."""
        is_table = path == (key,) and (isinstance(value, Mapping)
                                       or (bool(value) and validate.is_table_array(value)))
        if not is_table:
            what = f"key {key!r} {where}"
        elif isinstance(value, Mapping):
            what = f"table [{key}]"
        else:
            what = f"table [[{key}]]"
        if belongs is None:
            belongs = {**{k: "[dns]" for k in DNS}, **{k: "[crawl]" for k in CRAWL}}
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
            raise self.error(f"{label} must be a table, got {validate.show(value)}", path)
        return value


def _display_key(key: str) -> str:
    if key in _TABLES:
        return f"[{key}]"
    if key in _ARRAYS_OF_TABLES:
        return f"[[{key}]]"
    return repr(key)


def _section(ctx: _FileContext, value: Any, path: KeyPath,
             fields: Mapping[str, Declared]) -> dict[str, Any]:
    name = str(path[0])
    table = ctx.table(value, path, f"[{name}]")
    values: dict[str, Any] = {}
    for key, item in table.items():
        kpath = (*path, key)
        if key not in fields:
            raise ctx.unknown(key, item, kpath, f"in [{name}]", list(fields))
        with ctx.at(kpath):
            values[key] = fields[key].check(item, repr(key))
    return values


def _sites(ctx: _FileContext, value: Any) -> tuple[Site, ...]:
    if not validate.is_table_array(value):
        raise ctx.error(f"'sites' must be an array of tables ([[sites]]), got {validate.show(value)}",
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
            url = validate.http_url(table["url"], f"{label} 'url'")
        name = host_of(url)
        if "name" in table:
            with ctx.at((*path, "name")):
                name = validate.text(table["name"], f"{label} 'name'")
        if name in named:
            which = "'name'" if "name" in table else "name (its URL's host)"
            key = "name" if "name" in table else "url"
            raise ctx.error(f"{label} {which} {validate.show(name)} is already used by [[sites]] "
                            f"#{named[name] + 1}", (*path, key))
        named[name] = index
        department = None
        if "department" in table:
            with ctx.at((*path, "department")):
                department = validate.string(table["department"], f"{label} 'department'").strip() or None
        hosts: tuple[str, ...] = ()
        if "extra_hosts" in table:
            with ctx.at((*path, "extra_hosts")):
                hosts = validate.extra_hosts(table["extra_hosts"], f"{label} 'extra_hosts'")
        sites.append(Site(name=name, url=url, department=department, extra_hosts=hosts))
    return tuple(sites)


def _accounts(ctx: _FileContext, value: Any, sites: Sequence[Site]) -> tuple[Account, ...]:
    if not validate.is_table_array(value):
        raise ctx.error(f"'accounts' must be an array of tables ([[accounts]]), "
                        f"got {validate.show(value)}", ("accounts",))
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
                    fields[key] = validate.text(table[key], f"{label} 'url'")
                    validate.http_url(fields[key], f"{label} 'url'")
                else:
                    fields[key] = validate.text(table[key], f"{label} {key!r}")
        if fields["site"] not in names:
            close = difflib.get_close_matches(fields["site"], names, n=1)
            hint = (f" (did you mean {validate.show(close[0])}?)" if close
                    else " (no [[sites]] in this file)" if not names else "")
            raise ctx.error(f"{label} 'site' {validate.show(fields['site'])} does not name a "
                            f"[[sites]] entry{hint}", (*path, "site"))
        accounts.append(Account(**fields))
    return tuple(accounts)


def _plugin_tables(ctx: _FileContext, value: Any) -> dict[str, Any]:
    table = ctx.table(value, ("plugin",), "[plugin]")
    for name, item in table.items():
        if not isinstance(item, Mapping):
            raise ctx.error(f"[plugin] {name!r} must be a table ([plugin.{name}]), "
                            f"got {validate.show(item)}", ("plugin", name))
    return {name: dict(item) for name, item in table.items()}



def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    return repr(value)
