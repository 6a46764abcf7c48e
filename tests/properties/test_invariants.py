"""Invariants over the declared parameter ranges: finite, in bounds, counts consistent."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revexport.doctrines.registry import doctrine_names, get_doctrine
from revexport.engine import kernels
from revexport.engine.context import StepContext
from revexport.engine.run import doctrine_groups
from revexport.engine.state import ALIGNED, Static, initial_world
from revexport.engine.step import step
from revexport.params import Parameters
from revexport.scenario import load_scenario

SCENARIOS = {name: load_scenario(name) for name in ("middle-east-1979", "synthetic:25:4")}


def parameter_sets() -> st.SearchStrategy[dict[str, float]]:
    """Any values inside the declared ranges (integers where declared)."""
    fields = {}
    for s in Parameters.specs():
        if s.integer:
            fields[s.name] = st.integers(int(s.low), int(s.high)).map(float)
        else:
            fields[s.name] = st.floats(s.low, s.high, allow_nan=False)
    return st.fixed_dictionaries(fields)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=parameter_sets(), doctrine=st.sampled_from(doctrine_names()),
       scenario=st.sampled_from(sorted(SCENARIOS)), seed=st.integers(0, 2**32 - 1),
       article154=st.booleans())
def test_state_stays_finite_and_in_bounds(values, doctrine, scenario, seed, article154) -> None:
    params = Parameters().with_overrides(values)
    static = Static.from_scenario(SCENARIOS[scenario], params, doctrine=doctrine,
                                  article154=article154)
    n = 8
    world = initial_world(static, params, n)
    groups = doctrine_groups(static, {d: get_doctrine(d) for d in set(static.slot_doctrine)})
    for g in groups:
        world.doctrine_memory[g.key] = g.doctrine.init_memory(n, len(g.slots))
    ctx = StepContext(static=static, params=params, groups=groups, rng=np.random.default_rng(seed))
    for _ in range(30):
        step(world, ctx)
        for name in ("economy", "capability", "cohesion", "legitimacy", "repression", "movement",
                     "aid", "intent", "proximity", "weariness", "shares", "spend", "rally"):
            arr = getattr(world, name)
            assert np.all(np.isfinite(arr)), name
            assert np.all(arr >= 0), name
        for name in ("cohesion", "legitimacy", "repression", "movement", "intent", "proximity",
                     "weariness", "anchor_legitimacy", "anchor_repression"):
            assert np.all(getattr(world, name) <= 1.0), name
        active = world.slot_state >= 0
        # Shares of a sitting exporter sum to 1 (0 in the month a new one takes its slot,
        # after the decision phase); an empty slot spends nothing.
        sums = world.shares.sum(axis=-1)[active]
        assert np.all(np.isclose(sums, 1.0) | (sums == 0))
        assert np.all(world.spend[~active] == 0)
        # Counts are consistent: wars only with sitting exporters, no state in two roles.
        assert not np.any(world.war & ~active[..., None])
        exporters = world.exporter_mask()
        assert not np.any(world.coalition & exporters)
        assert not np.any(world.coalition & (world.regime == ALIGNED))
        assert not np.any(world.coalition[:, static.superpower >= 0])
        assert np.all(world.movement[exporters] == 0)
        assert np.all(exporters.sum(axis=1) == active.sum(axis=1))
        assert np.all(world.war_months[world.war] >= 0)
        if article154 or static.article154:
            assert np.all(world.shares[..., 3:5] == 0)  # no support, no covert action


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=parameter_sets(), doctrine=st.sampled_from(doctrine_names()),
       scenario=st.sampled_from(sorted(SCENARIOS)), seed=st.integers(0, 2**32 - 1),
       article154=st.booleans())
def test_kernels_and_numpy_twins_agree_anywhere_in_the_ranges(values, doctrine, scenario, seed,
                                                              article154) -> None:
    """Same parameters, world and draws: the compiled phases and their NumPy forms give the
    same world, step after step (to rounding)."""
    params = Parameters().with_overrides(values)
    static = Static.from_scenario(SCENARIOS[scenario], params, doctrine=doctrine,
                                  article154=article154)
    n = 6
    worlds, contexts = [], []
    for _ in ("numpy", "numba"):
        world = initial_world(static, params, n)
        groups = doctrine_groups(static, {d: get_doctrine(d) for d in set(static.slot_doctrine)})
        for g in groups:
            world.doctrine_memory[g.key] = g.doctrine.init_memory(n, len(g.slots))
        worlds.append(world)
        contexts.append(StepContext(static=static, params=params, groups=groups,
                                    rng=np.random.default_rng(seed)))
    for t in range(12):
        for world, ctx, backend in zip(worlds, contexts, ("numpy", "numba"), strict=True):
            with kernels.use_backend(backend):
                step(world, ctx)
        a, b = worlds
        for f in dataclasses.fields(a):
            x, y = getattr(a, f.name), getattr(b, f.name)
            if isinstance(x, np.ndarray):
                np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-12,
                                           err_msg=f"step {t}: {f.name}")
