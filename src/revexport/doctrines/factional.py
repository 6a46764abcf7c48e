"""Factions inside the exporter, whose influence shifts with outcomes.

The product definition: the four views of the seed as factions -- nationalist, militant,
pragmatic, gradualist -- whose weights shift with what happens: an attack from outside,
mobilisation while a war lasts and successes abroad strengthen the militants; war exhaustion and
economic crisis strengthen the pragmatists and nationalists; hostility from abroad (the
coalition) feeds the militants, as the seed's "conspiracy of the colonial powers" reading
predicts.

The allocation is the weight-average of the four factions' allocations, and so is the war
weariness the exporter bears (each faction's policy has its own ``war_tolerance``): as war
weariness and crisis move influence from the militants to the pragmatists, the exporter comes to
accept a ceasefire. A war is opened only where the factions that would open it together hold
more than ``faction_war_majority`` of the influence (a majority at the default). Weights
evolve as ``log w += faction_learning_rate x (signal - mean signal) + faction_reversion x (log
w0 - log w)``, then are normalised: each faction drifts back toward its starting influence
``w0`` (its institutional base), so a shift lasts while its causes do. An economic crisis is a
fall below the economy the factions expect, and expectations adapt (``expectation_rate``), so a
lasting loss stops being a crisis.

``historical`` is this doctrine with the 1979 balance of factions
(:mod:`revexport.doctrines.historical`).
"""

from __future__ import annotations

from revexport.doctrines.gradualist import GRADUALISTS
from revexport.doctrines.militant import MILITANT
from revexport.doctrines.nationalist import NATIONALIST
from revexport.doctrines.pragmatic import PRAGMATIC
from revexport.doctrines.registry import register_spec
from revexport.doctrines.spec import DoctrineSpec, Faction

FACTIONS: tuple[str, ...] = ("nationalist", "militant", "pragmatic", "gradualist")


def factional(weights: tuple[float, float, float, float], summary: str) -> DoctrineSpec:
    """The four factions with starting influence ``weights`` (normalised)."""
    nat, mil, pra, gra = weights
    return DoctrineSpec(summary=summary, factions=[
        Faction(policy=NATIONALIST, weight=nat, signals={"weariness": 0.5, "crisis": 0.5}),
        Faction(policy=MILITANT, weight=mil,
                signals={"attacked": 1.0, "mobilised": 0.3, "successes": 1.0, "threat": 0.5}),
        Faction(policy=PRAGMATIC, weight=pra, signals={"weariness": 1.0, "crisis": 1.0}),
        GRADUALISTS.model_copy(update={"weight": gra, "signals": {"crisis": 0.25}}),
    ])


register_spec("factional", factional(
    (0.25, 0.25, 0.25, 0.25), "the four views as factions whose influence shifts with outcomes"))
