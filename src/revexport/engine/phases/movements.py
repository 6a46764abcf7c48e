"""Phase 3 -- movements: the exporter-aligned movement in each state grows or shrinks.

Growth (Gurr 1970: mobilisation of grievance):

* propaganda x affinity x grievance x the exporter's attractiveness (demonstration effect:
  its legitimacy, economy, cohesion and successes abroad);
* material support and covert action against the target's capacity
  (``support / (support + capacity)``);
* contagion from aligned neighbours (sparse neighbour sum);
* a small endogenous growth from affinity x grievance alone.

Shrinkage: repression and decay. Growth is damped by ``(1 - m)`` (saturation), shrinkage acts
on ``m``; Gaussian noise; the result is clipped to [0, 1]. Exporters, superpowers and aligned
regimes carry no movement.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from revexport.codes import ALIGNED, Spend
from revexport.compiled import cell, kernel
from revexport.engine.cells import mark_eligible
from revexport.engine.state import StaticArrays, World


@cell
def attractiveness(q: Any, legitimacy: float, economy: float, cohesion: float,
                   successes: float) -> float:
    """How attractive an exporter's example is, in [0, 1], from its own legitimacy, economy,
    military cohesion and successes abroad."""
    a = (q.attractiveness_legitimacy_weight * legitimacy
         + q.attractiveness_economy_weight
         * (min(economy, q.attractiveness_economy_cap) / q.attractiveness_economy_cap)
         + q.attractiveness_cohesion_weight * cohesion
         + q.attractiveness_success_weight * (1.0 - math.exp(-successes)))
    return min(max(a, 0.0), 1.0)


@kernel
def grow(w: World, st: StaticArrays, par: Any, rng: np.random.Generator) -> None:
    """Update ``w.movement`` (R, S) in place."""
    n_r, n_s = w.movement.shape
    n_e = w.slot_state.shape[1]
    attract = np.zeros(n_e)
    exporter = np.zeros(n_s, dtype=np.bool_)
    ok = np.zeros(n_s, dtype=np.bool_)
    for r in range(n_r):
        q = par[r]
        mark_eligible(w.slot_state, st.superpower, w.regime, r, exporter, ok)
        for e in range(n_e):
            x = w.slot_state[r, e]
            attract[e] = 0.0 if x < 0 else attractiveness(
                q, w.legitimacy[r, x], w.economy[r, x], w.cohesion[r, x], w.successes[r, e])
        for s in range(n_s):
            if not ok[s]:
                w.movement[r, s] = 0.0
                continue
            pull = 0.0
            support = 0.0
            for e in range(n_e):
                prop = w.spend[r, e, Spend.PROPAGANDA, s]
                pull += prop / (prop + q.propaganda_half_saturation) * attract[e]
                support += w.spend[r, e, Spend.SUPPORT, s] + w.spend[r, e, Spend.COVERT, s]
            # The target's capacity against support: its security budget, stiffened by repression.
            capacity = (q.support_capacity_scale * q.security_budget_fraction * st.gdp0[s]
                        * w.economy[r, s] / 12.0 * (1.0 + w.repression[r, s]))
            armed = support / (support + capacity)
            aligned_nb = 0.0
            for k in range(st.adj_ptr[s], st.adj_ptr[s + 1]):
                aligned_nb += st.adj_weight[k] * (w.regime[r, st.adj_idx[k]] == ALIGNED)
            receptive = st.affinity[s] * st.grievance[s]
            growth = (q.movement_propaganda_growth * min(1.0, pull) * receptive
                      + q.movement_support_growth * armed * receptive
                      + q.contagion_weight * q.movement_propaganda_growth
                      * (aligned_nb / max(st.degree[s], 1.0)) * st.affinity[s]
                      + q.movement_endogenous_growth * receptive)
            shrink = q.movement_repression_effect * w.repression[r, s] + q.movement_decay
            noise = rng.normal(0.0, q.movement_noise) if q.movement_noise > 0 else 0.0
            m = w.movement[r, s]
            m = m + growth * (1.0 - m) - shrink * m + noise
            w.movement[r, s] = min(max(m, 0.0), 1.0)
