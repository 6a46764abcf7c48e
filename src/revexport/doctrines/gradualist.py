"""Gradualism.

Seed: "a combination of the last two view ... as long as Iranian could not stabilize the
situation at home, they should not take an aggressive stance against the international
community, but after Iranian could improve the situation at home and achieve our goals, they
must gradually enter into conflict with the world community and the environment."

A stage in [0, 1] rises by 0.015 a month (about five and a half years to full) while home is
stable -- legitimacy at least 0.5, economy at least 0.95 of its start, military cohesion at
least 0.8, no war -- and falls at half that pace when it is not; the allocation moves from
nationalist restraint (stage 0) to militant export (stage 1), and force is used only beyond
stage 0.8.
"""

from __future__ import annotations

from revexport.doctrines.militant import MILITANT
from revexport.doctrines.nationalist import NATIONALIST
from revexport.doctrines.registry import register_spec
from revexport.doctrines.spec import DoctrineSpec, Faction

GRADUALISTS = Faction(policy=NATIONALIST, bold=MILITANT, ramp=0.015, stable_legitimacy=0.5,
                      stable_economy=0.95, stable_cohesion=0.8, strike_stage=0.8)

register_spec("gradualist", DoctrineSpec(
    summary="restraint until home is stable, then a gradual turn to militant export",
    factions=[GRADUALISTS]))
