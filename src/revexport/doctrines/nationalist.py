"""Nationalist restraint.

Seed: "a group of Iranian nationalists ... considered the plan to export the
revolution ... a wrong and harmful thing"; "a free and independent Iran,
communication with all countries and joining the existing global community".

Most of the budget goes to development at home and to diplomacy and trade; a
little cultural outreach goes where affinity is highest; no material support,
no covert action, no offensive war. At war, it defends itself.
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


@register("nationalist")
class Nationalist(Doctrine):
    """Development and diplomacy first; export is harmful.

    Parameters
    ----------
    outreach : float
        Share of the budget given to cultural outreach (propaganda), default 0.04.
    """

    summary = "development and diplomacy; export judged harmful; defends only"

    def __init__(self, outreach: float = 0.04) -> None:
        self.outreach = outreach

    def decide(self, obs: Observation, memory: dict[str, F], rng: np.random.Generator) -> Allocation:
        shares = fixed_shares(obs, domestic=0.58, diplomacy=0.38, propaganda=self.outreach)
        score = np.broadcast_to(obs.affinity, obs.proximity.shape)
        return Allocation(
            shares=with_defence(shares, obs),
            targets=normalise_targets(score, obs.valid_target),
            strike=np.zeros(obs.proximity.shape, dtype=bool),
        )
