"""Phase 3 -- movements: the exporter-aligned movement in each state grows or shrinks.

Growth (Gurr 1970: mobilisation of grievance; MODEL.md section 3):

* propaganda x affinity x grievance x the exporter's attractiveness
  (demonstration effect: its legitimacy, economy, cohesion and successes abroad);
* material support and covert action against the target's capacity
  (``support / (support + capacity)``);
* contagion from aligned neighbours (sparse neighbour sum);
* a small endogenous growth from affinity x grievance alone.

Shrinkage: repression and decay. Growth is damped by ``(1 - m)`` (saturation),
shrinkage acts on ``m``; Gaussian noise; the result is clipped to [0, 1].
Exporters, superpowers and aligned regimes carry no movement.
"""

from __future__ import annotations

import numpy as np

from revexport.engine.context import StepContext
from revexport.engine.phases.common import eligible
from revexport.engine.state import ALIGNED, F, World


def attractiveness(world: World, ctx: StepContext) -> F:
    """(R, E) how attractive each exporter's example is, in [0, 1]."""
    p = ctx.params
    legit = world.slot_values(world.legitimacy)
    econ = np.minimum(world.slot_values(world.economy), 1.5) / 1.5
    cohesion = world.slot_values(world.cohesion)
    success = p.attractiveness_success_weight * (1.0 - np.exp(-world.successes))
    a = 0.5 * legit + 0.3 * econ + 0.2 * cohesion + success
    return np.where(world.slot_state >= 0, np.clip(a, 0.0, 1.0), 0.0)


def grow(world: World, ctx: StepContext) -> None:
    """Update ``world.movement`` (R, S) in place."""
    p, st = ctx.params, ctx.static
    prop = world.spend[:, :, 0]
    covert_support = world.spend[:, :, 1] + world.spend[:, :, 2]
    pull = prop / (prop + p.propaganda_half_saturation) * attractiveness(world, ctx)[..., None]
    propaganda = np.minimum(1.0, pull.sum(axis=1))
    capacity = p.support_capacity_scale * p.budget_fraction * st.gdp0 * world.economy / 12.0
    capacity = capacity * (1.0 + world.repression)
    support = covert_support.sum(axis=1)
    armed = support / (support + capacity)
    aligned = (world.regime == ALIGNED).astype(np.float64)
    adjacency = st.land + st.sea
    aligned_nb = (adjacency @ aligned.T).T / np.maximum(st.degree, 1.0)
    receptive = st.affinity * st.grievance
    growth = (
        p.movement_propaganda_growth * propaganda * receptive
        + p.movement_support_growth * armed * receptive
        + p.contagion_weight * p.movement_propaganda_growth * aligned_nb * st.affinity
        + p.movement_endogenous_growth * receptive
    )
    shrink = p.movement_repression_effect * world.repression + p.movement_decay
    m = world.movement
    noise = ctx.rng.normal(0.0, p.movement_noise, m.shape)
    m = m + growth * (1.0 - m) - shrink * m + noise
    world.movement = np.where(eligible(world, ctx), np.clip(m, 0.0, 1.0), 0.0)
