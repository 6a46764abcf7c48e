"""Who fights whom: a first strike on an exporter that is not the striker's strategic rival.

Strategic rivals fight most interstate wars (Vasquez 1993; Colaresi, Rasler & Thompson 2007), so
a state strikes an exporter whose state is not its rival in this month (the scenario's
rivalries) at ``strike_outside_rivalry`` times the hazard it would have against a rival.
"""

from __future__ import annotations

import numpy as np
import pytest

from revexport.engine import cells

N = 2000


def _strike_rate(make_world, rivalry_in_force: bool, **overrides: float) -> float:
    """Share of replicates in which IRQ, threat and window wide open and nothing else holding
    it back, strikes the exporter in one month; the scenario's IRN-IRQ rivalry kept in force
    or ended before the run."""
    params = dict(strike_hazard=0.5, strike_threshold=0.1, strike_window_threshold=0.2,
                  strike_margin_width=0.005, weariness_deterrence=0.0, superpower_aid_rate=0.0)
    static, world, block = make_world(n=N, **(params | overrides))
    s, x = static.codes.index("IRQ"), static.initial_exporters[0]
    st = block.static.arrays
    pair = [k for k in range(st.rival_ptr[s], st.rival_ptr[s + 1]) if st.rival_idx[k] == x]
    assert pair, "the built-in scenario lists the Iran-Iraq rivalry"
    if not rivalry_in_force:
        st.rival_last[pair] = -1  # ended before the run's first month
    world.war[:] = False
    world.intent[:, 0, :] = 0.0
    world.intent[:, 0, s] = 1.0
    world.strike_misjudgment[:] = 0.0
    block.phase("responses")
    return float(world.new_war[:, 0, s].mean())


@pytest.mark.parametrize("factor", [0.1, 0.5])
def test_a_rival_strikes_at_the_full_hazard_a_non_rival_at_a_fraction(make_world,
                                                                      factor: float) -> None:
    rival = _strike_rate(make_world, True, strike_outside_rivalry=factor)
    outside = _strike_rate(make_world, False, strike_outside_rivalry=factor)
    assert 0.4 < rival < 0.6  # strike_hazard = 0.5, the window wide open
    # factor x that rate, within four standard errors over 2,000 replicates (and the rival's).
    p = factor * 0.5
    assert abs(outside - factor * rival) < 4 * np.sqrt(p * (1 - p) / N) + 4 * factor * 0.011


def test_rivals_in_force_by_month() -> None:
    """``cells.rivals`` reads a state's rivalries (CSR) in force in the given step only."""
    # State 0's rivals: state 2 in steps 5 to 10, an outside rival (-1) always; state 1: none;
    # state 2's: state 0, the same rivalry.
    ptr = np.array([0, 2, 2, 3])
    idx = np.array([2, -1, 0])
    first = np.array([5, -100, 5])
    last = np.array([10, 10**9, 10])
    assert cells.rivals(ptr, idx, first, last, 0, 2, 5)
    assert cells.rivals(ptr, idx, first, last, 2, 0, 10)
    assert not cells.rivals(ptr, idx, first, last, 0, 2, 4)
    assert not cells.rivals(ptr, idx, first, last, 0, 2, 11)
    assert not cells.rivals(ptr, idx, first, last, 1, 0, 7)
    assert not cells.rivals(ptr, idx, first, last, 0, 1, 7)
