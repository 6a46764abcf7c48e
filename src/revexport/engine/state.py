"""The world's arrays and their shapes.

Shapes use ``R`` replicates in the block, ``S`` states and ``E`` exporter slots. Pairwise data
is exporter x state, ``(R, E, S)``, or the sparse neighbour graph (CSR arrays); there is never
a dense state x state array.

Exporter slots: the first ``E0`` slots hold the scenario's revolutionary states; the others
are filled, per replicate, by states whose regime turns aligned during the run (at most
``new_exporter_slots`` of them, a parameter that may differ between replicates).

:class:`StaticArrays` and :class:`World` are named tuples of arrays: compiled phases take them
whole, as typed records, and change the world's arrays in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from revexport.codes import (
    ALIGNMENTS,
    BLOCS,
    CONTACT_FAR,
    CONTACT_LAND,
    CONTACT_NAMES,
    CONTACT_SEA,
    CONTACT_TWO_HOP,
    EVENT_KINDS,
    N_MEANS,
    REGIME_TYPES,
)
from revexport.compiled import kernel
from revexport.engine.cells import contact_proximity
from revexport.scenario.schema import OutsideRivalrySpec, RivalrySpec, Scenario

F = NDArray[np.float64]
I = NDArray[np.int64]  # noqa: E741
B = NDArray[np.bool_]

#: Regime code of each regime name.
REGIME = {name: i for i, name in enumerate(REGIME_TYPES)}
#: Factions a doctrine may have (the width of the doctrine-memory arrays).
MAX_FACTIONS = 4


class StaticArrays(NamedTuple):
    """What does not change during a run, as the arrays compiled phases read.

    Attributes
    ----------
    population, gdp0, capability0, legitimacy0, repression0, movement0 : (S,)
    grievance, affinity : (S,)
    regime0, alignment0 : (S,) int64 codes
    superpower : (S,) int64, the bloc of each superpower's row, -1 for other states
    superpower_rows : (2,) int64, the row of each bloc's superpower (West, East), -1 if none
    protected_alignment : (3,) bool, whether an alignment's patron is in the scenario
    land_ptr, land_idx, sea_ptr, sea_idx : CSR arrays of the land and sea neighbours
    adj_ptr, adj_idx, adj_weight : CSR of land + sea (weight 1 for one kind, 2 for both)
    degree : (S,) summed adjacency weights
    gdp_share : (S,) each state's share of the scenario's GDP (its weight as a trading partner)
    initial_exporters : (E0,) int64
    coalition_group : (S,) bool, the scenario's named coalition group (an outcome definition,
        read only by the record phase)
    article154 : bool, every exporter runs under the Article 154 switch
    event_step, event_state, event_kind, event_by : (N,) int64, the scenario's N dated
        events in time order: step, state, :class:`revexport.codes.EventKind` and the row of
        the occupier concerned (a superpower's row for 'West' or 'East')
    rival_ptr, rival_idx : CSR of the scenario's rivalries (each pair of its states in both
        directions; a rival outside the scenario has index -1)
    rival_contact : int64 per entry, how near the rival is: 0 a land neighbour, 1 a sea
        neighbour, 2 a neighbour's neighbour, 3 farther (:class:`revexport.codes.Contact`)
    rival_first, rival_last : int64 per entry, the first and last step of the rivalry
    rival_power : float per entry, an outside rival's fixed power (0 for the scenario's states)
    civil_war : (T, S) bool, whether each state is at civil war in each step (the scenario's
        ``civil_wars``; a time x state table, small beside the world)
    """

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
    superpower_rows: I
    protected_alignment: B
    land_ptr: I
    land_idx: I
    sea_ptr: I
    sea_idx: I
    adj_ptr: I
    adj_idx: I
    adj_weight: F
    degree: F
    gdp_share: F
    initial_exporters: I
    coalition_group: B
    article154: bool
    event_step: I
    event_state: I
    event_kind: I
    event_by: I
    rival_ptr: I
    rival_idx: I
    rival_contact: I
    rival_first: I
    rival_last: I
    rival_power: F
    civil_war: B


@dataclass(frozen=True)
class Static:
    """A scenario prepared for the engine: its arrays, and what Python code needs besides.

    Attributes
    ----------
    arrays : StaticArrays
    codes : list of str, the states' ISO codes
    slot_doctrine : tuple of str, length E, the doctrine of each exporter slot
    n_steps : int

    The arrays of :class:`StaticArrays` read as attributes too (``static.population``).
    """

    arrays: StaticArrays
    codes: list[str]
    slot_doctrine: tuple[str, ...]
    n_steps: int

    def __getattr__(self, name: str) -> Any:
        if name == "arrays":  # not yet set (unpickling)
            raise AttributeError(name)
        return getattr(self.arrays, name)

    @property
    def n_states(self) -> int:
        return len(self.codes)

    @property
    def adjacency(self) -> Any:
        """scipy.sparse.csr_matrix (S, S): land + sea neighbours, weight 2 for both (built on
        demand: scipy is imported only by code that asks for it)."""
        import scipy.sparse as sp

        a = self.arrays
        return sp.csr_matrix((a.adj_weight, a.adj_idx, a.adj_ptr), shape=(self.n_states,) * 2)

    def are_neighbours(self, a: NDArray[np.int64], b: NDArray[np.int64]) -> NDArray[np.bool_]:
        """Whether each state ``a[k]`` neighbours ``b[k]`` (by land or sea)."""
        ar = self.arrays
        rows = np.repeat(np.arange(self.n_states), np.diff(ar.adj_ptr))
        edges = rows * self.n_states + ar.adj_idx
        return np.isin(np.asarray(a) * self.n_states + np.asarray(b), edges)

    @property
    def n_slots(self) -> int:
        return len(self.slot_doctrine)

    @property
    def article154(self) -> bool:
        return bool(self.arrays.article154)

    @classmethod
    def from_scenario(
        cls, sc: Scenario, new_exporter_slots: int, doctrine: str | None = None,
        article154: bool | None = None,
    ) -> Static:
        """Build the static arrays of a scenario.

        Parameters
        ----------
        sc : Scenario
        new_exporter_slots : int
            Slots for states that turn aligned (the largest ``new_exporter_slots`` of the run).
        doctrine, article154 : optional
            Replace the scenario's choice for the initial exporters.
        """
        idx = {c: i for i, c in enumerate(sc.iso3)}
        s = len(sc.states)

        def col(name: str) -> F:
            return np.array([getattr(st, name) for st in sc.states], dtype=np.float64)

        pairs: dict[str, tuple[list[int], list[int]]] = {"land": ([], []), "sea": ([], [])}
        for nb in sc.neighbours:
            r, c = pairs[nb.type]
            a, b = idx[nb.a], idx[nb.b]
            r += [a, b]
            c += [b, a]

        def edges(kind: str) -> I:
            """The pairs of one kind as sorted unique keys ``row * S + column``."""
            rows, cols = pairs[kind]
            return np.unique(np.asarray(rows, dtype=np.int64) * s + np.asarray(cols, dtype=np.int64))

        def csr(keys: I) -> tuple[I, I]:
            """Compressed rows of sorted unique keys: row pointers and column indices."""
            return np.searchsorted(keys // s, np.arange(s + 1)).astype(np.int64), keys % s

        land_keys, sea_keys = edges("land"), edges("sea")
        (land_ptr, land_idx), (sea_ptr, sea_idx) = csr(land_keys), csr(sea_keys)
        # Land and sea together, a pair that is both weighing 2.
        keys, counts = np.unique(np.concatenate([land_keys, sea_keys]), return_counts=True)
        adj_ptr, adj_idx = csr(keys)
        adj_weight = counts.astype(np.float64)
        gdp = col("gdp")
        superpower = np.array([-1 if st.superpower is None else ALIGNMENTS.index(st.superpower)
                               for st in sc.states], dtype=np.int64)
        rows = np.array([int(np.flatnonzero(superpower == b)[0]) if (superpower == b).any() else -1
                         for b in BLOCS], dtype=np.int64)
        protected = np.zeros(len(ALIGNMENTS), dtype=bool)
        protected[list(BLOCS)] = rows >= 0

        def ints(x: Any) -> I:
            return np.asarray(x, dtype=np.int64)

        # Events in time order; those of one month in the order the scenario lists them.
        events = sorted(sc.events, key=lambda ev: sc.step_of_month(ev.month))

        rivals = _rival_arrays(sc, idx, (land_ptr, land_idx, sea_ptr, sea_idx, adj_ptr, adj_idx))
        arrays = StaticArrays(
            population=col("population"), gdp0=gdp, capability0=col("capability"),
            legitimacy0=col("legitimacy"), repression0=col("repression"),
            movement0=col("movement"), grievance=col("grievance"), affinity=col("affinity"),
            regime0=ints([REGIME[st.regime] for st in sc.states]),
            alignment0=ints([ALIGNMENTS.index(st.alignment) for st in sc.states]),
            superpower=superpower, superpower_rows=rows, protected_alignment=protected,
            land_ptr=land_ptr, land_idx=land_idx, sea_ptr=sea_ptr, sea_idx=sea_idx,
            adj_ptr=adj_ptr, adj_idx=adj_idx, adj_weight=adj_weight,
            degree=np.bincount(keys // s, weights=adj_weight, minlength=s).astype(np.float64),
            gdp_share=gdp / gdp.sum(),
            initial_exporters=ints([idx[ex.state] for ex in sc.exporters]),
            coalition_group=np.isin(np.arange(s), [idx[c] for c in sc.coalition_group]),
            article154=bool(sc.article154 if article154 is None else article154),
            event_step=ints([sc.step_of_month(ev.month) for ev in events]),
            event_state=ints([idx[ev.state] for ev in events]),
            event_kind=ints([EVENT_KINDS.index(ev.kind) for ev in events]),
            event_by=ints([rows[ALIGNMENTS.index(ev.by)] if ev.by in ("West", "East")
                           else idx[ev.by] for ev in events]),
            **rivals,
            civil_war=_civil_war_table(sc, idx),
        )
        slot_doctrine = tuple([doctrine or ex.doctrine for ex in sc.exporters]
                              + [sc.new_exporter_doctrine] * int(new_exporter_slots))
        return cls(arrays=arrays, codes=list(sc.iso3), slot_doctrine=slot_doctrine, n_steps=sc.n_steps)


def _rival_arrays(sc: Scenario, idx: dict[str, int], csr: tuple[I, I, I, I, I, I]
                  ) -> dict[str, Any]:
    """The rivalries as CSR arrays, each pair of the scenario's states in both directions, with
    each entry's contact class (:func:`contact_row` over ``csr``: the land, sea and adjacency
    pointers and indices) and first and last step (a rivalry without an end lasts past any
    run); a rivalry with an outside state is one entry, of rival -1, its contact as given and
    its power fixed (``rival_power``; 0 for the scenario's states, whose power is the world's)."""
    s = len(sc.states)
    row = np.empty(s, dtype=np.int64)
    entries = []

    def span(rv: RivalrySpec | OutsideRivalrySpec) -> tuple[int, int]:
        last = sc.step_of_month(rv.end) if rv.end is not None else np.iinfo(np.int64).max
        return sc.step_of_month(rv.start), last

    for rv in sc.rivalries:
        for a, b in ((idx[rv.a], idx[rv.b]), (idx[rv.b], idx[rv.a])):
            contact_row(*csr, a, row)
            entries.append((a, b, int(row[b]), *span(rv), 0.0))
    for out in sc.outside_rivalries:
        entries.append((idx[out.state], -1, CONTACT_NAMES[out.contact], *span(out),
                        out.capability))
    entries.sort()
    rows = np.array([e[0] for e in entries], dtype=np.int64)
    cols = np.array([e[1:5] for e in entries], dtype=np.int64).reshape(-1, 4)
    return {"rival_ptr": np.searchsorted(rows, np.arange(s + 1)).astype(np.int64),
            "rival_idx": cols[:, 0].copy(), "rival_contact": cols[:, 1].copy(),
            "rival_first": cols[:, 2].copy(), "rival_last": cols[:, 3].copy(),
            "rival_power": np.array([e[5] for e in entries], dtype=np.float64)}


def _civil_war_table(sc: Scenario, idx: dict[str, int]) -> B:
    """(T, S): True in the steps each state's civil wars last (their months inside the run)."""
    table = np.zeros((sc.n_steps, len(sc.states)), dtype=bool)
    for cw in sc.civil_wars:
        first = max(sc.step_of_month(cw.start), 0)
        last = sc.n_steps - 1 if cw.end is None else min(sc.step_of_month(cw.end), sc.n_steps - 1)
        if first <= last:
            table[first:last + 1, idx[cw.state]] = True
    return table


