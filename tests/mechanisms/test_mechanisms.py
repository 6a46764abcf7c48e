"""Each mechanism of MODEL.md section 3 on its own: one phase called on a prepared world."""

from __future__ import annotations

import numpy as np

from revexport.codes import DIPLOMACY, MONARCHY, PROPAGANDA, STARTED_BY_STATE, Spend


def power(world) -> np.ndarray:
    """(R, S) effective military capability: capability x cohesion + aid."""
    return world.capability * world.cohesion + world.aid


def highest_threat(static, world, par) -> np.ndarray:
    """(R, S) each state's highest threat from a sitting exporter (Walt's balance of threat,
    written out from MODEL.md rather than read from the engine)."""
    pw = power(world)
    rows = np.arange(world.n_replicates)[:, None]
    sitting = world.slot_state >= 0
    exp_pw = np.where(sitting, pw[rows, np.maximum(world.slot_state, 0)], 0.0)  # (R, E)
    vuln = np.minimum(1.0, par.vulnerability_base[:, None]
                      + par.threat_regime_delegitimised[:, None] * (world.regime == MONARCHY)
                      + static.affinity * (static.grievance
                                           + par.vulnerability_movement_weight[:, None] * world.movement))
    share = exp_pw[:, :, None] / np.maximum(exp_pw[:, :, None] + pw[:, None, :], 1e-12)
    w = par.threat_ideological_weight[:, None, None]
    t = world.intent * (w * vuln[:, None, :] + (1.0 - w) * world.proximity * share)
    return np.where(sitting[:, :, None], t, 0.0).max(axis=1)


def test_propaganda_grows_movements_more_where_affinity_and_grievance_are_higher(make_world):
    static, world, block = make_world("synthetic:40:1", n=1000, movement_noise=0.0)
    targets = np.flatnonzero(static.superpower < 0)
    targets = targets[targets != static.initial_exporters[0]]
    world.movement[:] = 0.1
    before = world.movement.copy()
    world.spend[:, 0, Spend.PROPAGANDA, targets] = 0.05  # propaganda at every regional state
    block.phase("movements")
    with_prop = world.movement[:, targets] - before[:, targets]
    _, quiet, qctx = make_world("synthetic:40:1", n=1000, movement_noise=0.0)
    quiet.movement[:] = 0.1
    qctx.phase("movements")
    gain = (with_prop - (quiet.movement[:, targets] - before[:, targets])).mean(axis=0)
    receptive = static.affinity[targets] * static.grievance[targets]
    assert (gain > 0).all()
    # The gain is proportional to affinity x grievance (same repression-free start).
    assert np.corrcoef(gain, receptive)[0, 1] > 0.99


def test_repression_shrinks_movements_and_costs_legitimacy(make_world):
    static, world, block = make_world(n=500, movement_noise=0.0)
    s = static.codes.index("IRQ")
    world.movement[:, s] = 0.5
    world.repression[:, s] = 0.1
    legit0 = world.legitimacy[:, s].copy()
    block.phase("responses")  # a strong movement raises repression...
    assert (world.repression[:, s] > 0.1).all()
    assert (world.legitimacy[:, s] < legit0).all()  # ...at a cost in legitimacy
    low, high = world.movement.copy(), world.movement.copy()
    _, w_low, c_low = make_world(n=500, movement_noise=0.0)
    _, w_high, c_high = make_world(n=500, movement_noise=0.0)
    w_low.movement[:] = low
    w_high.movement[:] = high
    w_low.repression[:, s] = 0.0
    w_high.repression[:, s] = 1.0
    c_low.phase("movements")
    c_high.phase("movements")
    assert (w_high.movement[:, s] < w_low.movement[:, s]).all()


def test_first_strike_needs_both_high_threat_and_an_open_window(make_world):
    def strikes(intent: float, weak_exporter: bool) -> float:
        # At the narrowest margin width the hazard is all but switched at both thresholds.
        static, world, block = make_world(n=2000, strike_hazard=0.5, strike_margin_width=0.005)
        s = static.codes.index("IRQ")
        e_state = static.initial_exporters[0]
        world.intent[:, 0, :] = intent
        world.movement[:, s] = 0.3
        world.cohesion[:, e_state] = 0.2 if weak_exporter else 1.0
        world.capability[:, e_state] *= 1.0 if weak_exporter else 5.0
        block.phase("responses")
        assert not (world.war_initiator[:, 0, s][world.war[:, 0, s]] != STARTED_BY_STATE).any()
        return float(world.war[:, 0, s].mean())

    assert strikes(1.0, weak_exporter=True) > 0.3  # high threat, open window
    assert strikes(0.05, weak_exporter=True) == 0.0  # window open, threat low
    assert strikes(1.0, weak_exporter=False) == 0.0  # threat high, window shut


