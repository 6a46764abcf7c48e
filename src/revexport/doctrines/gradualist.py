"""Gradualism.

Seed: "a combination of the last two view ... as long as Iranian could not
stabilize the situation at home, they should not take an aggressive stance
against the international community, but after Iranian could improve the
situation at home and achieve our goals, they must gradually enter into conflict
with the world community and the environment."

A stage variable in [0, 1] rises slowly while home is stable (legitimacy,
economy and military cohesion above thresholds, no war) and falls when it is
not; the allocation blends nationalist restraint (stage 0) into militant
export (stage 1), and force is used only near the end of the ramp.
"""

from __future__ import annotations

import numpy as np

from revexport.doctrines.base import Allocation, Doctrine, F, Observation
from revexport.doctrines.militant import Militant
from revexport.doctrines.nationalist import Nationalist
from revexport.doctrines.registry import register


@register("gradualist")
class Gradualist(Doctrine):
    """Stabilise home first, then enter into conflict step by step.

    Parameters
    ----------
    ramp : float
        Monthly rise of the stage while home is stable, default 0.015 (about 5.5 years to full).
    stable_legitimacy, stable_economy, stable_cohesion : float
        What "stable at home" means, defaults 0.5, 0.95, 0.8.
    """

    summary = "restraint until home is stable, then a gradual turn to militant export"

    def __init__(
        self, ramp: float = 0.015, stable_legitimacy: float = 0.5, stable_economy: float = 0.95,
        stable_cohesion: float = 0.8,
    ) -> None:
        self.ramp = ramp
        self.stable_legitimacy = stable_legitimacy
        self.stable_economy = stable_economy
        self.stable_cohesion = stable_cohesion

    def init_memory(self, n_replicates: int, n_slots: int) -> dict[str, F]:
        return {"stage": np.zeros((n_replicates, n_slots))}

    def decide(self, obs: Observation, memory: dict[str, F], rng: np.random.Generator) -> Allocation:
        return self.blend(obs, memory, Nationalist().decide(obs, memory, rng),
                          Militant().decide(obs, memory, rng))

    def blend(self, obs: Observation, memory: dict[str, F], calm: Allocation,
              bold: Allocation) -> Allocation:
        """Advance the stage, then mix the restrained (``calm``) and the militant (``bold``)
        allocations by it; war only from a late stage on."""
        stable = (
            (obs.legitimacy >= self.stable_legitimacy)
            & (obs.economy >= self.stable_economy)
            & (obs.cohesion >= self.stable_cohesion)
            & ~obs.at_war.any(axis=-1)
        )
        stage = np.clip(memory["stage"] + np.where(stable, self.ramp, -0.5 * self.ramp), 0.0, 1.0)
        stage = np.where(obs.active, stage, memory["stage"])  # an empty slot's stage waits
        memory["stage"] = stage
        w = stage[..., None]
        targets = (1.0 - w) * calm.targets + w * bold.targets
        return Allocation(
            shares=(1.0 - w) * calm.shares + w * bold.shares,
            targets=targets,
            strike=bold.strike & (stage > 0.8)[..., None],
        )
