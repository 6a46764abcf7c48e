"""Doctrines as data: a policy is a few numbers, a doctrine is one or more factions of policies.

A :class:`Policy` says how one view of export allocates the exporter's means:

* ``shares`` over the six means (normalised). With ``export_gain > 0`` the split between
  home (domestic, diplomacy) and export (propaganda, support, covert, military) follows
  opportunity instead: export intensity ``x = min(max_export_share, export_gain x mass)``,
  where ``mass`` is the summed target score above ``ripeness``; home shares get ``1 - x``,
  export shares ``x``, each in the proportions given. An overstretched exporter (sanctions
  above ``overstretch_sanctions`` or more than ``overstretch_wars`` wars) exports nothing and
  opens no war.
* ``targeting``: the exponent of each target attribute in the target score, the product of
  ``attribute ** exponent`` over the attributes named (:data:`ATTRIBUTES`). Scores at or
  below ``ripeness`` count as 0. Propaganda, support and covert action go to the targets in
  proportion to their scores.
* war: with ``strike_power_ratio > 0`` the exporter invades the best-scoring state whose
  movement exceeds ``strike_min_movement`` and that it outguns by
  ``strike_power_ratio x offensive_power_ratio`` (times ``patron_deterrence`` for a
  superpower's client), its power carried over the distance (``proximity **
  strike_proximity_exponent``) against the target's with the foreign forces deployed to
  defend it; at most one a month. 0: it never opens a war.
* ``incitement``: the share of the policy's propaganda that calls on the target's people to
  overthrow their government; the rest is moral support and outreach, what Article 154 allows.
  States read incitement as hostile intent, outreach far less (``signal_outreach``).
* at war, every policy gives the military at least ``defence_share`` (a model parameter);
  ``war_tolerance`` is the war weariness the policy bears before it seeks a ceasefire (a
  factional doctrine's is the factions' weight-average, so a shift of influence can end a
  war).

A :class:`DoctrineSpec` is one to four :class:`Faction` s, each holding a policy, or a staged
pair (``policy`` while home is unstable, moving toward ``bold`` by ``ramp`` a month while it is
stable: the gradualist view). Factions' influence weights shift with what happens
(``signals``); the allocation is the weight-average of the factions' allocations, target
weights mixed in proportion to what each faction spends on export, and war is opened as
the factions holding more than ``faction_war_majority`` of the influence would open it.

Every number here is part of a doctrine's definition, validated with its range; the
engine reads the compiled arrays (:func:`compile_slots`) in one kernel.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, model_validator

from revexport.codes import MEANS, N_MEANS
from revexport.doctrines.base import Allocation, Doctrine, Observation

Mean = Literal["domestic", "diplomacy", "propaganda", "support", "covert", "military"]
Attribute = Literal["affinity", "grievance", "illegitimacy", "movement", "proximity", "condemned",
                    "dependent", "receptiveness", "reach"]
Signal = Literal["attacked", "mobilised", "successes", "threat", "weariness", "crisis"]

#: Target attributes a policy's score may use, each in [0, 1] or a small positive range.
ATTRIBUTES: dict[str, str] = {
    "affinity": "religious and cultural closeness to the exporter's message",
    "grievance": "grievance of the population",
    "illegitimacy": "1 - the target regime's legitimacy",
    "movement": "strength of the aligned movement in the target",
    "proximity": "proximity to the exporter (1 land neighbour ... 0 itself)",
    "condemned": "1 + how much the message condemns the regime: (1 + monarchy + 0.5 client) "
                 "x (1 - 0.5 democracy)",
    "dependent": "1 for a 'dependent or authoritarian' regime (a client, or not a democracy), "
                 "else 0",
    "receptiveness": "affinity x grievance x illegitimacy + 0.5 x movement",
    "reach": "0.5 + proximity",
}
#: What moves a faction's influence, each per month.
SIGNALS: dict[str, str] = {
    "attacked": "1 in a month a war was started against the exporter",
    "mobilised": "1 in every month the exporter is at war (wartime mobilisation)",
    "successes": "aligned regimes abroad newly credited to the exporter",
    "threat": "share of the states that can balance that are in the coalition against it",
    "weariness": "the exporter's war weariness",
    "crisis": "crisis_sensitivity x the share of GDP below the level the factions expected "
              "(adapting at expectation_rate), capped at 1",
}
NEVER = 1e9  # an overstretch threshold that is never passed


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Policy(_Strict):
    """How one view of export allocates the exporter's means (see the module docstring)."""

    shares: dict[Mean, float] = Field(min_length=1)
    targeting: dict[Attribute, float] = Field(default_factory=lambda: {"affinity": 1.0})  # type: ignore[arg-type]
    ripeness: float = Field(default=0.0, ge=0.0, le=1.0)
    export_gain: float = Field(default=0.0, ge=0.0, le=100.0)
    max_export_share: float = Field(default=1.0, ge=0.0, le=1.0)
    strike_power_ratio: float = Field(default=0.0, ge=0.0, le=10.0)
    strike_min_movement: float = Field(default=0.3, ge=0.0, le=1.0)
    overstretch_sanctions: float = Field(default=NEVER, ge=0.0)
    overstretch_wars: float = Field(default=NEVER, ge=0.0)
    war_tolerance: float = Field(default=0.5, ge=0.0, le=1.0)
    incitement: float = Field(default=1.0, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _check(self) -> Policy:
        for k, v in self.shares.items():
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"shares.{k} must be in [0, 1], got {v}")
        if sum(self.shares.values()) <= 0:
            raise ValueError("shares must not all be 0")
        for attr, power in self.targeting.items():
            if not 0.0 <= power <= 5.0:
                raise ValueError(f"targeting.{attr} must be in [0, 5], got {power}")
        return self


