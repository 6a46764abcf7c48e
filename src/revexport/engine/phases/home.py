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

import numpy as np

from revexport.engine.context import StepContext
from revexport.engine.phases.common import monthly_budget
from revexport.engine.state import DIPLOMACY, DOMESTIC, EXPORT_MEANS, MILITARY, World


def update(world: World, ctx: StepContext) -> None:
    """Move economies, legitimacy, cohesion and capability by one month."""
    p, st = ctx.params, ctx.static
    budget = monthly_budget(world, ctx)  # what was spent this month, before the economy moves
    trend = np.exp(p.base_growth * (world.step + 1))
    shock = ctx.rng.normal(0.0, p.economy_noise, world.economy.shape)

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
