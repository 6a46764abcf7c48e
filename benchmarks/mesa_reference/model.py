"""The revexport rules written as a Mesa 3.3 model: one agent per state, one step per month.

This is the reference implementation the engine is measured against, for speed and for
statistical equivalence. It is written the way a Mesa user would write it: each state is a
``mesa.Agent`` holding its own attributes, phases loop over agents in Python, pairwise data
(exporter x state) live on the agents as small dicts, and randomness comes from ``model.rng``.
The step order and every formula follow ``src/revexport/engine/phases/*.py``; the exporters'
doctrines are the package's own policy objects, called with a one-replicate observation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import mesa
import numpy as np

from revexport.doctrines.base import Allocation, Doctrine, Observation
from revexport.doctrines.registry import get_doctrine
from revexport.engine.state import (
    ALIGNED,
    COVERT,
    DEMOCRACY,
    DIPLOMACY,
    DOMESTIC,
    MILITARY,
    MONARCHY,
    NONALIGNED,
    PROPAGANDA,
    REGIME,
    SUPPORT,
    Static,
)
from revexport.params import Parameters
from revexport.scenario.schema import Scenario

MILITARY_RULE = REGIME["military-authoritarian"]


def clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return lo if x < lo else hi if x > hi else x


@dataclass
class Slot:
    """An exporter: a state agent running a doctrine."""

    index: int
    doctrine: Doctrine
    state: StateAgent | None
    shares: list[float] = field(default_factory=lambda: [0.0] * 6)
    spend: dict[int, list[float]] = field(default_factory=dict)  # state -> 4 means
    strike: set[int] = field(default_factory=set)
    rally: float = 0.0
    attacked: bool = False
    successes: float = 0.0
    export_spend: float = 0.0


class StateAgent(mesa.Agent):
    """A state: its economy, army, regime, movement, and what it perceives of each exporter."""

    def __init__(self, model: RevolutionModel, i: int, st: Static) -> None:
        super().__init__(model)
        self.i = i
        self.code = st.codes[i]
        self.population = float(st.population[i])
        self.gdp0 = float(st.gdp0[i])
        self.capability0 = float(st.capability0[i])
        self.legitimacy0 = float(st.legitimacy0[i])
        self.repression0 = float(st.repression0[i])
        self.grievance = float(st.grievance[i])
        self.affinity = float(st.affinity[i])
        self.superpower = int(st.superpower[i])
        self.gdp_share = float(st.gdp_share[i])
        self.economy = 1.0
        self.capability = self.capability0
        self.cohesion = 1.0
        self.legitimacy = self.legitimacy0
        self.repression = self.repression0
        self.movement = float(st.movement0[i])
        self.regime = int(st.regime0[i])
        self.alignment = int(st.alignment0[i])
        self.aid = 0.0
        self.coalition = False
        self.sanctioning = False
        self.weariness = 0.0
        self.land: list[StateAgent] = []
        self.sea: list[StateAgent] = []
        # Per exporter slot.
        self.intent: dict[int, float] = {}
        self.proximity: dict[int, float] = {}
        self.war: dict[int, bool] = {}
        self.war_months: dict[int, int] = {}
        self.war_cap0: dict[int, tuple[float, float]] = {}

    @property
    def neighbours(self) -> list[StateAgent]:
        return self.land + self.sea

    @property
    def power(self) -> float:
        return self.capability * self.cohesion + self.aid

    def is_exporter(self) -> bool:
        return any(s.state is self for s in self.model.active_slots())

    def eligible(self) -> bool:
        return not self.is_exporter() and self.superpower < 0 and self.regime != ALIGNED

    def presence_support(self) -> float:
        m = self.model
        for bloc in (0, 1):
            sp = m.superpowers.get(bloc)
            if sp is not None and self.alignment == bloc and m.presence[bloc]:
                return m.p.presence_strength * sp.capability
        return 0.0

    def threat(self, slot: Slot) -> float:
        p, e = self.model.p, slot.state
        if e is None:
            return 0.0
        share = e.power / max(e.power + self.power, 1e-12)
        condemned = p.threat_regime_delegitimised * (self.regime == MONARCHY)
        vuln = min(1.0, 0.2 + condemned + self.affinity * (self.grievance + 2.0 * self.movement))
        w = p.threat_ideological_weight
        return self.intent[slot.index] * (w * vuln + (1 - w) * self.proximity[slot.index] * share)


class RevolutionModel(mesa.Model):
    """One replicate of a scenario under a doctrine."""

    def __init__(self, scenario: Scenario, doctrine: str | None = None,
                 params: Parameters | None = None, seed: int = 0) -> None:
        super().__init__(rng=seed)
        self.p = p = params or Parameters()
        st = Static.from_scenario(scenario, p, doctrine=doctrine)
        self.static = st
        self.states = [StateAgent(self, i, st) for i in range(st.n_states)]
        for agent in self.states:
            agent.land = [self.states[j] for j in st.land[agent.i].indices]
            agent.sea = [self.states[j] for j in st.sea[agent.i].indices]
        self.superpowers = {a.superpower: a for a in self.states if a.superpower >= 0}
        doctrines = {name: get_doctrine(name) for name in set(st.slot_doctrine)}
        self.slots = [Slot(k, doctrines[name], None) for k, name in enumerate(st.slot_doctrine)]
        self.memory = {name: doctrines[name].init_memory(
            1, sum(1 for d in st.slot_doctrine if d == name)) for name in doctrines}
        for a in self.states:
            for s in self.slots:
                a.intent[s.index] = 0.0
                a.proximity[s.index] = 0.0
                a.war[s.index] = False
                a.war_months[s.index] = 0
                a.war_cap0[s.index] = (0.0, 0.0)
        for k, i in enumerate(st.initial_exporters):
            self._seat(self.slots[k], self.states[i])
            self.states[i].cohesion = p.revolutionary_disruption
        self.presence = [False, False]
        self.superpower_sanction = [False, False]
        self.month = 0
        # What is recorded.
        self.wars_started = 0
        self.war_months_total = 0
        self.coalition_sum = 0
        self.sanctions_sum = 0
        self.regime_changes = 0

    # -- helpers --------------------------------------------------------------------------
    def active_slots(self) -> list[Slot]:
        return [s for s in self.slots if s.state is not None]

    def _seat(self, slot: Slot, agent: StateAgent) -> None:
        slot.state = agent
        p = self.p
        two_hop = {n2 for n in agent.neighbours for n2 in n.neighbours}
        for a in self.states:
            if a is agent:
                prox = 0.0
            elif a in agent.land:
                prox = 1.0
            elif a in agent.sea:
                prox = p.proximity_sea
            elif a in two_hop:
                prox = p.proximity_two_hop
            else:
                prox = p.proximity_far
            a.proximity[slot.index] = prox
            a.intent[slot.index] = 0.0

    def budget(self, slot: Slot) -> float:
        e = slot.state
        return 0.0 if e is None else self.p.budget_fraction * e.gdp0 * e.economy / 12.0

    # -- the step, in MODEL.md's order -----------------------------------------------------
    def step(self) -> None:
        self.perception()
        self.decision()
        self.movements()
        self.responses()
        self.war()
        self.regime_change()
        self.home()
        self.record()
        self.month += 1

    def perception(self) -> None:
        p, rng = self.p, self.rng
        for a in self.states:
            for slot in self.slots:
                if slot.state is None:
                    a.intent[slot.index] = 0.0
                    continue
                prop, sup, cov, _ = slot.spend.get(a.i, (0.0, 0.0, 0.0, 0.0))
                found_sup = sup > 0 and rng.random() < p.detection_support
                found_cov = cov > 0 and rng.random() < p.detection_covert
                posture = sum(slot.shares[PROPAGANDA:MILITARY + 1])
                signal = (p.signal_propaganda * prop / (prop + p.propaganda_half_saturation)
                          + p.signal_support * found_sup + found_cov + p.signal_posture * posture)
                signal = max(signal, 1.0 if a.war[slot.index] else 0.0)
                signal *= 1.0 - p.reassurance_diplomacy * slot.shares[DIPLOMACY]
                signal = clip(signal * (1.0 + p.misperception_bias))
                old = a.intent[slot.index]
                a.intent[slot.index] = clip(old + p.perception_rate * (signal - old)
                                            + rng.normal(0.0, p.perception_noise))

    def _observation(self, slots: list[Slot]) -> Observation:
        p = self.p
        S, K = len(self.states), len(slots)
        active = np.array([[s.state is not None for s in slots]])
        own = {name: np.array([[getattr(s.state, name) if s.state else 0.0 for s in slots]])
               for name in ("economy", "legitimacy", "cohesion", "weariness")}
        power = np.array([[s.state.power if s.state else 0.0 for s in slots]])
        eligible = np.array([a.eligible() for a in self.states])
        n_ok = max(int(eligible.sum()), 1)
        sanctioned = sum(a.gdp_share for a in self.states if a.sanctioning)
        blocs = set(self.superpowers)
        return Observation(
            step=self.month, params=p, active=active, economy=own["economy"],
            legitimacy=own["legitimacy"], power=power, cohesion=own["cohesion"],
            at_war=np.array([[[a.war[s.index] for a in self.states] for s in slots]]),
            weariness=own["weariness"],
            attacked=np.array([[s.attacked for s in slots]]),
            successes=np.array([[s.successes for s in slots]]),
            threat_felt=np.full((1, K), sum(a.coalition for a in self.states) / n_ok),
            sanctions=np.full((1, K), min(1.0, sanctioned + 0.25 * sum(self.superpower_sanction))),
            movement=np.array([[a.movement for a in self.states]]),
            target_legitimacy=np.array([[a.legitimacy for a in self.states]]),
            target_power=np.array([[a.power for a in self.states]]),
            regime=np.array([[a.regime for a in self.states]]),
            alignment=np.array([[a.alignment for a in self.states]]),
            protected=np.array([[a.alignment in blocs for a in self.states]]),
            affinity=np.array([a.affinity for a in self.states]),
            grievance=np.array([a.grievance for a in self.states]),
            proximity=np.array([[[a.proximity[s.index] for a in self.states] for s in slots]]),
            valid_target=(eligible[None, None, :] & active[..., None]).reshape(1, K, S),
        )

    def decision(self) -> None:
        budgets = {s.index: self.budget(s) for s in self.slots}
        groups: dict[str, list[Slot]] = {}
        for s, name in zip(self.slots, self.static.slot_doctrine, strict=True):
            groups.setdefault(name, []).append(s)
        for name, slots in groups.items():
            if not any(s.state is not None for s in slots):
                for s in slots:
                    s.shares, s.spend, s.strike = [0.0] * 6, {}, set()
                continue
            obs = self._observation(slots)
            alloc = slots[0].doctrine.decide(obs, self.memory[name], self.rng)
            alloc = self._checked(alloc, obs)
            for k, s in enumerate(slots):
                if s.state is None:
                    s.shares, s.spend, s.strike = [0.0] * 6, {}, set()
                    continue
                shares = [float(x) for x in alloc.shares[0, k]]
                strike = {int(j) for j in np.flatnonzero(alloc.strike[0, k])}
                if self.static.article154:
                    freed = shares[SUPPORT] + shares[COVERT]
                    shares[SUPPORT] = shares[COVERT] = 0.0
                    shares[PROPAGANDA] += 0.5 * freed
                    shares[DIPLOMACY] += 0.5 * freed
                    strike = set()
                s.shares, s.strike = shares, strike
                b = budgets[s.index]
                fronts = [a.i for a in self.states if a.war[s.index] or a.i in strike]
                s.spend = {}
                for a in self.states:
                    w = float(alloc.targets[0, k, a.i])
                    mil = b * shares[MILITARY] / len(fronts) if a.i in fronts else 0.0
                    if w > 0 or mil > 0:
                        s.spend[a.i] = [b * shares[PROPAGANDA] * w, b * shares[SUPPORT] * w,
                                        b * shares[COVERT] * w, mil]

    @staticmethod
    def _checked(alloc: Allocation, obs: Observation) -> Allocation:
        shares = np.clip(np.nan_to_num(alloc.shares), 0.0, None)
        total = shares.sum(axis=-1, keepdims=True)
        shares = np.divide(shares, total, out=np.zeros_like(shares), where=total > 0)
        targets = np.where(obs.valid_target, np.clip(np.nan_to_num(alloc.targets), 0.0, None), 0.0)
        tsum = targets.sum(axis=-1, keepdims=True)
        targets = np.divide(targets, tsum, out=np.zeros_like(targets), where=tsum > 0)
        strike = alloc.strike & obs.valid_target & ~obs.at_war
        return Allocation(shares=shares, targets=targets, strike=strike)

    def _attractiveness(self, slot: Slot) -> float:
        e, p = slot.state, self.p
        if e is None:
            return 0.0
        a = (0.5 * e.legitimacy + 0.3 * min(e.economy, 1.5) / 1.5 + 0.2 * e.cohesion
             + p.attractiveness_success_weight * (1.0 - math.exp(-slot.successes)))
        return clip(a)

    def movements(self) -> None:
        p, rng = self.p, self.rng
        attract = {s.index: self._attractiveness(s) for s in self.slots}
        new = {}
        for a in self.states:
            pull, support = 0.0, 0.0
            for s in self.slots:
                prop, sup, cov, _ = s.spend.get(a.i, (0.0, 0.0, 0.0, 0.0))
                pull += prop / (prop + p.propaganda_half_saturation) * attract[s.index]
                support += sup + cov
            capacity = (p.support_capacity_scale * p.budget_fraction * a.gdp0 * a.economy / 12.0
                        * (1.0 + a.repression))
            armed = support / (support + capacity)
            aligned_nb = sum(n.regime == ALIGNED for n in a.neighbours) / max(len(a.neighbours), 1)
            receptive = a.affinity * a.grievance
            growth = (p.movement_propaganda_growth * min(1.0, pull) * receptive
                      + p.movement_support_growth * armed * receptive
                      + p.contagion_weight * p.movement_propaganda_growth * aligned_nb * a.affinity
                      + p.movement_endogenous_growth * receptive)
            shrink = p.movement_repression_effect * a.repression + p.movement_decay
            m = a.movement + growth * (1 - a.movement) - shrink * a.movement \
                + rng.normal(0.0, p.movement_noise)
            new[a.i] = clip(m) if a.eligible() else 0.0
        for a in self.states:
            a.movement = new[a.i]

    def responses(self) -> None:
        p, rng = self.p, self.rng
        ok = {a.i: a.eligible() for a in self.states}
        threat = {(a.i, s.index): a.threat(s) for a in self.states for s in self.slots}
        t_max = {a.i: max((threat[a.i, s.index] for s in self.slots), default=0.0)
                 for a in self.states}
        # Repression, at a cost in legitimacy.
        for a in self.states:
            if not ok[a.i]:
                continue
            restraint = 1 - p.democracy_repression_restraint if a.regime == DEMOCRACY else 1.0
            target = clip(a.repression0 + 2 * max(a.movement - p.repression_trigger, 0) * restraint)
            delta = p.repression_response * (target - a.repression)
            a.repression = clip(a.repression + delta)
            a.legitimacy = clip(a.legitimacy - p.repression_legitimacy_cost * max(delta, 0.0))
        # Balancing.
        members = {a.i: a.coalition for a in self.states}
        for a in self.states:
            nb_in = sum(members[n.i] for n in a.neighbours) / max(len(a.neighbours), 1)
            if not members[a.i]:
                join_p = min(p.coalition_join_rate * (1 + p.coalition_bandwagon * nb_in), 1.0)
                if ok[a.i] and t_max[a.i] > p.coalition_join_threshold and rng.random() < join_p:
                    a.coalition = True
            elif t_max[a.i] < p.coalition_leave_threshold and rng.random() < p.coalition_join_rate:
                a.coalition = False
            a.coalition = a.coalition and ok[a.i]
        # Sanctions by states and superpowers.
        for a in self.states:
            a.sanctioning = ok[a.i] and (t_max[a.i] > p.sanction_threshold or (
                a.sanctioning and t_max[a.i] > 0.5 * p.sanction_threshold))
        for bloc in (0, 1):
            clients = [a for a in self.states if (a.alignment == bloc or a.superpower == bloc)
                       and not a.is_exporter()]
            hostility = sum(max((a.intent[s.index] for s in self.slots), default=0.0)
                            for a in clients) / max(len(clients), 1)
            self.superpower_sanction[bloc] = bloc in self.superpowers and (
                hostility > p.superpower_sanction_threshold or (
                    self.superpower_sanction[bloc]
                    and hostility > 0.5 * p.superpower_sanction_threshold))
        # Aid and deployments.
        for a in self.states:
            at_war = any(a.war.values())
            patron = float(a.alignment in self.superpowers)
            backed = 0.5 * at_war if a.alignment == NONALIGNED else patron
            need = max(t_max[a.i], float(at_war))
            gain = p.superpower_aid_rate * need * backed * a.capability0
            a.aid = a.aid * (1 - p.aid_decay) + gain if ok[a.i] else 0.0
        for bloc in self.superpowers:
            worst = max((t_max[a.i] for a in self.states if ok[a.i] and a.alignment == bloc),
                        default=0.0)
            self.presence[bloc] = worst > p.presence_threshold or (
                self.presence[bloc] and worst > 0.5 * p.presence_threshold)
        # First strikes, and wars the exporters open.
        for s in self.slots:
            s.attacked = False
        for a in self.states:
            striking = []
            for s in self.slots:
                e = s.state
                if not ok[a.i] or e is None or a.war[s.index]:
                    continue
                share = a.power / max(a.power + e.power, 1e-12)
                window = ((1 - p.strike_patron_weight) * share
                          + p.strike_patron_weight * (a.alignment != NONALIGNED))
                if threat[a.i, s.index] > p.strike_threshold and window > p.strike_window_threshold:
                    hazard = (p.strike_hazard * a.proximity[s.index] ** 2
                              * max(0.0, 1 - p.weariness_deterrence * a.weariness))
                    if rng.random() < hazard:
                        striking.append(s)
            if striking:
                s = max(striking, key=lambda s: threat[a.i, s.index])
                self._begin_war(s, a, by_state=True)
                s.attacked = True
            for s in self.slots:
                if (s.state is not None and a.i in s.strike and ok[a.i] and not a.war[s.index]):
                    self._begin_war(s, a, by_state=False)

    def _begin_war(self, slot: Slot, a: StateAgent, by_state: bool) -> None:
        assert slot.state is not None
        a.war[slot.index] = True
        a.war_months[slot.index] = 0
        a.war_cap0[slot.index] = (a.power, slot.state.power)
        self.wars_started += 1

    def war(self) -> None:
        p, rng = self.p, self.rng
        for s in self.slots:
            s.rally = s.rally * (1 - p.rally_decay) + p.rally_effect * s.attacked
        wars = [(s, a) for s in self.slots for a in self.states if a.war[s.index]]
        power = {a.i: a.power for a in self.states}
        fronts = {s.index: sum(1 for t, _ in wars if t is s) for s in self.slots}
        shares = {}
        for s, a in wars:
            assert s.state is not None
            exp_pw = power[s.state.i] / max(fronts[s.index], 1)
            st_pw = power[a.i] + a.presence_support()
            total = max(exp_pw + st_pw, 1e-12)
            shares[s.index, a.i] = (exp_pw / total, st_pw / total)
        loss_state = {a.i: 0.0 for a in self.states}
        loss_exp = {s.index: 0.0 for s in self.slots}
        for s, a in wars:
            se, ss = shares[s.index, a.i]
            loss_state[a.i] += p.war_attrition * se
            loss_exp[s.index] += p.war_attrition * ss
        for a in self.states:
            a.capability *= 1 - min(loss_state[a.i], 0.9)
        for s in self.active_slots():
            assert s.state is not None
            s.state.capability *= 1 - min(loss_exp[s.index], 0.9)
        at_war_state = {a.i: any(a.war.values()) for a in self.states}
        for a in self.states:
            a.economy *= 1 - p.war_economic_cost * at_war_state[a.i]
        exp_at_war = {s.index: fronts[s.index] > 0 for s in self.slots}
        for s in self.active_slots():
            assert s.state is not None
            s.state.economy *= 1 - p.war_economic_cost * exp_at_war[s.index]
        for s, a in wars:
            a.war_months[s.index] += 1
        exporter_at_war = {s.state.i for s in self.active_slots() if exp_at_war[s.index]
                           and s.state is not None}
        for a in self.states:
            if at_war_state[a.i] or a.i in exporter_at_war:
                a.weariness = min(1.0, a.weariness + p.war_weariness_rate)
            else:
                a.weariness *= 1 - p.weariness_recovery
        lost_state, lost_exp = set(), set()
        for s, a in wars:
            assert s.state is not None
            cap0_state, cap0_exp = a.war_cap0[s.index]
            state_down = a.power < p.collapse_threshold * cap0_state
            exp_down = not state_down and s.state.power < p.collapse_threshold * cap0_exp
            se, ss = shares[s.index, a.i]
            months = a.war_months[s.index]
            stalemate = (1 - abs(se - ss)) * (months > 12)
            hazard = (p.ceasefire_base
                      + p.ceasefire_cost_weight * 0.5 * (s.state.weariness + a.weariness)
                      + p.ceasefire_stalemate_weight * stalemate)
            ceasefire = not state_down and not exp_down and rng.random() < min(hazard, 1.0)
            if state_down:
                lost_state.add(a.i)
            if exp_down:
                lost_exp.add(s.index)
            if state_down or exp_down or ceasefire:
                a.war[s.index] = False
        for a in self.states:
            if a.i in lost_state:
                a.legitimacy = clip(a.legitimacy - p.collapse_legitimacy_shock)
                a.movement = clip(a.movement + 0.2)
        for s in self.active_slots():
            if s.index in lost_exp and s.state is not None:
                s.state.legitimacy = clip(s.state.legitimacy - p.collapse_legitimacy_shock)

    def regime_change(self) -> None:
        p, rng = self.p, self.rng
        exporters = {s.state.i: s for s in self.active_slots() if s.state is not None}
        aligned_now, fell_exporters = [], []
        for a in self.states:
            if a.eligible():
                capability = 1 - math.exp(-a.power / 0.5)
                patron = min(1.0, 0.5 * (a.alignment != NONALIGNED)
                             + a.aid / max(a.capability0, 1e-9) + (a.presence_support() > 0))
                resilience = (p.resilience_legitimacy * a.legitimacy
                              + p.resilience_repression * a.repression
                              + p.resilience_capability * capability
                              + p.resilience_patron * patron)
                hazard = min(1.0, p.regime_hazard * math.exp(
                    (a.movement - resilience) / p.regime_hazard_width))
                if rng.random() < hazard:
                    if rng.random() < p.aligned_probability:
                        a.regime = ALIGNED
                        aligned_now.append(a)
                    else:
                        a.regime = MILITARY_RULE
                    self._fresh_regime(a)
                elif rng.random() < p.coup_hazard * (1 - a.legitimacy):
                    a.regime = MILITARY_RULE
                    self._fresh_regime(a)
            elif a.i in exporters:
                hazard = min(1.0, p.regime_hazard * math.exp(
                    (p.exporter_collapse_legitimacy - a.legitimacy) / p.regime_hazard_width))
                if rng.random() < hazard:
                    a.regime = MILITARY_RULE
                    self._fresh_regime(a)
                    fell_exporters.append(exporters[a.i])
        for a in aligned_now:
            a.alignment = NONALIGNED
            a.coalition = a.sanctioning = False
            a.aid = 0.0
            for s in self.slots:
                a.war[s.index] = False
        for s in fell_exporters:
            for a in self.states:
                a.war[s.index] = False
                a.intent[s.index] = 0.0
            s.state, s.shares, s.spend, s.strike = None, [0.0] * 6, {}, set()
        for a in aligned_now:  # credit, shared by the exporters that worked there
            effort = {s.index: sum(s.spend.get(a.i, (0, 0, 0, 0))) for s in self.slots}
            total = sum(effort.values())
            active = self.active_slots()
            for s in self.slots:
                if total > 0:
                    s.successes += effort[s.index] / total
                elif s.state is not None:
                    s.successes += 1 / len(active)
        first_new = len(self.static.initial_exporters)
        for a in sorted(aligned_now, key=lambda a: a.i):
            free = [s for s in self.slots[first_new:] if s.state is None]
            if free:
                free[0].rally = 0.0
                self._seat(free[0], a)

    def _fresh_regime(self, a: StateAgent) -> None:
        a.legitimacy, a.movement = 0.5, 0.0
        a.legitimacy0, a.repression0 = 0.5, a.repression  # the new regime's own anchors
        self.regime_changes += 1

    def home(self) -> None:
        p, rng = self.p, self.rng
        budgets = {s.index: self.budget(s) for s in self.slots}
        trend = math.exp(p.base_growth * (self.month + 1))
        sanctioned = sum(a.gdp_share for a in self.states if a.sanctioning)
        n_sp = sum(self.superpower_sanction)
        drag = p.sanction_drag * sanctioned + p.superpower_sanction_drag * n_sp
        by_state = {s.state.i: s for s in self.active_slots() if s.state is not None}
        hostility = min(1.0, sum(a.coalition for a in self.states) / len(self.states) * 3
                        + sanctioned + 0.25 * n_sp)
        for a in self.states:
            s = by_state.get(a.i)
            extra = 0.0
            if s is not None:
                extra = (p.domestic_growth_bonus * s.shares[DOMESTIC]
                         + p.trade_growth_bonus * s.shares[DIPLOMACY]
                         - p.export_spending_drag * sum(s.shares[PROPAGANDA:MILITARY + 1]) - drag)
            pull = p.economy_recovery * (trend - a.economy) / trend
            a.economy = max(a.economy * math.exp(p.base_growth + extra + rng.normal(0, p.economy_noise)
                                                 + pull), 0.05)
        for s in self.active_slots():
            s.export_spend += budgets[s.index] * sum(s.shares[PROPAGANDA:MILITARY + 1])
        for a in self.states:
            s = by_state.get(a.i)
            target = a.legitimacy0 + p.legitimacy_economy_weight * clip(a.economy / trend - 1,
                                                                        -0.5, 0.5)
            if s is not None:
                target += s.rally + p.hostility_rally * hostility
            target = clip(target - p.weariness_legitimacy * a.weariness)
            a.legitimacy = clip(a.legitimacy + p.legitimacy_adjustment * (target - a.legitimacy))
            a.cohesion += p.cohesion_recovery * (1 - a.cohesion)
            mobilised = p.mobilisation_gain * s.shares[MILITARY] if s is not None else 0.0
            backed = a.capability0 * min(a.economy, 2.0) * (1 + mobilised)
            a.capability += p.rearm_rate * (backed - a.capability)

    def record(self) -> None:
        self.war_months_total += sum(sum(a.war.values()) for a in self.states)
        self.coalition_sum += sum(a.coalition for a in self.states)
        self.sanctions_sum += sum(a.sanctioning for a in self.states) + sum(
            self.superpower_sanction)

    def outcomes(self) -> dict[str, float]:
        """Final outcomes, named as in revexport's per-replicate summary."""
        e0 = self.states[int(self.static.initial_exporters[0])]
        return {
            "wars_started": self.wars_started,
            "war_months": self.war_months_total,
            "coalition_mean": self.coalition_sum / max(self.month, 1),
            "sanctions_mean": self.sanctions_sum / max(self.month, 1),
            "aligned_final": sum(a.regime == ALIGNED for a in self.states),
            "regime_changes": self.regime_changes,
            "exporter_economy_final": e0.economy,
        }


def run_replicates(scenario: Scenario, doctrine: str, n: int, seed: int = 0,
                   params: Parameters | None = None) -> list[dict[str, float]]:
    """Run ``n`` replicates of the Mesa model (seeds ``seed``, ``seed + 1``, ...)."""
    out = []
    for r in range(n):
        model = RevolutionModel(scenario, doctrine, params, seed=seed + r)
        for _ in range(scenario.n_steps):
            model.step()
        out.append(model.outcomes())
    return out