class World(NamedTuple):
    """The mutable state of one block of replicates (every array changed in place).

    Attributes (R replicates, S states, E exporter slots)
    ------------------------------------------------------
    economy : (R, S) GDP relative to the start (1 = start level)
    capability : (R, S) military capability, % of world, before cohesion
    cohesion : (R, S) military cohesion multiplier in [0, 1]
    legitimacy, repression, movement : (R, S) in [0, 1]
    anchor_legitimacy, anchor_repression : (R, S) the levels the regime in place drifts back
        to (the scenario's at the start; a new regime's own after a fall)
    regime, alignment : (R, S) int64 codes
    aid : (R, S) accumulated superpower aid, in capability units
    coalition : (R, S) bool, member of the coalition against the exporters
    coalition_before : (R, S) bool, membership before this month's responses (for events)
    sanctioning : (R, S) bool, sanctions the exporters
    weariness : (R, S) war weariness of every state (exporters included), in [0, 1]
    fell : (R, S) bool, regimes that fell this step (transient)
    prev_regime : (R, S) int64, regime codes before this step's regime phase (transient)
    occupied : (R, S) int64, the row of the state (a superpower or another) occupying each
        state, -1 where none does (docs/odd.md, 7.1)
    superpower_sanction : (R, 2) bool, West / East sanctions the exporters
    presence : (R, 2) bool, West / East has forces deployed in the region
    slot_state : (R, E) int64 state index of each exporter slot, -1 if empty
    rally : (R, E) the exporter's rally effect
    attacked : (R, E) bool, a war was started against the exporter this step
    successes : (R, E) aligned regimes abroad credited to the exporter
    war_lesson : (R, E) the largest share of the pair's effective power with which a state
        fought the exporter and did not win (its share when the war began or when it ended,
        whichever was larger; 0 while there was no such war)
    war_tolerance : (R, E) the war weariness the exporter bears before it seeks a ceasefire,
        set each month by its doctrine
    incitement : (R, E) the share of the exporter's propaganda that calls on the targets' people
        to overthrow their governments (the rest is moral support), set each month by its
        doctrine (0 under Article 154); 1 before its first decision
    export_spend, war_cost, sanction_loss : (R, E) cumulative costs, US$ bn: what was spent on
        export; the output lost to war and to sanctions, against the economies below
    economy_without_war, economy_without_sanctions : (R, E) the exporter's economy as it would
        be had its wars (its sanctions) cost nothing, with the same shocks and policy: the
        counterfactuals that cost output (docs/odd.md, 7.7)
    intent : (R, E, S) each state's estimate of each exporter's hostile intent
    proximity : (R, E, S) proximity of each state to each exporter
    war : (R, E, S) bool, exporter e at war with state s
    war_months : (R, E, S) int64
    war_initiator : (R, E, S) int64 :class:`revexport.codes.WarStart`
    war_cap0_state, war_cap0_exporter : (R, E, S) effective power when the war began
    strike : (R, E, S) bool, wars the exporter opens this step
    new_war : (R, E, S) bool, wars begun this step (transient)
    war_end : (R, E, S) int64 :class:`revexport.codes.WarEnd` of a war that ended this step
    deterrence : (R, E, S) what an ended war leaves between its sides: 1 at its end, decaying
    shares : (R, E, 6) last allocation of means (:class:`revexport.codes.Means`)
    spend : (R, E, 4, S) last spending per export means and target, US$ bn / month
        (:class:`revexport.codes.Spend`)
    stage, faction_weight : (R, E, 4) doctrine memory: each faction's stage and influence
    successes_seen : (R, E) doctrine memory: successes the factions have already counted
    economy_expected : (R, E) doctrine memory: the economy the factions expect (start = 1)
    faction_weight0 : (E, 4) each slot's starting influence of its doctrine's factions
    strike_misjudgment : (R, S) how far each state's government misreads the threat it weighs
        against its first-strike threshold, in units of ``strike_margin_width``: a standard
        logistic draw, fixed for the run (drawn with the block, :meth:`Block.of`)
    """

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
    coalition_before: B
    sanctioning: B
    weariness: F
    fell: B
    prev_regime: I
    occupied: I
    superpower_sanction: B
    presence: B
    slot_state: I
    rally: F
    attacked: B
    successes: F
    war_lesson: F
    war_tolerance: F
    incitement: F
    export_spend: F
    war_cost: F
    sanction_loss: F
    economy_without_war: F
    economy_without_sanctions: F
    intent: F
    proximity: F
    war: B
    war_months: I
    war_initiator: I
    war_cap0_state: F
    war_cap0_exporter: F
    strike: B
    new_war: B
    war_end: I
    deterrence: F
    shares: F
    spend: F
    stage: F
    faction_weight: F
    successes_seen: F
    economy_expected: F
    faction_weight0: F
    strike_misjudgment: F

    @property
    def n_replicates(self) -> int:
        return int(self.economy.shape[0])

    def exporter_mask(self) -> B:
        """(R, S) True where the state holds a sitting exporter."""
        r, e = np.nonzero(self.slot_state >= 0)
        mask = np.zeros(self.economy.shape, dtype=bool)
        mask[r, self.slot_state[r, e]] = True
        return mask


