"""The agents of the Mesa reference: states, the two superpowers, and the exporters.

* :class:`Nation`: a state, with its economy, army, regime, the movement aligned with the
  exporters inside it, and what it perceives of each exporter's intent. It perceives,
  grows or loses its movement, represses, balances, sanctions, takes aid, may strike
  first, and lives through its economy and legitimacy at home.
  A superpower may occupy it for a while (the scenario's events): it is then no
  independent actor (:attr:`Nation.sovereign`).
* :class:`Superpower`: a :class:`Nation` that also sanctions the exporters on behalf of
  its clients and deploys forces to defend them.
* :class:`Exporter`: a revolutionary programme seated in a state, run by a doctrine
  (:mod:`benchmarks.mesa_reference.doctrines`). The first ones sit in the scenario's
  revolutionary states; the others wait for a regime that turns aligned during the run,
  and an exporter whose regime falls stops exporting.

Every rule follows ``src/revexport/engine/phases/*.py``. Phases act on the world as they
found it (the engine's arrays update at once), so agents read snapshots where their
neighbours' order could otherwise matter.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa

from benchmarks.mesa_reference.doctrines import Doctrine, Plan
from revexport.codes import (
    ALIGNED,
    ALIGNMENTS,
    COVERT,
    DEMOCRACY,
    DIPLOMACY,
    DOMESTIC,
    MILITARY,
    MONARCHY,
    N_MEANS,
    NONALIGNED,
    PROPAGANDA,
    REGIME_TYPES,
    SUPPORT,
)

if TYPE_CHECKING:
    from benchmarks.mesa_reference.model import RevolutionModel
    from revexport.scenario.schema import StateSpec


def logistic(margin: float, width: float) -> float:
    """Smooth step in the margin over a threshold: 1/2 at it, toward 1 above, 0 below."""
    return 1.0 / (1.0 + math.exp(-min(max(margin / width, -50.0), 50.0)))


def window_open(share: float, threshold: float, width: float) -> float:
    """How open a window of opportunity is: a smooth step on the odds of the balance, as steep
    at the threshold as :func:`logistic` with ``width``, closing faster far below it."""
    share = clip(share, 1e-9, 1.0 - 1e-9)
    odds_margin = math.log(share / (1.0 - share)) - math.log(threshold / (1.0 - threshold))
    return logistic(odds_margin, width / (threshold * (1.0 - threshold)))


def clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    """``x`` limited to ``[lo, hi]``."""
    return lo if x < lo else hi if x > hi else x


@dataclass
class Spending:
    """An exporter's spending at one target this month, US$ bn."""

    propaganda: float = 0.0
    support: float = 0.0
    covert: float = 0.0
    military: float = 0.0

    @property
    def total(self) -> float:
        return self.propaganda + self.support + self.covert + self.military


@dataclass
class War:
    """A war between an exporter and a state."""

    cap0_state: float  # both sides' effective power when it began
    cap0_exporter: float
    opened_by_exporter: bool = False
    months: int = 0
    share_exporter: float = 0.0  # this month's shares of the pair's power
    share_state: float = 0.0


@dataclass
class OutsideRival:
    """A strategic rival from outside the scenario: not simulated, its power fixed, as near as
    the scenario says (a contact class, 7.1); it is no exporter and fights no exporter."""

    code: str
    power: float
    contact: str  # "land", "sea", "two-hop" or "far"
    exporter: None = None
    at_war: bool = False


