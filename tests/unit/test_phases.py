"""Each phase against answers computed by hand or known in closed form.

A phase is run on a prepared block (``block.phase(name)``) with its randomness switched off,
or over enough replicates that an empirical rate can be compared with its hazard.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from revexport.codes import (
    ALIGNED,
    CEASEFIRE,
    DIPLOMACY,
    DOMESTIC,
    MILITARY,
    MILITARY_RULE,
    MONARCHY,
    NONALIGNED,
    PROPAGANDA,
    STARTED_BY_EXPORTER,
    STARTED_BY_STATE,
    Spend,
)
from revexport.engine import cells
from revexport.engine.state import World


def eligible(static, world) -> np.ndarray:
    """(R, S) states that can carry a movement: not exporters, superpowers or aligned."""
    return ~world.exporter_mask() & (static.superpower < 0) & (world.regime != ALIGNED)


# -- perception ------------------------------------------------------------------------------


def test_perceived_intent_converges_geometrically_to_the_misperceived_signal(make_world) -> None:
    """Noise off, no support or covert action, no spill-over: intent_k = S (1 - (1 - rate)^k),
    where S is the signal read from propaganda and posture (in full by a monarchy), calmed by
    diplomacy and inflated by the bias."""
    static, world, block = make_world(n=3, perception_noise=0.0, perception_rate=0.15,
                                      misperception_bias=0.3, signal_propaganda=0.5,
                                      signal_posture=0.4, reassurance_diplomacy=0.3,
                                      propaganda_half_saturation=0.01, signal_spillover=0.0)
    s, at_war = static.codes.index("SAU"), static.codes.index("IRQ")
    world.shares[:, 0, :] = 0.0
    world.shares[:, 0, DOMESTIC] = 0.4
    world.shares[:, 0, DIPLOMACY] = 0.2
    world.shares[:, 0, PROPAGANDA] = 0.3
    world.shares[:, 0, MILITARY] = 0.1
    world.spend[:, 0, Spend.PROPAGANDA, s] = 0.01  # at half saturation
    world.war[:, 0, at_war] = True  # a war the exporter opened: its military share is posture
    world.war_initiator[:, 0, at_war] = STARTED_BY_EXPORTER
    world.spend[:, 0, Spend.MILITARY, at_war] = 0.05
    calm, bias = 1.0 - 0.3 * 0.2, 1.3
    signal = (0.5 * 0.5 + 0.4 * (0.3 + 0.1)) * calm * bias  # 0.501...
    posture_only = 0.4 * (0.3 + 0.1) * calm * bias
    block.phase("perception")
    assert world.intent[:, 0, s] == pytest.approx(0.15 * signal, rel=1e-12)
    for _ in range(9):
        block.phase("perception")
    assert world.intent[:, 0, s] == pytest.approx(signal * (1.0 - 0.85 ** 10), rel=1e-12)
    for _ in range(190):
        block.phase("perception")
    np.testing.assert_allclose(world.intent[:, 0, s], signal, rtol=1e-10)
    # A state at war reads the highest hostility (clipped to 1); a monarchy with no
    # propaganda, the posture alone; a state nothing is aimed at, nothing. Empty slots are
    # read as no one.
    np.testing.assert_allclose(world.intent[:, 0, at_war], 1.0, rtol=1e-10)
    jor = static.codes.index("JOR")
    np.testing.assert_allclose(world.intent[:, 0, jor], posture_only, rtol=1e-10)
    assert np.all(world.intent[:, 0, static.codes.index("EGY")] == 0.0)
    assert np.all(world.intent[:, 1:] == 0.0)


def _quiet_perception(make_world, **overrides):
    """A block with noise, bias and diplomacy off, nothing spent and no war: what a state
    reads is then only what a test sets up."""
    static, world, block = make_world(n=2, perception_noise=0.0, perception_rate=0.5,
                                      misperception_bias=0.0, **overrides)
    world.shares[:, 0, :] = 0.0
    world.spend[:] = 0.0
    world.war[:] = False
    return static, world, block


def test_posture_is_read_in_proportion_to_what_is_aimed_at_a_state(make_world) -> None:
    """The main target reads the whole posture, a state aimed at half as much half of it, a
    state aimed at nothing none (unless the message condemns its regime)."""
    static, world, block = _quiet_perception(make_world, signal_spillover=0.0, signal_posture=0.4,
                                             signal_propaganda=0.5, propaganda_half_saturation=0.01)
    tur, pak, egy = (static.codes.index(c) for c in ("TUR", "PAK", "EGY"))
    world.shares[:, 0, PROPAGANDA] = 0.3
    world.shares[:, 0, DOMESTIC] = 0.7
    world.spend[:, 0, Spend.PROPAGANDA, tur] = 0.01
    world.spend[:, 0, Spend.PROPAGANDA, pak] = 0.005
    block.phase("perception")
    np.testing.assert_allclose(world.intent[:, 0, tur], 0.5 * (0.5 * 0.5 + 0.4 * 0.3), rtol=1e-12)
    np.testing.assert_allclose(world.intent[:, 0, pak], 0.5 * (0.5 * 0.005 / 0.015 + 0.4 * 0.3 * 0.5),
                               rtol=1e-12)
    assert np.all(world.intent[:, 0, egy] == 0.0)


def _war_on_iraq(make_world, initiator: int):
    """A month of perception with full spill-over and only a war with Iraq, begun by
    ``initiator``."""
    static, world, block = _quiet_perception(make_world, signal_spillover=1.0)
    irq = static.codes.index("IRQ")
    world.war[:, 0, irq] = True
    world.war_initiator[:, 0, irq] = initiator
    block.phase("perception")
    return static, world, irq


def test_threat_to_partners_spills_over(make_world) -> None:
    """With only a war the exporter opened on one state, another reads ``signal_spillover`` x
    the largest of the mean direct signals to its patron's other clients and to its
    neighbours; a state with neither among the war's neighbours or clients reads nothing."""
    static, world, irq = _war_on_iraq(make_world, STARTED_BY_EXPORTER)
    codes = static.codes
    adjacency = static.adjacency.toarray()
    for code in ("KWT", "SYR", "AFG", "JOR"):
        s = codes.index(code)
        near = adjacency[s, irq] / adjacency[s].sum()
        same_bloc = [k for k in range(len(codes)) if k != s and static.superpower[k] < 0
                     and world.alignment[0, k] == world.alignment[0, s]]
        clients = (float(irq in same_bloc) / len(same_bloc)
                   if world.alignment[0, s] != NONALIGNED else 0.0)
        np.testing.assert_allclose(world.intent[:, 0, s], 0.5 * max(near, clients), rtol=1e-12,
                                   err_msg=code)
    assert np.all(world.intent[:, 0, codes.index("LBY")] == 0.0)
    np.testing.assert_allclose(world.intent[:, 0, irq], 0.5, rtol=1e-12)


