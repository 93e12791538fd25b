"""Where each table and key of a TOML file is defined: the line numbers config errors name.

`tomllib` gives no positions for values, and no maintained TOML library for
Python gives positions for keys either, so `key_lines()` walks the raw text
itself. It is forgiving: it is only run on text `tomllib` accepted.
"""

from __future__ import annotations

import contextlib
import tomllib
from bisect import bisect_right
from collections.abc import Mapping
from typing import Final

KeyPath = tuple[str | int, ...]
"""Where a value sits: table names and keys, with a 0-based index for arrays of tables."""


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
