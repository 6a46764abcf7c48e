"""How the model's equations are compiled: one decorator, used by the engine and the doctrines.

Every phase of the step and the decision kernel is written once, as plain Python loops over
replicates, exporters and states, and compiled by Numba (``nopython``, cached on disk after
the first call). Run with the environment variable ``NUMBA_DISABLE_JIT=1`` and the same source
runs as ordinary Python: slow, but every line can be stepped through in a debugger.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import numba

Fn = TypeVar("Fn", bound=Callable[..., Any])


def kernel(fn: Fn) -> Fn:
    """Compile ``fn`` with Numba: no Python objects, no GIL, cached on disk after the first call."""
    return cast(Fn, numba.njit(cache=True, nogil=True, error_model="numpy")(fn))


def cell(fn: Fn) -> Fn:
    """Compile a small formula that phases call inside their loops, inlined into each caller.

    Inlining matters: a call that is not inlined copies the world's record (dozens of arrays)
    at every cell.
    """
    return cast(Fn, numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")(fn))


def is_cached(fn: Any) -> bool:
    """Whether a compiled function has a cache on disk (False before the first run compiles)."""
    try:
        return Path(fn._cache._cache_file._index_path).exists()
    except AttributeError:  # not compiled (NUMBA_DISABLE_JIT) or no cache
        return True


def engine_name() -> str:
    """``"numba"``, or ``"python"`` when ``NUMBA_DISABLE_JIT`` runs the source uncompiled."""
    return "python" if getattr(numba.config, "DISABLE_JIT", False) else "numba"
