"""Phase 6 -- regime change: a threshold hazard, not a certainty.

Resilience = weighted legitimacy, repression, military capability (saturating)
and patronage (superpower client, aid, the patron's forces deployed). A regime falls with monthly hazard
``regime_hazard x exp((movement - resilience) / width)`` (capped at 1): small
while the movement is well below resilience, near certain far above it. A
fallen regime is aligned with probability ``aligned_probability``, otherwise
the army takes over. Coups (hazard scaled by 1 - legitimacy) bring military
rule. An exporter whose legitimacy collapses can fall too, and then stops
exporting.

A newly aligned state leaves the coalition, ends its sanctions and wars, is
credited to the exporters, and takes a free exporter slot with the scenario's
``new_exporter_doctrine``: "newly aligned regimes can export too".
"""

from __future__ import annotations

from typing import Any

import numpy as np

from revexport.engine import kernels
from revexport.engine.context import StepContext
from revexport.engine.phases.common import eligible, power, presence_support
from revexport.engine.phases.war import REGIME_FELL
from revexport.engine.state import (
    ALIGNED,
    NONALIGNED,
    REGIME,
    B,
    F,
    I,
    World,
    proximity_rows,
)

MILITARY_RULE = REGIME["military-authoritarian"]


def change(world: World, ctx: StepContext) -> None:
    """Apply this month's regime changes."""
    p = ctx.params
    world.prev_regime = world.regime.copy()
    shape = world.regime.shape
    u_fall, u_coup = ctx.rng.random(shape), ctx.rng.random(shape)
    u_exporter = ctx.rng.random(world.slot_state.shape)
    falls = np.zeros(shape, dtype=bool)
    coup = np.zeros(shape, dtype=bool)
    exporter_falls = np.zeros(shape, dtype=bool)
    if kernels.compiled():
        _fall_kernel(
            falls, coup, exporter_falls, world.regime, world.alignment, world.legitimacy,
            world.repression, world.movement, world.capability, world.cohesion, world.aid,
            world.presence, world.slot_state, ctx.static.superpower, ctx.static.capability0,
            u_fall, u_coup, u_exporter, p.values)
    else:
        ok = eligible(world, ctx)
        falls = ok & (u_fall < regime_hazard(world, ctx))
        coup = ok & ~falls & (u_coup < p.coup_hazard * (1.0 - world.legitimacy))
        exp_hazard = np.minimum(1.0, p.regime_hazard * np.exp(
            (p.exporter_collapse_legitimacy - world.legitimacy) / p.regime_hazard_width))
        r, e = np.nonzero(world.slot_state >= 0)
        u_exp = np.ones(shape)
        u_exp[r, world.slot_state[r, e]] = u_exporter[r, e]
        exporter_falls = world.exporter_mask() & (u_exp < exp_hazard)
    world.fell = falls | coup | exporter_falls
    if not world.fell.any():
        return
    # A regime that falls to its movement is aligned with some probability (a draw for each
    # fall only); every other fall brings military rule.
    aligned = np.zeros(shape, dtype=bool)
    aligned[falls] = ctx.rng.random(int(np.count_nonzero(falls))) < p.aligned_probability
    if kernels.compiled():
        _aftermath_kernel(
            world.fell, aligned, exporter_falls, world.regime, world.legitimacy,
            world.anchor_legitimacy, world.anchor_repression, world.repression, world.movement,
            world.alignment, world.coalition, world.sanctioning, world.aid, world.war,
            world.war_end, world.slot_state, world.intent, world.shares, world.spend)
    else:
        _aftermath(world, aligned, exporter_falls)
    if aligned.any():
        _credit(world, aligned)
        _new_exporters(world, ctx, aligned)


