"""What a doctrine sees, what it returns, and the helpers doctrines share.

A doctrine is a policy: ``decide(observation, memory, rng) -> Allocation``,
batched over replicates and over the exporter slots that run it. It sees only
what its exporter can observe and names no country and no date: targets are
chosen from attributes (affinity, grievance, legitimacy, regime type,
alignment, proximity), never from identities.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from revexport.engine.state import (
    DEMOCRACY,
    DIPLOMACY,
    DOMESTIC,
    MEANS,
    MILITARY,
    MONARCHY,
    NONALIGNED,
    PROPAGANDA,
)
from revexport.params import Parameters

F = NDArray[np.float64]
B = NDArray[np.bool_]
I = NDArray[np.int64]  # noqa: E741


@dataclass(frozen=True)
class Observation:
    """What the exporters of one doctrine group can observe this month.

    Shapes: ``R`` replicates, ``K`` exporter slots in the group, ``S`` states.

    Attributes
    ----------
    step : int
    params : Parameters
    active : (R, K) bool, the slot holds a sitting exporter
    economy : (R, K) GDP relative to the start
    legitimacy : (R, K)
    power : (R, K) effective military capability (capability x cohesion + aid)
    cohesion : (R, K)
    at_war : (R, K, S) bool
    weariness : (R, K)
    attacked : (R, K) bool, a war was started against the exporter last month
    successes : (R, K) aligned regimes abroad credited to the exporter
    threat_felt : (R, K) share of the states that can balance (not exporters, superpowers
        or aligned) that are in the coalition against the exporters
    sanctions : (R, K) share of the scenario's GDP sanctioning the exporters, plus
        0.25 per sanctioning superpower, capped at 1
    movement : (R, S) strength of the aligned movement in each state
    target_legitimacy : (R, S)
    target_power : (R, S) effective military capability
    regime : (R, S) int64 regime codes
    alignment : (R, S) int64 alignment codes
    protected : (R, S) bool, client of a superpower present in the scenario
    affinity, grievance : (S,)
    proximity : (R, K, S)
    valid_target : (R, K, S) bool, may be targeted (not itself, not an exporter,
        not a superpower, not aligned)
    """

    step: int
    params: Parameters
    active: B
    economy: F
    legitimacy: F
    power: F
    cohesion: F
    at_war: B
    weariness: F
    attacked: B
    successes: F
    threat_felt: F
    sanctions: F
    movement: F
    target_legitimacy: F
    target_power: F
    regime: I
    alignment: I
    protected: B
    affinity: F
    grievance: F
    proximity: F
    valid_target: B

    @property
    def shape(self) -> tuple[int, int]:
        """``(R, K)``."""
        return (int(self.active.shape[0]), int(self.active.shape[1]))


@dataclass
class Allocation:
    """A doctrine's answer.

    Attributes
    ----------
    shares : (R, K, 6)
        Shares of the budget over MEANS (domestic, diplomacy, propaganda,
        support, covert, military); non-negative, each row sums to 1.
    targets : (R, K, S)
        Where propaganda, support and covert action go: non-negative weights
        that sum to 1 over valid targets (or to 0 if there is none).
    strike : (R, K, S) bool
        States against which the exporter opens a war this month.
    """

    shares: F
    targets: F
    strike: B


class Doctrine(ABC):
    """Base class of doctrines.

    Subclasses set ``name``, store their parameters in ``__init__`` and
    implement :meth:`decide`. Register them with
    :func:`revexport.doctrines.registry.register`.
    """

    name: ClassVar[str] = "doctrine"
    summary: ClassVar[str] = ""

    def init_memory(self, n_replicates: int, n_slots: int) -> dict[str, F]:
        """The doctrine's own state at the start (e.g. faction weights); none by default."""
        return {}

    @abstractmethod
    def decide(self, obs: Observation, memory: dict[str, F], rng: np.random.Generator) -> Allocation:
        """Turn an observation into an allocation; may update ``memory`` in place."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


# -- helpers shared by the built-in doctrines ------------------------------------


def fixed_shares(obs: Observation, **shares: float) -> F:
    """A (R, K, 6) share array with the same shares everywhere, normalised to 1."""
    vec = np.array([shares.get(m, 0.0) for m in MEANS], dtype=np.float64)
    vec = vec / vec.sum()
    r, k = obs.shape
    return np.broadcast_to(vec, (r, k, len(MEANS))).copy()


def normalise_targets(score: F, valid: B) -> F:
    """Scores -> weights summing to 1 over valid targets (0 where none is valid)."""
    w = np.where(valid, np.maximum(score, 0.0), 0.0)
    total = w.sum(axis=-1, keepdims=True)
    out: F = np.divide(w, total, out=np.zeros_like(w), where=total > 0)
    return out


def receptiveness(obs: Observation) -> F:
    """(R, K, S) how open a target is to the message: affinity x grievance x weak legitimacy."""
    base = obs.affinity * obs.grievance * (1.0 - obs.target_legitimacy) + 0.5 * obs.movement
    return np.broadcast_to(base[:, None, :], obs.proximity.shape)


def regime_hostility(obs: Observation) -> F:
    """(R, K, S) 1 + how much the message condemns the target's regime.

    The seed's message is aimed at "dependent and authoritarian regimes":
    monarchies count double, superpower clients one and a half times, and
    democracies half as much (the factors multiply).
    """
    monarchy = (obs.regime == MONARCHY).astype(np.float64)
    client = (obs.alignment != NONALIGNED).astype(np.float64)
    democracy = (obs.regime == DEMOCRACY).astype(np.float64)
    h = (1.0 + monarchy + 0.5 * client) * (1.0 - 0.5 * democracy)
    return np.broadcast_to(h[:, None, :], obs.proximity.shape)


def with_defence(shares: F, obs: Observation) -> F:
    """At war, raise the military share to at least ``defence_share``, scaling the rest down."""
    need = obs.params.defence_share
    at_war = obs.at_war.any(axis=-1)
    mil = shares[..., MILITARY]
    lift = at_war & (mil < need)
    out = shares.copy()
    rest = 1.0 - mil
    scale = np.divide(1.0 - need, rest, out=np.ones_like(rest), where=rest > 0)
    out = np.where(lift[..., None], out * scale[..., None], out)
    out[..., MILITARY] = np.where(lift, need, mil)
    return out


def opportunistic_strike(obs: Observation, score: F, power_ratio: float) -> B:
    """Open at most one war a month: the best-scoring land neighbour that is much weaker.

    Parameters
    ----------
    score : (R, K, S)
        Preference among targets; only targets with positive score qualify.
    power_ratio : float
        The exporter's power must exceed the target's by this factor, times
        ``patron_deterrence`` if the target is a superpower's client.
    """
    ratio = power_ratio * np.where(obs.protected, obs.params.patron_deterrence, 1.0)
    ok = (
        obs.valid_target
        & (obs.proximity >= 1.0)
        & ~obs.at_war
        & (obs.power[..., None] > (ratio * obs.target_power)[:, None, :])
        & (score > 0)
        & obs.active[..., None]
    )
    best = np.argmax(np.where(ok, score, -np.inf), axis=-1)[..., None]
    strike: B = (np.arange(ok.shape[-1]) == best) & np.take_along_axis(ok, best, axis=-1)
    return strike


__all__ = [
    "DIPLOMACY",
    "DOMESTIC",
    "MEANS",
    "PROPAGANDA",
    "Allocation",
    "Doctrine",
    "Observation",
    "fixed_shares",
    "normalise_targets",
    "opportunistic_strike",
    "receptiveness",
    "regime_hostility",
    "with_defence",
]
