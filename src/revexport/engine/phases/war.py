"""Phase 5 -- war: attrition, cost, rally and weariness, ceasefire, collapse.

For each war under way (exporter e, state s):

* attrition, Lanchester-style: each side loses ``war_attrition x`` the
  opponent's share of the pair's effective power; an exporter's power is
  split over its fronts; a client's power includes the forces its deployed
  patron lends to its defence;
* economic cost to both sides;
* the exporter's rally effect (when attacked) fades while war weariness grows;
* ceasefire with a monthly hazard that grows with weariness and with
  stalemate (balanced power) after the first year (Bennett & Stam 1996);
* collapse: a side whose capability falls below ``collapse_threshold`` of its
  pre-war level loses the war and a share of its legitimacy (a collapsed
  state's movement is also boosted: the victor's partisans move in), which
  can bring regime change in phase 6.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from revexport.engine import kernels
from revexport.engine.context import StepContext
from revexport.engine.phases.common import power, presence_support, uniform_at
from revexport.engine.state import B, F, I, World

CEASEFIRE, STATE_COLLAPSED, EXPORTER_COLLAPSED, REGIME_FELL = 1, 2, 3, 4


def fight(world: World, ctx: StepContext) -> None:
    """Advance every war by one month."""
    p = ctx.params
    world.war_end = np.zeros(world.war.shape, dtype=np.int64)
    # Rally when attacked; it fades every month.
    world.rally = world.rally * (1.0 - p.rally_decay) + p.rally_effect * world.attacked
    war = world.war
    if not war.any():
        _weariness(world, p.war_weariness_rate, p.weariness_recovery,
                   np.zeros(world.economy.shape, dtype=bool))
        return
    u_ceasefire = uniform_at(ctx, war)
    if kernels.compiled():
        st = ctx.static
        _fight_kernel(
            world.war, world.war_end, world.war_months, world.war_cap0_state,
            world.war_cap0_exporter, world.capability, world.cohesion, world.aid,
            world.economy, world.legitimacy, world.movement, world.weariness, world.war_cost,
            world.alignment, world.presence, world.slot_state, st.superpower, st.gdp0,
            u_ceasefire, p.values)
        return
    wf = war.astype(np.float64)
    pw = power(world)
    n_fronts = np.maximum(wf.sum(axis=2), 1.0)
    exp_pw = (world.slot_values(pw) / n_fronts)[:, :, None]
    st_pw = (pw + presence_support(world, ctx))[:, None, :]
    total = np.maximum(exp_pw + st_pw, 1e-12)
    share_exp, share_st = exp_pw / total, st_pw / total

    # Attrition of the states (summed over exporters) and of the exporters (over fronts).
    loss_state = (p.war_attrition * share_exp * wf).sum(axis=1)
    world.capability = world.capability * (1.0 - np.minimum(loss_state, 0.9))
    loss_exp = (p.war_attrition * share_st * wf).sum(axis=2)
    _scale_slots(world, "capability", np.asarray(1.0 - np.minimum(loss_exp, 0.9)))

    # Economic cost.
    at_war_state = war.any(axis=1)
    world.economy = world.economy * (1.0 - p.war_economic_cost * at_war_state)
    exp_at_war = war.any(axis=2)
    _scale_slots(world, "economy", np.asarray(1.0 - p.war_economic_cost * exp_at_war))
    gdp = world.slot_values(ctx.static.gdp0 * world.economy)
    world.war_cost = world.war_cost + p.war_economic_cost * gdp / 12.0 * exp_at_war

    world.war_months = world.war_months + war
    at_war_any = at_war_state | _state_mask(world, np.asarray(exp_at_war))
    _weariness(world, p.war_weariness_rate, p.weariness_recovery, at_war_any)

    # Collapse: effective power far below its level when the war began (both measured alike).
    pw_now = power(world)
    state_down = war & (pw_now[:, None, :] < p.collapse_threshold * world.war_cap0_state)
    exp_now = world.slot_values(pw_now)[:, :, None]
    exp_down = war & (exp_now < p.collapse_threshold * world.war_cap0_exporter)
    exp_down &= ~state_down

    # Ceasefire: weariness (both sides) and stalemate after the first year.
    months = world.war_months
    stalemate = (1.0 - np.abs(share_exp - share_st)) * (months > 12)
    both_weary = world.slot_values(world.weariness)[:, :, None] + world.weariness[:, None, :]
    hazard = (
        p.ceasefire_base
        + p.ceasefire_cost_weight * 0.5 * both_weary
        + p.ceasefire_stalemate_weight * stalemate
    )
    ceasefire = war & ~state_down & ~exp_down & (u_ceasefire < np.minimum(hazard, 1.0))

    world.war_end = np.where(state_down, STATE_COLLAPSED, 0)
    world.war_end = np.where(exp_down, EXPORTER_COLLAPSED, world.war_end)
    world.war_end = np.where(ceasefire, CEASEFIRE, world.war_end)

    lost_state = state_down.any(axis=1)
    world.legitimacy = np.clip(world.legitimacy - p.collapse_legitimacy_shock * lost_state, 0, 1)
    world.movement = np.clip(world.movement + 0.2 * lost_state, 0.0, 1.0)
    lost_exp = exp_down.any(axis=2)
    _add_slots(world, "legitimacy", np.asarray(-p.collapse_legitimacy_shock * lost_exp))

    world.war = war & ~(state_down | exp_down | ceasefire)


def _weariness(world: World, rate: float, recovery: float, at_war: np.ndarray) -> None:
    """Weariness grows in every state at war and decays in every state at peace."""
    world.weariness = np.where(at_war, np.minimum(1.0, world.weariness + rate),
                               world.weariness * (1.0 - recovery))


def _state_mask(world: World, slot_flags: np.ndarray) -> np.ndarray:
    """(R, S) True at the states of the active slots flagged in an (R, E) array."""
    out = np.zeros(world.economy.shape, dtype=bool)
    r, e = np.nonzero((world.slot_state >= 0) & slot_flags)
    out[r, world.slot_state[r, e]] = True
    return out


def _scale_slots(world: World, name: str, factor: np.ndarray) -> None:
    """Multiply an (R, S) field at each active exporter slot's state by ``factor`` (R, E)."""
    arr = getattr(world, name)
    r, e = np.nonzero(world.slot_state >= 0)
    np.multiply.at(arr, (r, world.slot_state[r, e]), factor[r, e])