def _aftermath(world: World, aligned: np.ndarray, exporter_falls: np.ndarray) -> None:
    """New regimes in place of the fallen; their wars end; a fallen exporter stops exporting."""
    world.regime = np.where(aligned, ALIGNED, np.where(world.fell, MILITARY_RULE, world.regime))
    # A new regime starts with a fresh slate: middling legitimacy, no movement; it keeps the
    # coercive apparatus it found. These become the levels it drifts back to.
    world.legitimacy = np.where(world.fell, 0.5, world.legitimacy)
    world.anchor_legitimacy = np.where(world.fell, 0.5, world.anchor_legitimacy)
    world.anchor_repression = np.where(world.fell, world.repression, world.anchor_repression)
    world.movement = np.where(world.fell, 0.0, world.movement)
    world.alignment = np.where(aligned, NONALIGNED, world.alignment)
    world.coalition &= ~aligned
    world.sanctioning &= ~aligned
    world.aid = np.where(aligned, 0.0, world.aid)
    # Wars with a fallen regime (or a fallen exporter) end.
    vacated = _slot_mask(world, exporter_falls)
    ends = world.war & (aligned[:, None, :] | vacated[..., None])
    world.war_end = np.where(ends, REGIME_FELL, world.war_end)
    world.war &= ~ends
    world.slot_state = np.where(vacated, -1, world.slot_state)
    world.intent = np.where(vacated[..., None], 0.0, world.intent)
    world.shares[vacated] = 0.0
    world.spend[vacated] = 0.0


def regime_hazard(world: World, ctx: StepContext) -> np.ndarray:
    """(R, S) monthly hazard that the regime falls to its movement."""
    p = ctx.params
    capability = 1.0 - np.exp(-power(world) / 0.5)
    patron = np.minimum(1.0, 0.5 * (world.alignment != NONALIGNED) + world.aid /
                        np.maximum(ctx.static.capability0, 1e-9) + (presence_support(world, ctx) > 0))
    resilience = (
        p.resilience_legitimacy * world.legitimacy
        + p.resilience_repression * world.repression
        + p.resilience_capability * capability
        + p.resilience_patron * patron
    )
    hazard: np.ndarray = np.minimum(
        1.0, p.regime_hazard * np.exp((world.movement - resilience) / p.regime_hazard_width))
    return hazard


def _slot_mask(world: World, state_mask: np.ndarray) -> np.ndarray:
    """(R, E) slots whose state is flagged in an (R, S) mask."""
    idx = np.maximum(world.slot_state, 0)
    mask: np.ndarray = (world.slot_state >= 0) & np.take_along_axis(state_mask, idx, axis=1)
    return mask


def _credit(world: World, aligned: np.ndarray) -> None:
    """Share the credit for each new aligned regime among the exporters that worked there."""
    effort = world.spend.sum(axis=2) * aligned[:, None, :]
    total = effort.sum(axis=1, keepdims=True)
    active = (world.slot_state >= 0)[..., None].astype(float)
    n_active = np.maximum(active.sum(axis=1, keepdims=True), 1.0)
    share = np.where(total > 0, effort / np.maximum(total, 1e-12), active * aligned[:, None, :]
                     / n_active)
    world.successes = world.successes + share.sum(axis=2)


def _new_exporters(world: World, ctx: StepContext, aligned: np.ndarray) -> None:
    """Give newly aligned states a free exporter slot, without a loop over replicates."""
    first_new = len(ctx.static.initial_exporters)
    free = world.slot_state[:, first_new:] < 0
    if free.shape[1] == 0:
        return
    r_ev, s_ev = np.nonzero(aligned)  # sorted by replicate, then state
    # Rank of each event within its replicate.
    start = np.searchsorted(r_ev, r_ev, side="left")
    rank = np.arange(len(r_ev)) - start
    n_free = free.sum(axis=1)
    take = rank < n_free[r_ev]
    r_ev, s_ev, rank = r_ev[take], s_ev[take], rank[take]
    if len(r_ev) == 0:
        return
    # The rank-th free slot of each replicate.
    order = np.cumsum(free, axis=1)[r_ev]
    slot = first_new + np.argmax(order == (rank + 1)[:, None], axis=1)
    world.slot_state[r_ev, slot] = s_ev
    world.proximity[r_ev, slot] = proximity_rows(ctx.static, s_ev, ctx.params)
    world.intent[r_ev, slot] = 0.0
    world.rally[r_ev, slot] = 0.0


