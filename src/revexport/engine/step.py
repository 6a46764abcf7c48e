"""THE order of one monthly step (MODEL.md section 3).

Each phase is a function ``(world, ctx) -> None`` over arrays of replicates x
states (or exporters x states); none loops over states or replicates.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from revexport.engine.context import StepContext
from revexport.engine.phases import (
    decision,
    home,
    movements,
    perception,
    record,
    regime,
    responses,
    war,
)
from revexport.engine.state import World

Phase = Callable[[World, StepContext], None]

PHASES: tuple[tuple[str, Phase], ...] = (
    ("perception", perception.perceive),  # 1. states update their estimate of intent
    ("decision", decision.decide),  # 2. doctrines allocate the exporters' means
    ("movements", movements.grow),  # 3. movements grow and shrink
    ("responses", responses.respond),  # 4. repress, balance, sanction, aid, strike first
    ("war", war.fight),  # 5. attrition, cost, rally, ceasefire, collapse
    ("regime", regime.change),  # 6. regimes fall; new aligned regimes export
    ("home", home.update),  # 7. economies, legitimacy, capability at home
    ("record", record.record),  # 8. outcomes to the sink
)


def step(world: World, ctx: StepContext, timings: dict[str, float] | None = None) -> None:
    """Advance ``world`` by one month, phase by phase, in MODEL.md's order.

    ``timings``, when given, accumulates each phase's wall time in seconds, by phase name.
    """
    if timings is None:
        for _name, phase in PHASES:
            phase(world, ctx)
    else:
        for name, phase in PHASES:
            start = time.perf_counter()
            phase(world, ctx)
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - start
    world.step += 1
