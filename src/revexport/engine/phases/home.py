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
from revexport.engine.cells import monthly_budget, sanctions_felt
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
    n_r, n_s = w.economy.shape
    n_e = w.slot_state.shape[1]
    extra = np.zeros(n_s)
    bonus = np.zeros(n_s)
    mobilised = np.zeros(n_s)
    shock = np.zeros(n_s)
    for r in range(n_r):
        q = par[r]
        # The economy enters month t on the trend level of month t and leaves it on that of t + 1.
        trend_now = math.exp(q.base_growth * t)
        trend = math.exp(q.base_growth * (t + 1))
        sanctioned, n_sp = sanctions_felt(w.sanctioning, w.superpower_sanction, st.gdp_share, r)
        members = 0.0
        for s in range(n_s):
            members += w.coalition[r, s]
        drag = q.sanction_drag * sanctioned + q.superpower_sanction_drag * n_sp
        hostility = min(1.0, members / n_s * q.hostility_coalition_weight + sanctioned
                        + q.superpower_sanction_weight * n_sp)
        extra[:] = 0.0
        bonus[:] = 0.0
        mobilised[:] = 0.0
        for e in range(n_e):
            x = w.slot_state[r, e]
            if x < 0:
                continue
            sh = w.shares[r, e]
            export = sh[PROPAGANDA] + sh[SUPPORT] + sh[COVERT] + sh[MILITARY]
            # What was spent this month, on the budget before the economy moves.
            w.export_spend[r, e] += monthly_budget(q, st.gdp0[x], w.economy[r, x]) * export
            extra[x] += (q.domestic_growth_bonus * sh[DOMESTIC] + q.trade_growth_bonus * sh[DIPLOMACY]
                         - q.export_spending_drag * export - drag)
            bonus[x] += w.rally[r, e] + q.hostility_rally * hostility
            mobilised[x] += q.mobilisation_gain * sh[MILITARY]
        for s in range(n_s):
            shock[s] = rng.normal(0.0, q.economy_noise) if q.economy_noise > 0 else 0.0
            w.economy[r, s] = grown(q, w.economy[r, s], extra[s] + shock[s], trend_now)
        # Output lost to war and to sanctions: the exporter's economy against its counterfactual
        # without them (same shocks, same policy; wars' losses are taken in the war phase).
        for e in range(n_e):
            x = w.slot_state[r, e]
            if x < 0:
                continue
            w.economy_without_war[r, e] = grown(q, w.economy_without_war[r, e],
                                                extra[x] + shock[x], trend_now)
            w.economy_without_sanctions[r, e] = grown(q, w.economy_without_sanctions[r, e],
                                                      extra[x] + drag + shock[x], trend_now)
            monthly_gdp = st.gdp0[x] / 12.0
            w.war_cost[r, e] += monthly_gdp * max(w.economy_without_war[r, e] - w.economy[r, x], 0.0)
            w.sanction_loss[r, e] += monthly_gdp * max(
                w.economy_without_sanctions[r, e] - w.economy[r, x], 0.0)
        for s in range(n_s):
            performance = min(max(w.economy[r, s] / trend - 1.0, -q.performance_cap), q.performance_cap)
            target = w.anchor_legitimacy[r, s] + q.legitimacy_economy_weight * performance
            target = min(max(target + bonus[s] - q.weariness_legitimacy * w.weariness[r, s], 0.0), 1.0)
            w.legitimacy[r, s] = min(max(
                w.legitimacy[r, s] + q.legitimacy_adjustment * (target - w.legitimacy[r, s]), 0.0), 1.0)
            w.cohesion[r, s] += q.cohesion_recovery * (1.0 - w.cohesion[r, s])
            backed = st.capability0[s] * min(w.economy[r, s], q.rearm_economy_cap) * (1.0 + mobilised[s])
            w.capability[r, s] += q.rearm_rate * (backed - w.capability[r, s])
