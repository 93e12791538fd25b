"""The bundled demo: a small 政府门户网站 with planted defects, served on loopback.

`webaudit demo` serves `site.demo_spec()` with ``python -m webaudit.sitekit.httpserver``
and audits it; nothing leaves the machine.
"""

from __future__ import annotations

from .site import DEFECTS, HOST, demo_site, demo_spec

__all__ = ["DEFECTS", "HOST", "demo_site", "demo_spec"]
