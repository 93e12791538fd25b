"""Let the tests import webaudit_pii from src/ when the package is not installed."""

from __future__ import annotations

import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parent / "src")
if SRC not in sys.path:
    sys.path.insert(0, SRC)
