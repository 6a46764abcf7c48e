"""Phase 7 -- home: economies, legitimacy, cohesion and capability move.

For every state, the economy follows a trend of ``base_growth`` with shocks and recovery
toward trend; military capability is rebuilt toward its economy-backed level (raised for an
exporter by its military share: mobilisation); cohesion recovers. For the exporters, growth
also depends on the allocation (development and trade help, export spending drags), and on
sanctions by states (weighted by their share of the scenario's GDP) and superpowers. The output
an exporter loses to war and to sanctions is counted against its economy as it would have been
without them (same shocks, same policy), month by month, in US$ bn.
Legitimacy moves toward a target set by the regime's anchor, economic performance, the rally
effect, hostility from abroad (coalition and sanctions read as a foreign conspiracy) and war
weariness.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from revexport.codes import COVERT, DIPLOMACY, DOMESTIC, MILITARY, PROPAGANDA, SUPPORT
from revexport.compiled import cell, kernel
from revexport.engine.cells import live_slots, monthly_budget, sanctions_felt
from revexport.engine.state import StaticArrays, World


@cell
def grown(q: Any, economy: float, growth: float, trend_now: float) -> float:
    """An economy one month on: trend growth plus ``growth`` (policy, sanctions, shock) and a
    pull back toward this month's trend level; never below the floor."""
    pull = q.economy_recovery * (trend_now - economy) / trend_now
    return max(economy * math.exp(q.base_growth + growth + pull), q.economy_floor)


@kernel
def update(w: World, st: StaticArrays, par: Any, rng: np.random.Generator, t: int) -> None:
    """Move economies, legitimacy, cohesion and capability by one month (``t``: this step)."""
    # The world's and the scenario's arrays as locals: fetched from their records inside
    # the branchy loops below, each use would take and release a reference.
    anchor_legitimacy, capability, coalition = w.anchor_legitimacy, w.capability, w.coalition
    cohesion, economy = w.cohesion, w.economy
    economy_without_sanctions = w.economy_without_sanctions
    economy_without_war, export_spend = w.economy_without_war, w.export_spend
    legitimacy, rally, sanction_loss = w.legitimacy, w.rally, w.sanction_loss
    sanctioning, shares, slot_state = w.sanctioning, w.shares, w.slot_state
    superpower_sanction, war_cost, weariness = w.superpower_sanction, w.war_cost, w.weariness
    capability0, gdp0, gdp_share = st.capability0, st.gdp0, st.gdp_share
    n_r, n_s = economy.shape
    extra = np.zeros(n_s)
    bonus = np.zeros(n_s)
    mobilised = np.zeros(n_s)
    shock = np.zeros(n_s)
    for r in range(n_r):
        q = par[r]
        # The economy enters month t on the trend level of month t and leaves it on that of t + 1.
        trend_now = math.exp(q.base_growth * t)
        trend = math.exp(q.base_growth * (t + 1))
        sanctioned, n_sp = sanctions_felt(sanctioning, superpower_sanction, gdp_share, r)
        members = 0.0
        for s in range(n_s):
            members += coalition[r, s]
        drag = q.sanction_drag * sanctioned + q.superpower_sanction_drag * n_sp
        hostility = min(1.0, members / n_s * q.hostility_coalition_weight + sanctioned
                        + q.superpower_sanction_weight * n_sp)
        extra[:] = 0.0
        bonus[:] = 0.0
        mobilised[:] = 0.0
        n_live = live_slots(slot_state, r)  # the slots past it are empty
        for e in range(n_live):
            x = slot_state[r, e]
            if x < 0:
                continue
            export = (shares[r, e, PROPAGANDA] + shares[r, e, SUPPORT] + shares[r, e, COVERT]
                      + shares[r, e, MILITARY])
            # What was spent this month, on the budget before the economy moves.
            export_spend[r, e] += monthly_budget(q, gdp0[x], economy[r, x]) * export
            extra[x] += (q.domestic_growth_bonus * shares[r, e, DOMESTIC]
                         + q.trade_growth_bonus * shares[r, e, DIPLOMACY]
                         - q.export_spending_drag * export - drag)
            bonus[x] += rally[r, e] + q.hostility_rally * hostility
            mobilised[x] += q.mobilisation_gain * shares[r, e, MILITARY]
        for s in range(n_s):
            shock[s] = rng.normal(0.0, q.economy_noise) if q.economy_noise > 0 else 0.0
            economy[r, s] = grown(q, economy[r, s], extra[s] + shock[s], trend_now)
        # Output lost to war and to sanctions: the exporter's economy against its counterfactual
        # without them (same shocks, same policy; wars' losses are taken in the war phase).
        for e in range(n_live):
            x = slot_state[r, e]
            if x < 0:
                continue
            economy_without_war[r, e] = grown(q, economy_without_war[r, e],
                                                extra[x] + shock[x], trend_now)
            economy_without_sanctions[r, e] = grown(q, economy_without_sanctions[r, e],
                                                      extra[x] + drag + shock[x], trend_now)
            monthly_gdp = gdp0[x] / 12.0
            war_cost[r, e] += monthly_gdp * max(economy_without_war[r, e] - economy[r, x], 0.0)
            sanction_loss[r, e] += monthly_gdp * max(
                economy_without_sanctions[r, e] - economy[r, x], 0.0)
        for s in range(n_s):
            performance = min(max(economy[r, s] / trend - 1.0, -q.performance_cap), q.performance_cap)
            target = anchor_legitimacy[r, s] + q.legitimacy_economy_weight * performance
            target = min(max(target + bonus[s] - q.weariness_legitimacy * weariness[r, s], 0.0), 1.0)
            legitimacy[r, s] = min(max(
                legitimacy[r, s] + q.legitimacy_adjustment * (target - legitimacy[r, s]), 0.0), 1.0)
            cohesion[r, s] += q.cohesion_recovery * (1.0 - cohesion[r, s])
            backed = capability0[s] * min(economy[r, s], q.rearm_economy_cap) * (1.0 + mobilised[s])
            capability[r, s] += q.rearm_rate * (backed - capability[r, s])
