"""`internal.check-error`: a check that raised. Registered so `webaudit checks` lists it."""

from __future__ import annotations

from collections.abc import Callable

from ..checkrunner import CHECK_ERROR_ID
from ..checktypes import Check
from ..hookspecs import hookimpl
from .base import BaseCheck


class CheckError(BaseCheck):
    id = CHECK_ERROR_ID
    title = "A check raised an exception (the crawl went on)"
    severity = "error"
    description = ("Evidence names the plugin, the check, the method and the error. "
                   "Reported once per check and site; `count` says how often it failed.")


@hookimpl
def register_checks(register: Callable[[Check], None]) -> None:
    register(CheckError())
