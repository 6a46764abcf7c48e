"""Phase 8 -- record: hand the step's outcomes to the sink (see :mod:`revexport.outcomes`)."""

from __future__ import annotations

from revexport.engine.context import StepContext
from revexport.engine.state import World


def record(world: World, ctx: StepContext) -> None:
    """Pass the world to the run's sink, if any; the engine keeps no history itself."""
    if ctx.sink is not None:
        ctx.sink.record(world, ctx)
