"""THE order of one monthly step (docs/odd.md, section 3).

Each phase is a compiled function over the whole block -- replicates x states, or exporters x
states -- that changes the world in place; :func:`step` calls them in the model's order. Phases
may be run in part (``first`` to ``last``), which is how a doctrine written in Python decides
between the compiled phases and how the benchmark times each phase.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from revexport.compiled import kernel
from revexport.engine import events
from revexport.engine.phases import decision, home, movements, perception, record, regime, responses, war
from revexport.engine.phases.decision import Decisions
from revexport.engine.phases.record import Records, events_per_step
from revexport.engine.state import StaticArrays, World

#: The phases, in order (the values ``first`` and ``last`` of :func:`step` take).
PHASES: tuple[str, ...] = (
    "perception",  # 1. the month's dated events; states update their estimate of intent
    "decision",    # 2. doctrines allocate the exporters' means
    "movements",   # 3. movements grow and shrink
    "responses",   # 4. repress, balance, sanction, aid, strike first
    "war",         # 5. attrition, cost, rally, ceasefire, collapse
    "regime",      # 6. regimes fall; new aligned regimes export
    "home",        # 7. economies, legitimacy, capability at home
    "record",      # 8. outcomes into the block's buffers
)
PERCEPTION, DECISION, MOVEMENTS, RESPONSES, WAR, REGIME, HOME, RECORD = range(len(PHASES))


@kernel
def step(w: World, st: StaticArrays, par: Any, rng: np.random.Generator, d: Decisions,
         rec: Records, t: int, first: int = PERCEPTION, last: int = RECORD) -> None:
    """Advance the block by one month, phases ``first`` to ``last`` of step ``t``."""
    if first <= PERCEPTION <= last:
        events.occur(w, st, t)  # the scenario's events come first: the month starts with them
        perception.perceive(w, st, par, rng)
    if first <= DECISION <= last:
        decision.decide(w, st, par, d)
    if first <= MOVEMENTS <= last:
        movements.grow(w, st, par, rng)
    if first <= RESPONSES <= last:
        responses.respond(w, st, par, rng, t)
    if first <= WAR <= last:
        war.fight(w, st, par, rng)
    if first <= REGIME <= last:
        regime.change(w, st, par, rng)
    if first <= HOME <= last:
        home.update(w, st, par, rng, t)
    if first <= RECORD <= last:
        record.record(w, st, par, rec, t)


@kernel
def run_steps(w: World, st: StaticArrays, par: Any, rng: np.random.Generator, d: Decisions,
              rec: Records, t0: int, t1: int, events_bound: int) -> int:
    """Steps ``t0`` to ``t1 - 1``, whole; returns the step reached, earlier than ``t1`` when the
    event buffer needs more room first."""
    for t in range(t0, t1):
        if rec.n_events[0] + events_bound > rec.events.shape[0]:
            return t
        step(w, st, par, rng, d, rec, t)
    return t1


__all__ = ["PHASES", "events_per_step", "run_steps", "step"]
