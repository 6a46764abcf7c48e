"""Shared fixtures: small worlds and a context for calling one phase at a time."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from revexport.doctrines.registry import get_doctrine
from revexport.engine.context import StepContext
from revexport.engine.run import doctrine_groups
from revexport.engine.state import Static, World, initial_world
from revexport.params import Parameters
from revexport.scenario import load_scenario

WorldFactory = Callable[..., tuple[Static, World, StepContext]]


@pytest.fixture
def make_world() -> WorldFactory:
    """Build (static, world, ctx) for a scenario, doctrine and parameter overrides."""

    def build(scenario: str = "middle-east-1979", n: int = 2000, seed: int = 0,
              doctrine: str | None = None, **overrides: float) -> tuple[Static, World, StepContext]:
        params = Parameters().with_overrides(overrides)
        static = Static.from_scenario(load_scenario(scenario), params, doctrine=doctrine)
        world = initial_world(static, params, n)
        groups = doctrine_groups(static, {d: get_doctrine(d) for d in set(static.slot_doctrine)})
        for g in groups:
            world.doctrine_memory[g.key] = g.doctrine.init_memory(n, len(g.slots))
        ctx = StepContext(static=static, params=params, groups=groups,
                          rng=np.random.default_rng(seed))
        return static, world, ctx

    return build
