"""Militant export.

Seed: revolutionaries "who considered national borders to be the construction of
the colonial era ... believed in the military export of the revolution";
"constant and continuous attack on the value and status and attempt to destroy
other regimes"; "military, guerrilla, and intelligence capabilities, and the
arming of liberation movements".

A large share of the budget goes to propaganda, arming movements, covert
action and the military; targets are the states most receptive to the message
and whose regimes it condemns, nearer ones first; it opens a war on a much
weaker land neighbour whose movement is strong.
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
    opportunistic_strike,
    receptiveness,
    regime_hostility,
    with_defence,
)
from revexport.doctrines.registry import register


@register("militant")
class Militant(Doctrine):
    """Export by every means, force included.

    Parameters
    ----------
    movement_to_strike : float
        Movement strength in a target above which an invasion is considered, default 0.25.
    """

    summary = "propaganda, arming movements, covert action and war against condemned regimes"

    def __init__(self, movement_to_strike: float = 0.25) -> None:
        self.movement_to_strike = movement_to_strike

    def decide(self, obs: Observation, memory: dict[str, F], rng: np.random.Generator) -> Allocation:
        shares = fixed_shares(
            obs, domestic=0.15, diplomacy=0.05, propaganda=0.25, support=0.25, covert=0.15,
            military=0.15,
        )
        score = receptiveness(obs) * regime_hostility(obs) * (0.5 + obs.proximity)
        ripe = np.broadcast_to((obs.movement > self.movement_to_strike)[:, None, :], score.shape)
        strike = opportunistic_strike(
            obs, np.where(ripe, score, 0.0), obs.params.offensive_power_ratio
        )
        return Allocation(
            shares=with_defence(shares, obs),
            targets=normalise_targets(score, obs.valid_target),
            strike=strike,
        )