class Nation(mesa.Agent):
    """A state of the scenario."""

    model: RevolutionModel
    bloc: int | None = None  # a superpower's alignment code

    def __init__(self, model: RevolutionModel, spec: StateSpec, row: int) -> None:
        super().__init__(model)
        self.row = row  # position in the scenario: new exporters are seated in this order
        self.code = spec.iso3
        self.gdp0 = spec.gdp
        self.capability0 = spec.capability
        self.grievance = spec.grievance
        self.affinity = spec.affinity
        self.gdp_share = 0.0  # set by the model, once every state is known
        self.regime = REGIME_TYPES.index(spec.regime)
        self.alignment = ALIGNMENTS.index(spec.alignment)
        self.economy = 1.0
        self.capability = spec.capability
        self.cohesion = 1.0
        self.legitimacy = spec.legitimacy
        self.repression = spec.repression
        self.movement = spec.movement
        # The levels the regime in place drifts back to: a new regime brings its own.
        self.anchor_legitimacy = spec.legitimacy
        self.anchor_repression = spec.repression
        self.aid = 0.0
        self.weariness = 0.0
        self.coalition = False
        self.sanctioning = False
        self.land: list[Nation] = []
        self.sea: list[Nation] = []
        self.neighbours: list[Nation] = []  # land then sea: a state that is both counts twice
        self.rivals: list[tuple[Nation | OutsideRival, int, float]] = []  # rival, first and last month
        self.civil_wars: list[tuple[int, float]] = []  # first and last month of each
        self.held = 0.0  # how far another front or a rival holds it this month (0 to 1)
        # How far its government misreads threat against its first-strike threshold (in units of
        # strike_margin_width): a logistic draw, the same all run.
        u = model.random.random()
        self.misjudgment = math.log(u / (1.0 - u)) if 0.0 < u < 1.0 else 0.0
        self.exporter: Exporter | None = None  # the exporter seated here, if any
        self.intent: dict[Exporter, float] = {}  # estimate of each exporter's hostile intent
        self.threat: dict[Exporter, float] = {}
        self.max_threat = 0.0
        self.was_member = False  # in the coalition when this month's responses began
        self.direct: dict[Exporter, float] = {}  # what each exporter aims at it this month
        self.deterrence: dict[Exporter, float] = {}  # left by an ended war with each exporter
        self.occupier: Nation | None = None  # the superpower or state occupying it, if any

    # -- what the state is --------------------------------------------------------------------
    @property
    def power(self) -> float:
        """Effective military capability: capability x cohesion + superpower aid."""
        return self.capability * self.cohesion + self.aid

    @property
    def eligible(self) -> bool:
        """Movements, coalitions and strikes concern it: not an exporter, a superpower or aligned."""
        return self.exporter is None and self.bloc is None and self.regime != ALIGNED

    @property
    def sovereign(self) -> bool:
        """Eligible and acting for itself: balances, sanctions, takes aid, strikes, can be
        targeted by the exporters and can fall; an occupied state does none of these."""
        return self.eligible and self.occupier is None

    @property
    def at_war(self) -> bool:
        return any(self in ex.wars for ex in self.model.exporters)

    def presence_support(self) -> float:
        """Capability foreign forces add to its defence: its patron's, deployed in the region
        or occupying it, or those of another occupying state."""
        strength = self.model.p.presence_strength
        patron = self.model.superpowers.get(self.alignment)
        out = 0.0
        if patron is not None and (patron.deployed or self.occupier is patron):
            out += strength * patron.capability
        if self.occupier is not None and self.occupier.bloc is None:
            out += strength * self.occupier.capability
        return out

    def other_front(self) -> bool:
        """Whether it holds another front: a civil war at home, or an army it is not allied with
        on a land border -- a superpower's own, or one occupying a neighbour (allied: of its own
        bloc; a non-aligned state has none)."""
        if any(first <= self.model.steps <= last for first, last in self.civil_wars):
            return True
        for nb in self.land:
            owner = nb if nb.bloc is not None else nb.occupier
            if owner is None or owner is self:
                continue
            if self.alignment == NONALIGNED or owner.alignment != self.alignment:
                return True
        return False

    def proximity_to(self, other: Nation | OutsideRival) -> float:
        """How near ``other`` is: 1 by land, then sea, a neighbour's neighbour, farther (for an
        outside rival, its contact class)."""
        p = self.model.p
        if isinstance(other, OutsideRival):
            return {"land": 1.0, "sea": p.proximity_sea, "two-hop": p.proximity_two_hop,
                    "far": p.proximity_far}[other.contact]
        if other in self.land:
            return 1.0
        if other in self.sea:
            return p.proximity_sea
        if any(other in n.neighbours for n in self.neighbours):
            return p.proximity_two_hop
        return p.proximity_far

    def is_rival(self, other: Nation) -> bool:
        """Whether ``other`` is this state's strategic rival this month."""
        return any(rival is other and first <= self.model.steps <= last
                   for rival, first, last in self.rivals)

    def rival_threat(self) -> float:
        """The greatest threat of a rival in this month's rivalries (an exporter's threat is the
        exporters'): hostility x its power share x proximity, a rival at war with an exporter
        holding part of its power on that front."""
        p = self.model.p
        worst = 0.0
        for rival, first, last in self.rivals:
            if not first <= self.model.steps <= last or rival.exporter is not None:
                continue
            power = rival.power * (1.0 - p.strike_front_commitment * rival.at_war)
            share = power / max(power + self.power, 1e-12)
            worst = max(worst, p.rival_hostility * (1.0 - p.threat_ideological_weight)
                        * self.proximity_to(rival) * share)
        return worst

    # -- 1. perception ------------------------------------------------------------------------
    def read_signals(self) -> None:
        """What each exporter aims at this state this month (the direct signal), before any
        spill-over from its partners."""
        p, rng = self.model.p, self.model.random
        self.direct = {}
        self.shown = {}  # what partners read: a war this state began shows them nothing
        for ex in self.model.exporters:
            if ex.home is None:
                continue
            spend = ex.spend.get(self)
            prop, sup, cov = (spend.propaganda, spend.support, spend.covert) if spend else (0, 0, 0)
            half = p.propaganda_half_saturation
            # Support and covert action are seen only if found, read in proportion to a
            # saturating amount.
            found_support = sup > 0 and rng.random() < p.detection_support
            found_covert = cov > 0 and rng.random() < p.detection_covert
            # The posture is heard in proportion to how much is aimed here, relative to the
            # exporter's main target; a monarchy, condemned by name, hears it in full.
            aim = ex.aimed_at(self) / ex.most_aimed if ex.most_aimed > 0 else 0.0
            if self.regime == MONARCHY:
                aim = 1.0
            signal = (p.signal_propaganda * ex.inciting * prop / (prop + half)
                      + p.signal_support * found_support * sup / (sup + half)
                      + found_covert * cov / (cov + half)
                      + p.signal_posture * ex.threat_posture * aim)
            self.shown[ex] = signal
            if self in ex.wars:
                signal = max(signal, 1.0)
                if ex.wars[self].opened_by_exporter:
                    self.shown[ex] = signal
            self.direct[ex] = signal

    def perceive(self) -> None:
        """Update the estimate of each exporter's intent from what is aimed at it and at its
        partners (the patron's other clients, the other coalition members, the neighbours)."""
        p, rng = self.model.p, self.model.random
        for ex in self.model.exporters:
            if ex.home is None or ex.home is self:
                self.intent[ex] = 0.0
                continue
            groups = []
            if self.alignment != NONALIGNED and self.bloc is None:
                groups.append([n for n in self.model.states if n is not self
                               and n.alignment == self.alignment and n.bloc is None])
            if self.coalition:
                groups.append([n for n in self.model.states if n is not self and n.coalition])
            groups.append(self.neighbours)
            partners = max((sum(n.shown[ex] for n in g) / len(g) for g in groups if g),
                           default=0.0)
            signal = self.direct[ex] + p.signal_spillover * partners
            signal *= 1.0 - p.reassurance_diplomacy * ex.shares[DIPLOMACY]
            signal = clip(signal * (1.0 + p.misperception_bias))
            old = self.intent[ex]
            self.intent[ex] = clip(old + p.perception_rate * (signal - old)
                                   + rng.gauss(0.0, p.perception_noise))

    # -- 3. movements -------------------------------------------------------------------------
    def update_movement(self) -> None:
        """The movement grows with propaganda, support (what reaches it), contagion and
        grievance; repression and decay shrink it."""
        p = self.model.p
        noise = self.model.random.gauss(0.0, p.movement_noise)
        if not self.eligible:
            self.movement = 0.0
            return
        # Support crosses a land border from a friendly state in full; from farther it loses
        # strength with distance.
        route = any(n.exporter is not None or n.regime == ALIGNED for n in self.land)
        pull = support = 0.0
        for ex in self.model.exporters:
            spend = ex.spend.get(self)
            if spend is not None:
                prop = spend.propaganda
                pull += prop / (prop + p.propaganda_half_saturation) * ex.attractiveness
                reach = 1.0 if route else ex.proximity[self] ** p.support_reach_exponent
                support += (spend.support + spend.covert) * reach
        capacity = (p.support_capacity_scale * p.security_budget_fraction * self.gdp0
                    * self.economy / 12.0 * (1.0 + self.repression))
        armed = support / (support + capacity)
        aligned_nb = (sum(n.regime == ALIGNED for n in self.neighbours)
                      / max(len(self.neighbours), 1))
        receptive = self.affinity * self.grievance
        growth = (p.movement_propaganda_growth * min(1.0, pull) * receptive
                  + p.movement_support_growth * armed * receptive
                  + p.contagion_weight * p.movement_propaganda_growth * aligned_nb * self.affinity
                  + p.movement_endogenous_growth * receptive)
        shrink = p.movement_repression_effect * self.repression + p.movement_decay
        m = self.movement
        self.movement = clip(m + growth * (1.0 - m) - shrink * m + noise)

    # -- 4. responses -------------------------------------------------------------------------
    def assess_threat(self) -> None:
        """Threat felt from each exporter (Walt): intent x (ideological vulnerability and
        proximity x power share)."""
        p = self.model.p
        condemned = p.threat_regime_delegitimised * (self.regime == MONARCHY)
        vulnerability = min(1.0, p.vulnerability_base + condemned + self.affinity * (
            self.grievance + p.vulnerability_movement_weight * self.movement))
        w = p.threat_ideological_weight
        own = self.power
        self.max_threat = 0.0
        for ex in self.model.exporters:
            t = 0.0
            if ex.home is not None:
                share = ex.power / max(ex.power + own, 1e-12)
                t = self.intent[ex] * (w * vulnerability + (1.0 - w) * ex.proximity[self] * share)
            self.threat[ex] = t
            self.max_threat = max(self.max_threat, t)
        self.was_member = self.coalition

    def repress(self) -> None:
        """Repression moves toward a level set by the movement above a trigger, at a cost in
        legitimacy."""
        if not self.eligible:
            return
        p = self.model.p
        excess = max(self.movement - p.repression_trigger, 0.0)
        restraint = 1.0 - p.democracy_repression_restraint if self.regime == DEMOCRACY else 1.0
        anchor = self.anchor_repression
        if self.occupier is not None:  # the occupier represses the movement
            anchor = max(anchor, p.occupation_repression)
        target = clip(anchor + p.repression_gain * excess * restraint)
        delta = p.repression_response * (target - self.repression)
        self.repression = clip(self.repression + delta)
        self.legitimacy = clip(self.legitimacy - p.repression_legitimacy_cost * max(delta, 0.0))

    def balance(self) -> None:
        """Join the coalition against the exporters (more readily the more of its neighbours'
        power is in, less while its patron does not oppose the exporters, the more the higher
        threat stands over the join threshold), or leave (the more the lower it stands under
        the leave threshold). The threat it balances includes, weighted by
        ``coalition_leadership``, the mean threat to its weaker neighbours of its bloc, and is
        discounted by ``coalition_front_restraint`` while it holds another front or a rival
        threatens it more."""
        p, rng = self.model.p, self.model.random
        t = self.max_threat
        if self.sovereign and self.alignment != NONALIGNED:
            # A regional power weighs the threat to its weaker partners of the bloc.
            led = [n.max_threat for n in self.neighbours
                   if n.sovereign and n.alignment == self.alignment and n.power < self.power]
            if led:
                t = max(t, p.coalition_leadership * sum(led) / len(led))
        # It balances against the greatest threat: holding another front, or facing a rival
        # that threatens it more, it weighs the exporters' threat less (and, below, keeps part
        # of its power there when it weighs a strike).
        self.held = 1.0 if self.other_front() else 0.0
        if self.sovereign:
            rival = self.rival_threat()
            if rival > 0.0:
                self.held = max(self.held, logistic(rival - self.max_threat,
                                                    p.coalition_margin_width))
        t *= 1.0 - p.coalition_front_restraint * self.held
        if not self.sovereign:
            self.coalition = False
        elif not self.was_member:
            # Who is in already, by power; a patron that does not oppose the exporters
            # (does not sanction them) restrains its client.
            nb_power = sum(n.power for n in self.neighbours)
            nb_in = sum(n.power for n in self.neighbours if n.was_member) / max(nb_power, 1e-12)
            patron = self.model.superpowers.get(self.alignment)
            restrained = patron is not None and not patron.bloc_sanctions
            join = (p.coalition_join_rate * (1.0 + p.coalition_bandwagon * nb_in)
                    * (1.0 - p.coalition_bloc_restraint * restrained)
                    * logistic(t - p.coalition_join_threshold, p.coalition_margin_width))
            self.coalition = rng.random() < min(join, 1.0)
        else:
            leave_threshold = p.coalition_hysteresis * p.coalition_join_threshold
            leave = p.coalition_leave_rate * logistic(leave_threshold - t, p.coalition_margin_width)
            self.coalition = rng.random() >= leave

    def decide_sanctions(self) -> None:
        """Sanction while threat is high; keep sanctions until it falls well below."""
        p = self.model.p
        t = self.max_threat
        self.sanctioning = self.sovereign and (t > p.sanction_threshold or (
            self.sanctioning and t > p.response_hysteresis * p.sanction_threshold))

    def receive_aid(self) -> None:
        """Aid from the patron in proportion to threat (and to a non-aligned state at war)."""
        p = self.model.p
        if not self.sovereign:
            self.aid = 0.0
            return
        at_war = self.at_war
        if self.alignment == NONALIGNED:
            backed = p.nonaligned_war_aid * at_war
        else:
            backed = float(self.alignment in self.model.superpowers)
        need = max(self.max_threat, float(at_war))
        self.aid = self.aid * (1.0 - p.aid_decay) + p.superpower_aid_rate * need * backed * self.capability0

    def strike_first(self) -> None:
        """Strike the most threatening exporter whose threat passes the threshold as this
        government misreads it, more likely the more the window stands over its threshold and
        far more likely against a strategic rival; go to war with exporters that strike it."""
        if not self.sovereign:
            return
        p, rng = self.model.p, self.model.random
        own = self.power
        free = own * (1.0 - p.strike_front_commitment * self.held)  # the rest holds a front
        weary = max(0.0, 1.0 - p.weariness_deterrence * self.weariness)
        patron = float(self.alignment != NONALIGNED)
        chosen, best = None, -math.inf
        for ex in self.model.exporters:
            t = self.threat[ex]
            if ex.home is None or self in ex.wars:
                continue
            if own / max(own + ex.power, 1e-12) <= ex.war_lesson:
                continue  # a balance at which a war against it was already fought and not won
            backed = free * (1.0 + p.strike_patron_weight * patron)  # a patron arms its client
            window = backed / max(backed + ex.power, 1e-12)
            # Strategic rivals fight most wars: a state that is not the exporter's rival
            # strikes it at a fraction of the hazard.
            rivalry = 1.0 if self.is_rival(ex.home) else p.strike_outside_rivalry
            hazard = (p.strike_hazard * ex.proximity[self] ** p.strike_proximity_exponent * weary
                      * rivalry * (1.0 - self.deterrence.get(ex, 0.0))
                      * (t - p.strike_threshold > p.strike_margin_width * self.misjudgment)
                      * window_open(window, p.strike_window_threshold, p.strike_margin_width))
            if rng.random() < hazard and t > best:
                chosen, best = ex, t
        for ex in self.model.exporters:
            # An exporter is deterred as its opponent is, after a war between them ended.
            deterred = self.deterrence.get(ex, 0.0)
            opens = (self in ex.strike and self not in ex.wars
                     and (deterred <= 0.0 or rng.random() >= deterred))
            if ex is chosen or opens:
                ex.wars[self] = War(cap0_state=own, cap0_exporter=ex.power,
                                    opened_by_exporter=ex is not chosen)
                self.model.wars_started += 1
                self.model.wars_opened += int(ex is not chosen)
                if ex is chosen:
                    ex.attacked = True

    # -- 6. regime change ---------------------------------------------------------------------
    def resilience(self) -> float:
        """How much movement the regime withstands: legitimacy, repression, armed strength and
        patronage."""
        p = self.model.p
        capability = 1.0 - math.exp(-self.power / p.resilience_capability_scale)
        patron = min(1.0, p.patron_client_weight * (self.alignment != NONALIGNED)
                     + self.aid / max(self.capability0, 1e-9) + (self.presence_support() > 0))
        return (p.resilience_legitimacy * self.legitimacy
                + p.resilience_repression * self.repression
                + p.resilience_capability * capability + p.resilience_patron * patron)

    def regime_hazard(self) -> float:
        """Monthly hazard that the regime falls to its movement: high when the movement
        exceeds the regime's resilience."""
        p = self.model.p
        resilience = self.resilience()
        # Counted above the hazard at no movement: without a movement only a coup brings it down.
        width = p.regime_hazard_width
        return min(1.0, p.regime_hazard * (math.exp((self.movement - resilience) / width)
                                           - math.exp(-resilience / width)))

    def exporter_hazard(self) -> float:
        """Monthly hazard that an exporting regime falls as its legitimacy collapses."""
        p = self.model.p
        return min(1.0, p.exporter_collapse_hazard * math.exp(
            (p.exporter_collapse_legitimacy - self.legitimacy) / p.exporter_collapse_width))

    def new_regime(self, regime: int) -> None:
        """A fresh slate: middling legitimacy, no movement; it keeps the repression it found."""
        p = self.model.p
        self.regime = regime
        self.legitimacy = self.anchor_legitimacy = p.new_regime_legitimacy
        self.anchor_repression = self.repression
        self.movement = 0.0

    # -- events -------------------------------------------------------------------------------
    def occupied_by(self, occupier: Nation) -> None:
        """A superpower or another state occupies the state, which takes its alignment (a
        superpower's bloc); not a state that holds an exporter or an aligned regime."""
        if self.exporter is not None or self.regime == ALIGNED:
            return
        self.occupier = occupier
        self.alignment = occupier.bloc if occupier.bloc is not None else occupier.alignment

    def withdrawn_from(self, occupier: Nation) -> None:
        """The occupier leaves (the alignment it gave stays)."""
        if self.occupier is occupier:
            self.occupier = None

    # -- 7. home ------------------------------------------------------------------------------
    def update_home(self) -> None:
        """Economy, legitimacy, cohesion and capability move by one month."""
        p, m = self.model.p, self.model
        ex = self.exporter
        extra = 0.0
        if ex is not None:  # an exporter's allocation and the sanctions on it move its growth
            extra = (p.domestic_growth_bonus * ex.shares[DOMESTIC]
                     + p.trade_growth_bonus * ex.shares[DIPLOMACY]
                     - p.export_spending_drag * ex.posture - m.sanction_drag)
        pull = p.economy_recovery * (m.trend_now - self.economy) / m.trend_now
        shock = m.random.gauss(0.0, p.economy_noise)
        self.economy = max(self.economy * math.exp(p.base_growth + extra + shock + pull),
                           p.economy_floor)

        performance = clip(self.economy / m.trend - 1.0, -p.performance_cap, p.performance_cap)
        target = self.anchor_legitimacy + p.legitimacy_economy_weight * performance
        if ex is not None:  # rally round the flag, and hostility read as a foreign conspiracy
            target += ex.rally + p.hostility_rally * m.hostility
        target = clip(target - p.weariness_legitimacy * self.weariness)
        self.legitimacy = clip(self.legitimacy + p.legitimacy_adjustment * (target - self.legitimacy))

        self.cohesion += p.cohesion_recovery * (1.0 - self.cohesion)
        mobilised = p.mobilisation_gain * ex.shares[MILITARY] if ex is not None else 0.0
        backed = self.capability0 * min(self.economy, p.rearm_economy_cap) * (1.0 + mobilised)
        self.capability += p.rearm_rate * (backed - self.capability)