def test_a_war_a_state_began_is_not_read_by_its_partners(make_world) -> None:
    """The same war begun by the state: it reads the exporter as fully hostile, its
    neighbours and its patron's other clients read nothing from it."""
    static, world, irq = _war_on_iraq(make_world, STARTED_BY_STATE)
    codes = static.codes
    np.testing.assert_allclose(world.intent[:, 0, irq], 0.5, rtol=1e-12)
    others = [s for s in range(len(codes)) if s != irq and codes[s] != "IRN"]
    assert np.all(world.intent[:, 0, others] == 0.0)


# -- movements -------------------------------------------------------------------------------


def test_movement_without_noise_reaches_the_fixed_point_growth_over_growth_plus_shrinkage(
        make_world) -> None:
    """No spending, noise or aligned neighbour: m' = m + g (1 - m) - k m, with g the endogenous
    growth x affinity x grievance and k = repression effect x repression + decay; so
    m* = g / (g + k)."""
    static, world, block = make_world(n=2, movement_noise=0.0, movement_endogenous_growth=0.03,
                                      movement_decay=0.05, movement_repression_effect=0.1)
    world.spend[:] = 0.0
    ok = eligible(static, world)
    g = 0.03 * static.affinity * static.grievance
    k = 0.1 * world.repression + 0.05
    m0 = world.movement.copy()
    block.phase("movements")
    one_step = np.where(ok, m0 + g * (1.0 - m0) - k * m0, 0.0)
    np.testing.assert_allclose(world.movement, one_step, rtol=1e-12, atol=1e-15)
    for _ in range(600):
        block.phase("movements")
    np.testing.assert_allclose(world.movement, np.where(ok, g / (g + k), 0.0), rtol=1e-9, atol=1e-12)


