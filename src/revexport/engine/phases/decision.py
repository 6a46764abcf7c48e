"""Phase 2 -- decision: each exporter's doctrine allocates its means.

The observation is built once per doctrine group (a loop over doctrines, not
over states or replicates); the allocation is checked (finite, within budget),
put under the Article 154 switch when the run asks, and turned into spending
per means and target.
"""

from __future__ import annotations

import numpy as np

from revexport.doctrines.base import Allocation, Observation
from revexport.engine.context import DoctrineGroup, StepContext
from revexport.engine.phases.common import eligible, monthly_budget, power
from revexport.engine.state import (
    COVERT,
    DIPLOMACY,
    MEANS,
    MILITARY,
    PROPAGANDA,
    SUPPORT,
    World,
)
from revexport.errors import RevexportError


def observe(world: World, ctx: StepContext, group: DoctrineGroup) -> Observation:
    """What the exporters in ``group`` can observe."""
    slots = group.slots
    st = world.slot_state[:, slots]
    active = st >= 0
    pw = power(world)

    def own(values: np.ndarray) -> np.ndarray:
        return np.asarray(world.slot_values(values)[:, slots])

    valid = eligible(world, ctx)[:, None, :] & active[..., None]
    sanction_share = (world.sanctioning * ctx.static.gdp_share).sum(axis=1) + 0.25 * (
        world.superpower_sanction.sum(axis=1)
    )
    n_others = np.maximum(eligible(world, ctx).sum(axis=1), 1)
    coalition_share = world.coalition.sum(axis=1) / n_others
    r, k = st.shape
    return Observation(
        step=world.step,
        params=ctx.params,
        active=active,
        economy=own(world.economy),
        legitimacy=own(world.legitimacy),
        power=own(pw),
        cohesion=own(world.cohesion),
        at_war=_read_only(world.war[:, slots]),
        weariness=own(world.weariness),
        attacked=_read_only(world.attacked[:, slots]),
        successes=_read_only(world.successes[:, slots]),
        threat_felt=np.broadcast_to(coalition_share[:, None], (r, k)),
        sanctions=np.broadcast_to(np.minimum(1.0, sanction_share)[:, None], (r, k)),
        movement=_read_only(world.movement),
        target_legitimacy=_read_only(world.legitimacy),
        target_power=_read_only(pw),
        regime=_read_only(world.regime),
        alignment=_read_only(world.alignment),
        protected=protected_clients(world, ctx),
        affinity=_read_only(ctx.static.affinity),
        grievance=_read_only(ctx.static.grievance),
        proximity=_read_only(world.proximity[:, slots]),
        valid_target=valid,
    )


def _read_only(values: np.ndarray) -> np.ndarray:
    """A read-only view: a doctrine observes the world, it cannot write into it."""
    view = values.view()
    view.flags.writeable = False
    return view


def protected_clients(world: World, ctx: StepContext) -> np.ndarray:
    """(R, S) clients of a superpower that the scenario holds."""
    sp_blocs = ctx.static.superpower[ctx.static.superpower >= 0]
    return np.isin(world.alignment, sp_blocs)


def _checked(alloc: Allocation, obs: Observation, name: str) -> Allocation:
    shares = np.nan_to_num(np.clip(alloc.shares, 0.0, None), nan=0.0)
    total = shares.sum(axis=-1, keepdims=True)
    if shares.shape != (*obs.shape, len(MEANS)) or not np.all(np.isfinite(total)):
        raise RevexportError(
            f"doctrine '{name}': decide() must return shares of shape {(*obs.shape, len(MEANS))} "
            f"with finite values, got shape {shares.shape}")
    if alloc.targets.shape != obs.proximity.shape or alloc.strike.shape != obs.proximity.shape:
        raise RevexportError(
            f"doctrine '{name}': decide() must return targets and strike of shape "
            f"{obs.proximity.shape}, got {alloc.targets.shape} and {alloc.strike.shape}")
    shares = np.divide(shares, total, out=np.zeros_like(shares), where=total > 0)
    targets = np.where(obs.valid_target, np.nan_to_num(np.clip(alloc.targets, 0.0, None)), 0.0)
    tsum = targets.sum(axis=-1, keepdims=True)
    targets = np.divide(targets, tsum, out=np.zeros_like(targets), where=tsum > 0)
    strike = alloc.strike & obs.valid_target & ~obs.at_war
    return Allocation(shares=shares, targets=targets, strike=strike)


def article154(alloc: Allocation) -> Allocation:
    """The constitution's switch: no material support, no covert action, no offensive war.

    What would have gone to support and covert action goes half to moral
    support (propaganda) and half to diplomacy.
    """
    shares = alloc.shares.copy()
    freed = shares[..., SUPPORT] + shares[..., COVERT]
    shares[..., SUPPORT] = 0.0
    shares[..., COVERT] = 0.0
    shares[..., PROPAGANDA] += 0.5 * freed
    shares[..., DIPLOMACY] += 0.5 * freed
    return Allocation(shares=shares, targets=alloc.targets, strike=np.zeros_like(alloc.strike))


def decide(world: World, ctx: StepContext) -> None:
    """Set ``world.shares``, ``world.spend`` and ``world.strike`` for every exporter slot."""
    budget = monthly_budget(world, ctx)
    for group in ctx.groups:
        if not (world.slot_state[:, group.slots] >= 0).any():
            # No sitting exporter in this group (e.g. no new aligned regime yet): nothing to do.
            world.shares[:, group.slots] = 0.0
            world.spend[:, group.slots] = 0.0
            world.strike[:, group.slots] = False
            continue
        obs = observe(world, ctx, group)
        memory = world.doctrine_memory.setdefault(group.key, {})
        alloc = _checked(group.doctrine.decide(obs, memory, ctx.rng), obs, group.doctrine.name)
        if ctx.static.article154:
            alloc = article154(alloc)
        active = obs.active
        s = group.slots
        world.shares[:, s] = np.where(active[..., None], alloc.shares, 0.0)
        world.strike[:, s] = alloc.strike & active[..., None]
        b = budget[:, s]
        for j, means in enumerate((PROPAGANDA, SUPPORT, COVERT)):
            world.spend[:, s, j] = (b * world.shares[:, s, means])[..., None] * alloc.targets
        # Military spending goes to the wars under way and those opened now.
        fronts = (world.war[:, s] | world.strike[:, s]).astype(np.float64)
        n_fronts = fronts.sum(axis=-1, keepdims=True)
        per_front = np.divide(fronts, n_fronts, out=np.zeros_like(fronts), where=n_fronts > 0)
        world.spend[:, s, 3] = (b * world.shares[:, s, MILITARY])[..., None] * per_front