class Superpower(Nation):
    """The United States or the Soviet Union: a state that also acts for its bloc."""

    def __init__(self, model: RevolutionModel, spec: StateSpec, row: int) -> None:
        super().__init__(model, spec, row)
        self.bloc = ALIGNMENTS.index(spec.superpower)
        self.bloc_sanctions = False
        self.deployed = False

    def impose_sanctions(self) -> None:
        """Sanction the exporters while the mean hostility they show its clients (and itself)
        is high."""
        p = self.model.p
        clients = [n for n in self.model.states
                   if (n.alignment == self.bloc or n is self) and n.exporter is None]
        hostility = sum(max(n.intent.values(), default=0.0) for n in clients) / max(len(clients), 1)
        self.bloc_sanctions = hostility > p.superpower_sanction_threshold or (
            self.bloc_sanctions and hostility > p.response_hysteresis * p.superpower_sanction_threshold)

    def deploy_forces(self) -> None:
        """Deploy forces while the worst threat to a client is high."""
        p = self.model.p
        worst = max((n.max_threat for n in self.model.states
                     if n.sovereign and n.alignment == self.bloc), default=0.0)
        self.deployed = worst > p.presence_threshold or (
            self.deployed and worst > p.response_hysteresis * p.presence_threshold)


class Exporter(mesa.Agent):
    """A revolutionary programme seated in a state, run by a doctrine.

    Each regime seated here starts afresh (successes abroad, rally, doctrine memory); only the
    costs, the run's totals, carry over.
    """

    model: RevolutionModel

    def __init__(self, model: RevolutionModel, doctrine: Callable[[], Doctrine]) -> None:
        super().__init__(model)
        self.new_doctrine = doctrine
        self.doctrine = doctrine()
        self.home: Nation | None = None
        self.proximity: dict[Nation, float] = {}
        self.wars: dict[Nation, War] = {}
        self.shares = [0.0] * N_MEANS
        self.spend: dict[Nation, Spending] = {}
        self.strike: list[Nation] = []
        self.attractiveness = 0.0
        self.rally = 0.0
        self.attacked = False
        self.successes = 0.0
        # The largest share of a pair's power with which a state fought it and did not win.
        self.war_lesson = 0.0
        self.war_tolerance = 0.0  # the war weariness its doctrine bears, set each month
        self.incitement = 1.0  # the share of its propaganda that calls for overthrow, each month
        self.most_aimed = 0.0  # spending aimed at its main target, measured each month

    @property
    def power(self) -> float:
        return self.home.power if self.home is not None else 0.0

    @property
    def posture(self) -> float:
        """Share of the budget put into export (propaganda, support, covert action, military)."""
        return sum(self.shares[PROPAGANDA:MILITARY + 1])

    @property
    def threat_posture(self) -> float:
        """The posture other states read: propaganda as hostile as it incites (:attr:`inciting`),
        military means only in the share spent on wars this exporter opened (a war of defence
        signals nothing to third states)."""
        military = sum(spend.military for spend in self.spend.values())
        offensive = sum(spend.military for n, spend in self.spend.items()
                        if n in self.wars and self.wars[n].opened_by_exporter)
        export = self.shares[PROPAGANDA] * self.inciting + self.shares[SUPPORT] + self.shares[COVERT]
        return export + (self.shares[MILITARY] * offensive / military if military > 0 else 0.0)

    @property
    def inciting(self) -> float:
        """How hostile its propaganda reads, against propaganda that only incites: in full
        where it calls for a government's overthrow, ``signal_outreach`` of that where it is
        moral support and outreach."""
        return self.incitement + self.model.p.signal_outreach * (1.0 - self.incitement)

    def aimed_at(self, n: Nation) -> float:
        """Spending aimed at ``n``: export means, and military means on a front it opened."""
        spend = self.spend.get(n)
        if spend is None:
            return 0.0
        war = self.wars.get(n)
        opened = war is not None and war.opened_by_exporter
        return spend.propaganda + spend.support + spend.covert + spend.military * opened

    def measure_aim(self) -> None:
        """Spending aimed at its main target this month: what every state's share is read
        against."""
        self.most_aimed = max((self.aimed_at(n) for n in self.spend), default=0.0)

    def budget(self) -> float:
        """Monthly external budget, US$ bn."""
        home = self.home
        return 0.0 if home is None else self.model.p.budget_fraction * home.gdp0 * home.economy / 12.0

    def seat(self, home: Nation) -> None:
        """Start exporting from ``home``: distances to every state, no intent perceived yet."""
        p = self.model.p
        self.home, home.exporter = home, self
        two_hop = {n2 for n1 in home.neighbours for n2 in n1.neighbours}
        for n in self.model.states:
            if n is home:
                prox = 0.0
            elif n in home.land:
                prox = 1.0
            elif n in home.sea:
                prox = p.proximity_sea
            elif n in two_hop:
                prox = p.proximity_two_hop
            else:
                prox = p.proximity_far
            self.proximity[n] = prox
            n.intent[self] = 0.0
            n.deterrence[self] = 0.0
        self.rally = 0.0
        self.successes = 0.0
        self.war_lesson = 0.0
        self.doctrine = self.new_doctrine()

    def vacate(self) -> None:
        """The regime fell: its wars end and it stops exporting."""
        assert self.home is not None
        self.home.exporter, self.home = None, None
        self.wars.clear()
        for n in self.model.states:
            n.intent[self] = 0.0
        self.shares = [0.0] * N_MEANS
        self.spend, self.strike = {}, []

    # -- 2. decision --------------------------------------------------------------------------
    def decide(self) -> None:
        """Ask the doctrine for a plan, check it, and turn it into spending per target."""
        if self.home is None:
            self.shares, self.spend, self.strike = [0.0] * N_MEANS, {}, []
            return
        plan = self.doctrine.decide(self)
        self.war_tolerance = plan.war_tolerance
        # Under Article 154 propaganda is moral support only.
        self.incitement = 0.0 if self.model.article154 else plan.incitement
        shares, targets, strike = self._checked(plan)
        if self.model.article154:
            # No material support, no covert action, no offensive war: what would have gone
            # to support and covert action goes half to propaganda, half to diplomacy.
            freed = shares[SUPPORT] + shares[COVERT]
            shares[SUPPORT] = shares[COVERT] = 0.0
            shares[PROPAGANDA] += 0.5 * freed
            shares[DIPLOMACY] += 0.5 * freed
            strike = []
        b = self.budget()
        self.shares, self.strike = shares, strike
        self.spend = {n: Spending(b * shares[PROPAGANDA] * w, b * shares[SUPPORT] * w,
                                  b * shares[COVERT] * w)
                      for n, w in targets.items() if w > 0}
        # Military spending goes to the wars under way and those opened now.
        fronts = set(self.wars) | set(strike)
        for n in fronts:
            self.spend.setdefault(n, Spending()).military = b * shares[MILITARY] / len(fronts)

    def _checked(self, plan: Plan) -> tuple[list[float], dict[Nation, float], list[Nation]]:
        """Shares non-negative and summing to 1; target weights over valid targets summing to
        1; wars only on valid targets not already fought."""
        shares = [x if x > 0 else 0.0 for x in plan.shares]  # NaN counts as 0
        total = sum(shares)
        shares = [x / total for x in shares] if total > 0 else [0.0] * N_MEANS
        targets = {n: (x if x > 0 else 0.0) for n, x in plan.targets.items() if n.sovereign}
        total = sum(targets.values())
        targets = {n: x / total for n, x in targets.items()} if total > 0 else {}
        strike = [n for n in plan.strike if n.sovereign and n not in self.wars]
        return shares, targets, strike

    # -- 3. movements -------------------------------------------------------------------------
    def assess_attractiveness(self) -> None:
        """How attractive the exporter's example is: legitimacy, economy, cohesion, successes."""
        p, home = self.model.p, self.home
        if home is None:
            self.attractiveness = 0.0
            return
        a = (p.attractiveness_legitimacy_weight * home.legitimacy
             + p.attractiveness_economy_weight * min(home.economy, p.attractiveness_economy_cap)
             / p.attractiveness_economy_cap
             + p.attractiveness_cohesion_weight * home.cohesion
             + p.attractiveness_success_weight * (1.0 - math.exp(-self.successes)))
        self.attractiveness = clip(a)
