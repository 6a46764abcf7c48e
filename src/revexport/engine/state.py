"""The world's arrays and their shapes.

Shapes use ``R`` replicates in the block, ``S`` states and ``E`` exporter slots.
Pairwise data is exporter x state, ``(R, E, S)``, or the sparse neighbour
graph; there is never a dense state x state array.

Exporter slots: the first ``E0`` slots hold the scenario's revolutionary
states; the remaining ``new_exporter_slots`` slots are filled, per replicate,
by states whose regime turns aligned during the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from revexport.params import Parameters
from revexport.scenario.schema import ALIGNMENTS, REGIME_TYPES, Scenario

F = NDArray[np.float64]
I = NDArray[np.int64]  # noqa: E741
B = NDArray[np.bool_]

REGIME = {name: i for i, name in enumerate(REGIME_TYPES)}
ALIGNED = REGIME["aligned-revolutionary"]
MONARCHY = REGIME["monarchy"]
DEMOCRACY = REGIME["democracy"]
WEST, EAST, NONALIGNED = (ALIGNMENTS.index(a) for a in ("West", "East", "non-aligned"))

# Means of the exporter, in the order of Allocation.shares.
MEANS: tuple[str, ...] = ("domestic", "diplomacy", "propaganda", "support", "covert", "military")
DOMESTIC, DIPLOMACY, PROPAGANDA, SUPPORT, COVERT, MILITARY = range(len(MEANS))
EXPORT_MEANS = slice(PROPAGANDA, MILITARY + 1)

# Who started a war (war_initiator codes).
STARTED_BY_STATE, STARTED_BY_EXPORTER = 1, 2


@dataclass(frozen=True)
class Static:
    """What does not change during a run: the scenario as arrays.

    Attributes
    ----------
    n_states : int
    codes : list of str
    population, gdp0, capability0, legitimacy0, repression0, movement0 : ndarray of shape (S,)
    grievance, affinity : ndarray of shape (S,)
    regime0, alignment0 : ndarray of int64, shape (S,)
    superpower : ndarray of int64, shape (S,)
        ``WEST`` or ``EAST`` for the superpowers' rows, -1 otherwise.
    land, sea : scipy.sparse.csr_matrix of shape (S, S)
        Symmetric 0/1 adjacency (sparse).
    adjacency : scipy.sparse.csr_matrix of shape (S, S)
        ``land + sea``: 1 for a land or a sea neighbour, 2 for both.
    degree : ndarray of shape (S,)
    gdp_share : ndarray of shape (S,)
        Each state's share of the scenario's total GDP (its weight as a trading partner).
    initial_exporters : ndarray of int64, shape (E0,)
    slot_doctrine : tuple of str, length E
        Doctrine of each exporter slot.
    article154 : bool
    n_steps : int
    """

    n_states: int
    codes: list[str]
    population: F
    gdp0: F
    capability0: F
    legitimacy0: F
    repression0: F
    movement0: F
    grievance: F
    affinity: F
    regime0: I
    alignment0: I
    superpower: I
    land: sp.csr_matrix
    sea: sp.csr_matrix
    adjacency: sp.csr_matrix
    degree: F
    gdp_share: F
    initial_exporters: I
    slot_doctrine: tuple[str, ...]
    article154: bool
    n_steps: int

    @property
    def n_slots(self) -> int:
        return len(self.slot_doctrine)

    @classmethod
    def from_scenario(
        cls, sc: Scenario, params: Parameters, doctrine: str | None = None,
        article154: bool | None = None,
    ) -> Static:
        """Build the static arrays of a scenario.

        ``doctrine`` and ``article154``, when given, replace the scenario's
        choice for the initial exporters.
        """
        idx = {c: i for i, c in enumerate(sc.iso3)}
        s = len(sc.states)

        def col(name: str) -> F:
            return np.array([getattr(st, name) for st in sc.states], dtype=np.float64)

        rows: dict[str, tuple[list[int], list[int]]] = {"land": ([], []), "sea": ([], [])}
        for nb in sc.neighbours:
            r, c = rows[nb.type]
            a, b = idx[nb.a], idx[nb.b]
            r += [a, b]
            c += [b, a]

        def adj(kind: str) -> sp.csr_matrix:
            r, c = rows[kind]
            m = sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(s, s))
            m.sum_duplicates()
            m.data[:] = 1.0
            return m

        land, sea = adj("land"), adj("sea")
        adjacency = (land + sea).tocsr()
        adjacency.sort_indices()
        gdp = col("gdp")
        n_new = int(params.new_exporter_slots)
        slot_doctrine = tuple(
            [doctrine or ex.doctrine for ex in sc.exporters] + [sc.new_exporter_doctrine] * n_new
        )
        return cls(
            n_states=s,
            codes=list(sc.iso3),
            population=col("population"),
            gdp0=gdp,
            capability0=col("capability"),
            legitimacy0=col("legitimacy"),
            repression0=col("repression"),
            movement0=col("movement"),
            grievance=col("grievance"),
            affinity=col("affinity"),
            regime0=np.array([REGIME[st.regime] for st in sc.states], dtype=np.int64),
            alignment0=np.array([ALIGNMENTS.index(st.alignment) for st in sc.states],
                                dtype=np.int64),
            superpower=np.array(
                [-1 if st.superpower is None else ALIGNMENTS.index(st.superpower)
                 for st in sc.states], dtype=np.int64),
            land=land,
            sea=sea,
            adjacency=adjacency,
            degree=np.asarray(adjacency.sum(axis=1)).ravel(),
            gdp_share=gdp / gdp.sum(),
            initial_exporters=np.array([idx[ex.state] for ex in sc.exporters], dtype=np.int64),
            slot_doctrine=slot_doctrine,
            article154=sc.article154 if article154 is None else article154,
            n_steps=sc.n_steps,
        )


@dataclass
class World:
    """The mutable state of one block of replicates.

    Attributes (R replicates, S states, E exporter slots)
    ------------------------------------------------------
    step : int
    economy : (R, S) GDP relative to the start (1 = start level)
    capability : (R, S) military capability, % of world, before cohesion
    cohesion : (R, S) military cohesion multiplier in [0, 1]
    legitimacy, repression, movement : (R, S) in [0, 1]
    anchor_legitimacy, anchor_repression : (R, S) the levels the regime in place drifts back
        to (the scenario's at the start; a new regime's own after a fall)
    regime, alignment : (R, S) int64 codes
    aid : (R, S) accumulated superpower aid, in capability units
    coalition : (R, S) bool, member of the coalition against the exporters
    sanctioning : (R, S) bool, sanctions the exporters
    superpower_sanction : (R, 2) bool, West / East sanctions the exporters
    presence : (R, 2) bool, West / East has forces deployed in the region
    slot_state : (R, E) int64 state index of each exporter slot, -1 if empty
    intent : (R, E, S) each state's estimate of each exporter's hostile intent
    proximity : (R, E, S) proximity of each state to each exporter
    war : (R, E, S) bool, exporter e at war with state s
    war_months : (R, E, S) int64
    war_initiator : (R, E, S) int64, STARTED_BY_STATE or STARTED_BY_EXPORTER (0 = none)
    war_cap0_state, war_cap0_exporter : (R, E, S) capabilities when the war began
    rally : (R, E) the exporter's rally effect
    weariness : (R, S) war weariness of every state (exporters included), in [0, 1]
    attacked : (R, E) bool, a war was started against the exporter this step
    successes : (R, E) aligned regimes abroad credited to the exporter
    shares : (R, E, 6) last allocation of means (see MEANS)
    spend : (R, E, 4, S) last spending per export means and target, US$ bn / month
    strike : (R, E, S) bool, wars the exporter opens this step
    new_war : (R, E, S) bool, wars begun this step (transient)
    war_end : (R, E, S) int64, how a war ended this step: 0 not, 1 ceasefire,
        2 the state collapsed, 3 the exporter collapsed, 4 a regime fell (transient)
    fell : (R, S) bool, regimes that fell this step (transient)
    prev_regime : (R, S) int64, regime codes before this step's regime phase (transient)
    doctrine_memory : dict of str to dict of str to ndarray
        Per doctrine group, the doctrine's own state (e.g. faction weights).
    export_spend, war_cost, sanction_loss : (R, E) cumulative costs
    """

    step: int
    economy: F
    capability: F
    cohesion: F
    legitimacy: F
    repression: F
    movement: F
    anchor_legitimacy: F
    anchor_repression: F
    regime: I
    alignment: I
    aid: F
    coalition: B
    sanctioning: B
    superpower_sanction: B
    presence: B
    slot_state: I
    intent: F
    proximity: F
    war: B
    war_months: I
    war_initiator: I
    war_cap0_state: F
    war_cap0_exporter: F
    rally: F
    weariness: F
    attacked: B
    successes: F
    shares: F
    spend: F
    strike: B
    export_spend: F
    war_cost: F
    sanction_loss: F
    new_war: B
    war_end: I
    fell: B
    prev_regime: I
    doctrine_memory: dict[str, dict[str, F]] = field(default_factory=dict)

    @property
    def n_replicates(self) -> int:
        return int(self.economy.shape[0])

    def exporter_mask(self) -> B:
        """(R, S) True where the state holds an active exporter slot."""
        r, e = np.nonzero(self.slot_state >= 0)
        mask = np.zeros(self.economy.shape, dtype=bool)
        mask[r, self.slot_state[r, e]] = True
        return mask

    def slot_values(self, values: F) -> F:
        """Gather an (R, S) array at each slot's state: (R, E), 0 for empty slots."""
        idx = np.maximum(self.slot_state, 0)
        out = np.take_along_axis(values, idx, axis=1)
        return np.where(self.slot_state >= 0, out, 0.0)


