"""Nationalist restraint.

Seed: "a group of Iranian nationalists ... considered the plan to export the revolution ... a
wrong and harmful thing"; "a free and independent Iran, communication with all countries and
joining the existing global community".

Most of the budget goes to development at home and to diplomacy and trade; a little cultural
outreach, which incites no one, goes where affinity is highest; no material support, no covert
action, no offensive war. At war, it defends itself and seeks a ceasefire early.
"""

from __future__ import annotations

from revexport.doctrines.registry import register_spec
from revexport.doctrines.spec import DoctrineSpec, Policy

NATIONALIST = Policy(
    shares={"domestic": 0.58, "diplomacy": 0.38, "propaganda": 0.04},
    targeting={"affinity": 1.0},
    war_tolerance=0.3,
    incitement=0.0,
)

register_spec("nationalist", DoctrineSpec.single(
    NATIONALIST, summary="development and diplomacy; export judged harmful; defends only"))