def test_propaganda_growth_follows_its_saturating_formula(make_world) -> None:
    """One step, noise off: the extra growth from propaganda p at a target is
    propaganda_growth x p / (p + half) x attractiveness x affinity x grievance x (1 - m)."""
    static, world, block = make_world(n=1, movement_noise=0.0, propaganda_half_saturation=0.01)
    q = block.par[0]
    s, x = static.codes.index("KWT"), static.initial_exporters[0]
    world.movement[:] = 0.1
    _, quiet, quiet_block = make_world(n=1, movement_noise=0.0, propaganda_half_saturation=0.01)
    quiet.movement[:] = 0.1
    world.spend[0, 0, Spend.PROPAGANDA, s] = 0.03
    block.phase("movements")
    quiet_block.phase("movements")
    attract = (q.attractiveness_legitimacy_weight * world.legitimacy[0, x]
               + q.attractiveness_economy_weight * min(world.economy[0, x], q.attractiveness_economy_cap)
               / q.attractiveness_economy_cap
               + q.attractiveness_cohesion_weight * world.cohesion[0, x]
               + q.attractiveness_success_weight * (1.0 - math.exp(-world.successes[0, 0])))
    extra = (q.movement_propaganda_growth * 0.03 / 0.04 * min(max(attract, 0.0), 1.0)
             * static.affinity[s] * static.grievance[s] * 0.9)
    assert world.movement[0, s] - quiet.movement[0, s] == pytest.approx(extra, rel=1e-10)


def _supported(make_world, state: str, support: float, aligned_neighbour: str | None = None,
               **overrides: float):
    """Movement by state after one step in which the exporter sends ``support`` to ``state``."""
    static, world, block = make_world(n=1, movement_noise=0.0, **overrides)
    s = static.codes.index(state)
    world.spend[:] = 0.0
    world.spend[0, 0, Spend.SUPPORT, s] = support
    if aligned_neighbour is not None:
        world.regime[0, static.codes.index(aligned_neighbour)] = ALIGNED
    block.phase("movements")
    return world.movement[0].copy(), world.proximity[0, 0, s]


def test_support_loses_strength_with_distance(make_world) -> None:
    """Support to a state beyond the exporter's land borders reaches its movement as
    proximity ** support_reach_exponent of it: the same as that much sent at exponent 0."""
    far, prox = _supported(make_world, "YAR", 0.02, support_reach_exponent=2.0)
    assert 0.0 < prox < 1.0
    scaled, _ = _supported(make_world, "YAR", 0.02 * prox ** 2, support_reach_exponent=0.0)
    full, _ = _supported(make_world, "YAR", 0.02, support_reach_exponent=0.0)
    np.testing.assert_allclose(far, scaled, rtol=1e-12)
    s = make_world(n=1)[0].codes.index("YAR")
    assert far[s] < full[s]
    np.testing.assert_array_equal(np.delete(far, s), np.delete(full, s))  # no one else moved


def test_support_crosses_a_land_border_from_an_aligned_regime_in_full(make_world) -> None:
    """A land neighbour with an aligned regime is a route: the support reaches in full,
    whatever the exponent."""
    routed, _ = _supported(make_world, "YAR", 0.02, aligned_neighbour="SAU",
                           support_reach_exponent=2.0)
    full, _ = _supported(make_world, "YAR", 0.02, aligned_neighbour="SAU",
                         support_reach_exponent=0.0)
    np.testing.assert_allclose(routed, full, rtol=1e-12)


# -- responses: balance of threat ------------------------------------------------------------


