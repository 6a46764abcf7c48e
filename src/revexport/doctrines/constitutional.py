"""The constitution's non-interference.

Seed: the preamble's "continuation of this revolution at home and abroad,
especially in expanding international relations with other Islamic and popular
movements"; Article 154: "this support is accompanied by complete abstention
from any interference in the internal affairs of other nations".

Moral and diplomatic support only: outreach to the oppressed and deprived
(targets weighted by affinity and grievance), diplomacy, development; no
material support, no covert action, no offensive war. Every exporter also
runs under the engine's Article 154 switch when the scenario or the run asks.
"""

from __future__ import annotations

import numpy as np

from revexport.doctrines.base import (
    Allocation,
    Doctrine,
    F,
    Observation,
    fixed_shares,
    normalise_targets,
    with_defence,
)
from revexport.doctrines.registry import register


@register("constitutional")
class Constitutional(Doctrine):
    """Moral and diplomatic support for the oppressed, no interference.

    Parameters
    ----------
    outreach : float
        Share of the budget for moral support (propaganda), default 0.2.
    """

    summary = "moral and diplomatic support of movements only (Article 154)"

    def __init__(self, outreach: float = 0.2) -> None:
        self.outreach = outreach

    def decide(self, obs: Observation, memory: dict[str, F], rng: np.random.Generator) -> Allocation:
        rest = 1.0 - self.outreach
        shares = fixed_shares(
            obs, domestic=0.55 * rest, diplomacy=0.45 * rest, propaganda=self.outreach
        )
        oppressed = obs.affinity * obs.grievance
        score = np.broadcast_to(oppressed, obs.proximity.shape)
        return Allocation(
            shares=with_defence(shares, obs),
            targets=normalise_targets(score, obs.valid_target),
            strike=np.zeros(obs.proximity.shape, dtype=bool),
        )
