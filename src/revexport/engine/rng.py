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
#: Elements (replicates x states) a block aims at: large enough to amortise NumPy's per-call
#: overhead, small enough that the (R, E, 4, S) spending array stays well under a gigabyte.
BLOCK_ELEMENTS = 250_000


def default_block_size(n_states: int) -> int:
    """Replicates per block for a world of ``n_states`` (a pure function of the scenario,
    so the default is as reproducible as an explicit choice)."""
    return max(1, min(DEFAULT_BLOCK_SIZE, BLOCK_ELEMENTS // max(1, n_states)))


def block_generator(seed: int, block: int) -> np.random.Generator:
    """The generator of block ``block`` of a run seeded with ``seed``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block,))))


def block_sizes(n_replicates: int, block_size: int = DEFAULT_BLOCK_SIZE) -> list[int]:
    """Split ``n_replicates`` into blocks of ``block_size`` (the last may be smaller)."""
    full, rest = divmod(n_replicates, block_size)
    return [block_size] * full + ([rest] if rest else [])
