"""Mechanisms governed by parameters of their own: leaving the coalition, the hysteresis of
sanctions and deployments, the gain of repression, the cap on attrition, the onset of
stalemate. Parameters are set per replicate where two conditions are compared."""

from __future__ import annotations

import math

import numpy as np

from revexport.codes import CEASEFIRE, WEST
from revexport.engine import cells


def one_threat(static, world, par, s: int, intent: float) -> float:
    """The threat state ``s`` feels from the first exporter at ``intent`` (replicate 0)."""
    q, x = par[0], static.initial_exporters[0]
    pw = world.capability * world.cohesion + world.aid
    vuln = cells.vulnerability(q, world.regime[0, s], world.movement[0, s], static.affinity[s],
                               static.grievance[s])
    return cells.threat(q, intent, world.proximity[0, 0, s], pw[0, x], pw[0, s], vuln)


def regional(static) -> np.ndarray:
    s = np.flatnonzero(static.superpower < 0)
    return s[~np.isin(s, static.initial_exporters)]


def test_members_leave_at_the_leave_rate_whatever_the_join_rate(make_world) -> None:
    n = 2000
    static, world, block = make_world(n=n, coalition_join_rate=0.5, coalition_margin_width=0.005)
    members = regional(static)
    half = np.arange(n) < n // 2
    block.par.coalition_leave_rate[half] = 0.05
    block.par.coalition_leave_rate[~half] = 0.4
    world.coalition[:, members] = True
    world.intent[:] = 0.0  # no threat: every member may leave
    block.phase("responses")
    left = ~world.coalition[:, members]
    for rows, rate in ((half, 0.05), (~half, 0.4)):
        k = rows.sum() * len(members)
        assert abs(left[rows].mean() - rate) < 4 * math.sqrt(rate * (1 - rate) / k)


def test_sanctions_outlast_the_threat_that_began_them_down_to_the_hysteresis(make_world) -> None:
    """Threat at 0.7 x the sanction threshold: a sanctioning state keeps sanctioning when the
    hysteresis is 0.5, stops when it is 0.9; a state that was not sanctioning does not start."""
    n = 40
    static, world, block = make_world(n=n, sanction_threshold=0.5)
    s, other = static.codes.index("KWT"), static.codes.index("OMN")
    intent = 0.7 * 0.5 / one_threat(static, world, block.par, s, 1.0)
    world.intent[:] = 0.0
    world.intent[:, 0, s] = intent
    world.intent[:, 0, other] = intent * one_threat(static, world, block.par, s, 1.0) / one_threat(
        static, world, block.par, other, 1.0)
    assert math.isclose(one_threat(static, world, block.par, s, intent), 0.35)
    loose = np.arange(n) < n // 2
    block.par.response_hysteresis[loose] = 0.5
    block.par.response_hysteresis[~loose] = 0.9
    world.sanctioning[:, s] = True
    block.phase("responses")
    assert world.sanctioning[loose, s].all()
    assert not world.sanctioning[~loose, s].any()
    assert not world.sanctioning[:, other].any()


def test_deployed_forces_stay_until_the_threat_falls_below_the_hysteresis(make_world) -> None:
    n = 40
    static, world, block = make_world(n=n, presence_threshold=0.45)
    client = static.codes.index("OMN")
    assert world.alignment[0, client] == WEST
    world.intent[:] = 0.0
    world.intent[:, 0, client] = 0.3 / one_threat(static, world, block.par, client, 1.0)
    loose = np.arange(n) < n // 2
    block.par.response_hysteresis[loose] = 0.5  # stays above 0.225
    block.par.response_hysteresis[~loose] = 0.9  # leaves below 0.405
    world.presence[:, WEST] = True
    block.phase("responses")
    assert world.presence[loose, WEST].all()
    assert not world.presence[~loose, WEST].any()
    world.presence[:] = False
    block.phase("responses")
    assert not world.presence.any()  # 0.3 < 0.45: no new deployment


def test_repression_moves_toward_a_target_set_by_its_gain(make_world) -> None:
    """One month: target = anchor + repression_gain x (movement - trigger), repression moves
    repression_response of the way there (an autocracy: no democratic restraint)."""
    n = 2
    static, world, block = make_world(n=n, repression_trigger=0.12, repression_response=0.1)
    s = static.codes.index("IRQ")
    block.par.repression_gain[:] = (0.5, 4.0)
    world.movement[:, s] = 0.3
    world.repression[:, s] = 0.1
    world.anchor_repression[:, s] = 0.1
    block.phase("responses")
    target = np.minimum(0.1 + np.array([0.5, 4.0]) * (0.3 - 0.12), 1.0)
    np.testing.assert_allclose(world.repression[:, s], 0.1 + 0.1 * (target - 0.1), rtol=1e-12)


