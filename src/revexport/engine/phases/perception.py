"""Phase 1 -- perception: each state updates its estimate of each exporter's intent.

What a state sees this month from exporter ``e``: the propaganda aimed at it
(saturating in spending), material support and covert action *if found*
(detection is a chance, not a certainty), war with it, and the exporter's
general posture (the share of its means put into export, heard by everyone).
Diplomacy reassures. The signal is inflated by a misperception bias (Jervis
1976) and folded into the estimate by exponential smoothing, with noise.
Threat itself (Walt's aggregate power, proximity, offensive capability,
intentions) is computed from this estimate where it is used
(:func:`revexport.engine.phases.common.threat`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from revexport.engine import kernels
from revexport.engine.context import StepContext
from revexport.engine.phases.common import normal_at, sitting, uniform_at
from revexport.engine.state import DIPLOMACY, EXPORT_MEANS, B, F, I, World


def perceive(world: World, ctx: StepContext) -> None:
    """Update ``world.intent`` (R, E, S) in place."""
    p = ctx.params
    u_support = uniform_at(ctx, world.spend[:, :, 1] > 0)
    u_covert = uniform_at(ctx, world.spend[:, :, 2] > 0)
    noise = normal_at(ctx, sitting(world), p.perception_noise)
    if kernels.compiled():
        _perceive_kernel(
            world.intent, world.spend, world.shares, world.war, world.slot_state,
            u_support, u_covert, noise, p.values)
        return
    prop, sup, cov = world.spend[:, :, 0], world.spend[:, :, 1], world.spend[:, :, 2]
    prop_intensity = prop / (prop + p.propaganda_half_saturation)
    found_support = (sup > 0) & (u_support < p.detection_support)
    found_covert = (cov > 0) & (u_covert < p.detection_covert)
    posture = world.shares[..., EXPORT_MEANS].sum(axis=-1)
    signal = (
        p.signal_propaganda * prop_intensity
        + p.signal_support * found_support
        + found_covert
        + p.signal_posture * posture[..., None]
    )
    signal = np.maximum(signal, world.war.astype(np.float64))
    signal *= 1.0 - p.reassurance_diplomacy * world.shares[..., DIPLOMACY][..., None]
    signal = np.clip(signal * (1.0 + p.misperception_bias), 0.0, 1.0)
    intent = world.intent + p.perception_rate * (signal - world.intent) + noise
    active = (world.slot_state >= 0)[..., None]
    world.intent = np.where(active, np.clip(intent, 0.0, 1.0), 0.0)


@kernels.kernel
def _perceive_kernel(intent: F, spend: F, shares: F, war: B, slot_state: I, u_support: F,
                     u_covert: F, noise: F, p: Any) -> None:  # pragma: no cover - compiled
    """The loop twin of :func:`perceive`: writes ``intent`` in place."""
    n_r, n_e, n_s = intent.shape
    for r in range(n_r):
        for e in range(n_e):
            if slot_state[r, e] < 0:
                intent[r, e, :] = 0.0
                continue
            posture = ((shares[r, e, 2] + shares[r, e, 3]) + shares[r, e, 4]) + shares[r, e, 5]
            calm = 1.0 - p.reassurance_diplomacy * shares[r, e, 1]
            for s in range(n_s):
                prop = spend[r, e, 0, s]
                found_support = spend[r, e, 1, s] > 0 and u_support[r, e, s] < p.detection_support
                found_covert = spend[r, e, 2, s] > 0 and u_covert[r, e, s] < p.detection_covert
                signal = (p.signal_propaganda * (prop / (prop + p.propaganda_half_saturation))
                          + p.signal_support * found_support + found_covert
                          + p.signal_posture * posture)
                if war[r, e, s]:
                    signal = max(signal, 1.0)
                signal = min(max(signal * calm * (1.0 + p.misperception_bias), 0.0), 1.0)
                x = intent[r, e, s] + p.perception_rate * (signal - intent[r, e, s]) + noise[r, e, s]
                intent[r, e, s] = min(max(x, 0.0), 1.0)
