"""Run one block of replicates from start to end."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from revexport.doctrines.base import Doctrine
from revexport.doctrines.spec import DoctrineSpec, SpecDoctrine, compile_slots
from revexport.engine.phases.decision import Decisions, decide_python, decisions
from revexport.engine.phases.record import EVENT_COLUMNS, STEP_METRICS, Records, events_per_step
from revexport.engine.rng import block_generator
from revexport.engine.state import Static, World, initial_world
from revexport.engine.step import DECISION, PHASES, RECORD, run_steps, step


class Recorder:
    """The record buffers of one block, and what happens when they fill.

    A subclass (:class:`revexport.outcomes.recorder.BlockRecorder`) streams movement chunks to
    disk; this one keeps the metrics and events only.

    Parameters
    ----------
    n_replicates, n_steps, n_states : int
    chunk_steps : int
        Steps of movement held before :meth:`movement_chunk` is called (0: movement is not
        recorded).
    """

    def __init__(self, n_replicates: int, n_steps: int, n_states: int, chunk_steps: int = 0) -> None:
        self.chunk_steps = chunk_steps
        self.records = Records(
            metrics=np.full((n_replicates, n_steps, len(STEP_METRICS)), np.nan),
            events=np.zeros((0, 7), dtype=np.int64), n_events=np.zeros(1, dtype=np.int64),
            movement=np.zeros((n_replicates, chunk_steps, n_states), dtype=np.float32),
            movement_start=np.zeros(1, dtype=np.int64), faction_slot=-1)

    def ensure_room(self, n: int) -> None:
        """Grow the event buffer so that ``n`` more events fit."""
        rec = self.records
        need = int(rec.n_events[0]) + n
        if need > len(rec.events):
            events = np.zeros((max(need, 2 * len(rec.events)), 7), dtype=np.int64)
            events[: rec.n_events[0]] = rec.events[: rec.n_events[0]]
            self.records = rec._replace(events=events)

    def movement_chunk(self, first_step: int, movement: Any) -> None:
        """Receive movement by state, (R, steps, S) float32, of the steps from ``first_step``."""

    def events(self) -> dict[str, Any]:
        """The block's events as columns."""
        rows = self.records.events[: self.records.n_events[0]]
        return {name: rows[:, i].copy() for i, name in enumerate(EVENT_COLUMNS)}


def slot_doctrines(static: Static, doctrines: Mapping[str, Doctrine]
                   ) -> tuple[list[DoctrineSpec | None], list[tuple[Doctrine, Any]]]:
    """Each slot's doctrine spec (``None`` for a Python doctrine) and the Python doctrines'
    slot groups."""
    specs: list[DoctrineSpec | None] = []
    python: dict[str, list[int]] = {}
    for e, name in enumerate(static.slot_doctrine):
        d = doctrines[name]
        if isinstance(d, SpecDoctrine):
            specs.append(d.spec)
        else:
            specs.append(None)
            python.setdefault(name, []).append(e)
    groups = [(doctrines[name], np.array(slots, dtype=np.int64)) for name, slots in python.items()]
    return specs, groups


#: Steps a block runs between two looks at whether it should stop.
CHECK_STEPS = 24


class BlockStopped(Exception):
    """A block was asked to stop before its last step."""