def test_threat_of_one_cell_by_hand(make_world) -> None:
    _, _, block = make_world(n=1, threat_ideological_weight=0.6, vulnerability_base=0.2,
                             threat_regime_delegitimised=0.2, vulnerability_movement_weight=2.0)
    q = block.par[0]
    # intent x (w x vulnerability + (1 - w) x proximity x exporter power / (sum of powers))
    assert cells.threat(q, 0.8, 0.6, 2.0, 1.0, 0.5) == pytest.approx(0.8 * (0.3 + 0.4 * 0.6 * 2 / 3))
    assert cells.threat(q, 0.0, 1.0, 5.0, 1.0, 1.0) == 0.0
    # Vulnerability: base + condemned (monarchy) + affinity x (grievance + w x movement), <= 1.
    assert cells.vulnerability(q, MONARCHY, 0.1, 0.5, 0.4) == pytest.approx(0.2 + 0.2 + 0.5 * 0.6)
    assert cells.vulnerability(q, MILITARY_RULE, 0.1, 0.5, 0.4) == pytest.approx(0.2 + 0.5 * 0.6)
    assert cells.vulnerability(q, MONARCHY, 1.0, 1.0, 1.0) == 1.0


def test_states_join_the_coalition_as_the_threat_passes_their_own_threshold(
        make_world) -> None:
    """The threat computed by hand decides: replicates whose join threshold is below it join at
    the join rate x the logistic of the margin, those whose threshold is above it almost never."""
    n = 600
    static, world, block = make_world(n=n, coalition_join_rate=0.5, coalition_bandwagon=0.0,
                                      coalition_margin_width=0.005)
    s, x = static.codes.index("OMN"), static.initial_exporters[0]
    world.intent[:, 0, :] = 0.0
    world.intent[:, 0, s] = 0.9
    world.superpower_sanction[:, world.alignment[0, s]] = True  # its patron does not restrain it
    q = block.par[0]
    pw = world.capability * world.cohesion + world.aid
    vuln = cells.vulnerability(q, world.regime[0, s], world.movement[0, s], static.affinity[s],
                               static.grievance[s])
    share = pw[0, x] / (pw[0, x] + pw[0, s])
    w = q.threat_ideological_weight
    threat = 0.9 * (w * vuln + (1 - w) * world.proximity[0, 0, s] * share)
    assert threat == pytest.approx(cells.threat(q, 0.9, world.proximity[0, 0, s], pw[0, x], pw[0, s], vuln))
    below = np.arange(n) < n // 2
    # Margins of +-0.05 at the narrowest width: the join hazard is 0.5 x logistic(+-10).
    block.par.coalition_join_threshold[below] = threat - 0.05
    block.par.coalition_join_threshold[~below] = threat + 0.05
    block.phase("responses")
    joined = world.coalition[:, s]
    for rows, p in ((below, 0.5 * cells.logistic(0.05, 0.005)),
                    (~below, 0.5 * cells.logistic(-0.05, 0.005))):
        assert abs(joined[rows].mean() - p) < 4 * math.sqrt(max(p * (1 - p), 1e-4) / rows.sum())
    others = np.ones(static.n_states, dtype=bool)
    others[s] = False
    assert not world.coalition[:, others].any()  # no threat, no membership


def test_a_patron_that_does_not_oppose_the_exporters_restrains_its_client(make_world) -> None:
    """Threat well over the threshold: a client joins at the join rate while its patron
    sanctions the exporters, at (1 - coalition_bloc_restraint) of it while the patron does not."""
    n = 1200
    static, world, block = make_world(n=n, coalition_join_rate=0.5, coalition_bandwagon=0.0,
                                      coalition_margin_width=0.005, coalition_bloc_restraint=0.6,
                                      coalition_join_threshold=0.1)
    s = static.codes.index("OMN")
    world.intent[:, 0, :] = 0.0
    world.intent[:, 0, s] = 1.0
    opposed = np.arange(n) < n // 2
    world.superpower_sanction[:, world.alignment[0, s]] = opposed
    block.phase("responses")
    joined = world.coalition[:, s]
    for rows, p in ((opposed, 0.5), (~opposed, 0.5 * 0.4)):
        assert abs(joined[rows].mean() - p) < 4 * math.sqrt(p * (1 - p) / rows.sum())


# -- war -------------------------------------------------------------------------------------


