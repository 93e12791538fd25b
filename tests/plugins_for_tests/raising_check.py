"""A check whose `check_page` always raises: it must become one ``internal.check-error``."""

from __future__ import annotations

from collections.abc import Callable

from webaudit import Check, Page, hookimpl


class AlwaysRaises:
    id = "testplugin.always-raises"
    title = "A check that always raises"
    severity = "notice"

    def check_page(self, page: Page) -> None:
        raise RuntimeError(f"cannot judge {page.url}")


@hookimpl
def register_checks(register: Callable[[Check], None]) -> None:
    register(AlwaysRaises())