def _add_slots(world: World, name: str, delta: np.ndarray) -> None:
    arr = getattr(world, name)
    r, e = np.nonzero(world.slot_state >= 0)
    np.add.at(arr, (r, world.slot_state[r, e]), delta[r, e])
    np.clip(arr, 0.0, 1.0, out=arr)


@kernels.kernel
def _fight_kernel(war: B, war_end: I, war_months: I, war_cap0_state: F, war_cap0_exporter: F,
                  capability: F, cohesion: F, aid: F, economy: F, legitimacy: F, movement: F,
                  weariness: F, war_cost: F, alignment: I, presence: B, slot_state: I,
                  superpower: I, gdp0: F, u_ceasefire: F,
                  p: Any) -> None:  # pragma: no cover - compiled
    """The loop twin of :func:`fight` once some war is under way: writes in place."""
    n_r, n_e, n_s = war.shape
    sp_row = kernels.superpower_rows(superpower)
    share_exp = np.zeros((n_e, n_s))
    share_st = np.zeros((n_e, n_s))
    loss_exp = np.zeros(n_e)
    exp_at_war = np.zeros(n_e, dtype=np.bool_)
    state_at_war = np.zeros(n_s, dtype=np.bool_)
    state_down = np.zeros((n_e, n_s), dtype=np.bool_)
    exp_down = np.zeros((n_e, n_s), dtype=np.bool_)
    for r in range(n_r):
        # Power shares of each pair, before attrition; an exporter's power split over its fronts,
        # a client's increased by its deployed patron's forces.
        support = np.zeros(n_s)
        for bloc in range(2):
            if sp_row[bloc] >= 0 and presence[r, bloc]:
                might = p.presence_strength * capability[r, sp_row[bloc]]
                for s in range(n_s):
                    if alignment[r, s] == bloc:
                        support[s] += might
        for e in range(n_e):
            x = slot_state[r, e]
            fronts = 0.0
            for s in range(n_s):
                fronts += war[r, e, s]
            exp_pw = 0.0
            if x >= 0:
                exp_pw = (capability[r, x] * cohesion[r, x] + aid[r, x]) / max(fronts, 1.0)
            for s in range(n_s):
                st_pw = capability[r, s] * cohesion[r, s] + aid[r, s] + support[s]
                total = max(exp_pw + st_pw, 1e-12)
                share_exp[e, s] = exp_pw / total
                share_st[e, s] = st_pw / total

        # Attrition, then the economic cost of war, on states and on exporters.
        for s in range(n_s):
            loss = 0.0
            state_at_war[s] = False
            for e in range(n_e):
                if war[r, e, s]:
                    loss += p.war_attrition * share_exp[e, s]
                    state_at_war[s] = True
            capability[r, s] *= 1.0 - min(loss, 0.9)
        for e in range(n_e):
            loss = 0.0
            exp_at_war[e] = False
            for s in range(n_s):
                if war[r, e, s]:
                    loss += p.war_attrition * share_st[e, s]
                    exp_at_war[e] = True
            loss_exp[e] = loss
        for e in range(n_e):
            x = slot_state[r, e]
            if x >= 0:
                capability[r, x] *= 1.0 - min(loss_exp[e], 0.9)
        for s in range(n_s):
            economy[r, s] *= 1.0 - p.war_economic_cost * state_at_war[s]
        for e in range(n_e):
            x = slot_state[r, e]
            if x >= 0:
                economy[r, x] *= 1.0 - p.war_economic_cost * exp_at_war[e]
                war_cost[r, e] += p.war_economic_cost * (gdp0[x] * economy[r, x]) / 12.0 * exp_at_war[e]
        for e in range(n_e):
            for s in range(n_s):
                war_months[r, e, s] += war[r, e, s]
        # Weariness grows in every state at war (exporters included) and decays elsewhere.
        for e in range(n_e):
            x = slot_state[r, e]
            if x >= 0 and exp_at_war[e]:
                state_at_war[x] = True
        for s in range(n_s):
            if state_at_war[s]:
                weariness[r, s] = min(1.0, weariness[r, s] + p.war_weariness_rate)
            else:
                weariness[r, s] = weariness[r, s] * (1.0 - p.weariness_recovery)

        # Collapse against the power each side had when its war began; else ceasefire.
        for e in range(n_e):
            x = slot_state[r, e]
            exp_now = capability[r, x] * cohesion[r, x] + aid[r, x] if x >= 0 else 0.0
            exp_weary = weariness[r, x] if x >= 0 else 0.0
            for s in range(n_s):
                war_end[r, e, s] = 0
                state_down[e, s] = False
                exp_down[e, s] = False
                if not war[r, e, s]:
                    continue
                pw_now = capability[r, s] * cohesion[r, s] + aid[r, s]
                state_down[e, s] = pw_now < p.collapse_threshold * war_cap0_state[r, e, s]
                exp_down[e, s] = (not state_down[e, s]
                                  and exp_now < p.collapse_threshold * war_cap0_exporter[r, e, s])
                stalemate = (1.0 - abs(share_exp[e, s] - share_st[e, s])) * (war_months[r, e, s] > 12)
                hazard = (p.ceasefire_base
                          + p.ceasefire_cost_weight * 0.5 * (exp_weary + weariness[r, s])
                          + p.ceasefire_stalemate_weight * stalemate)
                ceasefire = (not state_down[e, s] and not exp_down[e, s]
                             and u_ceasefire[r, e, s] < min(hazard, 1.0))
                if state_down[e, s]:
                    war_end[r, e, s] = STATE_COLLAPSED
                elif exp_down[e, s]:
                    war_end[r, e, s] = EXPORTER_COLLAPSED
                elif ceasefire:
                    war_end[r, e, s] = CEASEFIRE
        # The losers: legitimacy shock (a collapsed state's movement boosted as well).
        for s in range(n_s):
            lost = False
            for e in range(n_e):
                lost = lost or state_down[e, s]
            legitimacy[r, s] = min(max(legitimacy[r, s] - p.collapse_legitimacy_shock * lost, 0.0), 1.0)
            movement[r, s] = min(max(movement[r, s] + 0.2 * lost, 0.0), 1.0)
        for e in range(n_e):
            x = slot_state[r, e]
            if x < 0:
                continue
            lost = False
            for s in range(n_s):
                lost = lost or exp_down[e, s]
            legitimacy[r, x] = min(max(legitimacy[r, x] - p.collapse_legitimacy_shock * lost, 0.0), 1.0)
        for e in range(n_e):
            for s in range(n_s):
                if war_end[r, e, s] != 0:
                    war[r, e, s] = False