def test_a_ceasefire_comes_when_both_sides_are_past_their_tolerance(make_world) -> None:
    """Base and stalemate hazards off: a war ends at ``ceasefire_cost_weight`` a month when
    both sides' weariness is well past their tolerance (the exporter's from its doctrine), and
    almost never while one side still bears it; its end leaves deterrence 1 between the two,
    decaying geometrically."""
    n, h = 2000, 0.2
    static, world, block = make_world(n=n, ceasefire_base=0.0, ceasefire_stalemate_weight=0.0,
                                      ceasefire_cost_weight=h, ceasefire_margin_width=0.005,
                                      war_tolerance=0.5, war_weariness_rate=0.001,
                                      deterrence_decay=0.05)
    s, x = static.codes.index("IRQ"), static.initial_exporters[0]
    world.war[:, 0, s] = True
    world.war_cap0_state[:, 0, s] = 0.0  # no side can collapse
    world.war_cap0_exporter[:, 0, s] = 0.0
    world.weariness[:, s] = 0.8
    tired = np.arange(n) < n // 2
    world.weariness[:, x] = np.where(tired, 0.8, 0.2)
    world.war_tolerance[:, 0] = 0.5
    block.phase("war")
    ended = world.war_end[:, 0, s] == CEASEFIRE
    assert abs(ended[tired].mean() - h) < 4 * math.sqrt(h * (1 - h) / tired.sum())
    assert ended[~tired].sum() <= 2
    np.testing.assert_array_equal(world.deterrence[ended, 0, s], 1.0)
    np.testing.assert_array_equal(world.deterrence[~ended, 0, s], 0.0)
    block.phase("war")
    np.testing.assert_allclose(world.deterrence[ended, 0, s], 0.95, rtol=1e-12)


def test_deterrence_after_a_war_shuts_both_sides_new_wars(make_world) -> None:
    """With deterrence 1 between them, neither a state nor the exporter opens a new war, however
    open the window; with none, both do."""
    n = 400
    static, world, block = make_world(n=n, strike_hazard=0.5, strike_threshold=0.1,
                                      strike_window_threshold=0.2, strike_margin_width=0.005,
                                      weariness_deterrence=0.0)
    s, t = static.codes.index("IRQ"), static.codes.index("AFG")
    world.intent[:, 0, :] = 0.0
    world.intent[:, 0, s] = 1.0
    world.strike[:, 0, t] = True  # the exporter opens a war on AFG
    deterred = np.arange(n) < n // 2
    world.deterrence[deterred, 0, s] = 1.0
    world.deterrence[deterred, 0, t] = 1.0
    block.phase("responses")
    assert not world.new_war[deterred, 0][:, [s, t]].any()
    assert world.new_war[~deterred, 0, t].all()
    assert world.new_war[~deterred, 0, s].mean() > 0.3


def test_a_factional_exporters_war_tolerance_is_its_factions_weight_average(make_world) -> None:
    """The historical doctrine: tolerance = sum of faction weight x its policy's tolerance
    (nationalist 0.3, militant 0.8, pragmatic 0.4; the gradualists' by their stage)."""
    _, world, block = make_world(n=3, doctrine="historical")
    block.phase("decision")
    w, stage = world.faction_weight[:, 0], world.stage[:, 0, 3]
    expected = w[:, 0] * 0.3 + w[:, 1] * 0.8 + w[:, 2] * 0.4 + w[:, 3] * (
        (1 - stage) * 0.3 + stage * 0.8)
    np.testing.assert_allclose(world.war_tolerance[:, 0], expected, rtol=1e-12)
    _, single, single_block = make_world(n=2, doctrine="militant")
    single_block.phase("decision")
    np.testing.assert_allclose(single.war_tolerance[:, 0], 0.8)


