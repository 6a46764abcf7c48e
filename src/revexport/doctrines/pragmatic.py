"""Pragmatic opportunism.

Seed: "build a single pattern nation at home"; "peaceful politics combined with opportunism ...
wherever the national interests demanded and the conditions were ready, Iranian should strike
at the dependent and authoritarian regimes and if the conditions were not suitable, Iranian
should continue the current situation by compromising."

Opportunity in a target = movement x weak legitimacy x (dependent or authoritarian regime).
Where it passes a threshold and the exporter is not overstretched (sanctions, war on several
fronts), part of the budget -- up to 40 %, four times the opportunity found -- goes to
propaganda, support and covert action there; otherwise the budget stays with development and
diplomacy. It strikes only a state twice as much weaker as the militants need, with a strong
movement, and seeks a ceasefire once a war has cost more than moderately.
"""

from __future__ import annotations

from revexport.doctrines.registry import register_spec
from revexport.doctrines.spec import DoctrineSpec, Policy

PRAGMATIC = Policy(
    shares={"domestic": 0.55, "diplomacy": 0.45, "propaganda": 0.3, "support": 0.4, "covert": 0.3},
    targeting={"movement": 1.0, "illegitimacy": 1.0, "dependent": 1.0},
    ripeness=0.03,
    export_gain=4.0,
    max_export_share=0.4,
    strike_power_ratio=2.0,
    strike_min_movement=0.4,
    overstretch_sanctions=0.3,
    overstretch_wars=1,
    war_tolerance=0.4,
)

register_spec("pragmatic", DoctrineSpec.single(
    PRAGMATIC, summary="opportunist: supports ripe movements against dependent regimes, else compromises"))
