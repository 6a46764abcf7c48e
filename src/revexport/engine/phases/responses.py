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

import numpy as np

from revexport.engine.context import StepContext
from revexport.engine.phases.common import bernoulli, eligible, power, threat
from revexport.engine.state import (
    DEMOCRACY,
    NONALIGNED,
    STARTED_BY_EXPORTER,
    STARTED_BY_STATE,
    F,
    World,
)


def respond(world: World, ctx: StepContext) -> None:
    """Update repression, legitimacy, coalition, sanctions, aid and start new wars."""
    ok = eligible(world, ctx)
    t = threat(world, ctx)
    t_max = t.max(axis=1) if t.shape[1] else np.zeros(ok.shape)
    _repress(world, ctx, ok)
    _balance(world, ctx, ok, t_max)
    _sanction(world, ctx, ok, t_max)
    _aid(world, ctx, ok, t_max)
    _start_wars(world, ctx, ok, t)


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


def _balance(world: World, ctx: StepContext, ok: np.ndarray, t_max: F) -> None:
    p, st = ctx.params, ctx.static
    member = world.coalition.astype(np.float64)
    nb_in = ((st.land + st.sea) @ member.T).T / np.maximum(st.degree, 1.0)
    join_p = p.coalition_join_rate * (1.0 + p.coalition_bandwagon * nb_in)
    join = ok & ~world.coalition & (t_max > p.coalition_join_threshold)
    join &= bernoulli(ctx, np.minimum(join_p, 1.0))
    leave = world.coalition & (t_max < p.coalition_leave_threshold)
    leave &= bernoulli(ctx, np.full(t_max.shape, p.coalition_join_rate))
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


def _start_wars(world: World, ctx: StepContext, ok: np.ndarray, t: F) -> None:
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
    strikes = candidate & bernoulli(ctx, hazard)
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
