"""Phase 6 -- regime change: a threshold hazard, not a certainty.

Resilience = weighted legitimacy, repression, military capability (saturating) and patronage
(superpower client, aid, the patron's forces deployed). A regime falls with monthly hazard
``regime_hazard x exp((movement - resilience) / regime_hazard_width)`` less its value at no
movement (capped at 1): zero without a movement, small while the movement is well below
resilience, near certain far above it. A fallen regime is aligned with probability
``aligned_probability x min(1, movement / resilience)``, otherwise the army takes over. Coups
(hazard scaled by 1 - legitimacy) bring military rule. An exporter whose legitimacy collapses
can fall too, at its own hazard and width, and then stops exporting.

A state under occupation keeps its regime while it lasts (docs/odd.md, 7.1).

A newly aligned state leaves the coalition, ends its sanctions and wars, is credited to the
exporters, and takes a free exporter slot with the scenario's ``new_exporter_doctrine``:
"newly aligned regimes can export too".
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from revexport.codes import ALIGNED, MILITARY_RULE, NONALIGNED, REGIME_FELL
from revexport.compiled import cell, kernel
from revexport.engine.cells import live_slots, mark_eligible, power, presence_support
from revexport.engine.state import StaticArrays, World, proximity_row


@cell
def resilience(q: Any, legitimacy: float, repression: float, power: float, client: bool,
               aid_share: float, defended: bool) -> float:
    """How much movement a regime withstands: weighted legitimacy, repression, armed strength
    (saturating in its effective power) and patronage (a client, aid relative to its own
    capability, its patron's forces deployed)."""
    return weighed_resilience(q, legitimacy, repression, armed_strength(q, power),
                              patronage(q, client, aid_share, defended))


@cell
def armed_strength(q: Any, power: float) -> float:
    """A regime's armed strength, in [0, 1) for a power not below 0 (:func:`resilience`)."""
    return 1.0 - math.exp(-power / q.resilience_capability_scale)


@cell
def patronage(q: Any, client: bool, aid_share: float, defended: bool) -> float:
    """A regime's patronage, at most 1 (:func:`resilience`)."""
    return min(1.0, q.patron_client_weight * client + aid_share + defended)


@cell
def weighed_resilience(q: Any, legitimacy: float, repression: float, armed: float,
                       patron: float) -> float:
    """:func:`resilience` from the regime's armed strength and patronage."""
    return (q.resilience_legitimacy * legitimacy + q.resilience_repression * repression
            + q.resilience_capability * armed + q.resilience_patron * patron)


@cell
def fall_hazard(q: Any, movement: float, resilience: float) -> float:
    """Monthly hazard that a regime falls to its movement: a threshold hazard, smooth in the
    margin of the movement over the regime's resilience, counted above the hazard at no
    movement (a regime's instability without a movement is the coup hazard's)."""
    return min(1.0, q.regime_hazard * (math.exp((movement - resilience) / q.regime_hazard_width)
                                       - math.exp(-resilience / q.regime_hazard_width)))


@kernel
def change(w: World, st: StaticArrays, par: Any, rng: np.random.Generator) -> None:
    """Apply this month's regime changes."""
    # The world's and the scenario's arrays as locals: fetched from their records inside
    # the branchy loops below, each use would take and release a reference.
    aid, alignment, anchor_legitimacy = w.aid, w.alignment, w.anchor_legitimacy
    anchor_repression, capability, coalition = w.anchor_repression, w.capability, w.coalition
    cohesion, fell, intent, legitimacy = w.cohesion, w.fell, w.intent, w.legitimacy
    movement, occupied, presence, prev_regime = w.movement, w.occupied, w.presence, w.prev_regime
    regime, repression, sanctioning, shares = w.regime, w.repression, w.sanctioning, w.shares
    slot_state, spend, strike, war, war_end = w.slot_state, w.spend, w.strike, w.war, w.war_end
    capability0, initial_exporters, superpower = st.capability0, st.initial_exporters, st.superpower
    superpower_rows = st.superpower_rows
    n_r, n_e, n_s = war.shape
    exporter = np.zeros(n_s, dtype=np.bool_)
    ok = np.zeros(n_s, dtype=np.bool_)
    aligned = np.zeros(n_s, dtype=np.bool_)
    foreign = np.zeros(n_s)  # capability of foreign forces defending each state
    first_new = initial_exporters.shape[0]
    for r in range(n_r):
        q = par[r]
        mark_eligible(slot_state, superpower, regime, r, exporter, ok)
        for s in range(n_s):
            prev_regime[r, s] = regime[r, s]
            fell[r, s] = False
            aligned[s] = False
        # A sitting exporter falls when its own legitimacy collapses; it stops exporting.
        for e in range(live_slots(slot_state, r)):
            x = slot_state[r, e]
            if x < 0:
                continue
            hazard = min(1.0, q.exporter_collapse_hazard * math.exp(
                (q.exporter_collapse_legitimacy - legitimacy[r, x]) / q.exporter_collapse_width))
            if rng.random() < hazard:
                fell[r, x] = True
                for s in range(n_s):
                    if war[r, e, s]:
                        war[r, e, s] = False
                        war_end[r, e, s] = REGIME_FELL
                # Cleared once, here: the phases skip the slots past the last sitting exporter
                # (live_slots), so nothing of this exporter may be left for them to read.
                slot_state[r, e] = -1
                intent[r, e, :] = 0.0
                shares[r, e, :] = 0.0
                spend[r, e, :, :] = 0.0
                strike[r, e, :] = False
        # Other regimes fall to their movement (aligned with some chance) or to a coup.
        any_aligned = False
        presence_support(q, presence, alignment, occupied, capability, superpower_rows, r, foreign)
        for s in range(n_s):
            if not ok[s] or occupied[r, s] >= 0:  # an occupier holds the regime in place
                continue
            pw = power(capability[r, s], cohesion[r, s], aid[r, s])
            patron = patronage(q, alignment[r, s] != NONALIGNED,
                               aid[r, s] / max(capability0[s], 1e-9), foreign[s] > 0)
            # The hazard is at most regime_hazard while the movement is below resilience, so
            # a draw above it needs no exponentials (the same draw, the same outcome); nor
            # does a movement no stronger than the regime's resilience without its arms (arms
            # only add to it: their weight and strength are not below 0).
            u = rng.random()
            res = 0.0
            outgrown = False
            if u < q.regime_hazard or movement[r, s] > weighed_resilience(
                    q, legitimacy[r, s], repression[r, s], 0.0, patron):
                res = weighed_resilience(q, legitimacy[r, s], repression[r, s],
                                         armed_strength(q, pw), patron)
                outgrown = (movement[r, s] > res or u < q.regime_hazard) and u < fall_hazard(
                    q, movement[r, s], res)
            if outgrown:
                fell[r, s] = True
                # The movement takes power the more surely the nearer it came to what the
                # regime could withstand; a regime that falls to a weaker one falls to its army.
                aligned[s] = rng.random() < q.aligned_probability * min(
                    1.0, movement[r, s] / max(res, 1e-12))
                any_aligned = any_aligned or aligned[s]
            elif rng.random() < q.coup_hazard * (1.0 - legitimacy[r, s]):
                fell[r, s] = True
        # New regimes in place of the fallen: a fresh slate; they keep the coercive apparatus.
        for s in range(n_s):
            if not fell[r, s]:
                continue
            regime[r, s] = ALIGNED if aligned[s] else MILITARY_RULE
            legitimacy[r, s] = q.new_regime_legitimacy
            anchor_legitimacy[r, s] = q.new_regime_legitimacy
            anchor_repression[r, s] = repression[r, s]
            movement[r, s] = 0.0
            if aligned[s]:
                alignment[r, s] = NONALIGNED
                coalition[r, s] = False
                sanctioning[r, s] = False
                aid[r, s] = 0.0
                for e in range(n_e):
                    if war[r, e, s]:
                        war[r, e, s] = False
                        war_end[r, e, s] = REGIME_FELL
        if any_aligned:
            _credit(w, r, aligned)
            _new_exporters(w, st, q, r, aligned, first_new)


@kernel
def _credit(w: World, r: int, aligned: Any) -> None:
    """Share the credit for each new aligned regime among the exporters that worked there
    (equally among the sitting exporters where none did)."""
    n_e, _, n_s = w.spend.shape[1:]
    n_active = 0
    for e in range(n_e):
        n_active += w.slot_state[r, e] >= 0
    for s in range(n_s):
        if not aligned[s]:
            continue
        total = 0.0
        for e in range(n_e):
            for j in range(4):
                total += w.spend[r, e, j, s]
        for e in range(n_e):
            if total > 0:
                effort = 0.0
                for j in range(4):
                    effort += w.spend[r, e, j, s]
                w.successes[r, e] += effort / total
            elif w.slot_state[r, e] >= 0:
                w.successes[r, e] += 1.0 / max(n_active, 1)


@kernel
def _new_exporters(w: World, st: StaticArrays, q: Any, r: int, aligned: Any, first_new: int) -> None:
    """Give newly aligned states a free exporter slot, in state order, while slots last."""
    n_e = w.slot_state.shape[1]
    last = min(n_e, first_new + int(q.new_exporter_slots))
    slot = first_new
    for s in range(aligned.shape[0]):
        if not aligned[s]:
            continue
        while slot < last and w.slot_state[r, slot] >= 0:
            slot += 1
        if slot >= last:
            return
        w.slot_state[r, slot] = s
        proximity_row(st, s, q, w.proximity[r, slot])
        # A new exporter starts afresh: nothing of a fallen predecessor in the slot carries over
        # but the slot's cumulative costs (the run's totals).
        w.intent[r, slot, :] = 0.0
        w.deterrence[r, slot, :] = 0.0
        w.war_lesson[r, slot] = 0.0
        w.economy_without_war[r, slot] = w.economy[r, s]
        w.economy_without_sanctions[r, slot] = w.economy[r, s]
        w.rally[r, slot] = 0.0
        w.successes[r, slot] = 0.0
        w.successes_seen[r, slot] = 0.0
        w.economy_expected[r, slot] = w.economy[r, s]
        w.stage[r, slot, :] = 0.0
        w.faction_weight[r, slot, :] = w.faction_weight0[slot]
