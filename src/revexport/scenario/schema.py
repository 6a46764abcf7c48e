"""The scenario format: what the world holds at the start of a run.

A scenario is validated once, here, at the boundary (pydantic, ``extra="forbid"``
so a misspelled field is an error rather than silently dropped). After that,
the engine trusts it.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

RegimeType = Literal[
    "monarchy",
    "military-authoritarian",
    "single-party",
    "theocratic",
    "democracy",
    "communist",
    "aligned-revolutionary",
]
Alignment = Literal["West", "East", "non-aligned"]
# The codes the engine uses are positions in these tuples, derived from the types above.
REGIME_TYPES: tuple[str, ...] = get_args(RegimeType)
ALIGNMENTS: tuple[str, ...] = get_args(Alignment)
SUPERPOWERS: tuple[str, ...] = ("West", "East")

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StateSpec(_Strict):
    """One state at the start of the run.

    Levels in [0, 1] are model quantities derived from data (see ``docs/data.md``).
    """

    iso3: str = Field(pattern=r"^[A-Z]{3}$", description="three-letter code")
    name: str = Field(min_length=1)
    population: float = Field(gt=0, description="millions")
    gdp: float = Field(gt=0, description="GDP, US$ bn per year")
    capability: float = Field(ge=0, description="military capability, % of world (100 x CINC)")
    legitimacy: float = Field(ge=0, le=1)
    grievance: float = Field(ge=0, le=1)
    repression: float = Field(ge=0, le=1)
    regime: RegimeType
    alignment: Alignment
    affinity: float = Field(ge=0, le=1, description="closeness to the exporter's message")
    movement: float = Field(ge=0, le=1, description="strength of the exporter-aligned movement")
    superpower: Literal["West", "East"] | None = None
    source: str = ""


class NeighbourSpec(_Strict):
    """A land or sea neighbour pair (unordered)."""

    a: str
    b: str
    type: Literal["land", "sea"]


class ExporterSpec(_Strict):
    """A revolutionary state exporting at the start, and its doctrine."""

    state: str
    doctrine: str = "historical"


class Scenario(_Strict):
    """A complete scenario.

    Attributes
    ----------
    name, description : str
    start, end : str
        First and last month, ``YYYY-MM``; one step is one month.
    states : list of StateSpec
    neighbours : list of NeighbourSpec
    exporters : list of ExporterSpec
        The revolutionary state(s) at the start.
    new_exporter_doctrine : str
        Doctrine of a state whose regime turns aligned during the run.
    article154 : bool
        Run every exporter under the constitution's Article 154 switch.
    parameters : dict of str to float
        Overrides of :class:`revexport.params.Parameters`.
    """

    name: str = Field(min_length=1)
    description: str = ""
    start: str = "1979-02"
    end: str = "1990-12"
    states: list[StateSpec] = Field(min_length=2)
    neighbours: list[NeighbourSpec] = Field(default_factory=list)
    exporters: list[ExporterSpec] = Field(min_length=1)
    new_exporter_doctrine: str = "militant"
    article154: bool = False
    parameters: dict[str, float] = Field(default_factory=dict)

    @field_validator("start", "end")
    @classmethod
    def _month(cls, v: str) -> str:
        if not _MONTH.match(v):
            raise ValueError(f"must be a month written YYYY-MM, got '{v}'")
        return v

    @model_validator(mode="after")
    def _order(self) -> Scenario:
        if self.n_steps < 1:
            raise ValueError(f"end ({self.end}) must come after start ({self.start})")
        return self

    @property
    def n_steps(self) -> int:
        """Number of monthly steps from start to end inclusive."""
        sy, sm = (int(x) for x in self.start.split("-"))
        ey, em = (int(x) for x in self.end.split("-"))
        return (ey - sy) * 12 + (em - sm) + 1

    def month_of_step(self, step: int) -> str:
        """The calendar month ``YYYY-MM`` of step ``step`` (0 = start)."""
        sy, sm = (int(x) for x in self.start.split("-"))
        k = sy * 12 + (sm - 1) + step
        return f"{k // 12:04d}-{k % 12 + 1:02d}"

    @property
    def iso3(self) -> list[str]:
        """State codes in row order."""
        return [s.iso3 for s in self.states]
