"""Phase 1 -- perception: each state updates its estimate of each exporter's intent.

A state reads intent from what is aimed at *it* (Walt 1987): the propaganda aimed at it (in
full where it calls on the state's people to overthrow their government, at
``signal_outreach`` of that where it is moral support and outreach; the doctrine's
``incitement`` says how much is which), material support and covert action *if found*
(detection is a chance, not a certainty), each saturating in what is spent on it, war with it,
and the exporter's posture -- the share of its means put into export (propaganda weighed as
above; military means only on fronts the exporter opened, so a war of defence is not read as
export by third states) -- heard in proportion to how much of the exporter's effort
is aimed at the state, relative to its main target, and in full by a regime the message condemns
by name (a monarchy; Walt 1996). Threat spills over: a state also reads what is aimed at its
partners, the largest of the mean direct signals to the other clients of its patron, to the
other coalition members (for a member) and to its neighbours; a war a partner began is read as
intent by that partner only. Diplomacy reassures. The signal is inflated by a misperception
bias (Jervis 1976) and folded into the estimate by exponential smoothing, with noise. Threat
itself (Walt's aggregate power, proximity, offensive capability, intentions) is computed from
this estimate where it is used (:func:`revexport.engine.cells.threat`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from revexport.codes import (
    COVERT,
    DIPLOMACY,
    MILITARY,
    MONARCHY,
    NONALIGNED,
    PROPAGANDA,
    STARTED_BY_EXPORTER,
    SUPPORT,
    Spend,
)
from revexport.compiled import kernel
from revexport.engine.cells import live_slots
from revexport.engine.state import StaticArrays, World


@kernel
def perceive(w: World, st: StaticArrays, par: Any, rng: np.random.Generator) -> None:
    """Update ``intent`` (R, E, S) in place."""
    # The world's and the scenario's arrays as locals: fetched from their records inside
    # the branchy loops below, each use would take and release a reference.
    alignment, coalition, intent, regime = w.alignment, w.coalition, w.intent, w.regime
    shares, slot_state, spend, war = w.shares, w.slot_state, w.spend, w.war
    incitement, war_initiator = w.incitement, w.war_initiator
    adj_idx, adj_ptr, adj_weight, degree = st.adj_idx, st.adj_ptr, st.adj_weight, st.degree
    superpower = st.superpower
    n_r, _, n_s = intent.shape
    direct = np.zeros(n_s)
    shown = np.zeros(n_s)  # what partners read of each state's signal
    aimed = np.zeros(n_s)
    bloc_sum = np.zeros(2)
    bloc_n = np.zeros(2)
    for r in range(n_r):
        q = par[r]
        # The slots past the last sitting exporter keep the zero intent they were given when
        # vacated (or at the start).
        for e in range(live_slots(slot_state, r)):
            if slot_state[r, e] < 0:
                for s in range(n_s):
                    intent[r, e, s] = 0.0
                continue
            # What is aimed at each state: export spending, and military spending on fronts
            # the exporter opened (defending itself in a war a neighbour began signals nothing).
            military = 0.0
            offensive = 0.0
            most = 0.0
            for s in range(n_s):
                m = spend[r, e, Spend.MILITARY, s]
                military += m
                opened = war[r, e, s] and war_initiator[r, e, s] == STARTED_BY_EXPORTER
                offensive += m * opened
                aimed[s] = (spend[r, e, Spend.PROPAGANDA, s] + spend[r, e, Spend.SUPPORT, s]
                            + spend[r, e, Spend.COVERT, s] + m * opened)
                most = max(most, aimed[s])
            # Propaganda is read as hostile in full where it incites, at signal_outreach of that
            # where it is moral support (Article 154 allows that much).
            inciting = incitement[r, e] + q.signal_outreach * (1.0 - incitement[r, e])
            posture = (shares[r, e, PROPAGANDA] * inciting + shares[r, e, SUPPORT]
                       + shares[r, e, COVERT]
                       + (shares[r, e, MILITARY] * offensive / military if military > 0.0 else 0.0))
            calm = 1.0 - q.reassurance_diplomacy * shares[r, e, DIPLOMACY]
            # The direct signal to each state, and its sums over each patron's clients and
            # over the coalition (for the spill-over to partners).
            bloc_sum[:] = 0.0
            bloc_n[:] = 0.0
            coalition_sum = 0.0
            coalition_n = 0.0
            for s in range(n_s):
                prop = spend[r, e, Spend.PROPAGANDA, s]
                support = spend[r, e, Spend.SUPPORT, s]
                covert = spend[r, e, Spend.COVERT, s]
                # Support and covert action are seen only when found (one draw each, if any),
                # and read, like propaganda, in proportion to a saturating amount.
                found_support = support > 0 and rng.random() < q.detection_support
                found_covert = covert > 0 and rng.random() < q.detection_covert
                half = q.propaganda_half_saturation
                # The posture is aimed at the main target, and at every regime the message
                # condemns by name (Walt 1996: the creed itself declares the intent).
                aim = aimed[s] / most if most > 0.0 else 0.0
                if regime[r, s] == MONARCHY:
                    aim = 1.0
                x = (q.signal_propaganda * inciting * (prop / (prop + half))
                     + q.signal_support * found_support * (support / (support + half))
                     + 1.0 * found_covert * (covert / (covert + half))
                     + q.signal_posture * posture * aim)
                # A war is read as intent by the state fighting it, but by its partners only
                # if the exporter opened it: a war the state began shows them nothing.
                shown[s] = x
                if war[r, e, s]:
                    x = max(x, 1.0)
                    if war_initiator[r, e, s] == STARTED_BY_EXPORTER:
                        shown[s] = x
                direct[s] = x
                a = alignment[r, s]
                if a != NONALIGNED and superpower[s] < 0:
                    bloc_sum[a] += shown[s]
                    bloc_n[a] += 1.0
                if coalition[r, s]:
                    coalition_sum += shown[s]
                    coalition_n += 1.0
            x_own = slot_state[r, e]
            for s in range(n_s):
                if s == x_own:
                    intent[r, e, s] = 0.0
                    continue
                # Partners: the patron's other clients, the other coalition members, the
                # neighbours; a state reads the most threatened group of them.
                partners = 0.0
                a = alignment[r, s]
                if a != NONALIGNED and superpower[s] < 0 and bloc_n[a] > 1.0:
                    partners = (bloc_sum[a] - shown[s]) / (bloc_n[a] - 1.0)
                if coalition[r, s] and coalition_n > 1.0:
                    partners = max(partners, (coalition_sum - shown[s]) / (coalition_n - 1.0))
                if degree[s] > 0.0:
                    near = 0.0
                    for k in range(adj_ptr[s], adj_ptr[s + 1]):
                        near += adj_weight[k] * shown[adj_idx[k]]
                    partners = max(partners, near / degree[s])
                signal = direct[s] + q.signal_spillover * partners
                signal = min(max(signal * calm * (1.0 + q.misperception_bias), 0.0), 1.0)
                noise = rng.normal(0.0, q.perception_noise) if q.perception_noise > 0 else 0.0
                x = intent[r, e, s] + q.perception_rate * (signal - intent[r, e, s]) + noise
                intent[r, e, s] = min(max(x, 0.0), 1.0)
