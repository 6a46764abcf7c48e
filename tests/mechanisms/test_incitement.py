"""Incitement and outreach: how hostile an exporter's propaganda reads.

A doctrine says what share of its propaganda calls on the targets' people to overthrow their
governments (``incitement``); the rest is moral support and outreach, which Article 154 allows.
States read incitement as hostile intent in full and outreach at ``signal_outreach`` of it, in
the propaganda aimed at them and in the exporter's posture alike. ``nationalist`` and
``constitutional`` incite no one; a factional exporter's incitement is the share of all its
factions' propaganda that incites; under Article 154 propaganda is moral support only.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import Quietist
from revexport.codes import PROPAGANDA, Spend
from revexport.doctrines.kernel import mixed_incitement
from revexport.doctrines.registry import get_doctrine
from revexport.engine.run import Block
from revexport.engine.state import Static
from revexport.params import Parameters
from revexport.scenario.load import load_scenario


def test_the_mix_weighs_each_allocation_by_the_propaganda_it_spends() -> None:
    weight = np.array([0.5, 0.3, 0.2])
    propaganda = np.array([0.04, 0.25, 0.0])
    incitement = np.array([0.0, 1.0, 0.0])
    expected = 0.3 * 0.25 / (0.5 * 0.04 + 0.3 * 0.25)
    assert mixed_incitement(weight, propaganda, incitement, 3) == pytest.approx(expected)
    # Only the first n count; with no propaganda at all, the weights alone.
    assert mixed_incitement(weight, propaganda, incitement, 1) == 0.0
    assert mixed_incitement(weight, np.zeros(3), incitement, 3) == pytest.approx(0.3)
    assert mixed_incitement(weight, propaganda, incitement, 0) == 1.0


@pytest.mark.parametrize(("doctrine", "expected"), [
    ("nationalist", 0.0), ("constitutional", 0.0), ("militant", 1.0), ("pragmatic", 1.0)])
def test_a_doctrine_of_one_policy_incites_as_its_policy_says(make_world, doctrine: str,
                                                             expected: float) -> None:
    _, world, block = make_world(n=3, doctrine=doctrine)
    block.phase("decision")
    np.testing.assert_array_equal(world.incitement[:, 0], expected)


def test_a_factional_exporter_incites_with_the_propaganda_of_its_inciting_factions(
        make_world) -> None:
    """``historical``: the nationalists' outreach (and the gradualists', at stage 0) incites no
    one, the militants' and pragmatists' propaganda does -- so the share is between 0 and 1,
    and near 1, since the militants spend far more on propaganda."""
    _, world, block = make_world(n=3, doctrine="historical")
    block.phase("decision")
    inc = world.incitement[:, 0]
    assert ((inc > 0.6) & (inc < 1.0)).all()


def test_under_article_154_propaganda_is_moral_support_only() -> None:
    sc = load_scenario("middle-east-1979")
    static = Static.from_scenario(sc, 2, doctrine="militant", article154=True)
    doctrines = {name: get_doctrine(name) for name in static.slot_doctrine}
    block = Block.of(static, Parameters().table(3), doctrines, np.random.default_rng(0))
    block.phase("decision")
    np.testing.assert_array_equal(block.world.incitement[:, 0], 0.0)


def test_a_python_doctrine_that_says_nothing_incites() -> None:
    sc = load_scenario("middle-east-1979")
    static = Static.from_scenario(sc, 2, doctrine="silent-test")
    doctrines = {name: Quietist() if name == "silent-test" else get_doctrine(name)
                 for name in static.slot_doctrine}
    block = Block.of(static, Parameters().table(2), doctrines, np.random.default_rng(0))
    block.phase("decision")
    np.testing.assert_array_equal(block.world.incitement[:, 0], 1.0)


@pytest.mark.parametrize("outreach", [0.0, 0.2, 0.6])
def test_outreach_reads_as_signal_outreach_of_incitement(make_world, outreach: float) -> None:
    """The same propaganda, all of the budget's export, aimed at every state: with no
    incitement each state's new estimate of intent is ``signal_outreach`` times what it is
    with full incitement (no noise, no war, estimates from 0)."""
    intent = {}
    for inc in (1.0, 0.0):
        _, world, block = make_world(n=2, perception_noise=0.0, signal_outreach=outreach,
                                     perception_rate=0.5)
        world.war[:] = False
        world.intent[:] = 0.0
        world.shares[:, 0, :] = 0.0
        world.shares[:, 0, PROPAGANDA] = 0.2
        world.spend[:] = 0.0
        world.spend[:, 0, Spend.PROPAGANDA, :] = 0.01  # a little to every state
        world.incitement[:, 0] = inc
        block.phase("perception")
        intent[inc] = world.intent[:, 0, :].copy()
    assert (intent[1.0] > 0).sum() > 10 and (intent[1.0] < 0.5).all()  # none clipped at 1
    np.testing.assert_allclose(intent[0.0], outreach * intent[1.0], rtol=1e-12, atol=1e-15)
