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
from revexport.engine.cells import mark_eligible, monthly_budget, power, sanctions_felt
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
    """

    obs: Observation
    tables: DoctrineTables
    compiled_slot: B
    python_slot: B
    shares: F
    targets: F
    strike: B
    tolerance: F


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
                     tolerance=np.zeros((r, e)))


@kernel
def observe(w: World, st: StaticArrays, par: Any, d: Decisions) -> None:
    """Refresh what the exporters observe this month (the derived arrays of ``d.obs``)."""
    o = d.obs
    n_r, n_e, n_s = w.intent.shape
    exporter = np.zeros(n_s, dtype=np.bool_)
    ok = np.zeros(n_s, dtype=np.bool_)
    cap, coh, aid = w.capability, w.cohesion, w.aid
    for r in range(n_r):
        q = par[r]
        mark_eligible(w.slot_state, st.superpower, w.regime, r, exporter, ok)
        n_ok = 0
        members = 0
        for s in range(n_s):
            n_ok += ok[s]
            members += w.coalition[r, s]
            o.target_power[r, s] = power(cap, coh, aid, r, s)
            o.protected[r, s] = st.protected_alignment[w.alignment[r, s]]
        sanctioned, n_sp = sanctions_felt(w.sanctioning, w.superpower_sanction, st.gdp_share, r)
        for e in range(n_e):
            x = w.slot_state[r, e]
            sitting = x >= 0
            o.active[r, e] = sitting
            o.economy[r, e] = w.economy[r, x] if sitting else 0.0
            o.legitimacy[r, e] = w.legitimacy[r, x] if sitting else 0.0
            o.power[r, e] = power(cap, coh, aid, r, x) if sitting else 0.0
            o.cohesion[r, e] = w.cohesion[r, x] if sitting else 0.0
            o.weariness[r, e] = w.weariness[r, x] if sitting else 0.0
            o.threat_felt[r, e] = members / max(n_ok, 1)
            o.sanctions[r, e] = min(1.0, sanctioned + q.superpower_sanction_weight * n_sp)
            for s in range(n_s):
                # An occupied state is no target: the exporters deal with sovereign states.
                o.valid_target[r, e, s] = ok[s] and sitting and w.occupied[r, s] < 0


@kernel
def allocate(w: World, st: StaticArrays, par: Any, d: Decisions, slots: Any) -> None:
    """Turn the answers of the doctrines of ``slots`` (E,) bool into the world's shares, wars
    opened and spending per means and target.

    Under Article 154 support and covert action are forbidden -- what they would have had goes
    half to moral support (propaganda), half to diplomacy -- and no war is opened. Military
    spending goes to the wars under way and those opened now.
    """
    n_r, n_e, n_s = w.intent.shape
    for r in range(n_r):
        q = par[r]
        for e in range(n_e):
            if not slots[e]:
                continue
            x = w.slot_state[r, e]
            if x < 0:
                w.shares[r, e, :] = 0.0
                w.strike[r, e, :] = False
                w.spend[r, e, :, :] = 0.0
                continue
            sh = w.shares[r, e]
            sh[:] = d.shares[r, e]
            w.war_tolerance[r, e] = d.tolerance[r, e]
            for s in range(n_s):
                w.strike[r, e, s] = d.strike[r, e, s]
            if st.article154:
                freed = sh[SUPPORT] + sh[COVERT]
                sh[SUPPORT] = 0.0
                sh[COVERT] = 0.0
                sh[PROPAGANDA] += 0.5 * freed
                sh[DIPLOMACY] += 0.5 * freed
                w.strike[r, e, :] = False
            b = monthly_budget(q, st.gdp0[x], w.economy[r, x])
            n_fronts = 0.0
            for s in range(n_s):
                n_fronts += w.war[r, e, s] or w.strike[r, e, s]
            for s in range(n_s):
                target = d.targets[r, e, s]
                w.spend[r, e, Spend.PROPAGANDA, s] = b * sh[PROPAGANDA] * target
                w.spend[r, e, Spend.SUPPORT, s] = b * sh[SUPPORT] * target
                w.spend[r, e, Spend.COVERT, s] = b * sh[COVERT] * target
                front = w.war[r, e, s] or w.strike[r, e, s]
                w.spend[r, e, Spend.MILITARY, s] = b * sh[MILITARY] * front / n_fronts if front else 0.0


@kernel
def decide(w: World, st: StaticArrays, par: Any, d: Decisions) -> None:
    """Observe, let every doctrine written as data decide, and allocate its means."""
    observe(w, st, par, d)
    t = d.tables
    doctrine_kernel.decide(d.obs, t.policy, t.n_policies, t.faction, t.n_factions, w.stage,
                           w.faction_weight, w.successes_seen, w.economy_expected, d.shares,
                           d.targets, d.strike, d.tolerance)
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
    tolerance = alloc.war_tolerance
    if tolerance is not None:
        tolerance = np.asarray(tolerance, dtype=np.float64)
        if tolerance.shape != obs.shape or not np.all(np.isfinite(tolerance)):
            raise RevexportError(
                f"doctrine '{name}': decide() must return war_tolerance of shape {obs.shape} "
                f"with finite values, got shape {tolerance.shape}")
        tolerance = np.clip(tolerance, 0.0, 1.0)
    return Allocation(shares=shares, targets=targets, strike=strike, war_tolerance=tolerance)


__all__ = ["Decisions", "allocate", "decide", "decide_python", "decisions", "observe"]