@kernel
def contact_row(land_ptr: I, land_idx: I, sea_ptr: I, sea_idx: I, adj_ptr: I, adj_idx: I,
                x: int, out: I) -> None:
    """How near every state is to state ``x`` (:class:`revexport.codes.Contact`): a land
    neighbour, else a sea neighbour, else a neighbour's neighbour, else farther. Read from the
    sparse neighbour lists, so no S x S array."""
    out[:] = CONTACT_FAR
    for k in range(adj_ptr[x], adj_ptr[x + 1]):
        nb = adj_idx[k]
        for k2 in range(adj_ptr[nb], adj_ptr[nb + 1]):
            out[adj_idx[k2]] = CONTACT_TWO_HOP
    for k in range(sea_ptr[x], sea_ptr[x + 1]):
        out[sea_idx[k]] = CONTACT_SEA
    for k in range(land_ptr[x], land_ptr[x + 1]):
        out[land_idx[k]] = CONTACT_LAND


@kernel
def proximity_row(st: StaticArrays, x: int, q: Any, out: F) -> None:
    """Proximity of every state to state ``x`` under the parameters ``q`` (one replicate's):
    :func:`revexport.engine.cells.contact_proximity` of its contact class (:func:`contact_row`);
    0 to itself."""
    contact = np.empty(out.shape[0], dtype=np.int64)
    contact_row(st.land_ptr, st.land_idx, st.sea_ptr, st.sea_idx, st.adj_ptr, st.adj_idx, x,
                contact)
    for s in range(out.shape[0]):
        out[s] = contact_proximity(q, contact[s])
    out[x] = 0.0


