"""What a doctrine sees, what it returns, and the base class of doctrines written in Python.

A doctrine is a policy: it sees what its exporter can observe and returns an allocation of
the exporter's means. It names no country and no date: targets are chosen from attributes
(affinity, grievance, legitimacy, regime type, alignment, proximity), never from identities.

The built-in doctrines are data (:mod:`revexport.doctrines.spec`), run by one compiled
decision kernel (:mod:`revexport.doctrines.kernel`). A Python :class:`Doctrine` subclass is the
extension point for what a spec cannot say: it receives the same :class:`Observation`, batched
over replicates, and may be slower.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

import numpy as np
from numpy.typing import NDArray

from revexport.codes import N_MEANS

F = NDArray[np.float64]
B = NDArray[np.bool_]
I = NDArray[np.int64]  # noqa: E741


class Observation(NamedTuple):
    """What the exporters in the slots being decided can observe this month.

    Shapes: ``R`` replicates, ``K`` exporter slots, ``S`` states. The arrays are the world's
    own where they can be (read them, never write them).

    Attributes
    ----------
    step : int
    params : numpy.recarray of shape (R,)
        Each replicate's parameters (``obs.params.defence_share`` is an (R,) array).
    active : (R, K) bool, the slot holds a sitting exporter
    economy : (R, K) GDP relative to the start
    legitimacy : (R, K)
    power : (R, K) effective military capability (capability x cohesion + aid)
    cohesion : (R, K)
    at_war : (R, K, S) bool
    weariness : (R, K)
    attacked : (R, K) bool, a war was started against the exporter last month
    successes : (R, K) aligned regimes abroad credited to the exporter
    threat_felt : (R, K) share of the states that can balance (not exporters, superpowers or
        aligned) that are in the coalition against the exporters
    sanctions : (R, K) share of the scenario's GDP sanctioning the exporters, plus
        ``superpower_sanction_weight`` per sanctioning superpower, capped at 1
    movement : (R, S) strength of the aligned movement in each state
    target_legitimacy : (R, S)
    target_power : (R, S) effective military capability, with the foreign forces deployed to
        defend the state (its patron's, or an occupier's)
    regime : (R, S) int64 regime codes (:class:`revexport.codes.Regime`)
    alignment : (R, S) int64 alignment codes (:class:`revexport.codes.Alignment`)
    protected : (R, S) bool, client of a superpower present in the scenario
    affinity, grievance : (S,)
    proximity : (R, K, S)
    valid_target : (R, K, S) bool, may be targeted (a sitting exporter's slot; not itself,
        not an exporter, not a superpower, not aligned, not under occupation)
    """

    step: int
    params: Any
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

    def rows(self, rows: I) -> Observation:
        """The observation of some replicates only (``rows`` indexes the first axis)."""
        per_state = {"affinity", "grievance"}
        return self._replace(**{
            name: getattr(self, name)[rows] for name in self._fields
            if name not in per_state and name != "step"})

    def slots(self, slots: I) -> Observation:
        """The observation of some exporter slots only (``slots`` indexes the second axis)."""
        per_slot = {"active", "economy", "legitimacy", "power", "cohesion", "at_war", "weariness",
                    "attacked", "successes", "threat_felt", "sanctions", "proximity",
                    "valid_target"}
        return self._replace(**{name: getattr(self, name)[:, slots] for name in per_slot})


@dataclass
class Allocation:
    """A doctrine's answer.

    Attributes
    ----------
    shares : (R, K, 6)
        Shares of the budget over :data:`revexport.codes.MEANS` (domestic, diplomacy,
        propaganda, support, covert, military); non-negative, each row sums to 1.
    targets : (R, K, S)
        Where propaganda, support and covert action go: non-negative weights that sum to 1
        over valid targets (or to 0 if there is none).
    strike : (R, K, S) bool
        States against which the exporter opens a war this month.
    war_tolerance : (R, K), optional
        The war weariness the exporter bears before it seeks a ceasefire, in [0, 1]; the
        model parameter ``war_tolerance`` when not given.
    incitement : (R, K), optional
        The share of the propaganda that calls on the targets' people to overthrow their
        governments, in [0, 1] (the rest is moral support and outreach); 1 when not given.
    """

    shares: F
    targets: F
    strike: B
    war_tolerance: F | None = None
    incitement: F | None = None


class Doctrine(ABC):
    """Base class of doctrines written in Python.

    Subclasses set ``name``, store their parameters in ``__init__`` and implement
    :meth:`decide`, batched over replicates and slots. Register them with
    :func:`revexport.doctrines.registry.register`. What a
    :class:`~revexport.doctrines.spec.DoctrineSpec` can say runs faster as a spec.
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


# -- helpers for doctrines written in Python -------------------------------------------


def fixed_shares(obs: Observation, **shares: float) -> F:
    """A (R, K, 6) share array with the same shares everywhere, normalised to 1."""
    from revexport.codes import MEANS

    vec = np.array([shares.get(m, 0.0) for m in MEANS], dtype=np.float64)
    vec = vec / vec.sum()
    r, k = obs.shape
    return np.broadcast_to(vec, (r, k, N_MEANS)).copy()


def normalise_targets(score: F, valid: B) -> F:
    """Scores -> weights summing to 1 over valid targets (0 where none is valid)."""
    w = np.where(valid, np.maximum(score, 0.0), 0.0)
    total = w.sum(axis=-1, keepdims=True)
    out: F = np.divide(w, total, out=np.zeros_like(w), where=total > 0)
    return out


def regime_hostility(obs: Observation) -> F:
    """(R, K, S) 1 + how much the message condemns the target's regime.

    The seed's message is aimed at "dependent and authoritarian regimes": monarchies count
    double, superpower clients one and a half times, and democracies half as much (the
    factors multiply). The formula is the compiled doctrines' own
    (:func:`revexport.doctrines.kernel.condemnation`).
    """
    from revexport.doctrines.kernel import condemn_all

    h = np.empty(obs.regime.shape)
    condemn_all(np.ascontiguousarray(obs.regime), np.ascontiguousarray(obs.alignment), h)
    return np.broadcast_to(h[:, None, :], obs.proximity.shape)


def with_defence(shares: F, obs: Observation) -> F:
    """At war, raise the military share to at least ``defence_share``, scaling the rest down
    (the compiled doctrines' rule, :func:`revexport.doctrines.kernel.with_defence`)."""
    from revexport.doctrines.kernel import defend_all

    out = np.array(shares, dtype=np.float64, order="C")
    need = np.ascontiguousarray(obs.params.defence_share, dtype=np.float64)
    defend_all(out, np.ascontiguousarray(obs.at_war.any(axis=-1)), need)
    return out


__all__ = [
    "Allocation",
    "Doctrine",
    "Observation",
    "fixed_shares",
    "normalise_targets",
    "regime_hostility",
    "with_defence",
]
