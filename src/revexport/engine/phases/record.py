"""Phase 8 -- record: the step's outcomes into the block's buffers (docs/odd.md, section 7.8).

The per-step metrics of every replicate, the events of the step (regime changes, wars begun
and ended, coalition moves) and, when asked, movement strength by state, are written into
preallocated arrays (:class:`Records`); :mod:`revexport.outcomes` turns them into tables.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from revexport.codes import ALIGNED, MONARCHY
from revexport.compiled import cell, kernel
from revexport.engine.cells import live_slots, mark_eligible, power
from revexport.engine.state import F, I, StaticArrays, World

#: Per-step metrics, in column order, with their meaning.
STEP_METRICS: dict[str, str] = {
    "aligned_regimes": "states whose regime has turned aligned with the exporter",
    "aligned_population": "population under aligned regimes, millions",
    "movement_mean": "mean movement strength over states that can have one",
    "movement_max": "strongest movement anywhere",
    "wars": "wars under way between exporters and states",
    "coalition_size": "states in the coalition against the exporters",
    "coalition_monarchies": "monarchies in the coalition",
    "sanctions": "states sanctioning the exporters, plus superpowers sanctioning",
    "exporter_economy": "the original exporter's GDP relative to the start",
    "exporter_legitimacy": "the original exporter's legitimacy",
    "exporter_capability": "the original exporter's effective military capability (% world)",
    "exporters": "sitting exporters (original and newly aligned)",
    "faction_nationalist": "influence of the first faction of the original exporter's doctrine "
                           "(nationalist, for factional doctrines)",
    "faction_militant": "influence of the second faction (militant)",
    "faction_pragmatic": "influence of the third faction (pragmatic)",
    "faction_gradualist": "influence of the fourth faction (gradualist)",
    "superpower_presence": "superpowers with forces deployed in the region",
    "coalition_group": "states of the scenario's named coalition group in the coalition",
}
FIRST_FACTION = list(STEP_METRICS).index("faction_nationalist")

#: Event kinds. Columns: ``state`` is the state concerned; ``other`` the previous regime code
#: (regime_change) or the exporter's state (wars); ``code`` the new regime code
#: (regime_change), who started (war_start: :class:`~revexport.codes.WarStart`) or how the war
#: ended (war_end: :class:`~revexport.codes.WarEnd`); ``detail`` the war's length in months.
EVENT_KINDS = ("regime_change", "war_start", "war_end", "coalition_join", "coalition_leave")
EVENT_COLUMNS = ("replicate", "step", "kind", "state", "other", "code", "detail")


class Records(NamedTuple):
    """The buffers the record phase writes.

    Attributes
    ----------
    metrics : (R, T, M) per-step metrics (columns of :data:`STEP_METRICS`)
    events : (capacity, 7) int64 event rows (:data:`EVENT_COLUMNS`); ``n_events[0]`` are used
    n_events : (1,) int64
    movement : (R, chunk, S) float32 movement by state of the steps from ``movement_start[0]``
        on, replicate by replicate as the movement table's rows (no steps when movement is
        not recorded)
    movement_start : (1,) int64
    faction_slot : int, the slot whose faction weights are recorded, -1 for none
    """

    metrics: F
    events: I
    n_events: I
    movement: Any
    movement_start: I
    faction_slot: int


def events_per_step(w: World) -> int:
    """The most events one step can produce (the record's buffer must have room for them)."""
    r, e, s = w.intent.shape
    return r * (3 * s + 2 * e * s)


@cell
def _event(events: Any, n_events: Any, r: int, t: int, kind: int, s: int, other: int, code: int,
           detail: int) -> None:
    i = n_events[0]
    row = events[i]
    row[0], row[1], row[2], row[3], row[4], row[5], row[6] = r, t, kind, s, other, code, detail
    n_events[0] = i + 1


@kernel
def record(w: World, st: StaticArrays, par: Any, rec: Records, t: int) -> None:
    """Write step ``t``'s metrics, events and movement into ``rec``."""
    # The world's and the scenario's arrays as locals: fetched from their records inside
    # the branchy loops below, each use would take and release a reference.
    aid, capability, coalition = w.aid, w.capability, w.coalition
    coalition_before, cohesion, economy = w.coalition_before, w.cohesion, w.economy
    faction_weight, fell, intent, legitimacy = w.faction_weight, w.fell, w.intent, w.legitimacy
    movement, new_war, presence, prev_regime = w.movement, w.new_war, w.presence, w.prev_regime
    regime, sanctioning, slot_state = w.regime, w.sanctioning, w.slot_state
    superpower_sanction, war, war_end = w.superpower_sanction, w.war, w.war_end
    war_initiator, war_months = w.war_initiator, w.war_months
    coalition_group, initial_exporters = st.coalition_group, st.initial_exporters
    population, superpower = st.population, st.superpower
    n_r, n_e, n_s = intent.shape
    exporter = np.zeros(n_s, dtype=np.bool_)
    ok = np.zeros(n_s, dtype=np.bool_)
    ev, n_ev, movement_rows = rec.events, rec.n_events, rec.movement
    e0 = initial_exporters[0]
    n0 = initial_exporters.shape[0]
    chunk_row = t - rec.movement_start[0]
    for r in range(n_r):
        mark_eligible(slot_state, superpower, regime, r, exporter, ok)
        m = rec.metrics[r, t]
        aligned = 0.0
        aligned_pop = 0.0
        movement_sum = 0.0
        n_ok = 0
        movement_max = 0.0
        members = 0.0
        monarchies = 0.0
        group = 0.0
        sanctions = 1.0 * superpower_sanction[r, 0] + 1.0 * superpower_sanction[r, 1]
        for s in range(n_s):
            if regime[r, s] == ALIGNED:
                aligned += 1.0
                aligned_pop += population[s]
            if ok[s]:
                movement_sum += movement[r, s]
                n_ok += 1
            movement_max = max(movement_max, movement[r, s]) if s > 0 else movement[r, s]
            members += coalition[r, s]
            monarchies += coalition[r, s] and regime[r, s] == MONARCHY
            group += coalition[r, s] and coalition_group[s]
            sanctions += sanctioning[r, s]
        wars = 0.0
        exporters = 0.0
        n_live = live_slots(slot_state, r)  # the slots past it are empty and at war nowhere
        for e in range(n_live):
            exporters += slot_state[r, e] >= 0
            for s in range(n_s):
                wars += war[r, e, s]
        m[0], m[1], m[2], m[3] = aligned, aligned_pop, movement_sum / max(n_ok, 1), movement_max
        m[4], m[5], m[6], m[7] = wars, members, monarchies, sanctions
        m[8], m[9] = economy[r, e0], legitimacy[r, e0]
        m[10] = power(capability[r, e0], cohesion[r, e0], aid[r, e0])
        m[11] = exporters
        for c in range(4):
            fs = rec.faction_slot
            m[FIRST_FACTION + c] = faction_weight[r, fs, c] if fs >= 0 else np.nan
        m[16] = 1.0 * presence[r, 0] + 1.0 * presence[r, 1]
        m[17] = group

        # Events, in the order: regime changes, wars begun, wars ended, coalition joins, leaves.
        any_fell = False
        for s in range(n_s):
            if fell[r, s]:
                any_fell = True
                _event(ev, n_ev, r, t, 0, s, prev_regime[r, s], regime[r, s], 0)
        # An empty slot past the last sitting exporter has wars begun or ended this month only
        # if its exporter fell this month (the next month's responses and war clear them).
        n_events = n_e if any_fell else n_live
        for e in range(n_events):
            for s in range(n_s):
                if new_war[r, e, s]:
                    _event(ev, n_ev, r, t, 1, s, slot_state[r, e], war_initiator[r, e, s], 0)
        for e in range(n_events):
            x = slot_state[r, e]
            if x < 0:  # a vacated slot: its original exporter, if it had one
                x = initial_exporters[e] if e < n0 else -1
            for s in range(n_s):
                if war_end[r, e, s] != 0:
                    _event(ev, n_ev, r, t, 2, s, x, war_end[r, e, s], war_months[r, e, s])
        for s in range(n_s):
            if coalition[r, s] and not coalition_before[r, s]:
                _event(ev, n_ev, r, t, 3, s, 0, 0, 0)
        for s in range(n_s):
            if coalition_before[r, s] and not coalition[r, s]:
                _event(ev, n_ev, r, t, 4, s, 0, 0, 0)
        if movement_rows.shape[1] > 0:
            for s in range(n_s):
                movement_rows[r, chunk_row, s] = movement[r, s]
