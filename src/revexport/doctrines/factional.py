"""Factions inside the exporter, whose influence shifts with outcomes.

MODEL.md section 4: the four views of the seed as factions -- nationalist,
militant, pragmatic, gradualist -- whose weights shift with what happens: an
attack from outside and successes abroad strengthen the militants; war
exhaustion and economic crisis strengthen the pragmatists and nationalists;
hostility from abroad (coalition, sanctions) feeds the militants, as the seed's
"conspiracy of the colonial powers" reading predicts.

The allocation is the weight-average of the four factions' allocations; force
is used only as the dominant faction would use it. Weights evolve as
``log w += rate x (signal - mean signal)``, then are normalised.

``historical`` is this doctrine with the 1979 balance of factions (see
:mod:`revexport.doctrines.historical`).
"""

from __future__ import annotations

import numpy as np

from revexport.doctrines.base import Allocation, Doctrine, F, Observation, normalise_targets
from revexport.doctrines.gradualist import Gradualist
from revexport.doctrines.militant import Militant
from revexport.doctrines.nationalist import Nationalist
from revexport.doctrines.pragmatic import Pragmatic
from revexport.doctrines.registry import register
from revexport.engine.state import DIPLOMACY, DOMESTIC

FACTIONS: tuple[str, ...] = ("nationalist", "militant", "pragmatic", "gradualist")
NAT, MIL, PRA, GRA = range(4)


@register("factional")
class Factional(Doctrine):
    """Four factions with outcome-driven influence.

    Parameters
    ----------
    weights : sequence of 4 floats
        Starting influence of the nationalist, militant, pragmatic and gradualist
        factions; normalised. Default equal.
    """

    summary = "the four views as factions whose influence shifts with outcomes"

    def __init__(self, weights: tuple[float, float, float, float] = (0.25, 0.25, 0.25, 0.25)) -> None:
        self.weights = tuple(float(w) for w in weights)
        self._members = (Nationalist(), Militant(), Pragmatic(), Gradualist())

    def init_memory(self, n_replicates: int, n_slots: int) -> dict[str, F]:
        w = np.asarray(self.weights, dtype=np.float64)
        w = w / w.sum()
        memory = {"weights": np.broadcast_to(w, (n_replicates, n_slots, 4)).copy(),
                  "successes_seen": np.zeros((n_replicates, n_slots))}
        memory.update(self._members[GRA].init_memory(n_replicates, n_slots))
        return memory

    def decide(self, obs: Observation, memory: dict[str, F], rng: np.random.Generator) -> Allocation:
        self._update_weights(obs, memory)
        w = memory["weights"]
        nat, mil, pra, gra = self._members
        calm, bold = nat.decide(obs, memory, rng), mil.decide(obs, memory, rng)
        # The gradualists mix the other two factions' allocations: computed once, not twice.
        allocs = [calm, bold, pra.decide(obs, memory, rng), gra.blend(obs, memory, calm, bold)]
        shares = sum((w[..., i, None] * a.shares for i, a in enumerate(allocs)), np.zeros_like(
            allocs[0].shares))
        # Target weights mix in proportion to what each faction spends on export.
        mix = np.zeros_like(allocs[0].targets)
        for i, a in enumerate(allocs):
            export = 1.0 - a.shares[..., DOMESTIC] - a.shares[..., DIPLOMACY]
            mix += (w[..., i] * export)[..., None] * a.targets
        dominant = np.argmax(w, axis=-1)
        strike = np.zeros_like(allocs[0].strike)
        for i, a in enumerate(allocs):
            strike |= a.strike & (dominant == i)[..., None]
        return Allocation(shares=shares, targets=normalise_targets(mix, obs.valid_target),
                          strike=strike)

    @staticmethod
    def _update_weights(obs: Observation, memory: dict[str, F]) -> None:
        # Only a sitting exporter's factions learn: an empty slot's memory waits unchanged.
        active = obs.active
        new_successes = np.maximum(obs.successes - memory["successes_seen"], 0.0)
        memory["successes_seen"] = np.where(active, obs.successes, memory["successes_seen"])
        crisis = np.clip(5.0 * (1.0 - obs.economy), 0.0, 1.0)
        signal = np.zeros(memory["weights"].shape)
        signal[..., MIL] = obs.attacked + new_successes + 0.5 * obs.threat_felt
        signal[..., PRA] = obs.weariness + crisis
        signal[..., NAT] = 0.5 * obs.weariness + 0.5 * crisis
        signal[..., GRA] = 0.25 * crisis
        signal -= signal.mean(axis=-1, keepdims=True)
        logw = np.log(np.maximum(memory["weights"], 1e-9)) + obs.params.faction_learning_rate * signal
        w = np.exp(logw - logw.max(axis=-1, keepdims=True))
        memory["weights"] = np.where(active[..., None], w / w.sum(axis=-1, keepdims=True),
                                     memory["weights"])
