"""Doctrines written as data: a TOML table instead of a Python class.

In a scenario file (or a separate doctrine file given with ``--doctrine-file``)::

    [doctrines.cautious-export]
    shares = { domestic = 0.5, diplomacy = 0.3, propaganda = 0.15, support = 0.05 }
    targeting = { affinity = 1.0, grievance = 1.0, illegitimacy = 0.5, condemned = 1.0 }
    strike_power_ratio = 0.0     # 0: never opens a war; else the power ratio it needs
    strike_min_movement = 0.3

``shares`` are the budget shares over the six means (normalised to 1).
``targeting`` gives the exponent of each target attribute in the target score
``affinity^a x grievance^b x (1 - legitimacy)^c x movement^d x proximity^e x
condemned^f``, where ``condemned`` is 1 + how much the message condemns the
target's regime (monarchies, superpower clients). Missing exponents are 0.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from revexport.doctrines.base import (
    Allocation,
    Doctrine,
    F,
    Observation,
    normalise_targets,
    opportunistic_strike,
    regime_hostility,
    with_defence,
)
from revexport.doctrines.registry import register_factory
from revexport.engine.state import MEANS
from revexport.errors import RevexportError

Mean = Literal["domestic", "diplomacy", "propaganda", "support", "covert", "military"]
Attribute = Literal["affinity", "grievance", "illegitimacy", "movement", "proximity", "condemned"]


class ParametricSpec(BaseModel):
    """A doctrine written as data (validated, unknown fields refused)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    summary: str = "user doctrine from a TOML table"
    shares: dict[Mean, float] = Field(min_length=1)
    targeting: dict[Attribute, float] = Field(default_factory=lambda: {"affinity": 1.0})  # type: ignore[arg-type]
    strike_power_ratio: float = Field(default=0.0, ge=0.0, le=10.0)
    strike_min_movement: float = Field(default=0.3, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _check(self) -> ParametricSpec:
        for k, v in self.shares.items():
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"shares.{k} must be in [0, 1], got {v}")
        if sum(self.shares.values()) <= 0:
            raise ValueError("shares must not all be 0")
        for attr, power in self.targeting.items():
            if not 0.0 <= power <= 5.0:
                raise ValueError(f"targeting.{attr} must be in [0, 5], got {power}")
        return self


class ParametricDoctrine(Doctrine):
    """A doctrine defined by a :class:`ParametricSpec`."""

    def __init__(self, name: str, spec: ParametricSpec) -> None:
        self.name = name  # type: ignore[misc]
        self.spec = spec
        self.summary = spec.summary  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"ParametricDoctrine({self.name!r})"

    def decide(self, obs: Observation, memory: dict[str, F], rng: np.random.Generator) -> Allocation:
        vec = np.array([self.spec.shares.get(m, 0.0) for m in MEANS])  # type: ignore[call-overload]
        r, k = obs.shape
        shares = np.broadcast_to(vec / vec.sum(), (r, k, len(MEANS))).copy()
        shape = obs.proximity.shape
        factors: dict[str, F] = {
            "affinity": np.broadcast_to(obs.affinity, shape),
            "grievance": np.broadcast_to(obs.grievance, shape),
            "illegitimacy": np.broadcast_to((1.0 - obs.target_legitimacy)[:, None, :], shape),
            "movement": np.broadcast_to(obs.movement[:, None, :] + 0.01, shape),
            "proximity": obs.proximity,
            "condemned": regime_hostility(obs),
        }
        score = np.ones(shape)
        for attr, power in self.spec.targeting.items():
            if power:
                score = score * np.power(np.maximum(factors[attr], 1e-9), power)
        if self.spec.strike_power_ratio > 0:
            ripe = np.broadcast_to(
                (obs.movement > self.spec.strike_min_movement)[:, None, :], shape
            )
            strike = opportunistic_strike(
                obs, np.where(ripe, score, 0.0), self.spec.strike_power_ratio
            )
        else:
            strike = np.zeros(shape, dtype=bool)
        return Allocation(
            shares=with_defence(shares, obs),
            targets=normalise_targets(score, obs.valid_target),
            strike=strike,
        )


def register_from_toml(tables: Any, origin: str) -> list[str]:
    """Register every ``[doctrines.NAME]`` table; return the names registered.

    Raises
    ------
    RevexportError
        One line naming the table and field, e.g.
        ``my.toml: doctrines.cautious.shares.suport: unknown means``.
    """
    if not isinstance(tables, Mapping):
        raise RevexportError(f"{origin}: must be a table of doctrines, got {type(tables).__name__}")
    names = []
    for name, table in tables.items():
        where = f"{origin}.{name}"
        if name in _BUILTIN_NAMES:
            raise RevexportError(f"{where}: '{name}' is a built-in doctrine; choose another name")
        if not isinstance(table, Mapping):
            raise RevexportError(f"{where}: must be a table")
        try:
            spec = ParametricSpec.model_validate(dict(table))
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            msg = str(err["msg"]).removeprefix("Value error, ")
            if err["type"] == "literal_error":
                msg = f"must be one of {err.get('ctx', {}).get('expected')}"
            raise RevexportError(f"{where}{'.' + loc if loc else ''}: {msg}") from None
        register_factory(name, functools.partial(ParametricDoctrine, name, spec))
        names.append(name)
    return names


def load_doctrine_file(path: str) -> list[str]:
    """Register the doctrines of a TOML doctrine file (``[doctrines.NAME]`` tables).

    Parameters
    ----------
    path : str
        A UTF-8 TOML file.

    Returns
    -------
    list of str
        The names registered.

    Raises
    ------
    RevexportError
        One line starting with the file name: a missing, unreadable, binary or
        malformed file, a missing ``[doctrines]`` table, a bad name, or a field of
        the wrong type or out of range.
    """
    from pathlib import Path

    from revexport.scenario.load import check_doctrine_tables, read_toml_file

    p = Path(path)
    origin = p.name or str(p)
    data = read_toml_file(p, "no such doctrine file")
    if "doctrines" not in data:
        raise RevexportError(f"{origin}: doctrines: missing required table [doctrines.NAME]")
    check_doctrine_tables(data["doctrines"], origin=f"{origin}: doctrines")
    return register_from_toml(data["doctrines"], origin=f"{origin}: doctrines")


_BUILTIN_NAMES = frozenset(
    {"nationalist", "militant", "pragmatic", "gradualist", "constitutional", "factional",
     "historical"}
)
