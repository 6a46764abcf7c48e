"""What is measured (docs/odd.md, section 7.8), named once.

The record phase (:mod:`revexport.engine.phases.record`) writes every step's metrics and
events into the block's buffers; :class:`BlockRecorder` also streams movement strength by
state to disk in chunks of steps, so a long run never holds replicates x steps x states in
memory.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from revexport.engine.phases.record import EVENT_KINDS, STEP_METRICS
from revexport.engine.run import Recorder

MovementWriter = Callable[[int, NDArray[np.float32]], None]


class BlockRecorder(Recorder):
    """The record of one block of ``n_replicates`` replicates over ``n_steps`` steps.

    Parameters
    ----------
    n_replicates, n_steps, n_states : int
    movement_writer : callable, optional
        ``writer(first_step, movement)`` receives movement by state as float32 of shape
        (R, steps in chunk, S) every ``chunk_steps`` steps.
    chunk_steps : int
    """

    def __init__(self, n_replicates: int, n_steps: int, n_states: int,
                 movement_writer: MovementWriter | None = None, chunk_steps: int = 24) -> None:
        super().__init__(n_replicates, n_steps, n_states,
                         chunk_steps if movement_writer is not None else 0)
        self.movement_writer = movement_writer

    @property
    def metrics(self) -> NDArray[np.float64]:
        """(R, T, M) per-step metrics (columns of :data:`STEP_METRICS`)."""
        return self.records.metrics

    def movement_chunk(self, first_step: int, movement: NDArray[np.float32]) -> None:
        if self.movement_writer is not None:
            self.movement_writer(first_step, movement)


__all__ = ["EVENT_KINDS", "STEP_METRICS", "BlockRecorder"]
