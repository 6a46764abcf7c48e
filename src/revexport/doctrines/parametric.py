"""Doctrines written by users as data: a TOML table instead of a Python class.

In a scenario file (or a separate doctrine file given with ``--doctrine-file``)::

    [doctrines.cautious-export]
    shares = { domestic = 0.5, diplomacy = 0.3, propaganda = 0.15, support = 0.05 }
    targeting = { affinity = 1.0, grievance = 1.0, illegitimacy = 0.5, condemned = 1.0 }
    strike_power_ratio = 0.0     # 0: never opens a war; else in units of offensive_power_ratio
    strike_min_movement = 0.3

A table holds the fields of a :class:`~revexport.doctrines.spec.Policy` (the built-in
doctrines are written the same way): ``shares`` over the six means (normalised to 1);
``targeting``, the exponent of each target attribute in the target score (attributes:
affinity, grievance, illegitimacy, movement, proximity, condemned, dependent, receptiveness,
reach; missing exponents are 0); optionally ``ripeness``, ``export_gain``,
``max_export_share``, ``overstretch_sanctions`` and ``overstretch_wars``. Such a doctrine
runs in the compiled decision kernel, as fast as a built-in one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from revexport.doctrines.base import Doctrine
from revexport.doctrines.registry import doctrine_names, get_doctrine, register_factory
from revexport.doctrines.spec import DoctrineSpec, Policy, SpecDoctrine
from revexport.errors import RevexportError
from revexport.scenario.validate import WANTED, field_interval, read_toml_file, show_value

#: A doctrine's name in a TOML table.
_DOCTRINE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


class ParametricSpec(Policy):
    """A user's doctrine table: one policy and a summary (validated, unknown fields refused)."""

    summary: str = "user doctrine from a TOML table"


class ParametricDoctrine(SpecDoctrine):
    """A doctrine defined by a TOML table (:class:`ParametricSpec`)."""

    def __init__(self, name: str, policy: ParametricSpec) -> None:
        fields = policy.model_dump(exclude={"summary"})
        super().__init__(name, DoctrineSpec.single(Policy(**fields), summary=policy.summary))

    def __repr__(self) -> str:
        return f"ParametricDoctrine({self.name!r})"


def parse_doctrine_tables(tables: Any, origin: str) -> dict[str, ParametricSpec]:
    """Validate ``[doctrines.NAME]`` tables; return each name's spec (nothing is registered).

    Raises
    ------
    RevexportError
        One line naming the table and field, e.g.
        ``my.toml: doctrines.cautious.shares.suport: unknown means``.
    """
    if not isinstance(tables, Mapping):
        raise RevexportError(f"{origin}: must be a table of doctrines, got {type(tables).__name__}")
    specs = {}
    for name, table in tables.items():
        where = f"{origin}.{name}"
        if name in _BUILTIN_NAMES:
            raise RevexportError(f"{where}: '{name}' is a built-in doctrine; choose another name")
        if not isinstance(table, Mapping):
            raise RevexportError(f"{where}: must be a table")
        try:
            specs[name] = ParametricSpec.model_validate(dict(table))
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            msg = str(err["msg"]).removeprefix("Value error, ")
            if err["type"] == "literal_error":
                msg = f"must be one of {err.get('ctx', {}).get('expected')}"
            raise RevexportError(f"{where}{'.' + loc if loc else ''}: {msg}") from None
    return specs


def register_from_toml(tables: Any, origin: str) -> list[str]:
    """Register every ``[doctrines.NAME]`` table process-wide; return the names registered.

    Raises
    ------
    RevexportError
        As :func:`parse_doctrine_tables`.
    """
    specs = parse_doctrine_tables(tables, origin)
    for name, policy in specs.items():
        register_factory(name, functools.partial(ParametricDoctrine, name, policy))
    return list(specs)


def resolve_doctrine(name: str, scenario_doctrines: Mapping[str, Any]) -> Doctrine:
    """The doctrine called ``name``: the scenario's own (``scenario.doctrines``) first, else
    the registry's.

    Raises
    ------
    RevexportError
        ``doctrine must be one of {...}; got 'militnat'``.
    """
    if name in scenario_doctrines:
        return ParametricDoctrine(name, ParametricSpec.model_validate(dict(scenario_doctrines[name])))
    try:
        return get_doctrine(name)
    except RevexportError:
        known = sorted(set(doctrine_names()) | set(scenario_doctrines))
        raise RevexportError(f"doctrine must be one of {{{', '.join(known)}}}; got '{name}'") from None


def check_doctrine_tables(tables: Any, origin: str) -> None:
    """Check ``[doctrines.NAME]`` tables strictly before they are registered.

    Names are 1 to 40 letters, digits, ``-`` or ``_``; every table must be a
    valid :class:`ParametricSpec` with strict
    types (``shares.domestic = "0.5"`` or ``= true`` is an error, not coerced).

    Raises
    ------
    RevexportError
        One line naming the table and field, e.g.
        ``my.toml: doctrines.cautious.shares.domestic: must be a finite number, got '0.5'``.
    """
    if not isinstance(tables, Mapping):
        raise RevexportError(f"{origin}: must be a table of [doctrines.NAME] tables, got "
                             f"{show_value(tables)}")
    for name, table in tables.items():
        if not _DOCTRINE_NAME.fullmatch(name):
            raise RevexportError(f"{origin}: doctrine name must be 1 to 40 letters, digits, '-' or "
                                 f"'_' (starting with a letter or digit), got {show_value(name)}")
        where = f"{origin}.{name}"
        if not isinstance(table, Mapping):
            raise RevexportError(f"{where}: must be a table, got {show_value(table)}")
        try:
            ParametricSpec.model_validate(dict(table), strict=True)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            kind = err["type"]
            field = err["loc"][0] if len(err["loc"]) == 1 else ""
            if kind == "literal_error":
                msg = f"must be one of {(err.get('ctx') or {}).get('expected')}"
            elif kind in WANTED or kind in {"greater_than_equal", "less_than_equal",
                                             "greater_than", "less_than"}:
                bounds = field_interval(ParametricSpec, field)
                msg = (f"must be {WANTED.get(kind, 'a finite number')}"
                       f"{' in ' + bounds if bounds else ''}")
            else:
                msg = str(err["msg"]).removeprefix("Value error, ").lower()
            raise RevexportError(f"{where}{'.' + loc if loc else ''}: {msg}, got "
                                 f"{show_value(err.get('input'))}") from None


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
