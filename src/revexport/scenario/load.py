"""Load a scenario by name or from a TOML file, and check it once.

Every problem becomes a :class:`~revexport.errors.RevexportError` whose one-line
message names the file, the field and what is allowed, e.g.
``my.toml: states[3].legitimacy: must be in [0, 1], got 1.4``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from revexport.errors import RevexportError
from revexport.params import Parameters
from revexport.scenario.schema import Scenario


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _message(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    given = err.get("input")
    if kind == "missing":
        return "missing required field"
    if kind == "extra_forbidden":
        return f"unknown field (got {given!r})"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}, got {given!r}"
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        bounds = _bounds(tuple(err["loc"]))
        if bounds:
            return f"must be in {bounds}, got {given!r}"
        return f"{err['msg'].lower()}, got {given!r}"
    if kind == "string_pattern_mismatch":
        return f"must match {ctx.get('pattern')}, got {given!r}"
    if kind in {"float_parsing", "float_type", "int_type", "int_parsing", "string_type",
                "bool_type", "bool_parsing", "list_type", "dict_type", "model_type"}:
        return f"{err['msg'].lower()}, got {given!r}"
    msg = str(err["msg"])
    return msg.removeprefix("Value error, ")


def _bounds(loc: tuple[int | str, ...]) -> str:
    """The declared interval of a numeric field, e.g. ``[0, 1]`` or ``(0, inf)``."""
    from annotated_types import Ge, Gt, Le, Lt

    from revexport.scenario.schema import StateSpec

    model: type[BaseModel] = Scenario
    if len(loc) == 3 and loc[0] == "states":
        model = StateSpec
    name = loc[-1]
    if not isinstance(name, str) or name not in model.model_fields:
        return ""
    lo, hi, lo_open, hi_open = "-inf", "inf", True, True
    for m in model.model_fields[name].metadata:
        if isinstance(m, Ge):
            lo, lo_open = f"{m.ge:g}", False
        elif isinstance(m, Gt):
            lo, lo_open = f"{m.gt:g}", True
        elif isinstance(m, Le):
            hi, hi_open = f"{m.le:g}", False
        elif isinstance(m, Lt):
            hi, hi_open = f"{m.lt:g}", True
    return f"{'(' if lo_open else '['}{lo}, {hi}{')' if hi_open else ']'}"


def validate_scenario(data: Mapping[str, Any], origin: str) -> Scenario:
    """Validate a scenario given as plain data.

    Parameters
    ----------
    data : mapping
        The parsed TOML (or an equivalent dict).
    origin : str
        File name (or label) used as the prefix of error messages.

    Returns
    -------
    Scenario

    Raises
    ------
    RevexportError
        On the first problem found, with a one-line message.
    """
    try:
        scenario = Scenario.model_validate(dict(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise RevexportError(f"{origin}: {_loc(tuple(first['loc']))}: {_message(first)}") from None
    _check_references(scenario, origin)
    return scenario


def _check_references(sc: Scenario, origin: str) -> None:
    from revexport.doctrines.registry import doctrine_names

    codes = sc.iso3
    known = set(codes)
    seen: set[str] = set()
    for i, code in enumerate(codes):
        if code in seen:
            raise RevexportError(f"{origin}: states[{i}].iso3: duplicate state '{code}'")
        seen.add(code)
    shown = ", ".join(codes[:12]) + (", ..." if len(codes) > 12 else "")
    pairs: set[tuple[str, str]] = set()
    for i, nb in enumerate(sc.neighbours):
        for end in ("a", "b"):
            code = getattr(nb, end)
            if code not in known:
                raise RevexportError(
                    f"{origin}: neighbours[{i}].{end}: unknown state '{code}' (states are {shown})"
                )
        if nb.a == nb.b:
            raise RevexportError(f"{origin}: neighbours[{i}]: a state cannot neighbour itself")
        key = (min(nb.a, nb.b), max(nb.a, nb.b))
        if key in pairs:
            raise RevexportError(f"{origin}: neighbours[{i}]: pair {key[0]}-{key[1]} listed twice")
        pairs.add(key)
    names = doctrine_names()
    exporting: set[str] = set()
    by_code = {s.iso3: s for s in sc.states}
    for i, ex in enumerate(sc.exporters):
        if ex.state not in known:
            raise RevexportError(
                f"{origin}: exporters[{i}].state: unknown state '{ex.state}' (states are {shown})"
            )
        if ex.state in exporting:
            raise RevexportError(f"{origin}: exporters[{i}].state: '{ex.state}' listed twice")
        if by_code[ex.state].superpower is not None:
            raise RevexportError(
                f"{origin}: exporters[{i}].state: '{ex.state}' is a superpower and cannot export"
            )
        exporting.add(ex.state)
        if ex.doctrine not in names:
            raise RevexportError(
                f"{origin}: exporters[{i}].doctrine: must be one of {{{', '.join(names)}}}, "
                f"got '{ex.doctrine}'"
            )
    if sc.new_exporter_doctrine not in names:
        raise RevexportError(
            f"{origin}: new_exporter_doctrine: must be one of {{{', '.join(names)}}}, "
            f"got '{sc.new_exporter_doctrine}'"
        )
    for bloc in ("West", "East"):
        n = sum(1 for s in sc.states if s.superpower == bloc)
        if n > 1:
            raise RevexportError(f"{origin}: states: more than one superpower '{bloc}'")
    Parameters().with_overrides(sc.parameters, origin=f"{origin}: parameters")


def load_toml(path: Path) -> Scenario:
    """Read and validate a scenario TOML file."""
    origin = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RevexportError(f"{path}: no such scenario file or built-in scenario "
                             f"(built-ins: {', '.join(builtin_names())})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RevexportError(f"{path}: cannot read: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RevexportError(f"{origin}: malformed TOML: {exc}") from None
    from revexport.doctrines.parametric import register_from_toml

    # A scenario file may declare its own parametrised doctrines.
    doctrines = data.pop("doctrines", None)
    if doctrines is not None:
        register_from_toml(doctrines, origin=f"{origin}: doctrines")
    return validate_scenario(data, origin)


def _builtins() -> dict[str, Callable[[], Scenario]]:
    from revexport.scenario.builtin import middle_east_1979
    from revexport.scenario.synthetic import synthetic

    return {"middle-east-1979": middle_east_1979, "synthetic": lambda: synthetic(50, seed=0)}


def builtin_names() -> list[str]:
    """Names of the built-in scenarios."""
    return list(_builtins())


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a built-in scenario by name or a TOML scenario file.

    Parameters
    ----------
    name_or_path : str or Path
        ``"middle-east-1979"``, ``"synthetic"`` (50 states), ``"synthetic:N"``
        (N states, seed 0), ``"synthetic:N:SEED"``, or a path to a ``.toml`` file.

    Returns
    -------
    Scenario
    """
    key = str(name_or_path)
    builtins = _builtins()
    if key in builtins:
        return builtins[key]()
    if key.startswith("synthetic:"):
        from revexport.scenario.synthetic import synthetic

        parts = key.split(":")[1:]
        try:
            n = int(parts[0])
            seed = int(parts[1]) if len(parts) > 1 else 0
        except (ValueError, IndexError):
            raise RevexportError(
                f"scenario '{key}': write synthetic:N or synthetic:N:SEED with whole numbers"
            ) from None
        return synthetic(n, seed=seed)
    return load_toml(Path(key))


def scenario_to_toml(sc: Scenario) -> str:
    """Write a scenario as TOML text that :func:`load_toml` reads back."""
    import tomli_w

    data = sc.model_dump(exclude_none=True)
    return tomli_w.dumps(data)
