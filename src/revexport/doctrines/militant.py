"""Militant export.

Seed: revolutionaries who "considered national borders to be the construction of the colonial
era ... believed in the military export of the revolution"; "constant and continuous attack on
the value and status and attempt to destroy other regimes"; "military, guerrilla, and
intelligence capabilities, and the arming of liberation movements".

Every means at once: propaganda, material support and covert action aimed at receptive
populations under condemned regimes, nearer ones first; invasion of a much weaker state within
reach whose movement is strong; at war, it fights on far into exhaustion ("war until
victory") before it will accept a ceasefire.
"""

from __future__ import annotations

from revexport.doctrines.registry import register_spec
from revexport.doctrines.spec import DoctrineSpec, Policy

MILITANT = Policy(
    shares={"domestic": 0.15, "diplomacy": 0.05, "propaganda": 0.25, "support": 0.25,
            "covert": 0.15, "military": 0.15},
    targeting={"receptiveness": 1.0, "condemned": 1.0, "reach": 1.0},
    strike_power_ratio=1.0,
    strike_min_movement=0.25,
    war_tolerance=0.8,
)

register_spec("militant", DoctrineSpec.single(
    MILITANT, summary="propaganda, arming movements, covert action and war against condemned regimes"))
