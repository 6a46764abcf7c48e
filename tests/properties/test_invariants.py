"""Invariants anywhere in the declared parameter ranges, a different parameter set for each
replicate of the block: finite, in bounds, roles consistent (wars only between sitting
exporters and states that may be fought, coalition members eligible)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revexport.codes import ALIGNED, COVERT, STARTED_BY_EXPORTER, SUPPORT
from revexport.doctrines.registry import doctrine_names, get_doctrine
from revexport.engine.run import Block
from revexport.engine.state import Static, World
from revexport.params import Parameters, parameter_table
from revexport.scenario import load_scenario

SCENARIOS = {name: load_scenario(name) for name in ("middle-east-1979", "synthetic:25:4")}
#: The built-in doctrines (registered on import, before any test registers its own).
BUILTIN_DOCTRINES = tuple(doctrine_names())
REPLICATES = 4
STEPS = 48

LEVELS = ("cohesion", "legitimacy", "repression", "movement", "intent", "proximity", "weariness",
          "anchor_legitimacy", "anchor_repression")
NON_NEGATIVE = ("economy", "capability", "aid", "shares", "spend", "rally", "successes",
                "export_spend", "war_cost", "sanction_loss", "war_months", "war_cap0_state",
                "war_cap0_exporter", "stage", "faction_weight", "successes_seen", "economy_expected")


def parameter_sets() -> st.SearchStrategy[Parameters]:
    """Any values inside the declared ranges (integers where declared)."""
    fields = {}
    for s in Parameters.specs():
        if s.integer:
            fields[s.name] = st.integers(int(s.low), int(s.high)).map(float)
        else:
            fields[s.name] = st.floats(s.low, s.high, allow_nan=False)
    return st.fixed_dictionaries(fields).map(Parameters().with_overrides)


def eligible(static: Static, world: World) -> np.ndarray:
    """(R, S) states a movement, a coalition or a war may concern: not an exporter, not a
    superpower, not an aligned regime."""
    return ~world.exporter_mask() & (static.superpower < 0) & (world.regime != ALIGNED)


def check_world(static: Static, world: World, par: np.recarray, first_new: int) -> None:
    for name in World._fields:
        arr = np.asarray(getattr(world, name))
        if arr.dtype.kind == "f":
            assert np.all(np.isfinite(arr)), name
    for name in NON_NEGATIVE:
        assert np.all(getattr(world, name) >= 0), name
    for name in LEVELS:
        arr = getattr(world, name)
        assert np.all((arr >= 0) & (arr <= 1)), name
    active = world.slot_state >= 0
    # Shares of a sitting exporter sum to 1 (0 in the month a new one takes its slot, after the
    # decision phase); an empty slot spends nothing and fights no war.
    sums = world.shares.sum(axis=-1)[active]
    assert np.all(np.isclose(sums, 1.0) | (sums == 0))
    assert np.all(world.spend[~active] == 0)
    assert not np.any(world.war & ~active[..., None])
    # Wars, coalition and movements concern eligible states only.
    ok = eligible(static, world)
    assert not np.any(world.war & ~ok[:, None, :])
    assert not np.any(world.coalition & ~ok)
    exporters = world.exporter_mask()
    assert np.all(world.movement[exporters] == 0)
    assert np.all(exporters.sum(axis=1) == active.sum(axis=1))  # no state in two slots
    # Each replicate fills at most its own number of new-exporter slots.
    new_slots = active[:, first_new:].sum(axis=1)
    assert np.all(new_slots <= par.new_exporter_slots)


# Four parameter sets a case make a large input: Hypothesis is told that this is intended.
@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example,
                                 HealthCheck.data_too_large])
@given(rows=st.lists(parameter_sets(), min_size=REPLICATES, max_size=REPLICATES),
       doctrine=st.sampled_from(BUILTIN_DOCTRINES), scenario=st.sampled_from(sorted(SCENARIOS)),
       seed=st.integers(0, 2**32 - 1), article154=st.booleans())
def test_state_stays_finite_in_bounds_and_consistent_for_any_parameters_per_replicate(
        rows, doctrine, scenario, seed, article154) -> None:
    slots = max(int(p.new_exporter_slots) for p in rows)
    static = Static.from_scenario(SCENARIOS[scenario], slots, doctrine=doctrine,
                                  article154=article154)
    par = parameter_table(rows, np.arange(REPLICATES))
    doctrines = {name: get_doctrine(name) for name in set(static.slot_doctrine)}
    block = Block.of(static, par, doctrines, np.random.default_rng(seed), n_steps=STEPS)
    world = block.world
    first_new = len(static.initial_exporters)
    # Each replicate starts from its own parameters.
    e0 = static.initial_exporters[0]
    np.testing.assert_array_equal(world.cohesion[:, e0], par.revolutionary_disruption)
    far = np.flatnonzero(np.asarray(
        (static.adjacency + static.adjacency @ static.adjacency)[e0].todense()).ravel() == 0)
    far = far[far != e0]
    np.testing.assert_array_equal(world.proximity[:, 0, far],
                                  np.broadcast_to(par.proximity_far[:, None], (REPLICATES, len(far))))
    for t in range(STEPS):
        block.step(t)
        check_world(static, world, par, first_new)
        if article154:
            # No support, no covert action, no war opened by an exporter.
            assert np.all(world.shares[..., [SUPPORT, COVERT]] == 0)
            assert not np.any(world.war & (world.war_initiator == STARTED_BY_EXPORTER))
    metrics = block.recorder.records.metrics
    assert np.all(np.isfinite(metrics[:, :, :12]))
    np.testing.assert_array_equal(metrics[:, -1, 4], world.war.sum(axis=(1, 2)))
