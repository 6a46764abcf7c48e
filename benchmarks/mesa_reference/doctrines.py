"""The exporters' doctrines, written as plain scalar Python for one exporter agent.

A doctrine turns what its exporter observes this month into a :class:`Plan`: shares of the
monthly budget over the six means, weights over the target states for propaganda, support
and covert action, and the states it opens a war on. Each doctrine reads its exporter
(:class:`~benchmarks.mesa_reference.agents.Exporter`) and the model's observable summary of
the month (the states it may target, the share of them in the coalition, the sanctions it
suffers); an exporter holds its own doctrine instance, so a doctrine's memory (the
gradualist stage, the faction weights) is that exporter's.

The rules are those of ``src/revexport/doctrines``: the same shares, scores, thresholds and
weight updates, one exporter at a time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from revexport.codes import (
    DEMOCRACY,
    DIPLOMACY,
    DOMESTIC,
    MEANS,
    MILITARY,
    MONARCHY,
    NONALIGNED,
    PROPAGANDA,
)

if TYPE_CHECKING:
    from benchmarks.mesa_reference.agents import Exporter, Nation


@dataclass
class Plan:
    """A doctrine's answer for one month.

    Attributes
    ----------
    shares : list of float
        Budget shares over the means, in the order of :data:`revexport.codes.MEANS`.
    targets : dict of Nation to float
        Weights of the targets of propaganda, support and covert action.
    strike : list of Nation
        States the exporter opens a war on this month.
    war_tolerance : float
        The war weariness the exporter bears before it seeks a ceasefire.
    incitement : float
        The share of the propaganda that calls on the targets' people to overthrow their
        governments (the rest is moral support and outreach).
    """

    shares: list[float]
    targets: dict[Nation, float]
    strike: list[Nation] = field(default_factory=list)
    war_tolerance: float = 0.5
    incitement: float = 1.0


# -- helpers shared by the doctrines --------------------------------------------------------


def fixed_shares(**shares: float) -> list[float]:
    """Shares given by means name, normalised to sum to 1."""
    vec = [shares.get(m, 0.0) for m in MEANS]
    total = sum(vec)
    return [x / total for x in vec]


def normalise(scores: dict[Nation, float]) -> dict[Nation, float]:
    """Scores -> weights summing to 1 (negative scores count as 0; all 0 if none is positive)."""
    w = {n: max(x, 0.0) for n, x in scores.items()}
    total = sum(w.values())
    return {n: x / total for n, x in w.items()} if total > 0 else {n: 0.0 for n in w}


def receptiveness(n: Nation) -> float:
    """How open a target is to the message: affinity x grievance x weak legitimacy, plus movement."""
    return n.affinity * n.grievance * (1.0 - n.legitimacy) + 0.5 * n.movement


def regime_hostility(n: Nation) -> float:
    """1 + how much the message condemns the target's regime (monarchy, client, democracy)."""
    monarchy = float(n.regime == MONARCHY)
    client = float(n.alignment != NONALIGNED)
    democracy = float(n.regime == DEMOCRACY)
    return (1.0 + monarchy + 0.5 * client) * (1.0 - 0.5 * democracy)


def mixed_incitement(weights: list[float], plans: list[Plan]) -> float:
    """The incitement of plans mixed with ``weights``: the share of their propaganda that
    incites, each plan weighed by the propaganda it spends (by weight alone if none does)."""
    spent = [w * plan.shares[PROPAGANDA] for w, plan in zip(weights, plans, strict=True)]
    if sum(spent) > 0:
        return sum(s * plan.incitement for s, plan in zip(spent, plans, strict=True)) / sum(spent)
    return sum(w * plan.incitement for w, plan in zip(weights, plans, strict=True)) / sum(weights)


def with_defence(shares: list[float], ex: Exporter) -> list[float]:
    """At war, raise the military share to at least ``defence_share``, scaling the rest down."""
    need = ex.model.p.defence_share
    mil = shares[MILITARY]
    if not ex.wars or mil >= need:
        return shares
    rest = 1.0 - mil
    scale = (1.0 - need) / rest if rest > 0 else 1.0
    out = [x * scale for x in shares]
    out[MILITARY] = need
    return out


def opportunistic_strike(ex: Exporter, scores: dict[Nation, float], power_ratio: float) -> list[Nation]:
    """At most one war a month: the best-scoring state that is much weaker.

    The exporter's power, carried over the distance (times its proximity to the target to
    the ``strike_proximity_exponent``), must exceed the target's, with the foreign forces
    that would defend it, by ``power_ratio``, times ``patron_deterrence`` when the target is
    a client of a superpower in the scenario. Ties go to the state listed first in the
    scenario.
    """
    p = ex.model.p
    power = ex.power
    best, best_score = None, -math.inf
    for n, score in scores.items():
        ratio = power_ratio * (p.patron_deterrence if ex.model.is_protected(n) else 1.0)
        reach = ex.proximity[n] ** p.strike_proximity_exponent
        if (score > 0 and n not in ex.wars and score > best_score
                and power * reach > ratio * (n.power + n.presence_support())):
            best, best_score = n, score
    return [] if best is None else [best]