@kernel
def _first_month(world: World, st: StaticArrays, par: Any) -> None:
    """The per-replicate parts of the starting world: exporters' proximity and cohesion."""
    for r in range(world.economy.shape[0]):
        for e in range(st.initial_exporters.shape[0]):
            x = st.initial_exporters[e]
            proximity_row(st, x, par[r], world.proximity[r, e])
            world.cohesion[r, x] = par[r].revolutionary_disruption


def initial_world(static: Static, par: Any) -> World:
    """The world at step 0 for the replicates of the parameter table ``par`` (one row each)."""
    st = static.arrays
    r, s, e = len(par), static.n_states, static.n_slots
    e0 = len(st.initial_exporters)

    def tile(x: Any) -> Any:
        return np.tile(x, (r, 1))

    def zeros(*shape: int, dtype: Any = np.float64) -> Any:
        return np.zeros(shape, dtype=dtype)

    slot_state = np.full((r, e), -1, dtype=np.int64)
    slot_state[:, :e0] = st.initial_exporters
    world = World(
        economy=np.ones((r, s)), capability=tile(st.capability0), cohesion=np.ones((r, s)),
        legitimacy=tile(st.legitimacy0), repression=tile(st.repression0),
        movement=tile(st.movement0), anchor_legitimacy=tile(st.legitimacy0),
        anchor_repression=tile(st.repression0), regime=tile(st.regime0),
        alignment=tile(st.alignment0), aid=zeros(r, s), coalition=zeros(r, s, dtype=bool),
        coalition_before=zeros(r, s, dtype=bool), sanctioning=zeros(r, s, dtype=bool),
        weariness=zeros(r, s), fell=zeros(r, s, dtype=bool), prev_regime=tile(st.regime0),
        occupied=np.full((r, s), -1, dtype=np.int64),
        superpower_sanction=zeros(r, 2, dtype=bool), presence=zeros(r, 2, dtype=bool),
        slot_state=slot_state, rally=zeros(r, e), attacked=zeros(r, e, dtype=bool),
        successes=zeros(r, e), war_lesson=zeros(r, e), war_tolerance=zeros(r, e),
        incitement=np.ones((r, e)), export_spend=zeros(r, e), war_cost=zeros(r, e),
        sanction_loss=zeros(r, e), economy_without_war=np.ones((r, e)),
        economy_without_sanctions=np.ones((r, e)), intent=zeros(r, e, s), proximity=zeros(r, e, s),
        war=zeros(r, e, s, dtype=bool), war_months=zeros(r, e, s, dtype=np.int64),
        war_initiator=zeros(r, e, s, dtype=np.int64), war_cap0_state=zeros(r, e, s),
        war_cap0_exporter=zeros(r, e, s), strike=zeros(r, e, s, dtype=bool),
        new_war=zeros(r, e, s, dtype=bool), war_end=zeros(r, e, s, dtype=np.int64),
        deterrence=zeros(r, e, s),
        shares=zeros(r, e, N_MEANS), spend=zeros(r, e, 4, s), stage=zeros(r, e, MAX_FACTIONS),
        faction_weight=zeros(r, e, MAX_FACTIONS), successes_seen=zeros(r, e),
        economy_expected=np.ones((r, e)),
        faction_weight0=zeros(e, MAX_FACTIONS), strike_misjudgment=zeros(r, s),
    )
    _first_month(world, st, par)
    return world
