"""Superpower presence: deployed when a client is threatened, and it defends without emboldening."""

from __future__ import annotations

import numpy as np

from revexport.doctrines.registry import get_doctrine
from revexport.engine.context import StepContext
from revexport.engine.phases import responses, war
from revexport.engine.phases.common import power, presence_support
from revexport.engine.run import doctrine_groups
from revexport.engine.state import WEST, Static, initial_world
from revexport.params import Parameters
from revexport.scenario import load_scenario


def _setup(n: int = 500) -> tuple:
    sc = load_scenario("middle-east-1979")
    params = Parameters()
    static = Static.from_scenario(sc, params)
    world = initial_world(static, params, n)
    groups = doctrine_groups(static, {d: get_doctrine(d) for d in set(static.slot_doctrine)})
    ctx = StepContext(static=static, params=params, groups=groups, rng=np.random.default_rng(4))
    return static, world, ctx


def test_superpower_deploys_only_when_a_client_is_threatened() -> None:
    _static, world, ctx = _setup()
    responses.respond(world, ctx)
    assert not world.presence.any()  # no intent yet, no threat
    world.intent[:, 0, :] = 1.0
    responses.respond(world, ctx)
    assert world.presence[:, WEST].all()


def test_presence_defends_clients_in_war_but_does_not_open_strike_windows() -> None:
    static, world, ctx = _setup()
    client = static.codes.index("SAU")
    world.presence[:, WEST] = True
    support = presence_support(world, ctx)
    assert (support[:, client] > 0).all()
    assert (support[:, static.codes.index("SYR")] == 0).all()  # an East client
    # Presence is not part of the power that opens a first-strike window.
    assert np.allclose(power(world)[:, client], world.capability[:, client])
    # In a war with the exporter, the defended client loses less capability.
    losses = []
    for present in (False, True):
        _, w, c = _setup()
        w.presence[:, WEST] = present
        w.war[:, 0, client] = True
        w.war_cap0_state[:, 0, client] = power(w)[:, client]
        w.war_cap0_exporter[:, 0, client] = power(w)[:, static.initial_exporters[0]]
        before = w.capability[:, client].copy()
        war.fight(w, c)
        losses.append(float((before - w.capability[:, client]).mean()))
    assert losses[1] < losses[0]
