"""Superpower presence: deployed when a client is threatened, and it defends without emboldening."""

from __future__ import annotations

import numpy as np

from revexport.codes import WEST
from revexport.engine.cells import presence_support


def power(world) -> np.ndarray:
    """(R, S) effective military capability: capability x cohesion + aid."""
    return world.capability * world.cohesion + world.aid


def test_superpower_deploys_only_when_a_client_is_threatened(make_world) -> None:
    _static, world, block = make_world(n=500, seed=4)
    block.phase("responses")
    assert not world.presence.any()  # no intent yet, no threat
    world.intent[:, 0, :] = 1.0
    block.phase("responses")
    assert world.presence[:, WEST].all()


def test_presence_defends_clients_in_war_but_does_not_open_strike_windows(make_world) -> None:
    static, world, block = make_world(n=500, seed=4)
    client = static.codes.index("SAU")
    east_client = static.codes.index("SYR")
    world.presence[:, WEST] = True
    rows = static.superpower_rows

    def support(r: int, s: int) -> float:
        by_state = np.zeros(static.n_states)
        presence_support(block.par[r], world.presence, world.alignment, world.occupied,
                         world.capability, rows, r, by_state)
        return float(by_state[s])

    west = rows[WEST]
    for r in range(0, 500, 50):
        # presence_strength x the deployed superpower's capability, for its clients only.
        assert support(r, client) == block.par[r].presence_strength * world.capability[r, west] > 0
        assert support(r, east_client) == 0.0
    # Presence is not part of the power that opens a first-strike window.
    assert np.allclose(power(world)[:, client], world.capability[:, client])
    # In a war with the exporter, the defended client loses less capability.
    losses = []
    for present in (False, True):
        _, w, b = make_world(n=500, seed=4)
        w.presence[:, WEST] = present
        w.war[:, 0, client] = True
        w.war_cap0_state[:, 0, client] = power(w)[:, client]
        w.war_cap0_exporter[:, 0, client] = power(w)[:, static.initial_exporters[0]]
        before = w.capability[:, client].copy()
        b.phase("war")
        losses.append(float((before - w.capability[:, client]).mean()))
    assert losses[1] < losses[0]