class Faction(_Strict):
    """A faction: a policy (or a staged pair of policies), its influence and what moves it."""

    policy: Policy
    bold: Policy | None = None
    ramp: float = Field(default=0.0, ge=0.0, le=1.0)
    stable_legitimacy: float = Field(default=0.5, ge=0.0, le=1.0)
    stable_economy: float = Field(default=0.95, ge=0.0, le=3.0)
    stable_cohesion: float = Field(default=0.8, ge=0.0, le=1.0)
    strike_stage: float = Field(default=0.8, ge=0.0, le=1.0)
    weight: float = Field(default=1.0, gt=0.0, le=1.0e6)
    signals: dict[Signal, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> Faction:
        if (self.bold is None) != (self.ramp == 0.0):
            raise ValueError("a staged faction needs both 'bold' and 'ramp' > 0")
        for k, v in self.signals.items():
            if not -10.0 <= v <= 10.0:
                raise ValueError(f"signals.{k} must be in [-10, 10], got {v}")
        return self


class DoctrineSpec(_Strict):
    """A doctrine as data: one to four factions."""

    summary: str = "user doctrine"
    factions: list[Faction] = Field(min_length=1, max_length=4)

    @classmethod
    def single(cls, policy: Policy, summary: str = "user doctrine") -> DoctrineSpec:
        """A doctrine of one faction holding one policy."""
        return cls(summary=summary, factions=[Faction(policy=policy)])


MAX_FACTIONS = 4

POLICY_DTYPE = np.dtype(
    [(f"share_{m}", np.float64) for m in MEANS]
    + [(f"t_{a}", np.float64) for a in ATTRIBUTES]
    + [(name, np.float64) for name in (
        "ripeness", "export_gain", "max_export_share", "strike_power_ratio", "strike_min_movement",
        "overstretch_sanctions", "overstretch_wars", "war_tolerance", "incitement")]
)
FACTION_DTYPE = np.dtype(
    [("calm", np.int64), ("bold", np.int64)]
    + [(name, np.float64) for name in (
        "staged", "ramp", "stable_legitimacy", "stable_economy", "stable_cohesion",
        "strike_stage", "weight")]
    + [(f"sig_{s}", np.float64) for s in SIGNALS]
)


class DoctrineTables(NamedTuple):
    """The doctrines of a run's exporter slots as arrays (what the decision kernel reads).

    Attributes
    ----------
    policy : recarray of shape (E, 8)
        Per slot, its doctrine's distinct policies (each decided once a month).
    n_policies : (E,) int64
    faction : recarray of shape (E, 4)
        Per slot and faction: the indices of its ``calm`` and ``bold`` policy (the same for an
        unstaged faction), its stage rule, starting weight and signal weights.
    n_factions : (E,) int64, 0 for a slot run by a Python doctrine
    """

    policy: np.recarray
    n_policies: NDArray[np.int64]
    faction: np.recarray
    n_factions: NDArray[np.int64]


def _policy_record(rec: np.record, p: Policy) -> None:
    total = sum(p.shares.values())
    for m in MEANS:
        rec[f"share_{m}"] = p.shares.get(m, 0.0) / total  # type: ignore[call-overload]
    for a in ATTRIBUTES:
        rec[f"t_{a}"] = p.targeting.get(a, 0.0)  # type: ignore[call-overload]
    for name in ("ripeness", "export_gain", "max_export_share", "strike_power_ratio",
                 "strike_min_movement", "overstretch_sanctions", "overstretch_wars", "war_tolerance",
                 "incitement"):
        rec[name] = getattr(p, name)


def compile_slots(specs: Sequence[DoctrineSpec | None]) -> DoctrineTables:
    """The arrays of the doctrines of each exporter slot (``None``: a Python doctrine)."""
    n = len(specs)
    policy = np.zeros((n, 2 * MAX_FACTIONS), dtype=POLICY_DTYPE).view(np.recarray)
    n_policies = np.zeros(n, dtype=np.int64)
    faction = np.zeros((n, MAX_FACTIONS), dtype=FACTION_DTYPE).view(np.recarray)
    n_factions = np.zeros(n, dtype=np.int64)
    for e, spec in enumerate(specs):
        if spec is None:
            continue
        n_factions[e] = len(spec.factions)
        total = sum(f.weight for f in spec.factions)
        distinct: list[Policy] = []

        def index(p: Policy, e: int = e, distinct: list[Policy] = distinct) -> int:
            if p not in distinct:
                _policy_record(policy[e, len(distinct)], p)
                distinct.append(p)
            return distinct.index(p)

        for c, f in enumerate(spec.factions):
            rec = faction[e, c]
            rec["calm"] = index(f.policy)
            rec["bold"] = index(f.bold or f.policy)
            rec["staged"] = float(f.bold is not None)
            for name in ("ramp", "stable_legitimacy", "stable_economy", "stable_cohesion",
                         "strike_stage"):
                rec[name] = getattr(f, name)
            rec["weight"] = f.weight / total
            for s in SIGNALS:
                rec[f"sig_{s}"] = f.signals.get(s, 0.0)  # type: ignore[call-overload]
        n_policies[e] = len(distinct)
    return DoctrineTables(policy=policy, n_policies=n_policies, faction=faction,
                          n_factions=n_factions)


class SpecDoctrine(Doctrine):
    """A doctrine written as data, registered by name.

    The engine runs its spec in the compiled decision kernel; :meth:`decide` runs the same
    kernel on an observation, so the conformance checks and any Python code see the very
    decisions the engine makes.
    """

    def __init__(self, name: str, spec: DoctrineSpec) -> None:
        self.name = name  # type: ignore[misc]
        self.summary = spec.summary  # type: ignore[misc]
        self.spec = spec

    def __repr__(self) -> str:
        return f"SpecDoctrine({self.name!r})"

    def init_memory(self, n_replicates: int, n_slots: int) -> dict[str, NDArray[np.float64]]:
        weights = np.array([f.weight for f in self.spec.factions])
        w = np.zeros((n_replicates, n_slots, MAX_FACTIONS))
        w[..., : len(weights)] = weights / weights.sum()
        return {"stage": np.zeros((n_replicates, n_slots, MAX_FACTIONS)), "weights": w,
                "successes_seen": np.zeros((n_replicates, n_slots)),
                "economy_expected": np.ones((n_replicates, n_slots))}

    def decide(self, obs: Observation, memory: dict[str, NDArray[np.float64]],
               rng: np.random.Generator) -> Allocation:
        from revexport.doctrines.kernel import decide

        r, k = obs.shape
        t = compile_slots([self.spec] * k)
        shares = np.zeros((r, k, N_MEANS))
        targets = np.zeros(obs.proximity.shape)
        strike = np.zeros(obs.proximity.shape, dtype=bool)
        tolerance = np.zeros((r, k))
        incitement = np.zeros((r, k))
        decide(obs, t.policy, t.n_policies, t.faction, t.n_factions, memory["stage"], memory["weights"],
               memory["successes_seen"], memory["economy_expected"], shares, targets, strike,
               tolerance, incitement)
        return Allocation(shares=shares, targets=targets, strike=strike, war_tolerance=tolerance,
                          incitement=incitement)
