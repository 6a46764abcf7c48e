"""Compiled kernels and the switch between them and their NumPy twins.

The hot phases (perception, movements, responses, war, regime change, home) exist
twice, side by side in their phase module: a NumPy version, written array by array, that
reads like the model's equations, and a Numba kernel that does the same work
in one fused loop over replicates x exporters x states, without temporaries.
NumPy spends most of a step on hundreds of small array passes; the kernels
remove them. The twins are tested against each other on the same world and the
same draws (``tests/unit/test_kernels.py``): they agree to rounding.

Both draw the same random numbers in the same order from the block's generator
(the phase draws them with NumPy, then hands them to the kernel), so a run's
randomness does not depend on the backend.

The backend is ``numba`` unless the environment variable ``REVEXPORT_BACKEND``
says ``numpy``; :func:`use_backend` switches it for a block of code (tests).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import numba
import numpy as np

from revexport.errors import RevexportError

BACKENDS = ("numba", "numpy")

Fn = TypeVar("Fn", bound=Callable[..., Any])


def _checked(name: str, origin: str) -> str:
    if name not in BACKENDS:
        raise RevexportError(f"{origin}: backend must be one of {set(BACKENDS)}; got {name!r}")
    return name


#: Set by :func:`use_backend`; otherwise the environment decides, when a phase asks.
_chosen: str | None = None


def kernel(fn: Fn) -> Fn:
    """Compile ``fn`` with Numba (no Python objects, cached on disk after the first call)."""
    return cast(Fn, numba.njit(cache=True, nogil=True)(fn))


def backend() -> str:
    """The backend in use: ``"numba"`` or ``"numpy"``.

    Raises
    ------
    RevexportError
        If ``REVEXPORT_BACKEND`` names neither.
    """
    if _chosen is not None:
        return _chosen
    return _checked(os.environ.get("REVEXPORT_BACKEND", "numba"), "REVEXPORT_BACKEND")


def compiled() -> bool:
    """True when the phases run their Numba kernels."""
    return backend() == "numba"


@kernel
def superpower_rows(superpower: Any) -> Any:  # pragma: no cover - compiled
    """Row of the first state of each bloc (West, East) among the superpowers, -1 if none."""
    rows = np.full(2, -1)
    for s in range(superpower.shape[0]):
        if superpower[s] >= 0 and rows[superpower[s]] < 0:
            rows[superpower[s]] = s
    return rows


@kernel
def mark_exporters(slot_state: Any, r: int, exporter: Any) -> None:  # pragma: no cover
    """Set ``exporter[s]`` to whether state ``s`` holds a sitting exporter in replicate ``r``."""
    exporter[:] = False
    for e in range(slot_state.shape[1]):
        if slot_state[r, e] >= 0:
            exporter[slot_state[r, e]] = True


@contextmanager
def use_backend(name: str) -> Iterator[None]:
    """Run the phases with ``name`` (``"numba"`` or ``"numpy"``) inside the ``with`` block."""
    global _chosen
    previous, _chosen = _chosen, _checked(name, "use_backend")
    try:
        yield
    finally:
        _chosen = previous