def test_an_exporter_on_many_fronts_loses_at_most_the_attrition_cap(make_world) -> None:
    """Each front costs war_attrition x the enemy's share; the sum is capped a month."""
    n = 2
    static, world, block = make_world(n=n, war_attrition=0.08)
    x = static.initial_exporters[0]
    fronts = regional(static)
    block.par.attrition_cap[:] = (0.5, 0.99)
    world.war[:, 0, fronts] = True  # its power split over many fronts: every share is large
    cap0 = world.capability[:, x].copy()
    block.phase("war")
    np.testing.assert_allclose(world.capability[:, x], cap0 * (1 - np.array([0.5, 0.99])), rtol=1e-12)


def test_balanced_power_counts_as_stalemate_only_after_stalemate_months(make_world) -> None:
    """Only the stalemate term of the ceasefire hazard: none before ``stalemate_months`` of war,
    ``weight x (1 - |share difference|)`` after (no collapse possible)."""
    n, weight = 4000, 0.05
    static, world, block = make_world(n=n, ceasefire_base=0.0, ceasefire_cost_weight=0.0,
                                      ceasefire_stalemate_weight=weight, stalemate_months=12)
    s, x = static.codes.index("IRQ"), static.initial_exporters[0]
    world.war[:, 0, s] = True
    world.war_cap0_state[:, 0, s] = 0.0
    world.war_cap0_exporter[:, 0, s] = 0.0
    pw = world.capability * world.cohesion + world.aid
    balance = 1.0 - abs(pw[0, x] - pw[0, s]) / (pw[0, x] + pw[0, s])
    early = np.arange(n) < n // 2
    world.war_months[early, 0, s] = 11  # 12 this month: not yet a stalemate
    world.war_months[~early, 0, s] = 12  # 13 this month
    block.phase("war")
    ended = world.war_end[:, 0, s] == CEASEFIRE
    assert not ended[early].any()
    rate = weight * balance
    assert abs(ended[~early].mean() - rate) < 4 * math.sqrt(rate * (1 - rate) / (n // 2))


def test_output_lost_to_war_and_sanctions_is_counted_against_the_economy_without_them(
        make_world) -> None:
    """With no pull toward trend a month's loss persists: after k months of war the economy
    without war stands (1 - c)^-k above the exporter's, after k months of sanctions exp(k x drag)
    above, and the costs are the monthly GDP times those gaps, summed."""
    n, c = 30, 0.01
    static, world, block = make_world(n=n, economy_recovery=0.0, war_economic_cost=c,
                                      ceasefire_base=0.0, ceasefire_cost_weight=0.0,
                                      ceasefire_stalemate_weight=0.0)
    x, enemy = static.initial_exporters[0], static.codes.index("IRQ")
    monthly_gdp = static.arrays.gdp0[x] / 12.0
    world.war[:, 0, enemy] = True
    world.sanctioning[:] = False
    world.superpower_sanction[:] = False
    war_cost = np.zeros(n)
    for k in range(1, 13):
        block.phase("war", k - 1)
        block.phase("home", k - 1)
        assert world.war[:, 0, enemy].all()
        np.testing.assert_allclose(world.economy_without_war[:, 0] / world.economy[:, x], (1 - c) ** -k)
        war_cost += monthly_gdp * (world.economy_without_war[:, 0] - world.economy[:, x])
    np.testing.assert_allclose(world.war_cost[:, 0], war_cost)
    assert (world.sanction_loss[:, 0] == 0.0).all()  # nobody sanctioned

    static, world, block = make_world(n=n, economy_recovery=0.0, superpower_sanction_drag=0.004)
    world.superpower_sanction[:, 0] = True  # one superpower: drag 0.004 a month
    loss = np.zeros(n)
    for k in range(1, 13):
        block.phase("home", k - 1)
        np.testing.assert_allclose(
            world.economy_without_sanctions[:, 0] / world.economy[:, x], math.exp(0.004 * k))
        loss += monthly_gdp * (world.economy_without_sanctions[:, 0] - world.economy[:, x])
    np.testing.assert_allclose(world.sanction_loss[:, 0], loss)
    assert (world.war_cost[:, 0] == 0.0).all()
