"""Recognise 18-digit 居民身份证号码 (GB 11643-1999) in text, strictly.

Precision first: a candidate counts only when it stands alone (no digit or letter
on either side), its first two digits are a province-level code, its birth date
is a real date between 1900 and the reference date, and its check digit is right.
A random 18-digit number passes all of that about once in 4,000 tries.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Final

PROVINCES: Final = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83",
})
WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS: Final = "10X98765432"
CANDIDATE: Final = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")


def check_digit(first17: str) -> str:
    """The GB 11643 (ISO 7064 MOD 11-2) check character for 17 digits."""
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def is_id_number(text: str, as_of: dt.date) -> bool:
    """True if `text` is a well-formed 18-digit ID number issued to someone born by `as_of`."""
    if len(text) != 18 or not text[:17].isdigit() or text[:2] not in PROVINCES:
        return False
    try:
        born = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    if not dt.date(1900, 1, 1) <= born <= as_of:
        return False
    return check_digit(text[:17]) == text[17].upper()


def find_id_numbers(text: str, as_of: dt.date) -> Iterator[str]:
    """Every valid ID number in `text`, in order (repeats included)."""
    for match in CANDIDATE.finditer(text):
        if is_id_number(match.group(0), as_of):
            yield match.group(0)


def mask(number: str) -> str:
    """Keep the region code and the last two characters: 110101**********3X."""
    return number[:6] + "*" * (len(number) - 8) + number[-2:]
