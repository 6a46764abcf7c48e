"""The scenario format: what the world holds at the start of a run.

A scenario is validated once, here, at the boundary (pydantic, ``extra="forbid"``
so a misspelled field is an error rather than silently dropped; strict types, so
``population = "12"`` or ``legitimacy = true`` is an error rather than coerced,
though an integer is accepted where a number is expected; finite numbers only,
each within a declared range). After that, the engine trusts it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

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
EventKind = Literal["occupation", "withdrawal"]
# The codes the engine uses are positions in these tuples, derived from the types above.
REGIME_TYPES: tuple[str, ...] = get_args(RegimeType)
ALIGNMENTS: tuple[str, ...] = get_args(Alignment)
SUPERPOWERS: tuple[str, ...] = ("West", "East")
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

#: Longest run: 300 years of monthly steps (the outputs store the step as a 16-bit integer).
MAX_STEPS = 3600
#: Most states in a scenario (as for :func:`revexport.scenario.synthetic.synthetic`).
MAX_STATES = 17_000
#: Most neighbour pairs (a planar map of MAX_STATES states has fewer than 3 per state).
MAX_NEIGHBOURS = 10 * MAX_STATES
#: Largest population (millions), GDP (US$ bn per year) and capability (% of world).
MAX_POPULATION = 1e5
MAX_GDP = 1e6
MAX_CAPABILITY = 100.0
#: Most dated events in a scenario.
MAX_EVENTS = 10_000


def _checked_source(v: str, what: str) -> str:
    """A non-empty source: an event or a rivalry is a claim about history, so it must say where
    it comes from."""
    if not v.strip():
        raise ValueError(f"must name the source of the {what} (a non-empty string), got ''")
    return v


def _checked_month(v: str) -> str:
    """``v`` if it is a month written ``YYYY-MM``; else the error a validator reports."""
    if not _MONTH.fullmatch(v):
        raise ValueError(f"must be a month written YYYY-MM, got {v[:20]!r}")
    return v


def _months_between(start: str, end: str) -> int:
    """Months from ``start`` to ``end`` (both ``YYYY-MM``); negative if end comes first."""
    sy, sm = (int(x) for x in start.split("-"))
    ey, em = (int(x) for x in end.split("-"))
    return (ey - sy) * 12 + (em - sm)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    @field_validator("*")
    @classmethod
    def _printable(cls, v: object) -> object:
        # Text is echoed to terminals and reports: no escape sequences or other control characters
        # (line breaks and tabs are allowed in free text).
        if isinstance(v, str) and any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in v):
            raise ValueError(f"must not contain control characters, got {v[:60]!r}")
        return v


class StateSpec(_Strict):
    """One state at the start of the run.

    Levels in [0, 1] are model quantities derived from data (see ``docs/data.md``).
    """

    iso3: str = Field(pattern=r"^[A-Z]{3}$", description="three-letter code")
    name: str = Field(min_length=1, max_length=200)
    population: float = Field(gt=0, le=MAX_POPULATION, description="millions")
    gdp: float = Field(gt=0, le=MAX_GDP, description="GDP, US$ bn per year")
    capability: float = Field(ge=0, le=MAX_CAPABILITY,
                              description="military capability, % of world (100 x CINC)")
    legitimacy: float = Field(ge=0, le=1)
    grievance: float = Field(ge=0, le=1)
    repression: float = Field(ge=0, le=1)
    regime: RegimeType
    alignment: Alignment
    affinity: float = Field(ge=0, le=1, description="closeness to the exporter's message")
    movement: float = Field(ge=0, le=1, description="strength of the exporter-aligned movement")
    superpower: Literal["West", "East"] | None = None
    source: str = Field(default="", max_length=2000)


class NeighbourSpec(_Strict):
    """A land or sea neighbour pair (unordered)."""

    a: str = Field(max_length=200)
    b: str = Field(max_length=200)
    type: Literal["land", "sea"]


class ExporterSpec(_Strict):
    """A revolutionary state exporting at the start, and its doctrine."""

    state: str = Field(max_length=200)
    doctrine: str = Field(default="historical", max_length=200)


class EventSpec(_Strict):
    """Something that happens to a state at a date, from outside the model.

    The kinds are the ones the engine implements (``docs/odd.md``, 7.1): ``"occupation"``, a
    superpower or another state (``by``) occupies the state, and ``"withdrawal"``, it leaves.
    The check that ``month`` does not come before the run's start, that ``state`` and the
    occupier ``by`` are in the scenario and that the events of a state make sense in order is
    made when the whole scenario is known (:func:`revexport.scenario.validate.validate_scenario`).
    """

    month: str = Field(description="YYYY-MM, not before the scenario's start")
    state: str = Field(max_length=200)
    kind: EventKind
    by: str = Field(max_length=200, description="who occupies or withdraws: a superpower "
                    "('West' or 'East') or the ISO code of another state of the scenario")
    source: str = Field(max_length=2000, description="where the date comes from (required)")

    @field_validator("month")
    @classmethod
    def _month(cls, v: str) -> str:
        return _checked_month(v)

    @field_validator("source")
    @classmethod
    def _sourced(cls, v: str) -> str:
        return _checked_source(v, "event")


class _Spell(_Strict):
    """What every spell of history has -- a rivalry, a civil war: a first month, an optional
    last month and a source (the fields are declared by each kind, so each keeps its own order
    in a scenario file)."""

    _what: ClassVar[str] = "rivalry"

    @field_validator("start", "end", check_fields=False)
    @classmethod
    def _month(cls, v: str | None) -> str | None:
        return None if v is None else _checked_month(v)

    @field_validator("end", check_fields=False)
    @classmethod
    def _after_start(cls, v: str | None, info: ValidationInfo) -> str | None:
        start = info.data.get("start")
        if v is not None and start is not None and _months_between(start, v) < 0:
            raise ValueError(f"must not come before start ({start}), got '{v}'")
        return v

    @field_validator("source", check_fields=False)
    @classmethod
    def _sourced(cls, v: str) -> str:
        return _checked_source(v, cls._what)


class RivalrySpec(_Spell):
    """A strategic rivalry between two states (an unordered pair): each regards the other as a
    competitor and an enemy, a source of threat (Thompson 2001).

    The check that both states are in the scenario, differ and are not superpowers, and that
    the pair is listed once, is made when the whole scenario is known
    (:func:`revexport.scenario.validate.validate_scenario`).
    """

    a: str = Field(max_length=200)
    b: str = Field(max_length=200)
    start: str = Field(description="YYYY-MM, the first month of the rivalry (may precede the run)")
    end: str | None = Field(default=None, description="YYYY-MM, its last month; none: through "
                            "the run")
    source: str = Field(max_length=2000, description="where the rivalry comes from (required)")


class OutsideRivalrySpec(_Spell):
    """A strategic rivalry between a state of the scenario and a state outside it, which the
    model does not simulate: the rival's power is held at ``capability`` and it threatens the
    state from its ``contact`` class (the classes of the exporters' proximity, 7.1).

    The check that ``state`` is in the scenario and not a superpower, that ``rival`` is not,
    and that the pair is listed once, is made when the whole scenario is known.
    """

    state: str = Field(max_length=200)
    rival: str = Field(max_length=200, description="the outside state's code (not one of the "
                       "scenario's)")
    capability: float = Field(gt=0, le=MAX_CAPABILITY, description="the rival's military "
                              "capability, % of the world's (100 x CINC), as the states'")
    contact: Literal["land", "sea", "two-hop", "far"]
    start: str = Field(description="YYYY-MM, the first month of the rivalry (may precede the run)")
    end: str | None = Field(default=None, description="YYYY-MM, its last month; none: through "
                            "the run")
    source: str = Field(max_length=2000, description="where the rivalry, the capability and "
                        "the contact come from (required)")


class CivilWarSpec(_Spell):
    """A civil war in a state of the scenario, from outside the model: its government fights an
    armed opposition at war intensity. While it lasts the state holds an internal front
    (``docs/odd.md`` 7.4).

    The check that ``state`` is in the scenario and not a superpower, and that a state's civil
    wars do not overlap, is made when the whole scenario is known.
    """

    _what: ClassVar[str] = "civil war"

    state: str = Field(max_length=200)
    start: str = Field(description="YYYY-MM, its first month (may precede the run)")
    end: str | None = Field(default=None, description="YYYY-MM, its last month; none: through "
                            "the run")
    source: str = Field(max_length=2000, description="where the civil war comes from (required)")


class Scenario(_Strict):
    """A complete scenario.

    Attributes
    ----------
    name, description : str
    start, end : str
        First and last month, ``YYYY-MM``; one step is one month, at most
        :data:`MAX_STEPS` steps.
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
    doctrines : dict of str to table
        The scenario's own doctrines written as data (``[doctrines.NAME]`` tables, see
        :mod:`revexport.doctrines.parametric`), usable by name in this scenario only.
    coalition_group : list of str
        States whose joint membership of the coalition against the exporters is an outcome
        (``group_coalition_step``: the first month all of them are in at once). A definition
        of what is measured, never an input to the model.
    events : list of EventSpec
        Dated events from outside the model (``[[events]]`` tables), applied at the start of
        the step of their month.
    rivalries : list of RivalrySpec
        Strategic rivalries between states (``[[rivalries]]`` tables), each active from its
        first to its last month: a state weighs the threat of its rivals against the exporters'
        (``docs/odd.md`` 7.4).
    outside_rivalries : list of OutsideRivalrySpec
        Strategic rivalries of states of the scenario with states outside it
        (``[[outside_rivalries]]`` tables), weighed the same way, the rival's power fixed.
    civil_wars : list of CivilWarSpec
        Civil wars in states of the scenario (``[[civil_wars]]`` tables), each from its first
        to its last month: an internal front (``docs/odd.md`` 7.4).
    """

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    start: str = "1979-02"
    end: str = "1990-12"
    states: list[StateSpec] = Field(min_length=2, max_length=MAX_STATES)
    neighbours: list[NeighbourSpec] = Field(default_factory=list, max_length=MAX_NEIGHBOURS)
    exporters: list[ExporterSpec] = Field(min_length=1, max_length=MAX_STATES)
    new_exporter_doctrine: str = Field(default="militant", max_length=200)
    article154: bool = False
    parameters: dict[str, float] = Field(default_factory=dict, max_length=1000)
    doctrines: dict[str, dict[str, Any]] = Field(default_factory=dict, max_length=100)
    coalition_group: list[str] = Field(default_factory=list, max_length=MAX_STATES)
    events: list[EventSpec] = Field(default_factory=list, max_length=MAX_EVENTS)
    rivalries: list[RivalrySpec] = Field(default_factory=list, max_length=MAX_NEIGHBOURS)
    outside_rivalries: list[OutsideRivalrySpec] = Field(default_factory=list,
                                                        max_length=MAX_NEIGHBOURS)
    civil_wars: list[CivilWarSpec] = Field(default_factory=list, max_length=MAX_EVENTS)

    @field_validator("start", "end")
    @classmethod
    def _month(cls, v: str) -> str:
        return _checked_month(v)

    @field_validator("end")
    @classmethod
    def _horizon(cls, v: str, info: ValidationInfo) -> str:
        start = info.data.get("start")
        if start is None:  # start itself is invalid; that error is reported
            return v
        n = _months_between(start, v) + 1
        if n < 1:
            raise ValueError(f"must come after start ({start}), got '{v}'")
        if n > MAX_STEPS:
            raise ValueError(f"the run from start ({start}) must last at most {MAX_STEPS} months "
                             f"({MAX_STEPS // 12} years), got {n} months to '{v}'")
        return v

    @property
    def n_steps(self) -> int:
        """Number of monthly steps from start to end inclusive."""
        return _months_between(self.start, self.end) + 1

    def step_of_month(self, month: str) -> int:
        """The step of the calendar month ``month`` (``YYYY-MM``; 0 = start)."""
        return _months_between(self.start, month)

    def month_of_step(self, step: int) -> str:
        """The calendar month ``YYYY-MM`` of step ``step`` (0 = start)."""
        sy, sm = (int(x) for x in self.start.split("-"))
        k = sy * 12 + (sm - 1) + step
        return f"{k // 12:04d}-{k % 12 + 1:02d}"

    @property
    def iso3(self) -> list[str]:
        """State codes in row order."""
        return [s.iso3 for s in self.states]
