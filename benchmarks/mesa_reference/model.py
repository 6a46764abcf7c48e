"""The revexport rules written as a Mesa 3.3 model: one agent per state, one step per month.

Mesa 3.3 is the newest release that installs on Python 3.11, the project's Python (Mesa 3.4
and later require Python 3.12).

This is the reference the engine is measured against, for speed and for statistical
equivalence, written the way a Mesa user would write it and independently of the engine:
states, superpowers and exporters are ``mesa.Agent`` objects holding their own attributes
(:mod:`benchmarks.mesa_reference.agents`), phases loop over agents in Python through
``AgentSet.do``, the doctrines are scalar Python on one exporter
(:mod:`benchmarks.mesa_reference.doctrines`), all randomness comes from ``model.random``, and
the outcomes are gathered by a ``DataCollector``. The step order and every formula follow
``src/revexport/engine``; only the scenario, the parameters and the category codes come from
the package.
"""

from __future__ import annotations

import math
from collections import defaultdict

import mesa

from benchmarks.mesa_reference.agents import (
    Exporter,
    Nation,
    OutsideRival,
    Superpower,
    clip,
    logistic,
)
from benchmarks.mesa_reference.doctrines import DOCTRINES
from revexport.codes import ALIGNED, ALIGNMENTS, MILITARY_RULE, NONALIGNED
from revexport.params import Parameters
from revexport.scenario.schema import Scenario


