"""The Numba kernels against their NumPy twins: same world, same draws, same result."""

from __future__ import annotations

import copy
import dataclasses
import importlib

import numpy as np
import pytest

from revexport.engine import kernels
from revexport.engine.context import StepContext
from revexport.engine.state import World
from revexport.engine.step import PHASES, step
from revexport.errors import RevexportError
from revexport.outcomes.recorder import BlockRecorder

#: The phases with a Numba kernel beside their NumPy form.
KERNEL_PHASES = {"perception", "movements", "responses", "war", "regime", "home"}


def test_every_hot_phase_has_a_compiled_kernel() -> None:
    for name in KERNEL_PHASES:
        module = importlib.import_module(f"revexport.engine.phases.{name}")
        compiled = [v for k, v in vars(module).items() if k.endswith("_kernel")]
        assert compiled and all(hasattr(k, "py_func") for k in compiled), name


def _assert_same_world(a: World, b: World, where: str) -> None:
    for f in dataclasses.fields(World):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            if x.dtype.kind == "f":
                np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12,
                                           err_msg=f"{where}: {f.name}")
            else:
                np.testing.assert_array_equal(x, y, err_msg=f"{where}: {f.name}")


def _worlds(make_world, doctrine: str, stops: tuple[int, ...]):  # type: ignore[no-untyped-def]
    """Worlds at several steps of a run (NumPy backend), with wars, coalitions and falls."""
    _, world, ctx = make_world(n=300, seed=3, doctrine=doctrine, strike_hazard=0.3,
                               regime_hazard=0.02, new_exporter_slots=2)
    out = []
    with kernels.use_backend("numpy"):
        for t in range(max(stops) + 1):
            if t in stops:
                out.append((t, copy.deepcopy(world), ctx))
            step(world, ctx)
    return out


@pytest.mark.parametrize("doctrine", ["militant", "historical", "nationalist"])
def test_each_kernel_matches_its_numpy_twin(make_world, doctrine: str) -> None:  # type: ignore[no-untyped-def]
    checked = 0
    worlds = _worlds(make_world, doctrine, (0, 5, 30, 90))
    late = worlds[-1][1]
    # Under the forceful doctrines the comparison covers wars, coalitions and fallen regimes.
    if doctrine != "nationalist":
        assert late.war.any() and late.coalition.any() and (late.anchor_legitimacy == 0.5).any()
    for t, world, ctx in worlds:
        # Bring the world to the start of each phase with the NumPy twins, then run the phase
        # both ways from copies of the world and of the generator.
        w = copy.deepcopy(world)
        rng = copy.deepcopy(ctx.rng)
        c = StepContext(static=ctx.static, params=ctx.params, groups=ctx.groups, rng=rng)
        for name, phase in PHASES:
            if name in KERNEL_PHASES:
                outcomes = []
                for backend in ("numpy", "numba"):
                    wb = copy.deepcopy(w)
                    cb = dataclasses.replace(c, rng=copy.deepcopy(c.rng))
                    with kernels.use_backend(backend):
                        phase(wb, cb)
                    outcomes.append((wb, cb.rng.bit_generator.state))
                _assert_same_world(outcomes[0][0], outcomes[1][0], f"{doctrine}, step {t}, {name}")
                assert outcomes[0][1] == outcomes[1][1], f"{name}: the backends drew differently"
                checked += 1
            with kernels.use_backend("numpy"):
                phase(w, c)
    assert checked == 4 * len(KERNEL_PHASES)


@pytest.mark.parametrize("doctrine", ["historical", "militant"])
def test_whole_runs_agree(make_world, doctrine: str) -> None:  # type: ignore[no-untyped-def]
    """Over the whole of 1979-1990 the two backends give the same world and the same record.

    Only rounding separates them (a sum taken in another order), so a comparison against a
    uniform draw could in principle flip; over these runs none does."""
    static, w1, c1 = make_world(n=100, seed=5, doctrine=doctrine)
    w2, c2 = copy.deepcopy(w1), dataclasses.replace(c1, rng=copy.deepcopy(c1.rng))
    records = []
    for w, c, backend in ((w1, c1, "numpy"), (w2, c2, "numba")):
        rec = BlockRecorder(w.n_replicates, static.n_steps)
        c.sink = rec
        with kernels.use_backend(backend):
            for _ in range(static.n_steps):
                step(w, c)
        records.append(rec)
    _assert_same_world(w1, w2, "at the end")
    np.testing.assert_allclose(records[0].metrics, records[1].metrics, rtol=1e-9, atol=1e-12)
    assert records[0].events.arrays().keys() == records[1].events.arrays().keys()
    for k, v in records[0].events.arrays().items():
        np.testing.assert_array_equal(v, records[1].events.arrays()[k], err_msg=k)
    assert np.nansum(records[0].metrics[:, :, 4]) > 0  # wars were fought


def test_unknown_backend_is_a_one_line_error() -> None:
    with pytest.raises(RevexportError, match=r"backend must be one of .*got 'fortran'"):
        with kernels.use_backend("fortran"):
            pass


def test_backend_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVEXPORT_BACKEND", "numpy")
    assert kernels.backend() == "numpy" and not kernels.compiled()
    with kernels.use_backend("numba"):
        assert kernels.compiled()
    monkeypatch.setenv("REVEXPORT_BACKEND", "cuda")
    with pytest.raises(RevexportError, match=r"^REVEXPORT_BACKEND: backend must be one of"):
        kernels.backend()
