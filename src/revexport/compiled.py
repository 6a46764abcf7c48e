"""How the model's equations are compiled: one decorator, used by the engine and the doctrines.

Every phase of the step and the decision kernel is written once, as plain Python loops over
replicates, exporters and states, and compiled by Numba (``nopython``, cached on disk after
the first call). Run with the environment variable ``NUMBA_DISABLE_JIT=1`` and the same source
runs as ordinary Python: slow, but every line can be stepped through in a debugger.

The compiled code is cached in a directory named after a hash of the compiled sources
(under ``NUMBA_CACHE_DIR`` if set, else the user's cache directory). Numba checks a cached
function against its own file only; keying the directory on every compiled file means a change
to a shared formula never leaves a caller compiled against the old one.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import numba

Fn = TypeVar("Fn", bound=Callable[..., Any])

_PACKAGE = Path(__file__).resolve().parent
#: The sources whose compiled code is cached: every module that defines or calls a kernel.
_COMPILED_SOURCES = ("compiled.py", "codes.py", "engine", "doctrines")


def _sources_hash() -> str:
    digest = hashlib.sha256(numba.__version__.encode())
    for name in _COMPILED_SOURCES:
        path = _PACKAGE / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.relative_to(_PACKAGE).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def _cache_dir() -> Path:
    base = os.environ.get("NUMBA_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "revexport", "numba")
    return Path(base) / _sources_hash()


# Set before any function below is decorated: Numba picks a cache locator at decoration.
setattr(numba.config, "CACHE_DIR", str(_cache_dir()))  # noqa: B010 (no stub declares it)


def kernel(fn: Fn) -> Fn:
    """Compile ``fn`` with Numba: no Python objects, no GIL, cached on disk after the first call."""
    return cast(Fn, numba.njit(cache=True, nogil=True, error_model="numpy")(fn))


def cell(fn: Fn) -> Fn:
    """Compile a small formula that phases call inside their loops, inlined into each caller.

    Cells take the arrays they read, never a whole record: a call carrying dozens of arrays
    costs more than the formula.
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
