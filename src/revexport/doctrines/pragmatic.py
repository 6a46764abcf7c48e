"""Pragmatic opportunism.

Seed: "build a single pattern nation at home"; "peaceful politics combined with
opportunism ... wherever the national interests demanded and the conditions were
ready, Iranian should strike at the dependent and authoritarian regimes and if
the conditions were not suitable, Iranian should continue the current situation
by compromising."

Opportunity in a target = movement x weak legitimacy x (dependent or
authoritarian regime). Where it passes a threshold and the exporter is not
overstretched (sanctions, war on several fronts), part of the budget goes to
support and covert action there; otherwise the budget stays with development
and diplomacy. It strikes only when the target is far weaker and its movement
strong.
"""

from __future__ import annotations

import numpy as np

from revexport.doctrines.base import (
    Allocation,
    Doctrine,
    F,
    Observation,
    normalise_targets,
    opportunistic_strike,
    with_defence,
)
from revexport.doctrines.registry import register
from revexport.engine.state import DEMOCRACY, MEANS, NONALIGNED


@register("pragmatic")
class Pragmatic(Doctrine):
    """Export where conditions are ripe and cheap; compromise elsewhere.

    Parameters
    ----------
    ripeness : float
        Opportunity above which a target is worth investing in, default 0.03.
    max_export_share : float
        Ceiling on the share of the budget spent on export, default 0.4.
    """

    summary = "opportunist: supports ripe movements against dependent regimes, else compromises"

    def __init__(self, ripeness: float = 0.03, max_export_share: float = 0.4) -> None:
        self.ripeness = ripeness
        self.max_export_share = max_export_share

    def decide(self, obs: Observation, memory: dict[str, F], rng: np.random.Generator) -> Allocation:
        dependent = (obs.alignment != NONALIGNED) | (obs.regime != DEMOCRACY)
        opportunity = obs.movement * (1.0 - obs.target_legitimacy) * dependent
        opp = np.broadcast_to(opportunity[:, None, :], obs.proximity.shape)
        ripe = obs.valid_target & (opp > self.ripeness)
        overstretched = (obs.sanctions > 0.3) | (obs.at_war.sum(axis=-1) > 1)
        mass = np.where(ripe, opp, 0.0).sum(axis=-1)
        export = np.where(overstretched, 0.0, np.minimum(self.max_export_share, 4.0 * mass))
        r, k = obs.shape
        shares = np.zeros((r, k, len(MEANS)))
        shares[..., 0] = 0.55 * (1.0 - export)
        shares[..., 1] = 0.45 * (1.0 - export)
        shares[..., 2] = 0.3 * export
        shares[..., 3] = 0.4 * export
        shares[..., 4] = 0.3 * export
        score = np.where(ripe, opp, 0.0)
        strong = np.where(np.broadcast_to(obs.movement[:, None, :] > 0.4, score.shape), score, 0.0)
        strike = opportunistic_strike(obs, strong, 2.0 * obs.params.offensive_power_ratio)
        strike &= ~overstretched[..., None]
        return Allocation(
            shares=with_defence(shares, obs),
            targets=normalise_targets(score, obs.valid_target),
            strike=strike,
        )
