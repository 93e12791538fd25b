"""The one way webaudit calls a hook's implementations one by one.

pluggy calls a hook's implementations in one go and stops at the first that
raises; webaudit needs more for its per-implementation hooks: each implementation
gets only the keyword arguments it accepts, an ``async def`` one is awaited, and
one that raises is handed to the caller's `on_error` (which records it, or raises
to stop the run) while the others still run. Hook wrappers are refused when a
plugin is registered (`plugins.PluginManager`), so nothing here has to run them.

`skip_url` and `prepare_request` run for every URL and request: they are called
through pluggy directly (synchronous, no per-implementation isolation).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from pluggy import HookCaller, HookImpl

OnError = Callable[[HookImpl, Exception], None]
"""Called with the implementation and its exception; may raise to stop the calls."""


def call_order(hook: HookCaller) -> list[HookImpl]:
    """The implementations in the order pluggy would call them (last registered first,
    ``tryfirst`` / ``trylast`` honoured)."""
    return list(reversed(hook.get_hookimpls()))


def accepted(impl: HookImpl, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments `impl` declares (an implementation may take any subset)."""
    return {name: kwargs[name] for name in impl.argnames if name in kwargs}


def call_each_sync(hook: HookCaller, kwargs: Mapping[str, Any], *, on_error: OnError,
                   before: Callable[[HookImpl], None] | None = None,
                   registration_order: bool = False) -> list[Any]:
    """Call every implementation of a hook that must be synchronous; their results, in order.

    `registration_order` calls the first registered first (built-in plugins before
    installed ones), for ``register_*`` hooks whose registries name the first owner
    of an id. An implementation that returns an awaitable is an error of that plugin
    (the awaitable is closed, never run).
    """
    results: list[Any] = []
    impls = hook.get_hookimpls() if registration_order else call_order(hook)
    for impl in impls:
        if before is not None:
            before(impl)
        try:
            value = impl.function(**accepted(impl, kwargs))
            if inspect.isawaitable(value):
                _close(value)
                raise TypeError(f"{hook.name} must be synchronous, but "
                                f"{impl.function.__qualname__} returned an awaitable")
        except Exception as exc:
            on_error(impl, exc)
            continue
        results.append(value)
    return results


async def call_each(hook: HookCaller, kwargs: Mapping[str, Any], *, on_error: OnError,
                    before: Callable[[HookImpl], None] | None = None) -> list[Any]:
    """Call every implementation of a hook that may be async; awaited results, in order."""
    results: list[Any] = []
    for impl in call_order(hook):
        if before is not None:
            before(impl)
        try:
            value = impl.function(**accepted(impl, kwargs))
            if inspect.isawaitable(value):
                value = await value
        except Exception as exc:
            on_error(impl, exc)
            continue
        results.append(value)
    return results


def _close(value: Any) -> None:
    close = getattr(value, "close", None)
    if callable(close):
        close()
