"""Randomness from one place: one generator per fixed-size block of replicates.

Block ``b`` of a run with seed ``s`` draws from
``Generator(PCG64(SeedSequence(s, spawn_key=(b,))))``. Every phase receives
that generator through the step context and nothing else draws random
numbers, so a block's results depend only on ``(seed, block, block_size)``:
never on how many workers ran the blocks or in what order.
"""

from __future__ import annotations

import numpy as np

DEFAULT_BLOCK_SIZE = 250


def block_generator(seed: int, block: int) -> np.random.Generator:
    """The generator of block ``block`` of a run seeded with ``seed``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block,))))


def block_sizes(n_replicates: int, block_size: int = DEFAULT_BLOCK_SIZE) -> list[int]:
    """Split ``n_replicates`` into blocks of ``block_size`` (the last may be smaller)."""
    full, rest = divmod(n_replicates, block_size)
    return [block_size] * full + ([rest] if rest else [])
