"""Quantities several phases derive from the world (computed, never stored)."""

from __future__ import annotations

import numpy as np

from revexport.engine.context import StepContext
from revexport.engine.state import ALIGNED, MONARCHY, B, F, World


def power(world: World) -> F:
    """(R, S) effective military capability: capability x cohesion + superpower aid."""
    return world.capability * world.cohesion + world.aid


def eligible(world: World, ctx: StepContext) -> B:
    """(R, S) states that movements, coalitions and strikes concern: not exporters,
    not superpowers, not aligned regimes."""
    ok: B = ~world.exporter_mask() & (ctx.static.superpower < 0) & (world.regime != ALIGNED)
    return ok


def threat(world: World, ctx: StepContext) -> F:
    """(R, E, S) threat each state feels from each exporter (Walt's balance of threat).

    ``intent x (w x ideological vulnerability + (1 - w) x proximity x power share)``,
    with vulnerability = 0.2 + affinity x (grievance + 2 x movement), plus
    ``threat_regime_delegitimised`` for a monarchy (the regime type the message
    condemns by name), capped at 1; power share = exporter power / (exporter
    power + state power).
    """
    p = ctx.params
    pw = power(world)
    exp_power = world.slot_values(pw)[:, :, None]
    share = exp_power / np.maximum(exp_power + pw[:, None, :], 1e-12)
    condemned = p.threat_regime_delegitimised * (world.regime == MONARCHY)
    vuln = np.minimum(1.0, 0.2 + condemned + ctx.static.affinity * (
        ctx.static.grievance + 2.0 * world.movement))
    w = p.threat_ideological_weight
    t = world.intent * (w * vuln[:, None, :] + (1.0 - w) * world.proximity * share)
    return np.where((world.slot_state >= 0)[..., None], t, 0.0)


def presence_support(world: World, ctx: StepContext) -> F:
    """(R, S) capability a deployed superpower adds to the defence of each of its clients.

    ``presence_strength`` x the superpower's capability, for clients of a
    superpower whose forces are deployed; 0 elsewhere.
    """
    st = ctx.static
    out = np.zeros(world.economy.shape)
    for bloc in (0, 1):
        rows = np.flatnonzero(st.superpower == bloc)
        if rows.size:
            might = ctx.params.presence_strength * world.capability[:, rows[0]]
            out += ((world.alignment == bloc) & world.presence[:, bloc, None]) * might[:, None]
    return out


def monthly_budget(world: World, ctx: StepContext) -> F:
    """(R, E) exporter's monthly external budget, US$ bn."""
    gdp = ctx.static.gdp0 * world.economy
    return ctx.params.budget_fraction * world.slot_values(gdp) / 12.0


def uniform_at(ctx: StepContext, mask: B, fill: float = 1.0) -> F:
    """Uniform draws at the cells where ``mask`` is True (in C order), ``fill`` elsewhere.

    One draw for each cell that can use one, so an empty exporter slot or a pair at peace
    costs no random numbers; the count, and so the stream, is the same for every backend.
    """
    out = np.full(mask.shape, fill)
    out[mask] = ctx.rng.random(int(np.count_nonzero(mask)))
    return out


def normal_at(ctx: StepContext, mask: B, scale: float) -> F:
    """Gaussian draws with s.d. ``scale`` where ``mask`` is True (in C order), 0 elsewhere."""
    out = np.zeros(mask.shape)
    out[mask] = ctx.rng.normal(0.0, scale, int(np.count_nonzero(mask)))
    return out


def sitting(world: World) -> B:
    """(R, E, S) True in every state column of a slot that holds a sitting exporter."""
    mask: B = np.broadcast_to((world.slot_state >= 0)[..., None], world.intent.shape)
    return mask
