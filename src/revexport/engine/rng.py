"""Randomness from one place: one generator per fixed-size block of replicates.

Block ``b`` of a run with seed ``s`` draws from
``Generator(PCG64(SeedSequence(s, spawn_key=(b,))))``. The block's starting
world takes its fixed draws from it first, then every phase receives it
through the step context, and nothing else draws random numbers, so a
block's results depend only on ``(seed, block, block_size)``: never on how
many workers ran the blocks or in what order.
"""

from __future__ import annotations

import numpy as np

DEFAULT_BLOCK_SIZE = 1000
#: Elements (replicates x states) a block aims at: large enough to amortise a block's fixed
#: costs (its set-up, summaries and four files), small enough that the (R, E, 4, S) spending
#: array stays well under a gigabyte.
BLOCK_ELEMENTS = 250_000
#: Blocks a default run is split into at least (if it has that many replicates): blocks run
#: one per worker, and a run in one block keeps every core but one idle.
MIN_BLOCKS = 2


def default_block_size(n_states: int, n_replicates: int | None = None) -> int:
    """Replicates per block for a run of ``n_replicates`` in a world of ``n_states``.

    At most :data:`DEFAULT_BLOCK_SIZE`, at most :data:`BLOCK_ELEMENTS` replicates x states and,
    for a run of ``n_replicates``, at most its :data:`MIN_BLOCKS`-th part (rounded up): the
    default run of 1,000 replicates runs as two blocks of 500, on two cores at once; runs of
    2,000 replicates and more keep blocks of 1,000. A pure function of the scenario and the
    run's size, never of the machine, so the default is as reproducible as an explicit choice.
    """
    size = max(1, min(DEFAULT_BLOCK_SIZE, BLOCK_ELEMENTS // max(1, n_states)))
    if n_replicates is not None:
        size = min(size, max(1, -(-n_replicates // MIN_BLOCKS)))
    return size


def block_generator(seed: int, block: int) -> np.random.Generator:
    """The generator of block ``block`` of a run seeded with ``seed``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block,))))


def block_sizes(n_replicates: int, block_size: int = DEFAULT_BLOCK_SIZE) -> list[int]:
    """Split ``n_replicates`` into blocks of ``block_size`` (the last may be smaller)."""
    full, rest = divmod(n_replicates, block_size)
    return [block_size] * full + ([rest] if rest else [])
