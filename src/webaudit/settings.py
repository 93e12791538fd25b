"""Typed run settings, each declared once: type, bound, default, flag and help.

A setting is a dataclass field made with `setting()`; its `SettingInfo` is what
the config loader validates against, what the ``webaudit crawl`` options are
generated from, and what a test holds docs/config.md to. The field names are the
config keys (and, with dashes, the flags). Plugins declare their own
``[plugin.NAME]`` tables the same way and read them with `Settings.plugin_table`.

Only data here: the checks live in `validate`, file loading in `config`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeVar

from . import validate
from .model import Account, Site
from .net import NETWORK_BACKENDS

T = TypeVar("T")
METADATA_KEY: Final = "webaudit"


@dataclass(frozen=True, slots=True)
class SettingInfo:
    """How one setting is checked, offered on the command line and documented.

    `minimum` bounds numbers (``>`` when `exclusive`); `choices` lists the strings
    allowed; `parse` replaces the type-based check for values with their own syntax
    (it gets the value and the label and raises `validate.Invalid`). `option` is the
    keyword-option name where it differs from the key (``dns_timeout``); `flag`
    the ``webaudit crawl`` flag, when the setting has one. `type_doc` and
    `default_doc` spell the type and default for docs/config.md where they are not
    derived from the field.
    """

    help: str
    minimum: int | float | None = None
    exclusive: bool = False
    choices: tuple[str, ...] = ()
    parse: Callable[[Any, str], Any] | None = None
    option: str | None = None
    flag: str | None = None
    multiple: bool = False
    metavar: str | None = None
    type_doc: str | None = None
    default_doc: str | None = None


def setting(default: Any = dataclasses.MISSING, *, help: str,
            default_factory: Any = dataclasses.MISSING, **info: Any) -> Any:
    """A dataclass field declared as a setting (see `SettingInfo` for the keywords)."""
    metadata = {METADATA_KEY: SettingInfo(help=help, **info)}
    if default_factory is not dataclasses.MISSING:
        return field(default_factory=default_factory, metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True, slots=True)
class Declared:
    """One declared setting of a settings class, with its resolved type."""

    name: str
    kind: Any
    info: SettingInfo
    default: Any

    @property
    def option(self) -> str:
        return self.info.option or self.name

    def check(self, value: Any, label: str) -> Any:
        """`value` in its typed form, or `validate.Invalid` naming `label`."""
        info = self.info
        if info.parse is not None:
            return info.parse(value, label)
        return validate.typed(self.kind, value, label, minimum=info.minimum,
                              exclusive=info.exclusive, choices=info.choices)

    @property
    def type_text(self) -> str:
        """The type as docs/config.md spells it (``int ≥ 1``, ``number > 0``, ``bool``…)."""
        info = self.info
        if info.type_doc is not None:
            return info.type_doc
        names = {bool: "bool", int: "int", float: "number", str: "string"}
        text = names.get(self.kind, "array of strings")
        if info.minimum is not None:
            text += f" {'>' if info.exclusive else '≥'} {info.minimum}"
        return text

    @property
    def default_text(self) -> str:
        """The default as docs/config.md spells it (``5000``, ``15.0``, ``false``…)."""
        if self.info.default_doc is not None:
            return self.info.default_doc
        value = self.default
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            return f'"{value}"'
        if isinstance(value, tuple):
            return "[]" if not value else "[" + ", ".join(f'"{v}"' for v in value) + "]"
        return "none" if value is None else str(value)


def declared(cls: type[Any]) -> dict[str, Declared]:
    """The settings `cls` declares with `setting()`, by key, in declaration order."""
    hints = typing.get_type_hints(cls)
    found: dict[str, Declared] = {}
    for f in dataclasses.fields(cls):
        info = f.metadata.get(METADATA_KEY)
        if info is None:
            continue
        default = (f.default if f.default is not dataclasses.MISSING
                   else f.default_factory() if f.default_factory is not dataclasses.MISSING
                   else dataclasses.MISSING)
        found[f.name] = Declared(f.name, hints[f.name], info, default)
    return found


@dataclass(frozen=True)
class CrawlSettings:
    """The ``[crawl]`` table: bounds of the crawl, per site unless noted."""

    max_pages: int = setting(5000, minimum=1, flag="--max-pages",
                             help="HTML pages parsed per site.")
    max_depth: int = setting(50, minimum=0, flag="--max-depth",
                             help="Link depth from the homepage (the homepage is depth 0).")
    concurrency: int = setting(32, minimum=1, flag="--concurrency",
                               help="Requests in flight in all (every site of the run).")
    per_host: int = setting(8, minimum=1, flag="--per-host",
                            help="Requests in flight to one host (every site of the run).")
    parallel_sites: int = setting(4, minimum=1, flag="--parallel-sites",
                                  help="Sites crawled at the same time.")
    timeout: float = setting(15.0, minimum=0, exclusive=True, flag="--timeout",
                             help="Connect and read timeout, seconds.")
    total_timeout: float = setting(60.0, minimum=0, exclusive=True,
                                   help="One request including its body and retry waits, seconds.")
    time_budget: float = setting(3600.0, minimum=0, exclusive=True,
                                 help="Time for a whole site, seconds.")
    max_bytes: int = setting(5 * 1024 * 1024, minimum=1,
                             help="Body bytes read per response; longer bodies are cut.")
    max_decompressed: int = setting(20 * 1024 * 1024, minimum=1,
                                    help="Body bytes after decompression.")
    retries: int = setting(2, minimum=0,
                           help="Retries after a timeout, connection error, 429 or 5xx.")
    backoff: float = setting(0.5, minimum=0,
                             help="First retry wait, seconds; doubles on each retry.")
    max_retry_after: float = setting(30.0, minimum=0,
                                     help="Longest Retry-After honoured, seconds.")
    max_redirects: int = setting(10, minimum=0, help="Redirect hops followed per request.")
    ignore_robots: bool = setting(False, flag="--ignore-robots", help="Do not obey robots.txt.")
    user_agent: str = setting("webaudit/0.2 (+https://pypi.org/project/webaudit/)",
                              help="The User-Agent header.")
    prefer_ipv4: bool = setting(True, help="Try IPv4 addresses before IPv6.")
    http2: bool = setting(True, help="Offer HTTP/2 over TLS.")
    network_backend: str = setting(
        "asyncio", choices=NETWORK_BACKENDS, type_doc='`"asyncio"` or `"httpcore"`',
        help="Sockets under the HTTP client: webaudit's own asyncio backend, or httpcore's "
             "anyio one.")
    check_external: bool = setting(True, help="Also check links to other sites.")
    max_url_length: int = setting(512, minimum=1,
                                  help="Longer URLs are skipped as crawler traps.")
    max_repeated_segments: int = setting(
        3, minimum=1, help="URLs repeating one path segment more often are skipped.")
    max_query_variants: int = setting(50, minimum=1,
                                      help="Query-string variants crawled per path.")
    max_referrers: int = setting(20, minimum=0,
                                 help="Referring pages kept per broken link in the report.")
    fetch_cache_entries: int = setting(
        2048, minimum=0, help="Fetch results the run keeps so no URL is fetched twice the "
                              "same way (0: no cache).")


@dataclass(frozen=True)
class DnsSettings:
    """The ``[dns]`` table."""

    nameservers: tuple[str, ...] = setting(
        (), parse=validate.nameservers, flag="--nameserver", multiple=True, metavar="HOST[:PORT]",
        help="DNS servers to resolve through, IP[:PORT] (the flag is repeatable; "
             "default: the system's).")
    timeout: float = setting(5.0, minimum=0, exclusive=True, option="dns_timeout",
                             flag="--dns-timeout", help="Seconds to wait for a DNS answer.")
    hosts: tuple[tuple[str, tuple[str, ...]], ...] = setting(
        (), parse=validate.static_hosts, type_doc="table", default_doc="{}",
        help="Static answers, like /etc/hosts: host name → IP addresses.")


FailOn = Literal["veto", "error", "warning", "notice"] | None


@dataclass(frozen=True)
class Settings:
    """Everything a run needs: the tables above, the sites, and the top-level keys."""

    crawl: CrawlSettings = field(default_factory=CrawlSettings)
    dns: DnsSettings = field(default_factory=DnsSettings)
    sites: tuple[Site, ...] = ()
    accounts: tuple[Account, ...] = ()
    plugins: tuple[str, ...] = setting(
        (), parse=validate.module_names, flag="--plugin", multiple=True, metavar="MODULE",
        help="Plugin modules to load without installing them (the flag is repeatable).")
    fail_on: FailOn = setting(
        "error", parse=validate.fail_on, flag="--fail-on", type_doc="string",
        default_doc='"error"', metavar="|".join(validate.FAIL_ON_CHOICES),
        help="Exit 1 when a finding is at least this severe (default: error).")
    as_of: dt.date = setting(
        default_factory=dt.date.today, parse=validate.date, flag="--as-of", metavar="YYYY-MM-DD",
        type_doc="date", default_doc="today",
        help="Reference date for date-based checks (default: today).")
    source: str | None = None  # the config file this came from, if any
    plugin_config: dict[str, Any] = field(default_factory=dict)  # [plugin.NAME] tables, as parsed
    key_lines: Mapping[tuple[str | int, ...], int] = field(
        default_factory=dict, compare=False, repr=False)  # where each key is in `source`

    def plugin_table(self, name: str, cls: type[T]) -> T:
        """The ``[plugin.NAME]`` table validated against `cls`, a dataclass whose fields
        are declared with `setting()` (missing keys take their defaults).

        A bad table raises `ConfigError` naming the file, the line and the key, with a
        did-you-mean for a misspelt key, as for webaudit's own tables.
        """
        from .config import plugin_table

        return plugin_table(self, name, cls)
