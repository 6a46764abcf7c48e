"""Phase 3 -- movements: the exporter-aligned movement in each state grows or shrinks.

Growth (Gurr 1970: mobilisation of grievance):

* propaganda x affinity x grievance x the exporter's attractiveness (demonstration effect:
  its legitimacy, economy, cohesion and successes abroad);
* material support and covert action against the target's capacity
  (``support / (support + capacity)``), counting what reaches the movement: it loses strength
  with distance (Boulding 1962) -- the exporter's proximity to the power
  ``support_reach_exponent`` -- unless it crosses a land border from a friendly state, an
  exporter or an aligned regime (Salehyan 2009: support to rebels flows through neighbours);
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
from revexport.engine.cells import live_slots, mark_eligible
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


@cell
def support_reach(q: Any, proximity: float, route: bool) -> float:
    """Share of an exporter's material support and covert action that reaches a movement:
    ``proximity ** support_reach_exponent``, or all of it by a land route through a friendly
    state (``route``)."""
    if route:
        return 1.0
    if q.support_reach_exponent == 1.0:  # the default: x ** 1 is x, without the cost of a pow
        return proximity
    return proximity ** q.support_reach_exponent


@kernel
def grow(w: World, st: StaticArrays, par: Any, rng: np.random.Generator) -> None:
    """Update ``movement`` (R, S) in place."""
    # The world's and the scenario's arrays as locals: fetched from their records inside
    # the branchy loops below, each use would take and release a reference.
    cohesion, economy, legitimacy, movement = w.cohesion, w.economy, w.legitimacy, w.movement
    regime, repression, slot_state, spend = w.regime, w.repression, w.slot_state, w.spend
    proximity, successes = w.proximity, w.successes
    adj_idx, adj_ptr, adj_weight, affinity = st.adj_idx, st.adj_ptr, st.adj_weight, st.affinity
    degree, gdp0, grievance, superpower = st.degree, st.gdp0, st.grievance, st.superpower
    land_idx, land_ptr = st.land_idx, st.land_ptr
    n_r, n_s = movement.shape
    n_e = slot_state.shape[1]
    attract = np.zeros(n_e)
    exporter = np.zeros(n_s, dtype=np.bool_)
    ok = np.zeros(n_s, dtype=np.bool_)
    for r in range(n_r):
        q = par[r]
        mark_eligible(slot_state, superpower, regime, r, exporter, ok)
        # The slots past the last sitting exporter spend nothing: they would add 0 to each sum.
        n_live = live_slots(slot_state, r)
        for e in range(n_live):
            x = slot_state[r, e]
            attract[e] = 0.0 if x < 0 else attractiveness(
                q, legitimacy[r, x], economy[r, x], cohesion[r, x], successes[r, e])
        for s in range(n_s):
            if not ok[s]:
                movement[r, s] = 0.0
                continue
            pull = 0.0
            support = 0.0
            route = -1  # looked up only for a state that is sent support
            for e in range(n_live):
                prop = spend[r, e, Spend.PROPAGANDA, s]
                pull += prop / (prop + q.propaganda_half_saturation) * attract[e]
                material = spend[r, e, Spend.SUPPORT, s] + spend[r, e, Spend.COVERT, s]
                if material > 0.0:
                    if route < 0:
                        # A land border with a friendly state (an exporter, an aligned
                        # regime) is a route by which support reaches the movement in full.
                        route = 0
                        for k in range(land_ptr[s], land_ptr[s + 1]):
                            nb = land_idx[k]
                            if exporter[nb] or regime[r, nb] == ALIGNED:
                                route = 1
                    support += material * support_reach(q, proximity[r, e, s], route == 1)
            # The target's capacity against support: its security budget, stiffened by repression.
            capacity = (q.support_capacity_scale * q.security_budget_fraction * gdp0[s]
                        * economy[r, s] / 12.0 * (1.0 + repression[r, s]))
            armed = support / (support + capacity)
            aligned_nb = 0.0
            for k in range(adj_ptr[s], adj_ptr[s + 1]):
                aligned_nb += adj_weight[k] * (regime[r, adj_idx[k]] == ALIGNED)
            receptive = affinity[s] * grievance[s]
            growth = (q.movement_propaganda_growth * min(1.0, pull) * receptive
                      + q.movement_support_growth * armed * receptive
                      + q.contagion_weight * q.movement_propaganda_growth
                      * (aligned_nb / max(degree[s], 1.0)) * affinity[s]
                      + q.movement_endogenous_growth * receptive)
            shrink = q.movement_repression_effect * repression[r, s] + q.movement_decay
            noise = rng.normal(0.0, q.movement_noise) if q.movement_noise > 0 else 0.0
            m = movement[r, s]
            m = m + growth * (1.0 - m) - shrink * m + noise
            movement[r, s] = min(max(m, 0.0), 1.0)
