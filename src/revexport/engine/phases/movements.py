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

from typing import Any

import numpy as np

from revexport.engine import kernels
from revexport.engine.context import StepContext
from revexport.engine.phases.common import eligible
from revexport.engine.state import ALIGNED, F, I, World


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
    noise = ctx.rng.normal(0.0, p.movement_noise, world.movement.shape)
    if kernels.compiled():
        adj = st.adjacency
        _grow_kernel(
            world.movement, world.spend, world.slot_state, world.legitimacy, world.economy,
            world.cohesion, world.successes, world.repression, world.regime, st.superpower,
            st.gdp0, st.affinity, st.grievance, st.degree, adj.indptr, adj.indices, adj.data,
            noise, p.values)
        return
    prop = world.spend[:, :, 0]
    covert_support = world.spend[:, :, 1] + world.spend[:, :, 2]
    pull = prop / (prop + p.propaganda_half_saturation) * attractiveness(world, ctx)[..., None]
    propaganda = np.minimum(1.0, pull.sum(axis=1))
    capacity = p.support_capacity_scale * p.budget_fraction * st.gdp0 * world.economy / 12.0
    capacity = capacity * (1.0 + world.repression)
    support = covert_support.sum(axis=1)
    armed = support / (support + capacity)
    aligned = (world.regime == ALIGNED).astype(np.float64)
    aligned_nb = (st.adjacency @ aligned.T).T / np.maximum(st.degree, 1.0)
    receptive = st.affinity * st.grievance
    growth = (
        p.movement_propaganda_growth * propaganda * receptive
        + p.movement_support_growth * armed * receptive
        + p.contagion_weight * p.movement_propaganda_growth * aligned_nb * st.affinity
        + p.movement_endogenous_growth * receptive
    )
    shrink = p.movement_repression_effect * world.repression + p.movement_decay
    m = world.movement
    m = m + growth * (1.0 - m) - shrink * m + noise
    world.movement = np.where(eligible(world, ctx), np.clip(m, 0.0, 1.0), 0.0)


@kernels.kernel
def _grow_kernel(movement: F, spend: F, slot_state: I, legitimacy: F, economy: F, cohesion: F,
                 successes: F, repression: F, regime: I, superpower: I, gdp0: F, affinity: F,
                 grievance: F, degree: F, indptr: I, indices: I, weights: F, noise: F,
                 p: Any) -> None:  # pragma: no cover - compiled
    """The loop twin of :func:`grow`: writes ``movement`` in place."""
    capacity_scale = p.support_capacity_scale * p.budget_fraction
    contagion = p.contagion_weight * p.movement_propaganda_growth
    n_r, n_s = movement.shape
    n_e = slot_state.shape[1]
    attract = np.zeros(n_e)
    exporter = np.zeros(n_s, dtype=np.bool_)
    for r in range(n_r):
        kernels.mark_exporters(slot_state, r, exporter)
        for e in range(n_e):
            x = slot_state[r, e]
            if x < 0:
                attract[e] = 0.0
                continue
            a = (0.5 * legitimacy[r, x] + 0.3 * (min(economy[r, x], 1.5) / 1.5)
                 + 0.2 * cohesion[r, x]
                 + p.attractiveness_success_weight * (1.0 - np.exp(-successes[r, e])))
            attract[e] = min(max(a, 0.0), 1.0)
        for s in range(n_s):
            if exporter[s] or superpower[s] >= 0 or regime[r, s] == ALIGNED:
                movement[r, s] = 0.0
                continue
            pull = 0.0
            support = 0.0
            for e in range(n_e):
                prop = spend[r, e, 0, s]
                pull += prop / (prop + p.propaganda_half_saturation) * attract[e]
                support += spend[r, e, 1, s] + spend[r, e, 2, s]
            capacity = capacity_scale * gdp0[s] * economy[r, s] / 12.0 * (1.0 + repression[r, s])
            armed = support / (support + capacity)
            nb = 0.0
            for k in range(indptr[s], indptr[s + 1]):
                nb += weights[k] * (regime[r, indices[k]] == ALIGNED)
            receptive = affinity[s] * grievance[s]
            growth = (p.movement_propaganda_growth * min(1.0, pull) * receptive
                      + p.movement_support_growth * armed * receptive
                      + contagion * (nb / max(degree[s], 1.0)) * affinity[s]
                      + p.movement_endogenous_growth * receptive)
            shrink = p.movement_repression_effect * repression[r, s] + p.movement_decay
            m = movement[r, s]
            m = m + growth * (1.0 - m) - shrink * m + noise[r, s]
            movement[r, s] = min(max(m, 0.0), 1.0)
