"""War aims: whom an exporter invades, and when a factional exporter goes to war.

A doctrine that opens wars invades the best-scoring state with a strong movement that it far
outguns, its power carried over the distance (``proximity ** strike_proximity_exponent``, the
loss-of-strength gradient of a state's first strike) and the target's counted with the foreign
forces deployed to defend it. A factional exporter opens a war only when the factions that
would open it hold more than ``faction_war_majority`` of the influence.
"""

from __future__ import annotations

from revexport.codes import WEST, WarStart
from revexport.engine import cells

TARGET = "BHR"  # a sea neighbour of the exporter, a client of a superpower in the scenario


def _one_target(make_world, doctrine: str, margin: float, **overrides: float):
    """A world of one replicate in which ``TARGET`` alone has a strong movement, its power set
    so that the exporter outguns it, carried over the distance, by ``margin`` times the ratio
    a militant doctrine needs (``margin`` < 1: it does not)."""
    static, world, block = make_world(n=1, doctrine=doctrine, **overrides)
    q = block.par[0]
    s, x = static.codes.index(TARGET), static.initial_exporters[0]
    world.movement[:] = 0.0
    world.movement[0, s] = 0.5
    world.war[:] = False
    world.war_initiator[:] = WarStart.NONE
    world.presence[:] = False
    world.aid[0, s] = 0.0
    reach = world.proximity[0, 0, s] ** q.strike_proximity_exponent
    exporter_power = cells.power(world.capability[0, x], world.cohesion[0, x], world.aid[0, x])
    ratio = q.offensive_power_ratio * q.patron_deterrence  # militant: strike_power_ratio 1
    world.capability[0, s] = exporter_power * reach / (ratio * margin) / world.cohesion[0, s]
    return static, world, block, s


def test_militant_export_invades_a_weaker_state_across_the_sea(make_world) -> None:
    """Just strong enough across the gradient it invades; just too weak, or at a steeper
    gradient, it does not; and no other state is invaded."""
    for exponent in (1.0, 2.0, 3.0):
        _, world, block, s = _one_target(make_world, "militant", 1.05,
                                         strike_proximity_exponent=exponent)
        block.phase("decision", 1)
        assert world.strike[0, 0, s] and world.strike[0, 0].sum() == 1
        _, world, block, s = _one_target(make_world, "militant", 0.95,
                                         strike_proximity_exponent=exponent)
        block.phase("decision", 1)
        assert not world.strike[0].any()
    # Set for exponent 1, the target is out of reach at exponent 2 (proximity < 1).
    _, world, block, s = _one_target(make_world, "militant", 1.05, strike_proximity_exponent=1.0)
    assert world.proximity[0, 0, s] < 1.0
    block.par[0].strike_proximity_exponent = 2.0
    block.phase("decision", 1)
    assert not world.strike[0].any()


def test_the_patrons_forces_deployed_deter_an_invasion(make_world) -> None:
    _, world, block, s = _one_target(make_world, "militant", 1.05)
    assert world.alignment[0, s] == WEST
    world.presence[0, WEST] = True
    block.phase("decision", 1)
    assert not world.strike[0].any()


def test_restrained_doctrines_never_invade(make_world) -> None:
    for doctrine in ("nationalist", "constitutional"):
        _, world, block, _ = _one_target(make_world, doctrine, 100.0)
        block.phase("decision", 1)
        assert not world.strike[0].any(), doctrine


def test_a_factional_exporter_goes_to_war_only_with_a_majority_behind_it(make_world) -> None:
    """The militant faction alone would open the war (the pragmatists need twice the power
    ratio, the gradualists a late stage): it does so only when its influence passes the
    majority the parameter asks for."""
    for militant, majority, opens in ((0.45, 0.5, False), (0.6, 0.5, True),
                                      (0.6, 0.75, False), (0.8, 0.75, True)):
        rest = (1.0 - militant) / 3.0
        _, world, block, s = _one_target(make_world, "historical", 1.05,
                                         faction_war_majority=majority,
                                         faction_learning_rate=0.01, faction_reversion=0.0)
        world.faction_weight[0, 0] = (rest, militant, rest, rest)
        block.phase("decision", 1)
        assert abs(world.faction_weight[0, 0, 1] - militant) < 0.02
        assert bool(world.strike[0, 0, s]) is opens, (militant, majority)
        assert world.strike[0, 0].sum() == int(opens)
