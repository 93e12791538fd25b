"""The webaudit exception tree.

    WebauditError          (exit code 3 when nothing more specific applies)
     ├── ConfigError        a config file, flag or plugin table is wrong (exit code 2)
     └── PluginError        a plugin cannot be loaded or registered (exit code 2)

Network failures on a site are not exceptions: they are `FetchResult.error`
values that checks turn into findings. Failures of plugin hooks during a run are
not raised either: they are `ErrorRecord`s in the report's ``errors``.
"""

from __future__ import annotations


class WebauditError(Exception):
    """Base class of every error webaudit raises on purpose."""

    exit_code = 3


class ConfigError(WebauditError):
    """A config file, flag or argument is wrong. The message is one line."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 key: str | None = None) -> None:
        self.path = path
        self.line = line
        self.key = key
        where = ""
        if path:
            where = path if line is None else f"{path}:{line}"
            where += ": "
        super().__init__(f"{where}{message}")


class PluginError(WebauditError):
    """A plugin could not be imported or registered."""

    exit_code = 2