# -- the doctrines --------------------------------------------------------------------------


class Doctrine:
    """A policy of one exporter: :meth:`decide` is called once a month while it sits."""

    def decide(self, ex: Exporter) -> Plan:
        raise NotImplementedError


class Nationalist(Doctrine):
    """Development and diplomacy first, a little outreach where affinity is highest; defends only."""

    def __init__(self, outreach: float = 0.04) -> None:
        self.outreach = outreach

    def decide(self, ex: Exporter) -> Plan:
        shares = fixed_shares(domestic=0.58, diplomacy=0.38, propaganda=self.outreach)
        # Cultural outreach: it calls on no one to overthrow a government.
        return Plan(with_defence(shares, ex), normalise({n: n.affinity for n in ex.model.targets}),
                    war_tolerance=0.3, incitement=0.0)


class Militant(Doctrine):
    """Export by every means; war on a much weaker state within reach whose movement is strong."""

    def __init__(self, movement_to_strike: float = 0.25) -> None:
        self.movement_to_strike = movement_to_strike

    def decide(self, ex: Exporter) -> Plan:
        shares = fixed_shares(domestic=0.15, diplomacy=0.05, propaganda=0.25, support=0.25,
                              covert=0.15, military=0.15)
        scores = {n: receptiveness(n) * regime_hostility(n) * (0.5 + ex.proximity[n])
                  for n in ex.model.targets}
        ripe = {n: s for n, s in scores.items() if n.movement > self.movement_to_strike}
        strike = opportunistic_strike(ex, ripe, ex.model.p.offensive_power_ratio)
        # War until victory: it bears much before it accepts a ceasefire.
        return Plan(with_defence(shares, ex), normalise(scores), strike, war_tolerance=0.8)


class Pragmatic(Doctrine):
    """Support ripe movements against dependent or authoritarian regimes while not overstretched."""

    def __init__(self, ripeness: float = 0.03, max_export_share: float = 0.4) -> None:
        self.ripeness = ripeness
        self.max_export_share = max_export_share

    def decide(self, ex: Exporter) -> Plan:
        m = ex.model
        scores = {}
        for n in m.targets:
            dependent = n.alignment != NONALIGNED or n.regime != DEMOCRACY
            opportunity = n.movement * (1.0 - n.legitimacy) * dependent
            scores[n] = opportunity if opportunity > self.ripeness else 0.0
        overstretched = m.sanction_pressure > 0.3 or len(ex.wars) > 1
        export = 0.0 if overstretched else min(self.max_export_share, 4.0 * sum(scores.values()))
        shares = [0.55 * (1.0 - export), 0.45 * (1.0 - export), 0.3 * export, 0.4 * export,
                  0.3 * export, 0.0]
        strong = {n: s for n, s in scores.items() if n.movement > 0.4}
        strike = [] if overstretched else opportunistic_strike(
            ex, strong, 2.0 * m.p.offensive_power_ratio)
        return Plan(with_defence(shares, ex), normalise(scores), strike, war_tolerance=0.4)


class Gradualist(Doctrine):
    """Restraint until home is stable, then a gradual turn to militant export.

    The stage rises by ``ramp`` a month while home is stable and falls by half that when it
    is not; the plan mixes the nationalist (stage 0) and the militant (stage 1) plans, and
    war comes only past stage 0.8.
    """

    def __init__(self, ramp: float = 0.015, stable_legitimacy: float = 0.5,
                 stable_economy: float = 0.95, stable_cohesion: float = 0.8) -> None:
        self.ramp = ramp
        self.stable_legitimacy = stable_legitimacy
        self.stable_economy = stable_economy
        self.stable_cohesion = stable_cohesion
        self.stage = 0.0

    def decide(self, ex: Exporter) -> Plan:
        return self.blend(ex, Nationalist().decide(ex), Militant().decide(ex))

    def blend(self, ex: Exporter, calm: Plan, bold: Plan) -> Plan:
        """Advance the stage, then mix the restrained and the militant plans by it."""
        home = ex.home
        stable = (home.legitimacy >= self.stable_legitimacy and home.economy >= self.stable_economy
                  and home.cohesion >= self.stable_cohesion and not ex.wars)
        step = self.ramp if stable else -0.5 * self.ramp
        self.stage = min(max(self.stage + step, 0.0), 1.0)
        w = self.stage
        shares = [(1.0 - w) * a + w * b for a, b in zip(calm.shares, bold.shares, strict=True)]
        targets = {n: (1.0 - w) * calm.targets[n] + w * bold.targets[n] for n in calm.targets}
        tolerance = (1.0 - w) * calm.war_tolerance + w * bold.war_tolerance
        return Plan(shares, targets, bold.strike if w > 0.8 else [], war_tolerance=tolerance,
                    incitement=mixed_incitement([1.0 - w, w], [calm, bold]))


