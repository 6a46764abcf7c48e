"""The constitution's non-interference.

Seed: the preamble's "continuation of this revolution at home and abroad, especially in
expanding international relations with other Islamic and popular movements"; Article 154:
"this support is accompanied by complete abstention from any interference in the internal
affairs of other nations".

Moral and diplomatic support only: outreach to the oppressed and deprived (a fifth of the
budget, targets weighted by affinity and grievance) that calls on no one to overthrow a
government (no incitement), diplomacy, development; no material support, no covert action, no
offensive war; at war, it seeks a ceasefire early. Every
exporter also runs under the engine's Article 154 switch when the scenario or the run asks.
"""

from __future__ import annotations

from revexport.doctrines.registry import register_spec
from revexport.doctrines.spec import DoctrineSpec, Policy

CONSTITUTIONAL = Policy(
    shares={"domestic": 0.44, "diplomacy": 0.36, "propaganda": 0.2},
    targeting={"affinity": 1.0, "grievance": 1.0},
    war_tolerance=0.3,
    incitement=0.0,
)

register_spec("constitutional", DoctrineSpec.single(
    CONSTITUTIONAL, summary="moral and diplomatic support of movements only (Article 154)"))
