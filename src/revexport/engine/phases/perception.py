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

import numpy as np

from revexport.engine.context import StepContext
from revexport.engine.phases.common import bernoulli
from revexport.engine.state import DIPLOMACY, EXPORT_MEANS, World


def perceive(world: World, ctx: StepContext) -> None:
    """Update ``world.intent`` (R, E, S) in place."""
    p = ctx.params
    prop, sup, cov = world.spend[:, :, 0], world.spend[:, :, 1], world.spend[:, :, 2]
    prop_intensity = prop / (prop + p.propaganda_half_saturation)
    found_support = (sup > 0) & bernoulli(ctx, np.full(sup.shape, p.detection_support))
    found_covert = (cov > 0) & bernoulli(ctx, np.full(cov.shape, p.detection_covert))
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
    noise = ctx.rng.normal(0.0, p.perception_noise, world.intent.shape)
    intent = world.intent + p.perception_rate * (signal - world.intent) + noise
    active = (world.slot_state >= 0)[..., None]
    world.intent = np.where(active, np.clip(intent, 0.0, 1.0), 0.0)
