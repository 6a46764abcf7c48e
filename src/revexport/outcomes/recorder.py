"""What is measured (MODEL.md section 5), named once.

:class:`BlockRecorder` is the engine's sink for one block: it keeps the
per-step aggregates of the block (replicates x steps x a few metrics), the
events (regime changes, wars begun and ended, coalition joins and leaves) and
streams movement strength by state to disk in chunks of steps, so a long run
never holds replicates x steps x states in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from revexport.engine.context import StepContext
from revexport.engine.phases.common import eligible, power
from revexport.engine.state import ALIGNED, MONARCHY, World

F = NDArray[np.float64]

#: Per-step metrics, in column order, with their meaning.
STEP_METRICS: dict[str, str] = {
    "aligned_regimes": "states whose regime has turned aligned with the exporter",
    "aligned_population": "population under aligned regimes, millions",
    "movement_mean": "mean movement strength over states that can have one",
    "movement_max": "strongest movement anywhere",
    "wars": "wars under way between exporters and states",
    "coalition_size": "states in the coalition against the exporters",
    "coalition_monarchies": "monarchies in the coalition",
    "sanctions": "states sanctioning the exporters, plus superpowers sanctioning",
    "exporter_economy": "the original exporter's GDP relative to the start",
    "exporter_legitimacy": "the original exporter's legitimacy",
    "exporter_capability": "the original exporter's effective military capability (% world)",
    "exporters": "sitting exporters (original and newly aligned)",
    "faction_nationalist": "influence of the nationalist faction (factional doctrines)",
    "faction_militant": "influence of the militant faction",
    "faction_pragmatic": "influence of the pragmatic faction",
    "faction_gradualist": "influence of the gradualist faction",
    "superpower_presence": "superpowers with forces deployed in the region",
}

#: Event kinds. Columns: ``state`` is the state concerned; ``other`` the previous regime
#: code (regime_change) or the exporter's state (wars); ``code`` the new regime code
#: (regime_change), who started (war_start: 1 the state, 2 the exporter) or how the war
#: ended (war_end: 1 ceasefire, 2 state collapsed, 3 exporter collapsed, 4 a regime fell);
#: ``detail`` the war's length in months (war_end).
EVENT_KINDS = ("regime_change", "war_start", "war_end", "coalition_join", "coalition_leave")


@dataclass
class Events:
    """Columns of the event table of one block."""

    replicate: list[NDArray[np.int64]] = field(default_factory=list)
    step: list[NDArray[np.int64]] = field(default_factory=list)
    kind: list[NDArray[np.int64]] = field(default_factory=list)
    state: list[NDArray[np.int64]] = field(default_factory=list)
    other: list[NDArray[np.int64]] = field(default_factory=list)
    code: list[NDArray[np.int64]] = field(default_factory=list)
    detail: list[NDArray[np.int64]] = field(default_factory=list)

    def add(self, kind: str, step: int, rep: NDArray[np.int64], state: NDArray[np.int64],
            other: NDArray[np.int64], code: NDArray[np.int64],
            detail: NDArray[np.int64] | None = None) -> None:
        n = len(rep)
        if n == 0:
            return
        self.replicate.append(rep)
        self.step.append(np.full(n, step, dtype=np.int64))
        self.kind.append(np.full(n, EVENT_KINDS.index(kind), dtype=np.int64))
        self.state.append(state)
        self.other.append(other)
        self.code.append(code)
        self.detail.append(np.zeros(n, dtype=np.int64) if detail is None else detail)

    def arrays(self) -> dict[str, NDArray[np.int64]]:
        names = ("replicate", "step", "kind", "state", "other", "code", "detail")
        if not self.replicate:
            return {n: np.zeros(0, dtype=np.int64) for n in names}
        return {n: np.concatenate(getattr(self, n)) for n in names}


MovementWriter = Callable[[int, NDArray[np.float32]], None]


class BlockRecorder:
    """Sink for one block of ``n_replicates`` replicates over ``n_steps`` steps.

    Parameters
    ----------
    n_replicates, n_steps : int
    movement_writer : callable, optional
        ``writer(first_step, movement)`` receives movement by state as float32
        of shape (steps in chunk, R, S) every ``chunk_steps`` steps.
    chunk_steps : int
    """

    def __init__(self, n_replicates: int, n_steps: int,
                 movement_writer: MovementWriter | None = None, chunk_steps: int = 24) -> None:
        self.metrics = np.full((n_replicates, n_steps, len(STEP_METRICS)), np.nan)
        self.events = Events()
        self.movement_writer = movement_writer
        self.chunk_steps = chunk_steps
        self._chunk: list[NDArray[np.float32]] = []
        self._chunk_start = 0
        self._coalition_prev: NDArray[np.bool_] | None = None
        self.final_costs: F | None = None

    def record(self, world: World, ctx: StepContext) -> None:
        t = world.step
        st = ctx.static
        aligned = world.regime == ALIGNED
        ok = eligible(world, ctx)
        n_ok = np.maximum(ok.sum(axis=1), 1)
        e0 = int(st.initial_exporters[0])
        col = self.metrics[:, t, :]
        col[:, 0] = aligned.sum(axis=1)
        col[:, 1] = (aligned * st.population).sum(axis=1)
        col[:, 2] = (world.movement * ok).sum(axis=1) / n_ok
        col[:, 3] = world.movement.max(axis=1)
        col[:, 4] = world.war.sum(axis=(1, 2))
        col[:, 5] = world.coalition.sum(axis=1)
        col[:, 6] = (world.coalition & (world.regime == MONARCHY)).sum(axis=1)
        col[:, 7] = world.sanctioning.sum(axis=1) + world.superpower_sanction.sum(axis=1)
        col[:, 8] = world.economy[:, e0]
        col[:, 9] = world.legitimacy[:, e0]
        col[:, 10] = power(world)[:, e0]
        col[:, 11] = (world.slot_state >= 0).sum(axis=1)
        col[:, 16] = world.presence.sum(axis=1)
        weights = _faction_weights(world, ctx)
        if weights is not None:
            col[:, 12:16] = weights
        self._events(world, ctx)
        if self.movement_writer is not None:
            self._chunk.append(world.movement.astype(np.float32))
            if len(self._chunk) >= self.chunk_steps:
                self.flush()
        if t == st.n_steps - 1:
            self.final_costs = np.stack(
                [world.export_spend.sum(axis=1), world.war_cost.sum(axis=1),
                 world.sanction_loss.sum(axis=1)], axis=1)

    def flush(self) -> None:
        """Write the buffered movement chunk, if any."""
        if self.movement_writer is not None and self._chunk:
            self.movement_writer(self._chunk_start, np.stack(self._chunk))
            self._chunk_start += len(self._chunk)
            self._chunk = []

    def _events(self, world: World, ctx: StepContext) -> None:
        t = world.step
        r, s = np.nonzero(world.fell)
        self.events.add("regime_change", t, r, s, world.prev_regime[r, s], world.regime[r, s])
        slot_state = world.slot_state
        r, e, s = np.nonzero(world.new_war)
        self.events.add("war_start", t, r, s, slot_state[r, e], world.war_initiator[r, e, s])
        r, e, s = np.nonzero(world.war_end)
        self.events.add("war_end", t, r, s, _slot_state_or_orig(world, ctx, r, e),
                        world.war_end[r, e, s], world.war_months[r, e, s])
        prev = self._coalition_prev
        if prev is None:
            prev = np.zeros_like(world.coalition)
        r, s = np.nonzero(world.coalition & ~prev)
        zeros = np.zeros(len(r), dtype=np.int64)
        self.events.add("coalition_join", t, r, s, zeros, zeros)
        r, s = np.nonzero(prev & ~world.coalition)
        zeros = np.zeros(len(r), dtype=np.int64)
        self.events.add("coalition_leave", t, r, s, zeros, zeros)
        self._coalition_prev = world.coalition.copy()


def _slot_state_or_orig(world: World, ctx: StepContext, r: NDArray[np.int64],
                        e: NDArray[np.int64]) -> NDArray[np.int64]:
    """The exporter's state for slot events (the original state if the slot was vacated)."""
    s = world.slot_state[r, e]
    n0 = len(ctx.static.initial_exporters)
    orig = np.where(e < n0, ctx.static.initial_exporters[np.minimum(e, n0 - 1)], -1)
    return np.where(s >= 0, s, orig)


def _faction_weights(world: World, ctx: StepContext) -> F | None:
    for g in ctx.groups:
        if 0 in g.slots:
            mem = world.doctrine_memory.get(g.key, {})
            if "weights" in mem:
                i = int(np.flatnonzero(g.slots == 0)[0])
                return np.asarray(mem["weights"][:, i, :])
    return None
