"""Phase 1 -- perception: each state updates its estimate of each exporter's intent.

What a state sees this month from exporter ``e``: the propaganda aimed at it (saturating in
spending), material support and covert action *if found* (detection is a chance, not a
certainty), war with it, and the exporter's general posture (the share of its means put into
export, heard by everyone; military means count only on fronts the exporter opened, so a war
of defence is not read as export by third states). Diplomacy reassures. The signal is
inflated by a misperception bias (Jervis 1976) and folded into the estimate by exponential
smoothing, with noise. Threat itself (Walt's aggregate power, proximity, offensive capability,
intentions) is computed from this estimate where it is used
(:func:`revexport.engine.cells.threat`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from revexport.codes import (
    COVERT,
    DIPLOMACY,
    MILITARY,
    PROPAGANDA,
    STARTED_BY_EXPORTER,
    SUPPORT,
    Spend,
)
from revexport.compiled import kernel
from revexport.engine.state import StaticArrays, World


@kernel
def perceive(w: World, st: StaticArrays, par: Any, rng: np.random.Generator) -> None:
    """Update ``w.intent`` (R, E, S) in place."""
    n_r, n_e, n_s = w.intent.shape
    for r in range(n_r):
        q = par[r]
        for e in range(n_e):
            if w.slot_state[r, e] < 0:
                w.intent[r, e, :] = 0.0
                continue
            sh = w.shares[r, e]
            # Military spending reads as export posture only on fronts the exporter opened:
            # defending itself in a war a neighbour began signals nothing to third states.
            military = 0.0
            offensive = 0.0
            for s in range(n_s):
                m = w.spend[r, e, Spend.MILITARY, s]
                military += m
                if w.war[r, e, s] and w.war_initiator[r, e, s] == STARTED_BY_EXPORTER:
                    offensive += m
            posture = (sh[PROPAGANDA] + sh[SUPPORT] + sh[COVERT]
                       + (sh[MILITARY] * offensive / military if military > 0.0 else 0.0))
            calm = 1.0 - q.reassurance_diplomacy * sh[DIPLOMACY]
            for s in range(n_s):
                prop = w.spend[r, e, Spend.PROPAGANDA, s]
                # Support and covert action are seen only when found: one draw each, if any.
                found_support = (w.spend[r, e, Spend.SUPPORT, s] > 0
                                 and rng.random() < q.detection_support)
                found_covert = (w.spend[r, e, Spend.COVERT, s] > 0
                                and rng.random() < q.detection_covert)
                signal = (q.signal_propaganda * (prop / (prop + q.propaganda_half_saturation))
                          + q.signal_support * found_support + 1.0 * found_covert
                          + q.signal_posture * posture)
                if w.war[r, e, s]:
                    signal = max(signal, 1.0)
                signal = min(max(signal * calm * (1.0 + q.misperception_bias), 0.0), 1.0)
                noise = rng.normal(0.0, q.perception_noise) if q.perception_noise > 0 else 0.0
                x = w.intent[r, e, s] + q.perception_rate * (signal - w.intent[r, e, s]) + noise
                w.intent[r, e, s] = min(max(x, 0.0), 1.0)
