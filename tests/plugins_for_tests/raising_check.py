"""A check whose `check_page` always raises: it must become one ``internal.check-error``."""

from __future__ import annotations

from typing import Any

from webaudit import hookimpl


class AlwaysRaises:
    id = "testplugin.always-raises"
    title = "A check that always raises"
    severity = "notice"

    def check_page(self, page: Any, ctx: Any) -> None:
        raise RuntimeError(f"cannot judge {page.url}")


@hookimpl
def register_checks(register: Any) -> None:
    register(AlwaysRaises())
