"""Phase 4 -- responses: targets repress, balance, sanction or strike first; superpowers act.

* Repression rises toward a level set by the movement's strength above a
  trigger (democracies restrained); every increase costs legitimacy.
* Balancing (Walt 1987): a state whose highest threat passes the join
  threshold joins the coalition against the exporters with a monthly hazard,
  higher the more of its neighbours are in already; it leaves when threat
  falls below a lower threshold (hysteresis).
* Sanctions: a state sanctions while its threat exceeds the sanction threshold;
  a superpower sanctions when the mean perceived hostility toward its clients
  (and itself) passes its threshold.
* Superpower aid: clients receive aid in proportion to their threat (and
  states at war with an exporter from both superpowers), raising their
  capability and resilience; aid decays.
* Superpower presence: when the threat to any of its clients passes
  ``presence_threshold`` a superpower deploys forces (until it falls below half
  of it). Deployed forces defend, they do not embolden: they count in a
  client's power only in a war an exporter fights against it
  (:func:`~revexport.engine.phases.common.presence_support`) and in its
  regime's resilience.
* First strike (Walt 1996): a state strikes an exporter only when its threat
  is high *and* a window of opportunity is open -- its share of the pair's
  effective power (the exporter weakened) plus patron backing; the hazard
  falls with distance (proximity squared).
* Wars the exporters open (``world.strike``, from their doctrines) begin here too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from revexport.engine import kernels
from revexport.engine.context import StepContext
from revexport.engine.phases.common import eligible, power, sitting, threat, uniform_at
from revexport.engine.state import (
    ALIGNED,
    DEMOCRACY,
    MONARCHY,
    NONALIGNED,
    STARTED_BY_EXPORTER,
    STARTED_BY_STATE,
    B,
    F,
    I,
    World,
)


def respond(world: World, ctx: StepContext) -> None:
    """Update repression, legitimacy, coalition, sanctions, aid and start new wars."""
    rs, res = world.economy.shape, world.intent.shape
    u_join, u_leave = ctx.rng.random(rs), ctx.rng.random(rs)
    u_strike = uniform_at(ctx, sitting(world))
    if kernels.compiled():
        st, adj = ctx.static, ctx.static.adjacency
        world.new_war = np.zeros(res, dtype=bool)
        _respond_kernel(
            world.movement, world.repression, world.legitimacy, world.anchor_repression,
            world.regime, world.alignment, world.coalition, world.sanctioning,
            world.superpower_sanction, world.presence, world.aid, world.capability,
            world.cohesion, world.weariness, world.slot_state, world.intent, world.proximity,
            world.war, world.war_months, world.war_initiator, world.war_cap0_state,
            world.war_cap0_exporter, world.strike, world.new_war, world.attacked,
            st.superpower, st.affinity, st.grievance, st.capability0, st.degree,
            adj.indptr, adj.indices, adj.data, u_join, u_leave, u_strike, ctx.params.values)
        return
    ok = eligible(world, ctx)
    t = threat(world, ctx)
    t_max = t.max(axis=1) if t.shape[1] else np.zeros(ok.shape)
    _repress(world, ctx, ok)
    _balance(world, ctx, ok, t_max, u_join, u_leave)
    _sanction(world, ctx, ok, t_max)
    _aid(world, ctx, ok, t_max)
    _start_wars(world, ctx, ok, t, u_strike)


def _repress(world: World, ctx: StepContext, ok: np.ndarray) -> None:
    p = ctx.params
    excess = np.maximum(world.movement - p.repression_trigger, 0.0)
    restraint = np.where(world.regime == DEMOCRACY, 1.0 - p.democracy_repression_restraint, 1.0)
    target = np.clip(world.anchor_repression + 2.0 * excess * restraint, 0.0, 1.0)
    delta = p.repression_response * (target - world.repression)
    delta = np.where(ok, delta, 0.0)
    world.repression = np.clip(world.repression + delta, 0.0, 1.0)
    world.legitimacy = np.clip(
        world.legitimacy - p.repression_legitimacy_cost * np.maximum(delta, 0.0), 0.0, 1.0
    )


def _balance(world: World, ctx: StepContext, ok: np.ndarray, t_max: F, u_join: F,
             u_leave: F) -> None:
    p, st = ctx.params, ctx.static
    member = world.coalition.astype(np.float64)
    nb_in = (st.adjacency @ member.T).T / np.maximum(st.degree, 1.0)
    join_p = p.coalition_join_rate * (1.0 + p.coalition_bandwagon * nb_in)
    join = ok & ~world.coalition & (t_max > p.coalition_join_threshold)
    join &= u_join < np.minimum(join_p, 1.0)
    leave = world.coalition & (t_max < p.coalition_leave_threshold)
    leave &= u_leave < p.coalition_join_rate
    world.coalition = ((world.coalition & ~leave) | join) & ok


def _sanction(world: World, ctx: StepContext, ok: np.ndarray, t_max: F) -> None:
    p, st = ctx.params, ctx.static
    on = t_max > p.sanction_threshold
    keep = world.sanctioning & (t_max > 0.5 * p.sanction_threshold)
    world.sanctioning = (on | keep) & ok
    hostility = world.intent.max(axis=1) if world.intent.shape[1] else np.zeros(ok.shape)
    for bloc in (0, 1):
        clients = (world.alignment == bloc) | (st.superpower == bloc)[None, :]
        clients &= ~world.exporter_mask()
        n = np.maximum(clients.sum(axis=1), 1)
        mean_hostility = (hostility * clients).sum(axis=1) / n
        has_bloc = bool((st.superpower == bloc).any())
        start = mean_hostility > p.superpower_sanction_threshold
        stay = world.superpower_sanction[:, bloc] & (
            mean_hostility > 0.5 * p.superpower_sanction_threshold
        )
        world.superpower_sanction[:, bloc] = (start | stay) & has_bloc


def _aid(world: World, ctx: StepContext, ok: np.ndarray, t_max: F) -> None:
    p, st = ctx.params, ctx.static
    at_war = world.war.any(axis=1)
    west, east = (bool((st.superpower == b).any()) for b in (0, 1))
    patron = (((world.alignment == 0) & west) | ((world.alignment == 1) & east)).astype(float)
    backed = np.where(world.alignment == NONALIGNED, 0.5 * at_war, patron)
    need = np.maximum(t_max, at_war.astype(np.float64))
    gain = p.superpower_aid_rate * need * backed * st.capability0
    world.aid = np.where(ok, world.aid * (1.0 - p.aid_decay) + gain, 0.0)
    for bloc in (0, 1):
        if not (st.superpower == bloc).any():
            continue
        worst = np.where(ok & (world.alignment == bloc), t_max, 0.0).max(axis=1)
        world.presence[:, bloc] = (worst > p.presence_threshold) | (
            world.presence[:, bloc] & (worst > 0.5 * p.presence_threshold))


def _start_wars(world: World, ctx: StepContext, ok: np.ndarray, t: F, u_strike: F) -> None:
    p = ctx.params
    pw = power(world)
    exp_pw = world.slot_values(pw)[:, :, None]
    share = pw[:, None, :] / np.maximum(pw[:, None, :] + exp_pw, 1e-12)
    patron = (world.alignment != NONALIGNED).astype(np.float64)[:, None, :]
    window = (1.0 - p.strike_patron_weight) * share + p.strike_patron_weight * patron
    candidate = (
        ok[:, None, :]
        & (world.slot_state >= 0)[..., None]
        & ~world.war
        & (t > p.strike_threshold)
        & (window > p.strike_window_threshold)
    )
    weary = np.maximum(0.0, 1.0 - p.weariness_deterrence * world.weariness)
    hazard = p.strike_hazard * world.proximity**2 * weary[:, None, :]
    strikes = candidate & (u_strike < hazard)
    # A state opens at most one war a month: keep its strike on the most threatening exporter.
    if strikes.shape[1] > 1:
        best = np.argmax(np.where(strikes, t, -1.0), axis=1)
        one = np.zeros_like(strikes)
        np.put_along_axis(one, best[:, None, :], True, axis=1)
        strikes &= one
    by_exporter = world.strike & ok[:, None, :] & ~world.war & ~strikes
    new = strikes | by_exporter
    world.new_war = new
    world.war = world.war | new
    world.war_months = np.where(new, 0, world.war_months)
    world.war_initiator = np.where(
        strikes, STARTED_BY_STATE, np.where(by_exporter, STARTED_BY_EXPORTER, world.war_initiator)
    )
    world.war_cap0_state = np.where(new, pw[:, None, :], world.war_cap0_state)
    world.war_cap0_exporter = np.where(new, np.broadcast_to(exp_pw, new.shape),
                                       world.war_cap0_exporter)
    world.attacked = strikes.any(axis=2)


@kernels.kernel
def _respond_kernel(movement: F, repression: F, legitimacy: F, anchor_repression: F, regime: I,
                    alignment: I, coalition: B, sanctioning: B, superpower_sanction: B,
                    presence: B, aid: F, capability: F, cohesion: F, weariness: F,
                    slot_state: I, intent: F, proximity: F, war: B, war_months: I,
                    war_initiator: I, war_cap0_state: F, war_cap0_exporter: F,
                    strike_by_exporter: B, new_war: B, attacked: B, superpower: I, affinity: F,
                    grievance: F, capability0: F, degree: F, indptr: I, indices: I, weights: F,
                    u_join: F, u_leave: F, u_strike: F,
                    p: Any) -> None:  # pragma: no cover - compiled
    """The loop twin of :func:`respond`: writes the world's arrays in place."""
    n_r, n_e, n_s = intent.shape
    has_bloc = kernels.superpower_rows(superpower) >= 0
    ok = np.zeros(n_s, dtype=np.bool_)
    exporter = np.zeros(n_s, dtype=np.bool_)
    t = np.zeros((n_e, n_s))
    t_max = np.zeros(n_s)
    member = np.zeros(n_s, dtype=np.bool_)
    exp_pw = np.zeros(n_e)
    w = p.threat_ideological_weight
    for r in range(n_r):
        # Eligibility and threat, from the world as the phase found it.
        kernels.mark_exporters(slot_state, r, exporter)
        for s in range(n_s):
            ok[s] = not exporter[s] and superpower[s] < 0 and regime[r, s] != ALIGNED
        for e in range(n_e):
            x = slot_state[r, e]
            exp_pw[e] = capability[r, x] * cohesion[r, x] + aid[r, x] if x >= 0 else 0.0
        for s in range(n_s):
            pw = capability[r, s] * cohesion[r, s] + aid[r, s]
            condemned = p.threat_regime_delegitimised * (regime[r, s] == MONARCHY)
            vuln = min(1.0, 0.2 + condemned + affinity[s] * (grievance[s] + 2.0 * movement[r, s]))
            best = 0.0
            for e in range(n_e):
                if slot_state[r, e] < 0:
                    t[e, s] = 0.0
                else:
                    share = exp_pw[e] / max(exp_pw[e] + pw, 1e-12)
                    t[e, s] = intent[r, e, s] * (
                        w * vuln + (1.0 - w) * proximity[r, e, s] * share)
                best = t[e, s] if e == 0 else max(best, t[e, s])
            t_max[s] = best

        # Repression (and its cost in legitimacy); coalition membership before this month.
        for s in range(n_s):
            member[s] = coalition[r, s]
            if not ok[s]:
                continue
            excess = max(movement[r, s] - p.repression_trigger, 0.0)
            restraint = 1.0 - p.democracy_repression_restraint if regime[r, s] == DEMOCRACY else 1.0
            target = min(max(anchor_repression[r, s] + 2.0 * excess * restraint, 0.0), 1.0)
            delta = p.repression_response * (target - repression[r, s])
            repression[r, s] = min(max(repression[r, s] + delta, 0.0), 1.0)
            legitimacy[r, s] = min(max(
                legitimacy[r, s] - p.repression_legitimacy_cost * max(delta, 0.0), 0.0), 1.0)

        # Balancing, sanctions by states, aid.
        for s in range(n_s):
            nb = 0.0
            for k in range(indptr[s], indptr[s + 1]):
                nb += weights[k] * member[indices[k]]
            join_p = p.coalition_join_rate * (1.0 + p.coalition_bandwagon * (nb / max(degree[s], 1.0)))
            join = (ok[s] and not member[s] and t_max[s] > p.coalition_join_threshold
                    and u_join[r, s] < min(join_p, 1.0))
            leave = (member[s] and t_max[s] < p.coalition_leave_threshold
                     and u_leave[r, s] < p.coalition_join_rate)
            coalition[r, s] = ((member[s] and not leave) or join) and ok[s]
            sanctioning[r, s] = (t_max[s] > p.sanction_threshold or (
                sanctioning[r, s] and t_max[s] > 0.5 * p.sanction_threshold)) and ok[s]
            at_war = False
            for e in range(n_e):
                at_war = at_war or war[r, e, s]
            if not ok[s]:
                aid[r, s] = 0.0
                continue
            a = alignment[r, s]
            if a == NONALIGNED:
                backed = 0.5 * at_war
            else:
                backed = 1.0 if (a == 0 and has_bloc[0]) or (a == 1 and has_bloc[1]) else 0.0
            need = max(t_max[s], 1.0 * at_war)
            gain = p.superpower_aid_rate * need * backed * capability0[s]
            aid[r, s] = aid[r, s] * (1.0 - p.aid_decay) + gain

        # Superpowers: sanctions on mean hostility toward their clients, forces deployed.
        for bloc in range(2):
            total = 0.0
            n = 0
            worst = 0.0
            for s in range(n_s):
                if (alignment[r, s] == bloc or superpower[s] == bloc) and not exporter[s]:
                    hostility = 0.0
                    for e in range(n_e):
                        hostility = intent[r, e, s] if e == 0 else max(hostility, intent[r, e, s])
                    total += hostility
                    n += 1
                if ok[s] and alignment[r, s] == bloc:
                    worst = max(worst, t_max[s])
            mean_hostility = total / max(n, 1)
            superpower_sanction[r, bloc] = has_bloc[bloc] and (
                mean_hostility > p.superpower_sanction_threshold
                or (superpower_sanction[r, bloc]
                    and mean_hostility > 0.5 * p.superpower_sanction_threshold))
            if has_bloc[bloc]:
                presence[r, bloc] = worst > p.presence_threshold or (
                    presence[r, bloc] and worst > 0.5 * p.presence_threshold)

        # First strikes (at most one a month per state, on its most threatening exporter) and
        # the wars the exporters open; power now includes this month's aid.
        for e in range(n_e):
            x = slot_state[r, e]
            exp_pw[e] = capability[r, x] * cohesion[r, x] + aid[r, x] if x >= 0 else 0.0
        for e in range(n_e):
            attacked[r, e] = False
        for s in range(n_s):
            pw = capability[r, s] * cohesion[r, s] + aid[r, s]
            weary = max(0.0, 1.0 - p.weariness_deterrence * weariness[r, s])
            patron = 1.0 * (alignment[r, s] != NONALIGNED)
            chosen = -1
            best = -1.0
            for e in range(n_e):
                if not ok[s] or slot_state[r, e] < 0 or war[r, e, s] or t[e, s] <= p.strike_threshold:
                    continue
                share = pw / max(pw + exp_pw[e], 1e-12)
                window = (1.0 - p.strike_patron_weight) * share + p.strike_patron_weight * patron
                if window <= p.strike_window_threshold:
                    continue
                hazard = p.strike_hazard * proximity[r, e, s] ** 2 * weary
                if u_strike[r, e, s] < hazard and t[e, s] > best:
                    chosen, best = e, t[e, s]
            for e in range(n_e):
                struck = e == chosen
                by_exporter = strike_by_exporter[r, e, s] and ok[s] and not war[r, e, s] and not struck
                if not (struck or by_exporter):
                    continue
                new_war[r, e, s] = True
                war[r, e, s] = True
                war_months[r, e, s] = 0
                war_initiator[r, e, s] = STARTED_BY_STATE if struck else STARTED_BY_EXPORTER
                war_cap0_state[r, e, s] = pw
                war_cap0_exporter[r, e, s] = exp_pw[e]
                if struck:
                    attacked[r, e] = True