def test_with_a_constant_ceasefire_hazard_war_lengths_are_geometric(make_world) -> None:
    """Weariness and stalemate weigh nothing and no side can collapse: each month a war ends
    with probability h, so its length is geometric with mean 1/h and P(length = 1) = h."""
    h, n = 0.03, 2000
    static, world, block = make_world(n=n, ceasefire_base=h, ceasefire_cost_weight=0.0,
                                      ceasefire_stalemate_weight=0.0)
    s = static.codes.index("IRQ")
    world.war[:, 0, s] = True
    world.war_cap0_state[:, 0, s] = 0.0  # power never falls below a share of zero
    world.war_cap0_exporter[:, 0, s] = 0.0
    length = np.zeros(n)
    for month in range(1, 900):
        block.phase("war")
        ended = world.war_end[:, 0, s] != 0
        assert np.all(world.war_end[ended, 0, s] == CEASEFIRE)
        assert np.all(world.war_months[ended, 0, s] == month)
        length[ended] = month
        if not world.war[:, 0, s].any():
            break
    assert np.all(length > 0)
    se = math.sqrt(1.0 - h) / h / math.sqrt(n)
    assert abs(length.mean() - 1.0 / h) < 4 * se
    assert abs((length == 1).mean() - h) < 4 * math.sqrt(h * (1 - h) / n)
    # Memorylessness: wars that lasted beyond 30 months last on average 1/h more.
    long = length[length > 30]
    assert abs((long - 30).mean() - 1.0 / h) < 4 * math.sqrt(1.0 - h) / h / math.sqrt(len(long))


def test_attrition_of_one_month_by_hand(make_world) -> None:
    """Each side loses war_attrition x the opponent's share of the pair's power (no patron)."""
    static, world, block = make_world(n=1, war_attrition=0.05, war_economic_cost=0.01)
    s, x = static.codes.index("IRQ"), static.initial_exporters[0]
    world.war[0, 0, s] = True
    pw = world.capability * world.cohesion + world.aid
    world.war_cap0_state[0, 0, s] = pw[0, s]
    world.war_cap0_exporter[0, 0, s] = pw[0, x]
    share_x = pw[0, x] / (pw[0, x] + pw[0, s])
    cap0, econ0 = world.capability.copy(), world.economy.copy()
    block.phase("war")
    assert world.capability[0, s] == pytest.approx(cap0[0, s] * (1 - 0.05 * share_x), rel=1e-12)
    assert world.capability[0, x] == pytest.approx(cap0[0, x] * (1 - 0.05 * (1 - share_x)), rel=1e-12)
    assert world.economy[0, s] == pytest.approx(econ0[0, s] * 0.99, rel=1e-12)
    assert world.economy[0, x] == pytest.approx(econ0[0, x] * 0.99, rel=1e-12)
    assert world.war_months[0, 0, s] == 1


# -- regime ----------------------------------------------------------------------------------


def test_empirical_fall_rate_matches_the_threshold_hazard(make_world) -> None:
    """hazard = regime_hazard x (exp((movement - resilience) / width) - exp(-resilience / width)),
    resilience computed by hand; over many replicates the share of regimes that fall matches it,
    and the share of the fallen that turn aligned matches aligned_probability."""
    n, target = 6000, 0.3
    static, world, block = make_world(n=n, seed=2, coup_hazard=0.0, aligned_probability=0.4)
    q = block.par[0]
    s = static.codes.index("YAR")
    assert world.alignment[0, s] == NONALIGNED and world.aid[0, s] == 0.0
    pw = world.capability[0, s] * world.cohesion[0, s]
    resilience = (q.resilience_legitimacy * world.legitimacy[0, s]
                  + q.resilience_repression * world.repression[0, s]
                  + q.resilience_capability * (1.0 - math.exp(-pw / q.resilience_capability_scale)))
    baseline = q.regime_hazard * math.exp(-resilience / q.regime_hazard_width)
    movement = resilience + q.regime_hazard_width * math.log((target + baseline) / q.regime_hazard)
    world.movement[:, s] = movement
    block.phase("regime")
    fell = world.fell[:, s]
    assert abs(fell.mean() - target) < 4 * math.sqrt(target * (1 - target) / n)
    aligned = (world.regime[fell, s] == ALIGNED).mean()
    assert abs(aligned - 0.4) < 4 * math.sqrt(0.24 / fell.sum())
    # Movement well below resilience: regime_hazard x exp(-margin / width), less the baseline.
    _, low, low_block = make_world(n=n, seed=3, coup_hazard=0.0)
    low.movement[:, s] = resilience - q.regime_hazard_width * math.log(4.0)
    low_block.phase("regime")
    expected = q.regime_hazard / 4.0 - baseline
    assert abs(low.fell[:, s].mean() - expected) < 4 * math.sqrt(expected / n)