class RevolutionModel(mesa.Model):
    """One replicate of a scenario under a doctrine.

    Parameters
    ----------
    scenario : Scenario
    doctrine : str, optional
        Doctrine of the scenario's revolutionary states (the scenario's own by default);
        regimes that turn aligned during the run export with the scenario's
        ``new_exporter_doctrine``.
    params : Parameters, optional
        The scenario's parameters (defaults with its overrides) by default.
    article154 : bool, optional
        Run every exporter under the constitution's Article 154 switch (the scenario's
        choice by default).
    seed : int
    """

    def __init__(self, scenario: Scenario, doctrine: str | None = None,
                 params: Parameters | None = None, article154: bool | None = None,
                 seed: int = 0) -> None:
        super().__init__(rng=seed)
        self.p = params or Parameters().with_overrides(scenario.parameters)
        self.article154 = scenario.article154 if article154 is None else article154

        # States in the scenario's order, then their land and sea neighbours.
        for row, spec in enumerate(scenario.states):
            (Superpower if spec.superpower else Nation)(self, spec, row)
        self.states = self.agents.select(agent_type=Nation)
        by_code = {n.code: n for n in self.states}
        for pair in scenario.neighbours:
            a, b = by_code[pair.a], by_code[pair.b]
            kind = "land" if pair.type == "land" else "sea"
            if b not in getattr(a, kind):
                getattr(a, kind).append(b)
                getattr(b, kind).append(a)
        total_gdp = sum(n.gdp0 for n in self.states)
        for n in self.states:
            n.neighbours = n.land + n.sea
            n.gdp_share = n.gdp0 / total_gdp
        # Strategic rivals, each with the months (from 1, as ``self.steps``) the rivalry lasts.
        for rv in scenario.rivalries:
            a, b = by_code[rv.a], by_code[rv.b]
            first = scenario.step_of_month(rv.start) + 1
            last = math.inf if rv.end is None else scenario.step_of_month(rv.end) + 1
            a.rivals.append((b, first, last))
            b.rivals.append((a, first, last))
        for out in scenario.outside_rivalries:
            first = scenario.step_of_month(out.start) + 1
            last = math.inf if out.end is None else scenario.step_of_month(out.end) + 1
            by_code[out.state].rivals.append(
                (OutsideRival(out.rival, out.capability, out.contact), first, last))
        for cw in scenario.civil_wars:
            first = scenario.step_of_month(cw.start) + 1
            last = math.inf if cw.end is None else scenario.step_of_month(cw.end) + 1
            by_code[cw.state].civil_wars.append((first, last))
        self.superpowers: dict[int, Superpower] = {
            n.bloc: n for n in self.states if isinstance(n, Superpower)}

        # Exporters: the scenario's revolutionary states, then places for new aligned regimes.
        doctrines = [doctrine or ex.doctrine for ex in scenario.exporters]
        doctrines += [scenario.new_exporter_doctrine] * int(self.p.new_exporter_slots)
        for name in doctrines:
            Exporter(self, DOCTRINES[name])
        self.exporters = self.agents.select(agent_type=Exporter)
        for n in self.states:
            n.intent = dict.fromkeys(self.exporters, 0.0)
        self.first_new = len(scenario.exporters)
        for ex, spec in zip(self.exporters, scenario.exporters, strict=False):
            ex.seat(by_code[spec.state])
            ex.home.cohesion = self.p.revolutionary_disruption  # purges and desertion
        self.original = by_code[scenario.exporters[0].state]

        # The scenario's dated events, by month number (from 1, as ``self.steps``); the events
        # of one month in the order the scenario lists them.
        self.events: dict[int, list[tuple[str, Nation, Nation]]] = defaultdict(list)
        for ev in scenario.events:
            month = scenario.step_of_month(ev.month) + 1
            occupier = (self.superpowers[ALIGNMENTS.index(ev.by)] if ev.by in ("West", "East")
                        else by_code[ev.by])
            self.events[month].append((ev.kind, by_code[ev.state], occupier))

        # What the exporters observe this month, and what home life reads (set each step).
        self.targets: list[Nation] = []
        self.coalition_share = self.sanction_pressure = 0.0
        self.trend = self.trend_now = self.sanction_drag = self.hostility = 0.0

        self.wars_started = 0
        self.wars_opened = 0  # of those, wars an exporter opened
        self.regime_changes = 0
        self.datacollector = mesa.DataCollector(model_reporters={
            "wars": lambda m: sum(len(ex.wars) for ex in m.exporters),
            "coalition": lambda m: sum(n.coalition for n in m.states),
            "sanctions": lambda m: (sum(n.sanctioning for n in m.states)
                                    + sum(sp.bloc_sanctions for sp in m.superpowers.values())),
        })

    def is_protected(self, n: Nation) -> bool:
        """A client of a superpower present in the scenario."""
        return n.alignment in self.superpowers

    def sanctioned_share(self) -> float:
        """Share of the scenario's GDP sanctioning the exporters."""
        return sum(n.gdp_share for n in self.states if n.sanctioning)

    def bloc_sanctions(self) -> int:
        return sum(sp.bloc_sanctions for sp in self.superpowers.values())

    # -- the step, in MODEL.md's order ----------------------------------------------------------
    def step(self) -> None:
        """One month (``self.steps`` is already this month's number, from 1)."""
        self.apply_events()  # 1. the month's dated events, then states read what is aimed
        self.exporters.do("measure_aim")  # at them and their partners, and update their
        self.states.do("read_signals")  # estimate of intent
        self.states.do("perceive")
        self.decide()  # 2. doctrines allocate the exporters' means
        self.exporters.do("assess_attractiveness")  # 3. movements grow and shrink
        self.states.do("update_movement")
        self.respond()  # 4. repress, balance, sanction, aid, strike first
        self.fight()  # 5. attrition, cost, rally, ceasefire, collapse
        self.change_regimes()  # 6. regimes fall; new aligned regimes export
        self.update_home()  # 7. economies, legitimacy, capability at home
        self.datacollector.collect(self)  # 8. record

    def apply_events(self) -> None:
        """Occupations and withdrawals dated this month."""
        for kind, state, occupier in self.events.get(self.steps, []):
            if kind == "occupation":
                state.occupied_by(occupier)
            else:
                state.withdrawn_from(occupier)

    def decide(self) -> None:
        """Each sitting exporter's doctrine allocates its budget."""
        p = self.p
        self.targets = [n for n in self.states if n.sovereign]
        eligible = sum(n.eligible for n in self.states)
        self.coalition_share = sum(n.coalition for n in self.states) / max(eligible, 1)
        self.sanction_pressure = min(
            1.0, self.sanctioned_share() + p.superpower_sanction_weight * self.bloc_sanctions())
        self.exporters.do("decide")

    def respond(self) -> None:
        """States and superpowers respond to the threat they feel at the start of the phase."""
        self.states.do("assess_threat")
        self.states.do("repress")
        self.states.do("balance")
        self.states.do("decide_sanctions")
        for sp in self.superpowers.values():
            sp.impose_sanctions()
        self.states.do("receive_aid")
        for sp in self.superpowers.values():
            sp.deploy_forces()
        for ex in self.exporters:
            ex.attacked = False
        self.states.do("strike_first")

    def fight(self) -> None:
        """Attrition, economic cost, weariness, ceasefire and collapse in every war."""
        p, rng = self.p, self.random
        for ex in self.exporters:
            ex.rally = ex.rally * (1.0 - p.rally_decay) + p.rally_effect * ex.attacked
        wars = [(ex, n, war) for ex in self.exporters for n, war in ex.wars.items()]
        # Shares of each pair's power; an exporter's is split over its fronts, a client's
        # includes its patron's deployed forces.
        power = {n: n.power for n in self.states}
        for ex, n, war in wars:
            exp_pw = power[ex.home] / len(ex.wars)
            st_pw = power[n] + n.presence_support()
            total = max(exp_pw + st_pw, 1e-12)
            war.share_exporter, war.share_state = exp_pw / total, st_pw / total
        # Attrition (Lanchester-style), summed over a side's wars.
        loss: dict[Nation, float] = defaultdict(float)
        for _, n, war in wars:
            loss[n] += p.war_attrition * war.share_exporter
        for ex in self.exporters:
            if ex.wars:
                loss_exp = sum(p.war_attrition * war.share_state for war in ex.wars.values())
                ex.home.capability *= 1.0 - min(loss_exp, p.attrition_cap)
        for n, x in loss.items():
            n.capability *= 1.0 - min(x, p.attrition_cap)
        # Economic cost and weariness on both sides.
        fighting = {n for _, n, _ in wars} | {ex.home for ex in self.exporters if ex.wars}
        for n in {n for _, n, _ in wars}:
            n.economy *= 1.0 - p.war_economic_cost
        for ex in self.exporters:
            if ex.wars:
                ex.home.economy *= 1.0 - p.war_economic_cost
        for n in self.states:
            if n in fighting:
                n.weariness = min(1.0, n.weariness + p.war_weariness_rate)
            else:
                n.weariness *= 1.0 - p.weariness_recovery
        # Collapse (power far below its pre-war level) or ceasefire (weariness, stalemate).
        lost_state, lost_exp, ended = set(), set(), []
        for ex, n, war in wars:
            war.months += 1
            state_down = n.power < p.collapse_threshold * war.cap0_state
            exp_down = not state_down and ex.power < p.collapse_threshold * war.cap0_exporter
            stalemate = (1.0 - abs(war.share_exporter - war.share_state)) * (
                war.months > p.stalemate_months)
            # Both sides must be past what they will bear: the exporter's tolerance is its
            # doctrine's.
            both_tired = (logistic(ex.home.weariness - ex.war_tolerance, p.ceasefire_margin_width)
                          * logistic(n.weariness - p.war_tolerance, p.ceasefire_margin_width))
            hazard = (p.ceasefire_base + p.ceasefire_cost_weight * both_tired
                      + p.ceasefire_stalemate_weight * stalemate)
            if state_down:
                lost_state.add(n)
            elif exp_down:
                lost_exp.add(ex.home)
            if state_down or exp_down or rng.random() < min(hazard, 1.0):
                ended.append((ex, n, exp_down))
        for n in lost_state:  # the victor's partisans move in
            n.legitimacy = clip(n.legitimacy - p.collapse_legitimacy_shock)
            n.movement = clip(n.movement + p.collapse_movement_boost)
        for home in lost_exp:
            home.legitimacy = clip(home.legitimacy - p.collapse_legitimacy_shock)
        # An ended war deters a new one between its sides, less as time passes; a war the state
        # did not win shows every state what balance is not enough to win.
        for n in self.states:
            for ex in n.deterrence:
                n.deterrence[ex] *= 1.0 - p.deterrence_decay
        for ex, n, exporter_lost in ended:
            war = ex.wars.pop(n)
            n.deterrence[ex] = 1.0
            if not exporter_lost:
                began = war.cap0_state / max(war.cap0_state + war.cap0_exporter, 1e-12)
                ended_at = n.power / max(n.power + ex.power, 1e-12)
                ex.war_lesson = max(ex.war_lesson, began, ended_at)

    def change_regimes(self) -> None:
        """Regimes fall to their movements, to coups, or (exporters) to lost legitimacy."""
        p, rng = self.p, self.random
        falls, coups, exporter_falls = [], [], []
        for n in self.states:
            if n.sovereign:  # an occupier holds the regime of an occupied state in place
                if rng.random() < n.regime_hazard():
                    falls.append(n)
                elif rng.random() < p.coup_hazard * (1.0 - n.legitimacy):
                    coups.append(n)
            elif n.exporter is not None and rng.random() < n.exporter_hazard():
                exporter_falls.append(n)
        # A regime that falls to its movement is aligned with some probability, the less the
        # weaker the movement was than the regime; every other fall brings military rule.
        aligned = [n for n in falls if rng.random() < p.aligned_probability
                   * min(1.0, n.movement / max(n.resilience(), 1e-12))]
        fell = falls + coups + exporter_falls
        self.regime_changes += len(fell)
        for n in fell:
            n.new_regime(ALIGNED if n in aligned else MILITARY_RULE)
        for n in aligned:  # it leaves the coalition, ends its sanctions and its wars
            n.alignment = NONALIGNED
            n.coalition = n.sanctioning = False
            n.aid = 0.0
            for ex in self.exporters:
                ex.wars.pop(n, None)
        for n in exporter_falls:
            n.exporter.vacate()
        self.credit(aligned)
        # Newly aligned regimes export too, from the free places, in the scenario's order.
        free = [ex for ex in list(self.exporters)[self.first_new:] if ex.home is None]
        for ex, n in zip(free, sorted(aligned, key=lambda n: n.row), strict=False):
            ex.seat(n)

    def credit(self, aligned: list[Nation]) -> None:
        """Share the credit for each new aligned regime among the exporters that worked there
        (equally among the sitting ones if none did)."""
        sitting = [ex for ex in self.exporters if ex.home is not None]
        for n in aligned:
            effort = {ex: ex.spend[n].total if n in ex.spend else 0.0 for ex in self.exporters}
            total = sum(effort.values())
            for ex in self.exporters:
                if total > 0:
                    ex.successes += effort[ex] / total
                elif ex.home is not None:
                    ex.successes += 1.0 / len(sitting)

    def update_home(self) -> None:
        """Economies, legitimacy, cohesion and capability move at home."""
        p = self.p
        # The economy enters the month on this month's trend level and leaves it on the next's.
        self.trend_now = math.exp(p.base_growth * (self.steps - 1))
        self.trend = math.exp(p.base_growth * self.steps)
        sanctioned, blocs = self.sanctioned_share(), self.bloc_sanctions()
        self.sanction_drag = p.sanction_drag * sanctioned + p.superpower_sanction_drag * blocs
        coalition = sum(n.coalition for n in self.states) / len(self.states)
        self.hostility = min(1.0, coalition * p.hostility_coalition_weight + sanctioned
                             + p.superpower_sanction_weight * blocs)
        self.states.do("update_home")

    def outcomes(self) -> dict[str, float]:
        """Final outcomes, named as in revexport's per-replicate summary."""
        record = self.datacollector.model_vars
        months = max(self.steps, 1)
        return {
            "wars_started": self.wars_started,
            "wars_opened": self.wars_opened,
            "war_months": sum(record["wars"]),
            "coalition_mean": sum(record["coalition"]) / months,
            "sanctions_mean": sum(record["sanctions"]) / months,
            "aligned_final": sum(n.regime == ALIGNED for n in self.states),
            "regime_changes": self.regime_changes,
            "exporter_economy_final": self.original.economy,
        }


def run_replicates(scenario: Scenario, doctrine: str, n: int, seed: int = 0,
                   params: Parameters | None = None,
                   article154: bool | None = None) -> list[dict[str, float]]:
    """Run ``n`` replicates of the Mesa model (seeds ``seed``, ``seed + 1``, ...) to the end
    of the scenario; one dict of final outcomes per replicate."""
    out = []
    for r in range(n):
        model = RevolutionModel(scenario, doctrine, params, article154=article154, seed=seed + r)
        for _ in range(scenario.n_steps):
            model.step()
        out.append(model.outcomes())
    return out
