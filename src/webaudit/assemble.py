"""Settings for a run from what a caller gives: URLs and/or config files, then options.

`webaudit crawl TARGETS… --flags` and `webaudit.audit(targets, **options)` both
come through `build_settings`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from .config import load_config, merge_overrides
from .crawl.urls import host_of, normalize
from .errors import ConfigError
from .model import Site
from .settings import Settings


def site_from_url(url: str) -> Site:
    """A site named by its host, from a URL given on the command line."""
    normal = normalize(url.strip())
    if normal is None:
        guess = normalize(f"https://{url.strip()}") if "://" not in url else None
        hint = f" (did you mean {guess!r}?)" if guess and "." in host_of(guess) else ""
        raise ConfigError(f"not an http(s) URL: {url!r}{hint}")
    return Site(name=host_of(normal), url=normal)


def build_settings(targets: Iterable[str], options: Mapping[str, Any] | None = None) -> Settings:
    """Settings from URLs and/or `.toml` config paths, then option overrides (flag names).

    Config files are read in order (the first one's tables win; later files add their
    sites and accounts); URLs add sites not already named. Options with the value
    `None` (or an empty list) are "not given".
    """
    settings: Settings | None = None
    urls: list[Site] = []
    for target in targets:
        if target.lower().endswith(".toml"):
            loaded = load_config(target)
            if settings is None:
                settings = loaded
            else:
                settings = dataclasses.replace(
                    settings, sites=settings.sites + loaded.sites,
                    accounts=settings.accounts + loaded.accounts)
        else:
            urls.append(site_from_url(target))
    settings = settings or Settings()
    known = {s.url for s in settings.sites}
    names = {s.name for s in settings.sites}
    extra = []
    for site in urls:
        if site.url not in known:
            if site.name in names:
                site = dataclasses.replace(site, name=site.url)
            extra.append(site)
            known.add(site.url)
            names.add(site.name)
    settings = dataclasses.replace(settings, sites=settings.sites + tuple(extra))
    cleaned = {k: v for k, v in (options or {}).items() if v is not None and v != () and v != []}
    if cleaned:
        settings = merge_overrides(settings, cleaned)
    return settings