class Factional(Doctrine):
    """The four views as factions whose influence shifts with outcomes.

    Weights evolve as ``log w += faction_learning_rate x (signal - mean signal)
    + faction_reversion x (log w0 - log w)``: attacks, mobilisation while at war, successes
    abroad and the coalition strengthen the militants; weariness and economic crisis (a fall
    below the economy the factions expect, which adapts at ``expectation_rate``) the
    pragmatists and nationalists;
    each faction drifts back toward its starting influence ``w0``. The plan is the
    weight-average of the factions' plans, and so is the war weariness it bears; a war is
    opened only when the factions that would open it hold more than ``faction_war_majority``
    of the influence.
    """

    def __init__(self, weights: tuple[float, float, float, float] = (0.25, 0.25, 0.25, 0.25)) -> None:
        total = sum(weights)
        self.weights = [w / total for w in weights]  # nationalist, militant, pragmatic, gradualist
        self.base = list(self.weights)  # the balance the factions drift back to
        self.successes_seen = 0.0
        self.expected: float | None = None  # the economy the factions expect, from seating
        self.nationalist, self.militant = Nationalist(), Militant()
        self.pragmatic, self.gradualist = Pragmatic(), Gradualist()

    def decide(self, ex: Exporter) -> Plan:
        self.update_weights(ex)
        calm, bold = self.nationalist.decide(ex), self.militant.decide(ex)
        plans = [calm, bold, self.pragmatic.decide(ex), self.gradualist.blend(ex, calm, bold)]
        shares = [sum(w * plan.shares[j] for w, plan in zip(self.weights, plans, strict=True))
                  for j in range(len(MEANS))]
        # Target weights mix in proportion to what each faction spends on export.
        mix = dict.fromkeys(calm.targets, 0.0)
        for w, plan in zip(self.weights, plans, strict=True):
            export = 1.0 - plan.shares[DOMESTIC] - plan.shares[DIPLOMACY]
            for n, x in plan.targets.items():
                mix[n] += w * export * x
        tolerance = sum(w * plan.war_tolerance for w, plan in zip(self.weights, plans, strict=True))
        backing: dict[Nation, float] = {}
        for w, plan in zip(self.weights, plans, strict=True):
            for n in plan.strike:
                backing[n] = backing.get(n, 0.0) + w
        majority = ex.model.p.faction_war_majority
        strike = [n for n, w in backing.items() if w > majority][:1]
        return Plan(shares, normalise(mix), strike, war_tolerance=tolerance,
                    incitement=mixed_incitement(self.weights, plans))

    def update_weights(self, ex: Exporter) -> None:
        """Shift the factions' influence by this month's signals."""
        p = ex.model.p
        home = ex.home
        new_successes = max(ex.successes - self.successes_seen, 0.0)
        self.successes_seen = ex.successes
        if self.expected is None:
            self.expected = home.economy
        crisis = min(max(p.crisis_sensitivity * (1.0 - home.economy / self.expected), 0.0), 1.0)
        self.expected += p.expectation_rate * (home.economy - self.expected)
        signal = [0.5 * home.weariness + 0.5 * crisis,  # nationalist
                  ex.attacked + 0.3 * bool(ex.wars) + new_successes
                  + 0.5 * ex.model.coalition_share,  # militant
                  home.weariness + crisis,  # pragmatic
                  0.25 * crisis]  # gradualist
        mean = sum(signal) / 4.0
        logw = [math.log(max(w, 1e-9)) + p.faction_learning_rate * (s - mean)
                + p.faction_reversion * (math.log(max(b, 1e-9)) - math.log(max(w, 1e-9)))
                for w, s, b in zip(self.weights, signal, self.base, strict=True)]
        top = max(logw)
        w = [math.exp(x - top) for x in logw]
        total = sum(w)
        self.weights = [x / total for x in w]


class Constitutional(Doctrine):
    """Moral and diplomatic support of the oppressed only (Article 154); defends only."""

    def __init__(self, outreach: float = 0.2) -> None:
        self.outreach = outreach

    def decide(self, ex: Exporter) -> Plan:
        rest = 1.0 - self.outreach
        shares = fixed_shares(domestic=0.55 * rest, diplomacy=0.45 * rest, propaganda=self.outreach)
        # Moral support only: it calls on no one to overthrow a government.
        return Plan(with_defence(shares, ex),
                    normalise({n: n.affinity * n.grievance for n in ex.model.targets}),
                    war_tolerance=0.3, incitement=0.0)


class Historical(Factional):
    """``factional`` with the 1979 balance of factions."""

    def __init__(self) -> None:
        super().__init__(weights=(0.30, 0.35, 0.25, 0.10))


DOCTRINES: dict[str, type[Doctrine]] = {
    "nationalist": Nationalist,
    "militant": Militant,
    "pragmatic": Pragmatic,
    "gradualist": Gradualist,
    "constitutional": Constitutional,
    "factional": Factional,
    "historical": Historical,
}
