"""Smooth hazards: first strikes, joining and leaving the coalition are scaled by a logistic in
the margin over their thresholds (no outcome hangs on one number; for the threat a first strike
weighs, the logistic is the spread of governments' misreadings, fixed for the run), and the
exporter's posture as third states read it counts military means only on fronts the exporter
opened."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from revexport.codes import MILITARY, PROPAGANDA, STARTED_BY_EXPORTER, STARTED_BY_STATE, Spend
from revexport.engine import cells


@given(st.floats(-10.0, 10.0), st.floats(0.005, 0.2))
def test_logistic_is_a_smooth_step(margin: float, width: float) -> None:
    value = cells.logistic(margin, width)
    assert 0.0 <= value <= 1.0
    assert value + cells.logistic(-margin, width) == pytest.approx(1.0)
    assert cells.logistic(0.0, width) == 0.5
    if margin > 0:
        assert value >= 0.5 and cells.logistic(margin, width / 2) >= value


@given(st.floats(0.0, 1.0), st.floats(0.2, 0.9), st.floats(0.005, 0.2))
def test_the_window_is_a_smooth_step_on_the_odds(share: float, threshold: float,
                                                 width: float) -> None:
    value = cells.odds_logistic(share, threshold, width)
    assert 0.0 <= value <= 1.0
    assert cells.odds_logistic(threshold, threshold, width) == pytest.approx(0.5)
    assert (value < 0.5) == (share < threshold) or share == pytest.approx(threshold)
    # Monotone in the share.
    assert cells.odds_logistic(min(share + 0.01, 1.0), threshold, width) >= value


def test_the_window_matches_the_difference_form_at_the_threshold() -> None:
    """Same slope at the threshold; far below it the odds close the window much faster."""
    h = 1e-6
    for threshold in (0.3, 0.5, 0.7):
        slope = (cells.odds_logistic(threshold + h, threshold, 0.05)
                 - cells.odds_logistic(threshold - h, threshold, 0.05)) / (2 * h)
        assert slope == pytest.approx(1 / (4 * 0.05), rel=1e-4)
    # A state with a tenth of the pair's power against a threshold of a half: some twenty times
    # further from striking than the difference form puts it.
    assert cells.odds_logistic(0.1, 0.5, 0.05) < cells.logistic(0.1 - 0.5, 0.05) / 15


def test_the_strike_hazard_is_the_product_of_both_logistics(make_world) -> None:
    """A weak exporter, a threat and a window each near their thresholds: the share of
    replicates in which the neighbour strikes equals the hazard computed by hand."""
    n = 6000
    static, world, block = make_world(n=n, strike_hazard=0.5, strike_margin_width=0.05,
                                      strike_proximity_exponent=1.0, weariness_deterrence=0.0)
    s, x = static.codes.index("IRQ"), static.initial_exporters[0]
    q = block.par[0]
    world.intent[:, 0, :] = 0.0
    world.intent[:, 0, s] = 1.0
    world.cohesion[:, x] = 0.2
    world.weariness[:] = 0.0
    pw = world.capability * world.cohesion + world.aid
    vuln = cells.vulnerability(q, world.regime[0, s], world.movement[0, s], static.affinity[s],
                               static.grievance[s])
    threat = cells.threat(q, 1.0, world.proximity[0, 0, s], pw[0, x], pw[0, s], vuln)
    patron = 1.0 * (world.alignment[0, s] != 2)
    backed = pw[0, s] * (1 + q.strike_patron_weight * patron)
    window = backed / (backed + pw[0, x])
    block.par.strike_threshold[:] = threat - 0.03
    block.par.strike_window_threshold[:] = window + 0.02
    expected = (0.5 * world.proximity[0, 0, s] * cells.logistic(0.03, 0.05)
                * cells.odds_logistic(window, window + 0.02, 0.05))
    block.phase("responses")
    struck = world.war[:, 0, s] & (world.war_initiator[:, 0, s] == STARTED_BY_STATE)
    assert abs(struck.mean() - expected) < 4 * math.sqrt(expected * (1 - expected) / n)


def test_a_governments_misreading_of_threat_persists_from_month_to_month(make_world) -> None:
    """The threat passes the strike threshold as each government misreads it, by a draw fixed
    for the run: over replicates the share that can strike is the logistic of the margin (as a
    fresh draw each month would give in one month); over two years of the same threat, those
    replicates strike, and a replicate whose misreading keeps the threat under its threshold
    never does (with fresh draws, nearly every replicate would have struck by then)."""
    n = 4000
    static, world, block = make_world(n=n, strike_hazard=0.5, strike_margin_width=0.05,
                                      strike_proximity_exponent=1.0, weariness_deterrence=0.0,
                                      strike_window_threshold=0.2, superpower_aid_rate=0.0,
                                      nonaligned_war_aid=0.0)
    s = static.codes.index("IRQ")
    q = block.par[0]
    world.intent[:, 0, :] = 0.0
    world.intent[:, 0, s] = 1.0
    pw = world.capability * world.cohesion + world.aid
    x = static.initial_exporters[0]
    vuln = cells.vulnerability(q, world.regime[0, s], world.movement[0, s], static.affinity[s],
                               static.grievance[s])
    threat = cells.threat(q, 1.0, world.proximity[0, 0, s], pw[0, x], pw[0, s], vuln)
    block.par.strike_threshold[:] = threat + 0.05  # one width above the threat
    can = threat - (threat + 0.05) > 0.05 * world.strike_misjudgment[:, s]
    p = cells.logistic(-0.05, 0.05)
    assert abs(can.mean() - p) < 4 * math.sqrt(p * (1 - p) / n)
    struck = np.zeros(n, dtype=bool)
    for t in range(24):
        block.phase("responses", t)
        struck |= world.war[:, 0, s] & (world.war_initiator[:, 0, s] == STARTED_BY_STATE)
        world.war[:] = False
        world.deterrence[:] = 0.0
    assert not struck[~can].any()
    assert struck[can].mean() > 0.99


def test_members_leave_more_readily_the_further_threat_falls_under_the_leave_threshold(
        make_world) -> None:
    n = 4000
    static, world, block = make_world(n=n, coalition_leave_rate=0.4, coalition_margin_width=0.05)
    s = static.codes.index("OMN")
    world.coalition[:, s] = True
    world.intent[:] = 0.0  # threat 0: the margin under the leave threshold is the threshold
    half = np.arange(n) < n // 2
    # The leave threshold is a fraction of the join threshold (hysteresis).
    block.par.coalition_join_threshold[:] = 0.4
    block.par.coalition_hysteresis[half] = 0.05
    block.par.coalition_hysteresis[~half] = 0.5
    block.phase("responses")
    left = ~world.coalition[:, s]
    for rows, threshold in ((half, 0.02), (~half, 0.2)):
        p = 0.4 * cells.logistic(threshold, 0.05)
        assert abs(left[rows].mean() - p) < 4 * math.sqrt(p * (1 - p) / rows.sum())


def test_third_states_do_not_read_a_war_of_defence_as_export(make_world) -> None:
    """The exporter spends all its means on the military at one front. When a neighbour opened
    that war, a third state's signal is nothing; when the exporter opened it, a third state
    that hears the whole posture (a monarchy, which the message condemns by name) reads the
    military share as posture. Spill-over off."""
    heard = {}
    for opener in (STARTED_BY_STATE, STARTED_BY_EXPORTER):
        static, world, block = make_world(n=200, perception_noise=0.0, misperception_bias=0.0,
                                          perception_rate=0.5, signal_posture=0.5,
                                          reassurance_diplomacy=0.0, signal_spillover=0.0)
        front, third = static.codes.index("IRQ"), static.codes.index("JOR")
        world.shares[:, 0, :] = 0.0
        world.shares[:, 0, MILITARY] = 1.0
        world.spend[:] = 0.0
        world.spend[:, 0, Spend.MILITARY, front] = 1.0
        world.war[:, 0, front] = True
        world.war_initiator[:, 0, front] = opener
        world.intent[:] = 0.0
        block.phase("perception")
        assert (world.intent[:, 0, front] == 0.5).all()  # the enemy at war reads the war
        heard[opener] = world.intent[:, 0, third]
    assert (heard[STARTED_BY_STATE] == 0.0).all()
    assert heard[STARTED_BY_EXPORTER] == pytest.approx(np.full(200, 0.25))
    # Propaganda is posture whoever opened the war.
    static, world, block = make_world(n=10, perception_noise=0.0, misperception_bias=0.0,
                                      perception_rate=0.5, signal_posture=0.5,
                                      reassurance_diplomacy=0.0, signal_spillover=0.0)
    world.shares[:, 0, :] = 0.0
    world.shares[:, 0, PROPAGANDA] = 1.0
    world.spend[:] = 0.0
    world.intent[:] = 0.0
    block.phase("perception")
    assert world.intent[:, 0, static.codes.index("JOR")] == pytest.approx(np.full(10, 0.25))
