"""Public names of a package imported on first use (PEP 562).

A command that runs no model (``revexport --help``, ``scenarios``, ``params``) should not load
Numba and pandas because the package's ``__init__`` names what lives beside them.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(package: str, public: Mapping[str, str]
               ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module-level ``__getattr__`` and ``__dir__`` of ``package``, whose public names
    (``public``: name -> the module that defines it) are imported when first read."""
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str) -> Any:
        if name in public:
            value = getattr(importlib.import_module(public[name]), name)
            namespace[name] = value  # found once; later lookups do not come back here
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*namespace, *public})

    return __getattr__, __dir__