@kernels.kernel
def _fall_kernel(falls: B, coup: B, exporter_falls: B, regime: I, alignment: I, legitimacy: F,
                 repression: F, movement: F, capability: F, cohesion: F, aid: F, presence: B,
                 slot_state: I, superpower: I, capability0: F, u_fall: F, u_coup: F,
                 u_exporter: F, p: Any) -> None:  # pragma: no cover - compiled
    """The loop twin of the draws of :func:`change`: which regimes fall, and how."""
    n_r, n_s = regime.shape
    n_e = slot_state.shape[1]
    sp_row = kernels.superpower_rows(superpower)
    exporter = np.zeros(n_s, dtype=np.bool_)
    for r in range(n_r):
        kernels.mark_exporters(slot_state, r, exporter)
        for e in range(n_e):
            x = slot_state[r, e]
            if x < 0:
                continue
            hazard = min(1.0, p.regime_hazard * np.exp(
                (p.exporter_collapse_legitimacy - legitimacy[r, x]) / p.regime_hazard_width))
            exporter_falls[r, x] = u_exporter[r, e] < hazard
        for s in range(n_s):
            if exporter[s] or superpower[s] >= 0 or regime[r, s] == ALIGNED:
                continue
            deployed = 0.0
            for bloc in range(2):
                if sp_row[bloc] >= 0 and presence[r, bloc] and alignment[r, s] == bloc:
                    deployed += p.presence_strength * capability[r, sp_row[bloc]]
            armed = 1.0 - np.exp(-(capability[r, s] * cohesion[r, s] + aid[r, s]) / 0.5)
            patron = min(1.0, 0.5 * (alignment[r, s] != NONALIGNED)
                         + aid[r, s] / max(capability0[s], 1e-9) + (deployed > 0))
            resilience = (p.resilience_legitimacy * legitimacy[r, s]
                          + p.resilience_repression * repression[r, s]
                          + p.resilience_capability * armed
                          + p.resilience_patron * patron)
            hazard = min(1.0, p.regime_hazard * np.exp(
                (movement[r, s] - resilience) / p.regime_hazard_width))
            if u_fall[r, s] < hazard:
                falls[r, s] = True
            elif u_coup[r, s] < p.coup_hazard * (1.0 - legitimacy[r, s]):
                coup[r, s] = True


@kernels.kernel
def _aftermath_kernel(fell: B, aligned: B, exporter_falls: B, regime: I, legitimacy: F,
                      anchor_legitimacy: F, anchor_repression: F, repression: F, movement: F,
                      alignment: I, coalition: B, sanctioning: B, aid: F, war: B, war_end: I,
                      slot_state: I, intent: F, shares: F,
                      spend: F) -> None:  # pragma: no cover - compiled
    """The loop twin of :func:`_aftermath`, on the replicates where a regime fell."""
    n_r, n_e, n_s = war.shape
    for r in range(n_r):
        for e in range(n_e):
            x = slot_state[r, e]
            if x >= 0 and exporter_falls[r, x]:
                for s in range(n_s):
                    if war[r, e, s]:
                        war[r, e, s] = False
                        war_end[r, e, s] = REGIME_FELL
                slot_state[r, e] = -1
                intent[r, e, :] = 0.0
                shares[r, e, :] = 0.0
                spend[r, e, :, :] = 0.0
        for s in range(n_s):
            if not fell[r, s]:
                continue
            regime[r, s] = ALIGNED if aligned[r, s] else MILITARY_RULE
            legitimacy[r, s] = 0.5
            anchor_legitimacy[r, s] = 0.5
            anchor_repression[r, s] = repression[r, s]
            movement[r, s] = 0.0
            if aligned[r, s]:
                alignment[r, s] = NONALIGNED
                coalition[r, s] = False
                sanctioning[r, s] = False
                aid[r, s] = 0.0
                for e in range(n_e):
                    if war[r, e, s]:
                        war[r, e, s] = False
                        war_end[r, e, s] = REGIME_FELL
