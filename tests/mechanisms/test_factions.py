"""Factions of the historical doctrine: influence drifts back toward its starting balance, and an
economic crisis is a fall below the economy the factions expect, which adapts."""

from __future__ import annotations

import itertools

import numpy as np

from revexport.codes import WarStart


def _calm(world, static) -> None:
    """No signal moves the factions this month: no attack, no success, no coalition, no war,
    the economy where the factions expect it."""
    x = static.initial_exporters[0]
    world.attacked[:] = False
    world.successes[:] = 0.0
    world.coalition[:] = False
    world.war[:] = False
    world.war_initiator[:] = WarStart.NONE
    world.weariness[:] = 0.0
    world.economy[:, x] = world.economy_expected[:, 0]


def test_without_signals_influence_returns_geometrically_to_the_starting_balance(make_world) -> None:
    rho = 0.05
    static, world, block = make_world(n=20, doctrine="historical", faction_reversion=rho)
    w0 = world.faction_weight0[0].copy()
    world.faction_weight[:, 0] = (0.1, 0.6, 0.2, 0.1)  # a militant surge
    gap0 = np.log(world.faction_weight[0, 0] / w0)
    gap0 -= gap0.mean()
    for k in range(1, 25):
        _calm(world, static)
        block.phase("decision", k)
        gap = np.log(world.faction_weight[:, 0] / w0)
        gap -= gap.mean(axis=1, keepdims=True)  # influence is relative: normalising adds a constant
        np.testing.assert_allclose(gap, np.tile(gap0 * (1 - rho) ** k, (20, 1)), atol=1e-12)
    # No reversion: the surge stays.
    static, world, block = make_world(n=5, doctrine="historical", faction_reversion=0.0)
    world.faction_weight[:, 0] = (0.1, 0.6, 0.2, 0.1)
    for k in range(12):
        _calm(world, static)
        block.phase("decision", k)
    np.testing.assert_allclose(world.faction_weight[:, 0], np.tile((0.1, 0.6, 0.2, 0.1), (5, 1)))


def test_a_lasting_loss_stops_being_a_crisis_as_expectations_adapt(make_world) -> None:
    """The economy falls to 0.8 and stays: the expected level goes 0.8 + 0.2 (1 - rate)^k, and
    the pragmatists (moved by crisis) gain on the militants while the gap lasts, less and less."""
    rate = 0.1
    static, world, block = make_world(n=10, doctrine="historical", expectation_rate=rate,
                                      faction_reversion=0.0)
    x = static.initial_exporters[0]
    gains = []
    for k in range(1, 41):
        _calm(world, static)
        world.economy[:, x] = 0.8
        before = np.log(world.faction_weight[0, 0, 2] / world.faction_weight[0, 0, 1])
        block.phase("decision", k)
        np.testing.assert_allclose(world.economy_expected[:, 0], 0.8 + 0.2 * (1 - rate) ** k)
        gains.append(np.log(world.faction_weight[0, 0, 2] / world.faction_weight[0, 0, 1]) - before)
    assert gains[0] > 0 and all(a >= b for a, b in itertools.pairwise(gains))
    assert gains[-1] < 0.2 * gains[0]