def test_a_regime_that_falls_to_a_weak_movement_falls_mostly_to_its_army(make_world) -> None:
    """A movement at half the regime's resilience brings it to power in half the falls that
    one at resilience would: aligned_probability x min(1, movement / resilience)."""
    n = 40000
    static, world, block = make_world(n=n, seed=7, coup_hazard=0.0, aligned_probability=0.8,
                                      regime_hazard=0.2, regime_hazard_width=0.3)
    q = block.par[0]
    s = static.codes.index("YAR")
    pw = world.capability[0, s] * world.cohesion[0, s]
    resilience = (q.resilience_legitimacy * world.legitimacy[0, s]
                  + q.resilience_repression * world.repression[0, s]
                  + q.resilience_capability * (1.0 - math.exp(-pw / q.resilience_capability_scale)))
    world.movement[:, s] = resilience / 2.0
    block.phase("regime")
    fell = world.fell[:, s]
    assert fell.sum() > 1000
    aligned = (world.regime[fell, s] == ALIGNED).mean()
    assert abs(aligned - 0.4) < 4 * math.sqrt(0.24 / fell.sum())
    assert np.all(world.regime[fell, s][world.regime[fell, s] != ALIGNED] == MILITARY_RULE)


def test_no_movement_brings_no_regime_down_however_wide_the_hazard(make_world) -> None:
    """Without a movement the fall hazard is 0 at any width: a regime's instability without a
    movement is the coup hazard's, and a coup never brings an aligned regime."""
    n = 3000
    static, world, block = make_world(n=n, seed=4, coup_hazard=0.0, regime_hazard=0.2,
                                      regime_hazard_width=0.3)
    others = np.array([c != "IRN" for c in static.codes])  # the exporter falls by its own rule
    world.movement[:] = 0.0
    world.legitimacy[:, others] = 0.1  # weak regimes
    block.phase("regime")
    assert not world.fell[:, others].any()
    _, coup, coup_block = make_world(n=n, seed=5, coup_hazard=0.005, regime_hazard=0.2,
                                     regime_hazard_width=0.3)
    coup.movement[:] = 0.0
    coup_block.phase("regime")
    assert coup.fell.any() and not (coup.regime == ALIGNED).any()


def test_an_exporter_falls_at_its_own_collapse_hazard_not_the_movements(make_world) -> None:
    """A sitting exporter falls with exporter_collapse_hazard x exp((collapse level -
    legitimacy) / exporter_collapse_width), whatever the base and width of the movements'
    hazard; its slot is then vacated."""
    n = 8000
    static, world, block = make_world(n=n, seed=6, coup_hazard=0.0, exporter_collapse_hazard=0.05,
                                      exporter_collapse_legitimacy=0.12,
                                      exporter_collapse_width=0.1, regime_hazard=0.2,
                                      regime_hazard_width=0.02)
    x = static.codes.index("IRN")
    world.movement[:] = 0.0
    world.legitimacy[:, x] = 0.12 - 0.1 * math.log(2.0)  # twice the hazard at the collapse level
    block.phase("regime")
    fell = world.fell[:, x]
    assert abs(fell.mean() - 0.1) < 4 * math.sqrt(0.1 * 0.9 / n)
    assert np.all(world.slot_state[fell, 0] == -1) and np.all(world.slot_state[~fell, 0] == x)


