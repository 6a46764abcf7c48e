"""Run one block of replicates from start to end."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from revexport.doctrines.base import Doctrine
from revexport.engine.context import DoctrineGroup, Sink, StepContext
from revexport.engine.rng import block_generator
from revexport.engine.state import Static, World, initial_world
from revexport.engine.step import step
from revexport.params import Parameters


def doctrine_groups(static: Static, doctrines: Mapping[str, Doctrine]) -> list[DoctrineGroup]:
    """Group exporter slots by doctrine name, one doctrine instance per group."""
    groups = []
    for name in dict.fromkeys(static.slot_doctrine):
        slots = np.array([i for i, d in enumerate(static.slot_doctrine) if d == name],
                         dtype=np.int64)
        groups.append(DoctrineGroup(doctrine=doctrines[name], slots=slots, key=name))
    return groups


def simulate_block(
    static: Static,
    params: Parameters,
    doctrines: Mapping[str, Doctrine],
    n_replicates: int,
    seed: int,
    block: int,
    sink: Sink | None = None,
    n_steps: int | None = None,
    timings: dict[str, float] | None = None,
) -> World:
    """Simulate ``n_replicates`` replicates as one batched block.

    Parameters
    ----------
    static : Static
    params : Parameters
    doctrines : mapping of str to Doctrine
        An instance for every name in ``static.slot_doctrine``.
    n_replicates : int
    seed, block : int
        Select the block's random generator (:mod:`revexport.engine.rng`).
    sink : Sink, optional
        Receives every step's record.
    n_steps : int, optional
        Steps to run; the scenario's length by default.
    timings : dict, optional
        Accumulates the wall time of each phase (see :func:`revexport.engine.step.step`).

    Returns
    -------
    World
        The final state.
    """
    world = initial_world(static, params, n_replicates)
    groups = doctrine_groups(static, doctrines)
    for g in groups:
        world.doctrine_memory[g.key] = g.doctrine.init_memory(n_replicates, len(g.slots))
    ctx = StepContext(static=static, params=params, groups=groups,
                      rng=block_generator(seed, block), sink=sink)
    for _ in range(static.n_steps if n_steps is None else n_steps):
        step(world, ctx, timings)
    return world