@dataclass
class Block:
    """One block of replicates, ready to step: the world, its parameters, doctrines, randomness
    and record buffers.

    Build it with :meth:`build` (from a scenario) or :meth:`of` (from prepared parts); run a
    single phase with :meth:`phase` (as the mechanism tests do) or whole steps with
    :meth:`step`.
    """

    static: Static
    par: Any
    world: World
    rng: np.random.Generator
    decisions: Decisions
    recorder: Recorder
    python_groups: list[tuple[Doctrine, Any, dict[str, Any]]]

    @classmethod
    def of(cls, static: Static, par: Any, doctrines: Mapping[str, Doctrine],
           rng: np.random.Generator, recorder: Recorder | None = None,
           n_steps: int | None = None) -> Block:
        """A block at step 0 of ``static`` for the replicates of the parameter table ``par``."""
        n = len(par)
        recorder = recorder or Recorder(n, static.n_steps if n_steps is None else n_steps,
                                        static.n_states)
        world = initial_world(static, par)
        # A government's misreading of threat persists: drawn once, the block's first draws.
        world.strike_misjudgment[:] = rng.logistic(size=world.strike_misjudgment.shape)
        specs, python = slot_doctrines(static, doctrines)
        tables = compile_slots(specs)
        world.faction_weight0[:] = np.asarray(tables.faction.weight)
        world.faction_weight[:] = world.faction_weight0
        recorder.records = recorder.records._replace(
            faction_slot=0 if tables.n_factions[0] > 1 else -1)
        groups = [(d, slots, d.init_memory(n, len(slots))) for d, slots in python]
        return cls(static=static, par=par, world=world, rng=rng,
                   decisions=decisions(world, static.arrays, par, tables), recorder=recorder,
                   python_groups=groups)

    @classmethod
    def build(cls, scenario: str, n: int = 1000, seed: int = 0,
              doctrine: str | None = None, n_steps: int | None = None,
              **overrides: float) -> Block:
        """A block of ``n`` replicates of a built-in scenario (or TOML path) under ``doctrine``,
        with parameter ``overrides`` and a generator seeded with ``seed``."""
        from revexport.doctrines.registry import get_doctrine
        from revexport.params import Parameters
        from revexport.scenario.load import load_scenario

        sc = load_scenario(scenario)
        params = Parameters().with_overrides(sc.parameters).with_overrides(overrides)
        static = Static.from_scenario(sc, int(params.new_exporter_slots), doctrine=doctrine)
        doctrines = {name: get_doctrine(name) for name in set(static.slot_doctrine)}
        return cls.of(static, params.table(n), doctrines, np.random.default_rng(seed),
                      n_steps=n_steps)

    def phase(self, name: str, t: int = 0) -> None:
        """Run one phase of step ``t`` (a name of :data:`revexport.engine.step.PHASES`)."""
        k = PHASES.index(name)
        if k == RECORD:
            self.recorder.ensure_room(events_per_step(self.world))
        step(self.world, self.static.arrays, self.par, self.rng, self.decisions,
             self.recorder.records, t, k, k)
        if k == DECISION and self.python_groups:
            decide_python(self.world, self.static.arrays, self.par, self.decisions, t,
                          self.python_groups, self.rng)

    def step(self, t: int, timings: dict[str, float] | None = None) -> None:
        """Run step ``t`` whole, phase by phase (``timings`` accumulates each phase's time)."""
        for name in PHASES:
            start = time.perf_counter()
            self.phase(name, t)
            if timings is not None:
                timings[name] = timings.get(name, 0.0) + time.perf_counter() - start


def simulate_block(
    static: Static,
    par: Any,
    doctrines: Mapping[str, Doctrine],
    seed: int,
    block: int,
    recorder: Recorder | None = None,
    n_steps: int | None = None,
    timings: dict[str, float] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> World:
    """Simulate the replicates of one block, batched.

    Parameters
    ----------
    static : Static
    par : numpy.recarray of shape (R,)
        The parameters of each replicate (:func:`revexport.params.parameter_table`).
    doctrines : mapping of str to Doctrine
        An instance for every name in ``static.slot_doctrine``.
    seed, block : int
        Select the block's random generator (:mod:`revexport.engine.rng`).
    recorder : Recorder, optional
        Receives the record of every step.
    n_steps : int, optional
        Steps to run; the scenario's length by default.
    timings : dict, optional
        Accumulates the wall time of each phase, by name (the step then runs phase by phase).
    should_stop : callable, optional
        Asked every :data:`CHECK_STEPS` steps; when it answers True the block stops with
        :class:`BlockStopped` (its partial results are of no use).

    Returns
    -------
    World
        The final state.
    """
    n_steps = static.n_steps if n_steps is None else n_steps
    b = Block.of(static, par, doctrines, block_generator(seed, block), recorder, n_steps)
    recorder = b.recorder
    bound = events_per_step(b.world)
    chunk = recorder.chunk_steps
    t = 0
    while t < n_steps:
        if should_stop is not None and should_stop():
            raise BlockStopped(f"block {block} stopped at step {t}")
        start = int(recorder.records.movement_start[0])
        t_end = min(n_steps, start + chunk) if chunk else n_steps
        t_end = min(t_end, t + CHECK_STEPS)
        if b.python_groups or timings is not None:
            b.step(t, timings)
            t += 1
        else:
            t = run_steps(b.world, static.arrays, par, b.rng, b.decisions, recorder.records, t,
                          t_end, bound)
            if t < t_end:
                recorder.ensure_room(bound)
                continue
        if chunk and t == min(n_steps, start + chunk):
            rec = recorder.records
            recorder.movement_chunk(start, rec.movement[:, : t_end - start])
            rec.movement_start[0] = t_end
    return b.world
