"""Phase 2 -- decision: each exporter's doctrine allocates its means.

The observation is computed once per step for every slot (:func:`observe`); doctrines
written as data decide in one compiled kernel (:func:`revexport.doctrines.kernel.decide`);
a doctrine written in Python decides, batched over the replicates where one of its slots
holds a sitting exporter, between the compiled parts (see :mod:`revexport.engine.step`).
Every allocation is then put under the Article 154 switch when the run asks, and turned into
spending per means and target (:func:`allocate`).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from revexport.codes import COVERT, DIPLOMACY, MILITARY, N_MEANS, PROPAGANDA, SUPPORT, Spend
from revexport.compiled import kernel
from revexport.doctrines import kernel as doctrine_kernel
from revexport.doctrines.base import Allocation, Doctrine, Observation
from revexport.doctrines.spec import DoctrineTables
from revexport.engine.cells import (
    live_slots,
    mark_eligible,
    monthly_budget,
    power,
    presence_support,
    sanctions_felt,
)
from revexport.engine.state import B, F, StaticArrays, World
from revexport.errors import RevexportError


class Decisions(NamedTuple):
    """The decision phase's working arrays for one block (allocated once).

    Attributes
    ----------
    obs : Observation over every slot; its derived arrays are refreshed each step, the others
        are the world's own
    tables : DoctrineTables of the slots
    compiled_slot, python_slot : (E,) bool, slots run by a doctrine written as data / in Python
    shares, targets, strike : (R, E, 6), (R, E, S), (R, E, S) the doctrines' answers, before
        the Article 154 switch
    tolerance : (R, E) the doctrines' war tolerance
    incitement : (R, E) the share of the doctrines' propaganda that incites
    """

    obs: Observation
    tables: DoctrineTables
    compiled_slot: B
    python_slot: B
    shares: F
    targets: F
    strike: B
    tolerance: F
    incitement: F


def decisions(w: World, st: StaticArrays, par: Any, tables: DoctrineTables) -> Decisions:
    """The working arrays of the decision phase for the block of ``w``."""
    r, e, s = w.intent.shape
    obs = Observation(
        step=0, params=par, active=np.zeros((r, e), dtype=bool), economy=np.zeros((r, e)),
        legitimacy=np.zeros((r, e)), power=np.zeros((r, e)), cohesion=np.zeros((r, e)),
        at_war=w.war, weariness=np.zeros((r, e)), attacked=w.attacked, successes=w.successes,
        threat_felt=np.zeros((r, e)), sanctions=np.zeros((r, e)), movement=w.movement,
        target_legitimacy=w.legitimacy, target_power=np.zeros((r, s)), regime=w.regime,
        alignment=w.alignment, protected=np.zeros((r, s), dtype=bool), affinity=st.affinity,
        grievance=st.grievance, proximity=w.proximity, valid_target=np.zeros((r, e, s), dtype=bool))
    compiled_slot = tables.n_factions > 0
    return Decisions(obs=obs, tables=tables, compiled_slot=compiled_slot,
                     python_slot=~compiled_slot, shares=np.zeros((r, e, N_MEANS)),
                     targets=np.zeros((r, e, s)), strike=np.zeros((r, e, s), dtype=bool),
                     tolerance=np.zeros((r, e)), incitement=np.ones((r, e)))


@kernel
def observe(w: World, st: StaticArrays, par: Any, d: Decisions) -> None:
    """Refresh what the exporters observe this month (the derived arrays of ``d.obs``)."""
    o = d.obs
    n_r, n_e, n_s = w.intent.shape
    exporter = np.zeros(n_s, dtype=np.bool_)
    ok = np.zeros(n_s, dtype=np.bool_)
    foreign = np.zeros(n_s)
    cap, coh, aid = w.capability, w.cohesion, w.aid
    for r in range(n_r):
        q = par[r]
        mark_eligible(w.slot_state, st.superpower, w.regime, r, exporter, ok)
        n_ok = 0
        members = 0
        # A target's power counts the foreign forces that would defend it.
        presence_support(q, w.presence, w.alignment, w.occupied, cap, st.superpower_rows, r,
                         foreign)
        for s in range(n_s):
            n_ok += ok[s]
            members += w.coalition[r, s]
            o.target_power[r, s] = power(cap[r, s], coh[r, s], aid[r, s]) + foreign[s]
            o.protected[r, s] = st.protected_alignment[w.alignment[r, s]]
        sanctioned, n_sp = sanctions_felt(w.sanctioning, w.superpower_sanction, st.gdp_share, r)
        for e in range(n_e):
            x = w.slot_state[r, e]
            sitting = x >= 0
            o.threat_felt[r, e] = members / max(n_ok, 1)
            o.sanctions[r, e] = min(1.0, sanctioned + q.superpower_sanction_weight * n_sp)
            if not sitting and not o.active[r, e]:
                # Empty last month too: the rest of its observation is the zeros written then
                # (or at the start). A doctrine written in Python sees it; none writes it.
                continue
            o.active[r, e] = sitting
            o.economy[r, e] = w.economy[r, x] if sitting else 0.0
            o.legitimacy[r, e] = w.legitimacy[r, x] if sitting else 0.0
            o.power[r, e] = power(cap[r, x], coh[r, x], aid[r, x]) if sitting else 0.0
            o.cohesion[r, e] = w.cohesion[r, x] if sitting else 0.0
            o.weariness[r, e] = w.weariness[r, x] if sitting else 0.0
            for s in range(n_s):
                # An occupied state is no target: the exporters deal with sovereign states.
                o.valid_target[r, e, s] = ok[s] and sitting and w.occupied[r, s] < 0


@kernel
def allocate(w: World, st: StaticArrays, par: Any, d: Decisions, slots: Any) -> None:
    """Turn the answers of the doctrines of ``slots`` (E,) bool into the world's shares, wars
    opened and spending per means and target.

    Under Article 154 support and covert action are forbidden -- what they would have had goes
    half to moral support (propaganda), half to diplomacy --, propaganda is moral support only
    (no incitement) and no war is opened. Military spending goes to the wars under way and
    those opened now.
    """
    # The arrays as locals and element by element, no slices: inside the loops each attribute
    # fetch or view would take and release a reference.
    shares, spend, strike, war, economy = w.shares, w.spend, w.strike, w.war, w.economy
    slot_state, war_tolerance, incitement, gdp0 = w.slot_state, w.war_tolerance, w.incitement, st.gdp0
    d_shares, d_strike, d_targets, d_tolerance = d.shares, d.strike, d.targets, d.tolerance
    d_incitement = d.incitement
    article154 = st.article154
    n_r, _, n_s = w.intent.shape
    n_means = shares.shape[2]
    n_spend = spend.shape[2]
    for r in range(n_r):
        q = par[r]
        # The slots past the last sitting exporter hold no shares, strikes or spending: the
        # regime phase cleared them when it vacated the slot.
        for e in range(live_slots(slot_state, r)):
            if not slots[e]:
                continue
            x = slot_state[r, e]
            if x < 0:
                for j in range(n_means):
                    shares[r, e, j] = 0.0
                for s in range(n_s):
                    strike[r, e, s] = False
                    for j in range(n_spend):
                        spend[r, e, j, s] = 0.0
                continue
            for j in range(n_means):
                shares[r, e, j] = d_shares[r, e, j]
            war_tolerance[r, e] = d_tolerance[r, e]
            incitement[r, e] = 0.0 if article154 else d_incitement[r, e]
            for s in range(n_s):
                strike[r, e, s] = d_strike[r, e, s] and not article154
            if article154:
                freed = shares[r, e, SUPPORT] + shares[r, e, COVERT]
                shares[r, e, SUPPORT] = 0.0
                shares[r, e, COVERT] = 0.0
                shares[r, e, PROPAGANDA] += 0.5 * freed
                shares[r, e, DIPLOMACY] += 0.5 * freed
            b = monthly_budget(q, gdp0[x], economy[r, x])
            n_fronts = 0.0
            for s in range(n_s):
                n_fronts += war[r, e, s] or strike[r, e, s]
            for s in range(n_s):
                target = d_targets[r, e, s]
                spend[r, e, Spend.PROPAGANDA, s] = b * shares[r, e, PROPAGANDA] * target
                spend[r, e, Spend.SUPPORT, s] = b * shares[r, e, SUPPORT] * target
                spend[r, e, Spend.COVERT, s] = b * shares[r, e, COVERT] * target
                front = war[r, e, s] or strike[r, e, s]
                spend[r, e, Spend.MILITARY, s] = (b * shares[r, e, MILITARY] * front / n_fronts
                                                  if front else 0.0)


@kernel
def decide(w: World, st: StaticArrays, par: Any, d: Decisions) -> None:
    """Observe, let every doctrine written as data decide, and allocate its means."""
    observe(w, st, par, d)
    t = d.tables
    doctrine_kernel.decide(d.obs, t.policy, t.n_policies, t.faction, t.n_factions, w.stage,
                           w.faction_weight, w.successes_seen, w.economy_expected, d.shares,
                           d.targets, d.strike, d.tolerance, d.incitement)
    allocate(w, st, par, d, d.compiled_slot)


def decide_python(w: World, st: StaticArrays, par: Any, d: Decisions, step: int,
                  groups: list[tuple[Doctrine, Any, dict[str, F]]],
                  rng: np.random.Generator) -> None:
    """Let the doctrines written in Python decide for their slots, then allocate.

    ``groups`` holds ``(doctrine, slots, memory)``. Each doctrine sees only the replicates in
    which one of its slots holds a sitting exporter; its memory is read and written for those
    replicates alone, so an empty slot's memory waits unchanged.
    """
    obs = d.obs._replace(step=step)
    for doctrine, slots, memory in groups:
        sitting = np.flatnonzero((w.slot_state[:, slots] >= 0).any(axis=1))
        if sitting.size == 0:
            continue
        seen = obs.rows(sitting).slots(slots)
        mem = {k: v[sitting] for k, v in memory.items()}
        alloc = _checked(doctrine.decide(seen, mem, rng), seen, doctrine.name)
        for k, v in mem.items():
            if k not in memory:
                memory[k] = np.zeros((w.n_replicates, *np.shape(v)[1:]))
            memory[k][sitting] = v
        at = np.ix_(sitting, slots)
        d.shares[at] = alloc.shares
        d.targets[at] = alloc.targets
        d.strike[at] = alloc.strike
        d.tolerance[at] = (par.war_tolerance[sitting][:, None] if alloc.war_tolerance is None
                           else alloc.war_tolerance)
        d.incitement[at] = 1.0 if alloc.incitement is None else alloc.incitement
    allocate(w, st, par, d, d.python_slot)


def _checked(alloc: Allocation, obs: Observation, name: str) -> Allocation:
    """A Python doctrine's answer, checked at the boundary and normalised."""
    shares = np.nan_to_num(np.clip(np.asarray(alloc.shares, dtype=np.float64), 0.0, None), nan=0.0)
    total = shares.sum(axis=-1, keepdims=True)
    if shares.shape != (*obs.shape, N_MEANS) or not np.all(np.isfinite(total)):
        raise RevexportError(
            f"doctrine '{name}': decide() must return shares of shape {(*obs.shape, N_MEANS)} "
            f"with finite values, got shape {shares.shape}")
    targets = np.asarray(alloc.targets, dtype=np.float64)
    strike = np.asarray(alloc.strike, dtype=bool)
    if targets.shape != obs.proximity.shape or strike.shape != obs.proximity.shape:
        raise RevexportError(
            f"doctrine '{name}': decide() must return targets and strike of shape "
            f"{obs.proximity.shape}, got {targets.shape} and {strike.shape}")
    shares = np.divide(shares, total, out=np.zeros_like(shares), where=total > 0)
    targets = np.where(obs.valid_target, np.nan_to_num(np.clip(targets, 0.0, None)), 0.0)
    tsum = targets.sum(axis=-1, keepdims=True)
    targets = np.divide(targets, tsum, out=np.zeros_like(targets), where=tsum > 0)
    strike = strike & obs.valid_target & ~obs.at_war
    tolerance, incitement = (_checked_share(alloc.war_tolerance, obs, name, "war_tolerance"),
                             _checked_share(alloc.incitement, obs, name, "incitement"))
    return Allocation(shares=shares, targets=targets, strike=strike, war_tolerance=tolerance,
                      incitement=incitement)


def _checked_share(value: F | None, obs: Observation, name: str, field: str) -> F | None:
    """An optional (R, K) answer in [0, 1] of a Python doctrine, checked and clipped."""
    if value is None:
        return None
    value = np.asarray(value, dtype=np.float64)
    if value.shape != obs.shape or not np.all(np.isfinite(value)):
        raise RevexportError(
            f"doctrine '{name}': decide() must return {field} of shape {obs.shape} "
            f"with finite values, got shape {value.shape}")
    return np.clip(value, 0.0, 1.0)


__all__ = ["Decisions", "allocate", "decide", "decide_python", "decisions", "observe"]
