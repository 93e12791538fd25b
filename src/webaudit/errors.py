"""The webaudit exception tree.

    WebauditError
     ├── ConfigError        a config file or flag is wrong (exit code 2)
     ├── PluginError        a plugin cannot be loaded (exit code 2)
     └── RunError           the run itself could not go on (exit code 3)

Network failures on a site are not exceptions: they are `FetchResult.error`
values that checks turn into findings.
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


class CrawlAborted(WebauditError):
    """The run could not go on at all (not one site could be started)."""

    exit_code = 3