def proximity_rows(static: Static, states: I, params: Parameters) -> F:
    """Proximity of every state to each of ``states``: shape (len(states), S).

    1 for a land neighbour, ``proximity_sea`` for a sea neighbour,
    ``proximity_two_hop`` for a neighbour's neighbour, ``proximity_far``
    otherwise; 0 to itself. Computed with sparse products, so no S x S array.
    """
    k = len(states)
    s = static.n_states
    onehot = sp.csr_matrix((np.ones(k), (np.arange(k), states)), shape=(k, s))
    land = (onehot @ static.land).toarray() > 0
    sea = (onehot @ static.sea).toarray() > 0
    two = (onehot @ static.adjacency @ static.adjacency).toarray() > 0
    prox = np.full((k, s), params.proximity_far)
    prox[two] = params.proximity_two_hop
    prox[sea] = params.proximity_sea
    prox[land] = 1.0
    prox[np.arange(k), states] = 0.0
    return prox


def initial_world(static: Static, params: Parameters, n_replicates: int) -> World:
    """The world at step 0, identical in every replicate."""
    r, s, e = n_replicates, static.n_states, static.n_slots
    e0 = len(static.initial_exporters)

    def tile(x: F) -> F:
        return np.tile(x, (r, 1))

    slot_state = np.full((r, e), -1, dtype=np.int64)
    slot_state[:, :e0] = static.initial_exporters
    proximity = np.zeros((r, e, s))
    proximity[:, :e0, :] = proximity_rows(static, static.initial_exporters, params)
    cohesion = np.ones((r, s))
    cohesion[:, static.initial_exporters] = params.revolutionary_disruption
    zeros_es = np.zeros((r, e, s))
    return World(
        step=0,
        economy=np.ones((r, s)),
        capability=tile(static.capability0),
        cohesion=cohesion,
        legitimacy=tile(static.legitimacy0),
        repression=tile(static.repression0),
        movement=tile(static.movement0),
        anchor_legitimacy=tile(static.legitimacy0),
        anchor_repression=tile(static.repression0),
        regime=np.tile(static.regime0, (r, 1)),
        alignment=np.tile(static.alignment0, (r, 1)),
        aid=np.zeros((r, s)),
        coalition=np.zeros((r, s), dtype=bool),
        sanctioning=np.zeros((r, s), dtype=bool),
        superpower_sanction=np.zeros((r, 2), dtype=bool),
        presence=np.zeros((r, 2), dtype=bool),
        slot_state=slot_state,
        intent=zeros_es.copy(),
        proximity=proximity,
        war=np.zeros((r, e, s), dtype=bool),
        war_months=np.zeros((r, e, s), dtype=np.int64),
        war_initiator=np.zeros((r, e, s), dtype=np.int64),
        war_cap0_state=zeros_es.copy(),
        war_cap0_exporter=zeros_es.copy(),
        rally=np.zeros((r, e)),
        weariness=np.zeros((r, s)),
        attacked=np.zeros((r, e), dtype=bool),
        successes=np.zeros((r, e)),
        shares=np.zeros((r, e, len(MEANS))),
        spend=np.zeros((r, e, 4, s)),
        strike=np.zeros((r, e, s), dtype=bool),
        export_spend=np.zeros((r, e)),
        war_cost=np.zeros((r, e)),
        sanction_loss=np.zeros((r, e)),
        new_war=np.zeros((r, e, s), dtype=bool),
        war_end=np.zeros((r, e, s), dtype=np.int64),
        fell=np.zeros((r, s), dtype=bool),
        prev_regime=np.tile(static.regime0, (r, 1)),
    )
