"""What every phase receives besides the world: static data, parameters, doctrines, randomness."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from revexport.doctrines.base import Doctrine
from revexport.engine.state import Static, World
from revexport.params import Parameters


class Sink(Protocol):
    """Receives the record of each step (see :mod:`revexport.outcomes.recorder`)."""

    def record(self, world: World, ctx: StepContext) -> None: ...


@dataclass
class DoctrineGroup:
    """The exporter slots run by one doctrine instance."""

    doctrine: Doctrine
    slots: NDArray[np.int64]
    key: str


@dataclass
class StepContext:
    """Everything a phase may use besides the world.

    Attributes
    ----------
    static : Static
    params : Parameters
    groups : list of DoctrineGroup
    rng : numpy.random.Generator
        The block's generator: the only source of randomness.
    sink : Sink or None
    """

    static: Static
    params: Parameters
    groups: list[DoctrineGroup]
    rng: np.random.Generator
    sink: Sink | None = None