def test_sanctions_lower_the_exporters_economy(make_world):
    results = []
    for sanction in (False, True):
        static, world, block = make_world(n=2000, economy_noise=0.0)
        world.sanctioning[:] = sanction
        world.superpower_sanction[:] = sanction
        block.phase("home")
        results.append(world.economy[:, static.initial_exporters[0]].mean())
    assert results[1] < results[0]


def test_coalition_forms_when_threat_passes_its_threshold(make_world):
    # At the narrowest margin width joining is all but switched at the threshold.
    static, world, block = make_world(n=2000, coalition_margin_width=0.005)
    block.phase("responses")
    assert not world.coalition.any()  # no threat, no coalition
    world.intent[:, 0, :] = 1.0
    for _ in range(24):
        block.phase("responses")
    gulf = [static.codes.index(c) for c in ("BHR", "KWT", "QAT", "ARE", "OMN")]
    assert world.coalition[:, gulf].mean() > 0.9
    assert (world.regime[:, gulf] == MONARCHY).all()
    t = highest_threat(static, world, block.par)
    # Nobody below the threshold has joined.
    assert not (world.coalition & (t < (block.par.coalition_hysteresis
                                        * block.par.coalition_join_threshold)[:, None])).any()


def test_regime_change_is_more_likely_when_the_movement_outgrows_resilience(make_world):
    rates = []
    for movement in (0.2, 0.4, 0.7):
        static, world, block = make_world(n=4000)
        s = static.codes.index("YAR")
        world.movement[:, s] = movement
        block.phase("regime")
        rates.append(world.fell[:, s].mean())
    assert rates[0] < rates[1] < rates[2]
    assert rates[2] > 0.5


def test_perceived_intent_rises_with_propaganda_and_falls_with_diplomacy(make_world):
    def intent_after(prop: float, diplomacy: float) -> float:
        static, world, block = make_world(n=1000, perception_noise=0.0)
        world.spend[:, 0, Spend.PROPAGANDA, :] = prop
        world.shares[:, 0, PROPAGANDA] = 0.3
        world.shares[:, 0, DIPLOMACY] = diplomacy
        block.phase("perception")
        return float(world.intent[:, 0, static.codes.index("SAU")].mean())

    assert intent_after(0.05, 0.0) > intent_after(0.0, 0.0)
    assert intent_after(0.05, 0.7) < intent_after(0.05, 0.0)


def test_war_weakens_both_sides_and_costs_the_economy(make_world):
    static, world, block = make_world(n=500)
    s, e = static.codes.index("IRQ"), static.initial_exporters[0]
    world.war[:, 0, s] = True
    world.war_cap0_state[:, 0, s] = power(world)[:, s]
    world.war_cap0_exporter[:, 0, s] = power(world)[:, e]
    cap0, econ0 = world.capability.copy(), world.economy.copy()
    block.phase("war")
    assert (world.capability[:, s] < cap0[:, s]).all()
    assert (world.capability[:, e] < cap0[:, e]).all()
    assert (world.economy[:, s] < econ0[:, s]).all()
    assert (world.weariness[:, [s, e]] > 0).all()


def test_a_new_regime_drifts_to_its_own_levels_not_the_old_regimes(make_world):
    static, world, block = make_world(n=2000, coup_hazard=0.005, economy_noise=0.0)
    s = static.codes.index("ISR")  # a legitimate regime (0.75 at the start)
    world.movement[:, s] = 0.95  # far above resilience: it falls
    block.phase("regime")
    fell = world.fell[:, s]
    assert fell.mean() > 0.5
    assert np.all(world.anchor_legitimacy[fell, s] == 0.5)
    assert np.all(world.anchor_legitimacy[~fell, s] == static.legitimacy0[s])
    for t in range(60):
        block.phase("home", t)
    # Legitimacy of the new regimes heads to the new anchor, not to the old regime's level.
    assert abs(world.legitimacy[fell, s].mean() - 0.5) < abs(
        world.legitimacy[fell, s].mean() - static.legitimacy0[s])