def test_a_vacated_slot_past_the_sitting_exporters_leaves_nothing_behind(make_world) -> None:
    """The phases skip the slots past the last sitting exporter: a fallen exporter's planned
    war is cleared with its slot, and the wars it began and ended that month are recorded once,
    not again the month after."""
    n = 50
    static, world, block = make_world(n=n, seed=7, exporter_collapse_hazard=0.05,
                                      exporter_collapse_legitimacy=0.3,
                                      exporter_collapse_width=0.02)
    x = static.codes.index("IRN")
    s, u = static.codes.index("IRQ"), static.codes.index("KWT")
    assert np.all(world.slot_state[:, 0] == x) and np.all(world.slot_state[:, 1:] < 0)
    world.legitimacy[:, x] = 0.0  # it falls for certain
    world.strike[:, 0, s] = True  # a war it planned to open next month
    world.war[:, 0, u] = True  # a war it began this month
    world.new_war[:, 0, u] = True
    for name in ("regime", "home", "record"):
        block.phase(name, 0)
    assert np.all(world.slot_state[:, 0] == -1) and not world.strike[:, 0].any()
    block.step(1)
    events = block.recorder.events()
    step, kind, other = events["step"], events["kind"], events["other"]
    exporter_wars = (kind == 1) | (kind == 2)
    assert np.sum(exporter_wars & (step == 0)) == 2 * n  # begun and ended, in every replicate
    assert not np.any(exporter_wars & (step == 1) & ((other == x) | (other < 0)))
    assert not world.war[:, 0].any() and not world.new_war[:, 0].any()
    assert not world.war_end[:, 0].any()


# -- home ------------------------------------------------------------------------------------


def test_economy_without_noise_or_recovery_follows_the_exponential_trend(make_world) -> None:
    static, world, block = make_world(n=2, economy_noise=0.0, economy_recovery=0.0, base_growth=0.004)
    s = static.codes.index("JOR")  # no exporter, no war, no sanctions
    for t in range(120):
        block.phase("home", t)
        np.testing.assert_allclose(world.economy[:, s], math.exp(0.004 * (t + 1)), rtol=1e-12)


def test_economy_without_noise_recovers_to_its_trend_after_a_shock(make_world) -> None:
    static, world, block = make_world(n=2, economy_noise=0.0, economy_recovery=0.05, base_growth=0.002)
    s = static.codes.index("JOR")
    world.economy[:, s] = 0.6  # a 40 % shock
    for t in range(240):
        block.phase("home", t)
    ratio = world.economy[:, s] / math.exp(0.002 * 240)
    assert np.all(np.abs(ratio - 1.0) < 0.005)


def test_economy_without_noise_settles_on_its_trend_not_a_month_ahead(make_world) -> None:
    """Recovery pulls the economy of month t toward the trend of month t: the steady state is
    exp(base_growth x t) itself (not exp(base_growth) above it)."""
    static, world, block = make_world(n=1, economy_noise=0.0, economy_recovery=0.05, base_growth=0.006)
    s = static.codes.index("JOR")
    for t in range(600):
        block.phase("home", t)
    assert world.economy[0, s] / math.exp(0.006 * 600) == pytest.approx(1.0, abs=1e-6)


# -- compiled and uncompiled -----------------------------------------------------------------

_RUN = """
import json, sys
import numpy as np
from revexport.compiled import engine_name
from revexport.engine.run import Block
block = Block.build("synthetic:12", n=3, seed=17, economy_noise=float(sys.argv[1]))
for t in range(3):
    block.step(t)
out = {name: np.asarray(getattr(block.world, name)).astype(float).tolist()
       for name in block.world._fields}
print(json.dumps({"engine": engine_name(), "world": out}))
"""


def _run(disable_jit: bool) -> tuple[str, dict[str, np.ndarray]]:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_DISABLE_JIT"}
    if disable_jit:
        env["NUMBA_DISABLE_JIT"] = "1"
    done = subprocess.run([sys.executable, "-c", _RUN, "0.01"], env=env, capture_output=True,
                          text=True, timeout=300, check=True)
    result = json.loads(done.stdout)
    return result["engine"], {k: np.asarray(v) for k, v in result["world"].items()}


def test_the_uncompiled_source_gives_the_compiled_result() -> None:
    """NUMBA_DISABLE_JIT=1 runs the very same source as plain Python: same seed, same world
    after three whole steps (random draws included)."""
    name_jit, compiled = _run(disable_jit=False)
    name_py, interpreted = _run(disable_jit=True)
    assert (name_jit, name_py) == ("numba", "python")
    assert compiled.keys() == interpreted.keys() == set(World._fields)
    for key in compiled:
        np.testing.assert_allclose(interpreted[key], compiled[key], rtol=1e-9, atol=1e-12, err_msg=key)
    # The run did something: draws were taken and the world moved.
    assert not np.allclose(compiled["economy"], 1.0)
    assert compiled["intent"].max() > 0
