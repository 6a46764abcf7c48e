"""Phase 2 -- decision: each exporter's doctrine allocates its means.

The observation is built once per doctrine group (a loop over doctrines, not
over states or replicates); the allocation is checked (finite, within budget),
put under the Article 154 switch when the run asks, and turned into spending
per means and target.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

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
from revexport.scenario.schema import ALIGNMENTS


def observe(world: World, ctx: StepContext, group: DoctrineGroup,
            rows: NDArray[np.int64] | None = None) -> Observation:
    """What the exporters in ``group`` can observe, in the replicates ``rows`` (all by default)."""
    def take(values: np.ndarray) -> np.ndarray:
        return values if rows is None else values[rows]

    slots = group.slots
    st = take(world.slot_state[:, slots])
    active = st >= 0
    at_state = np.maximum(st, 0)
    pw = take(power(world))
    ok = take(eligible(world, ctx))

    def own(values: np.ndarray) -> np.ndarray:
        """(R, K) the exporters' own values (0 for an empty slot), from (R, S) ``values``."""
        return np.where(active, np.take_along_axis(values, at_state, axis=1), 0.0)

    valid = ok[:, None, :] & active[..., None]
    sanction_share = take((world.sanctioning * ctx.static.gdp_share).sum(axis=1) + 0.25 * (
        world.superpower_sanction.sum(axis=1)))
    n_others = np.maximum(ok.sum(axis=1), 1)
    coalition_share = take(world.coalition).sum(axis=1) / n_others
    r, k = st.shape
    return Observation(
        step=world.step,
        params=ctx.params,
        active=active,
        economy=own(take(world.economy)),
        legitimacy=own(take(world.legitimacy)),
        power=own(pw),
        cohesion=own(take(world.cohesion)),
        at_war=_read_only(take(world.war[:, slots])),
        weariness=own(take(world.weariness)),
        attacked=_read_only(take(world.attacked[:, slots])),
        successes=_read_only(take(world.successes[:, slots])),
        threat_felt=np.broadcast_to(coalition_share[:, None], (r, k)),
        sanctions=np.broadcast_to(np.minimum(1.0, sanction_share)[:, None], (r, k)),
        movement=_read_only(take(world.movement)),
        target_legitimacy=_read_only(take(world.legitimacy)),
        target_power=_read_only(pw),
        regime=_read_only(take(world.regime)),
        alignment=_read_only(take(world.alignment)),
        protected=take(protected_clients(world, ctx)),
        affinity=_read_only(ctx.static.affinity),
        grievance=_read_only(ctx.static.grievance),
        proximity=_read_only(take(world.proximity[:, slots])),
        valid_target=valid,
    )


def _read_only(values: np.ndarray) -> np.ndarray:
    """A read-only view: a doctrine observes the world, it cannot write into it."""
    view = values.view()
    view.flags.writeable = False
    return view


def protected_clients(world: World, ctx: StepContext) -> np.ndarray:
    """(R, S) clients of a superpower that the scenario holds."""
    held = np.zeros(len(ALIGNMENTS), dtype=bool)
    held[ctx.static.superpower[ctx.static.superpower >= 0]] = True
    return held[world.alignment]


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
    """Set ``world.shares``, ``world.spend`` and ``world.strike`` for every exporter slot.

    Each doctrine sees only the replicates in which one of its slots holds a sitting
    exporter (e.g. a newly aligned regime's doctrine, only where one has arisen); its
    memory is read and written for those replicates alone, so an empty slot's memory
    waits unchanged.
    """
    budget = monthly_budget(world, ctx)
    n_rep = world.n_replicates
    for group in ctx.groups:
        s = group.slots
        sitting = np.flatnonzero((world.slot_state[:, s] >= 0).any(axis=1))
        rows = None if sitting.size == n_rep else sitting
        if rows is not None:  # the replicates left out spend nothing through this group
            world.shares[:, s] = 0.0
            world.spend[:, s] = 0.0
            world.strike[:, s] = False
        if sitting.size == 0:
            continue
        obs = observe(world, ctx, group, rows)
        memory = world.doctrine_memory.setdefault(group.key, {})
        seen = memory if rows is None else {k: v[rows] for k, v in memory.items()}
        alloc = _checked(group.doctrine.decide(obs, seen, ctx.rng), obs, group.doctrine.name)
        if rows is not None:
            _put_rows(memory, seen, rows, n_rep)
        if ctx.static.article154:
            alloc = article154(alloc)
        active = obs.active
        shares = np.where(active[..., None], alloc.shares, 0.0)
        strike = alloc.strike & active[..., None]
        b = budget[:, s] if rows is None else budget[rows][:, s]
        spend = np.empty((*active.shape, 4, world.spend.shape[-1]))
        for j, means in enumerate((PROPAGANDA, SUPPORT, COVERT)):
            spend[:, :, j] = (b * shares[..., means])[..., None] * alloc.targets
        # Military spending goes to the wars under way and those opened now.
        fronts = (obs.at_war | strike).astype(np.float64)
        n_fronts = fronts.sum(axis=-1, keepdims=True)
        per_front = np.divide(fronts, n_fronts, out=np.zeros_like(fronts), where=n_fronts > 0)
        spend[:, :, 3] = (b * shares[..., MILITARY])[..., None] * per_front
        at = (slice(None), s) if rows is None else np.ix_(sitting, s)
        world.shares[at] = shares
        world.strike[at] = strike
        world.spend[at] = spend


def _put_rows(memory: dict[str, np.ndarray], seen: dict[str, np.ndarray], rows: np.ndarray,
              n_rep: int) -> None:
    """Write a doctrine's memory of the replicates ``rows`` back into the whole block's."""
    for key, values in seen.items():
        if key not in memory:
            memory[key] = np.zeros((n_rep, *np.shape(values)[1:]))
        memory[key][rows] = values
