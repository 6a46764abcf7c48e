"""Phase 7 -- home: economies, legitimacy, cohesion and capability move.

For every state, the economy follows a trend of ``base_growth`` with shocks and
recovery toward trend; military capability is rebuilt toward its
economy-backed level (raised for an exporter by its military share:
mobilisation); cohesion recovers. For the exporters, growth also
depends on the allocation (development and trade help, export spending
drags), and on sanctions by states (weighted by their share of world GDP) and
superpowers. Legitimacy moves toward a target set by the starting level,
economic performance, the rally effect, hostility from abroad (coalition and
sanctions read as a foreign conspiracy) and war weariness.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from revexport.engine import kernels
from revexport.engine.context import StepContext
from revexport.engine.phases.common import monthly_budget
from revexport.engine.state import DIPLOMACY, DOMESTIC, EXPORT_MEANS, MILITARY, B, F, I, World


def update(world: World, ctx: StepContext) -> None:
    """Move economies, legitimacy, cohesion and capability by one month."""
    p, st = ctx.params, ctx.static
    trend = float(np.exp(p.base_growth * (world.step + 1)))
    shock = ctx.rng.normal(0.0, p.economy_noise, world.economy.shape)
    if kernels.compiled():
        _update_kernel(
            world.economy, world.legitimacy, world.anchor_legitimacy, world.cohesion,
            world.capability, world.weariness, world.coalition, world.sanctioning,
            world.superpower_sanction, world.shares, world.rally, world.slot_state,
            world.export_spend, world.sanction_loss, st.gdp0, st.gdp_share, st.capability0,
            shock, trend, p.values)
        return
    budget = monthly_budget(world, ctx)  # what was spent this month, before the economy moves

    # Exporter-specific growth, scattered onto their states.
    shares = world.shares
    sanctioned = (world.sanctioning * st.gdp_share).sum(axis=1)
    n_sp = world.superpower_sanction.sum(axis=1)
    drag_sanctions = p.sanction_drag * sanctioned + p.superpower_sanction_drag * n_sp
    growth_exp = (
        p.domestic_growth_bonus * shares[..., DOMESTIC]
        + p.trade_growth_bonus * shares[..., DIPLOMACY]
        - p.export_spending_drag * shares[..., EXPORT_MEANS].sum(axis=-1)
        - drag_sanctions[:, None]
    )
    active = world.slot_state >= 0
    r, e = np.nonzero(active)
    s = world.slot_state[r, e]
    extra = np.zeros(world.economy.shape)
    np.add.at(extra, (r, s), growth_exp[r, e])
    pull = p.economy_recovery * (trend - world.economy) / trend
    world.economy = np.maximum(world.economy * np.exp(p.base_growth + extra + shock + pull), 0.05)

    # Costs borne by the exporters this month.
    world.export_spend = world.export_spend + budget * shares[..., EXPORT_MEANS].sum(axis=-1)
    gdp = world.slot_values(st.gdp0 * world.economy)
    world.sanction_loss = world.sanction_loss + drag_sanctions[:, None] * gdp / 12.0 * active

    # Legitimacy toward its target.
    performance = np.clip(world.economy / trend - 1.0, -0.5, 0.5)
    target = world.anchor_legitimacy + p.legitimacy_economy_weight * performance
    hostility = np.minimum(1.0, world.coalition.mean(axis=1) * 3.0 + sanctioned + 0.25 * n_sp)
    exp_bonus = world.rally + p.hostility_rally * hostility[:, None]
    bonus = np.zeros(world.economy.shape)
    np.add.at(bonus, (r, s), exp_bonus[r, e])
    target = np.clip(target + bonus - p.weariness_legitimacy * world.weariness, 0.0, 1.0)
    world.legitimacy = np.clip(
        world.legitimacy + p.legitimacy_adjustment * (target - world.legitimacy), 0.0, 1.0
    )

    world.cohesion = world.cohesion + p.cohesion_recovery * (1.0 - world.cohesion)
    # Capability is rebuilt toward what the economy backs; an exporter's military share
    # mobilises more.
    mobilised = np.zeros(world.economy.shape)
    np.add.at(mobilised, (r, s), p.mobilisation_gain * shares[r, e, MILITARY])
    backed = st.capability0 * np.minimum(world.economy, 2.0) * (1.0 + mobilised)
    world.capability = world.capability + p.rearm_rate * (backed - world.capability)


@kernels.kernel
def _update_kernel(economy: F, legitimacy: F, anchor_legitimacy: F, cohesion: F, capability: F,
                   weariness: F, coalition: B, sanctioning: B, superpower_sanction: B, shares: F,
                   rally: F, slot_state: I, export_spend: F, sanction_loss: F, gdp0: F,
                   gdp_share: F, capability0: F, shock: F, trend: float,
                   p: Any) -> None:  # pragma: no cover - compiled
    """The loop twin of :func:`update`: writes in place."""
    n_r, n_s = economy.shape
    n_e = slot_state.shape[1]
    extra = np.zeros(n_s)
    bonus = np.zeros(n_s)
    mobilised = np.zeros(n_s)
    for r in range(n_r):
        sanctioned = 0.0
        members = 0.0
        for s in range(n_s):
            sanctioned += sanctioning[r, s] * gdp_share[s]
            members += coalition[r, s]
        n_sp = 1.0 * superpower_sanction[r, 0] + 1.0 * superpower_sanction[r, 1]
        drag = p.sanction_drag * sanctioned + p.superpower_sanction_drag * n_sp
        hostility = min(1.0, members / n_s * 3.0 + sanctioned + 0.25 * n_sp)
        extra[:] = 0.0
        bonus[:] = 0.0
        mobilised[:] = 0.0
        for e in range(n_e):
            x = slot_state[r, e]
            if x < 0:
                continue
            export = ((shares[r, e, 2] + shares[r, e, 3]) + shares[r, e, 4]) + shares[r, e, 5]
            # What was spent this month, on the budget before the economy moves.
            export_spend[r, e] += p.budget_fraction * (gdp0[x] * economy[r, x]) / 12.0 * export
            extra[x] += (p.domestic_growth_bonus * shares[r, e, 0]
                         + p.trade_growth_bonus * shares[r, e, 1]
                         - p.export_spending_drag * export - drag)
            bonus[x] += rally[r, e] + p.hostility_rally * hostility
            mobilised[x] += p.mobilisation_gain * shares[r, e, 5]
        for s in range(n_s):
            pull = p.economy_recovery * (trend - economy[r, s]) / trend
            economy[r, s] = max(economy[r, s] * np.exp(p.base_growth + extra[s] + shock[r, s] + pull),
                                0.05)
        for e in range(n_e):
            x = slot_state[r, e]
            if x >= 0:
                sanction_loss[r, e] += drag * (gdp0[x] * economy[r, x]) / 12.0
        for s in range(n_s):
            performance = min(max(economy[r, s] / trend - 1.0, -0.5), 0.5)
            target = anchor_legitimacy[r, s] + p.legitimacy_economy_weight * performance
            target = min(max(target + bonus[s] - p.weariness_legitimacy * weariness[r, s], 0.0), 1.0)
            legitimacy[r, s] = min(max(
                legitimacy[r, s] + p.legitimacy_adjustment * (target - legitimacy[r, s]), 0.0), 1.0)
            cohesion[r, s] = cohesion[r, s] + p.cohesion_recovery * (1.0 - cohesion[r, s])
            backed = capability0[s] * min(economy[r, s], 2.0) * (1.0 + mobilised[s])
            capability[r, s] = capability[r, s] + p.rearm_rate * (backed - capability[r, s])
