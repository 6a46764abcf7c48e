"""Check a scenario once, and read the TOML files users write.

Every problem becomes a :class:`~revexport.errors.RevexportError` whose one-line
message names the file, the field and what is allowed, e.g.
``my.toml: states[3].legitimacy: must be in [0, 1], got 1.4``. The doctrine tables a file may
hold are checked by :func:`revexport.doctrines.parametric.check_doctrine_tables`, with the
same messages.
"""

from __future__ import annotations

import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from revexport.errors import RevexportError
from revexport.params import Parameters
from revexport.scenario.schema import Scenario


def field_path(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as written in a file: ``states[3].legitimacy``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def show_value(value: Any, limit: int = 60) -> str:
    """A short, one-line ``repr`` of a user value for an error message.

    Deep nesting, long strings and integers too long to print in decimal are cut.
    """
    import reprlib

    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"an integer of {value.bit_length()} bits"
    if isinstance(value, bool):
        return "true" if value else "false"  # as written in TOML
    if isinstance(value, float | int | type(None)):
        return repr(value)
    short = reprlib.Repr()
    short.maxlevel, short.maxstring, short.maxother = 2, limit, limit
    short.maxlist = short.maxdict = short.maxtuple = 4
    try:
        text = short.repr(value)
    except (ValueError, RecursionError):  # e.g. a huge integer inside a list
        text = f"a {type(value).__name__}"
    return text if len(text) <= limit else text[: limit - 3] + "..."


#: How a value of the wrong type is described, by pydantic error type.
WANTED = {
    "float_type": "a finite number", "float_parsing": "a finite number",
    "finite_number": "a finite number", "int_type": "a whole number",
    "int_parsing": "a whole number", "string_type": "a string (in quotes)",
    "bool_type": "true or false", "bool_parsing": "true or false",
    "list_type": "an array", "dict_type": "a table", "model_type": "a table",
    "model_attributes_type": "a table",
}


def error_message(err: Mapping[str, Any]) -> str:
    """What one pydantic error asks for, and the value given: ``must be in [0, 1], got 1.4``."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    given = show_value(err.get("input"))
    if kind == "missing":
        return "missing required field"
    if kind == "extra_forbidden":
        return f"unknown field (got {given})"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}, got {given}"
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        bounds = _bounds(tuple(err["loc"]))
        if bounds:
            return f"must be in {bounds}, got {given}"
        return f"{err['msg'].lower()}, got {given}"
    if kind == "string_pattern_mismatch":
        return f"must match {ctx.get('pattern')}, got {given}"
    if kind in WANTED:
        wanted = WANTED[kind]
        bounds = _bounds(tuple(err["loc"])) if wanted == "a finite number" else ""
        return f"must be {wanted}{' in ' + bounds if bounds else ''}, got {given}"
    msg = str(err["msg"])
    return msg.removeprefix("Value error, ")


def _bounds(loc: tuple[int | str, ...]) -> str:
    """The declared interval of a numeric scenario field, e.g. ``[0, 1]`` or ``(0, 1e+06]``."""
    from revexport.scenario.schema import StateSpec

    model: type[BaseModel] = Scenario
    if len(loc) == 3 and loc[0] == "states":
        model = StateSpec
    name = loc[-1]
    if len(loc) == 2 and loc[0] == "parameters":
        specs = {s.name: s for s in Parameters.specs()}
        if isinstance(name, str) and name in specs:
            return f"[{specs[name].low:g}, {specs[name].high:g}]"
        return ""
    return field_interval(model, name)


def field_interval(model: type[BaseModel], name: int | str) -> str:
    """The interval declared on field ``name`` of ``model`` (``""`` if none)."""
    from annotated_types import Ge, Gt, Le, Lt

    if not isinstance(name, str) or name not in model.model_fields:
        return ""
    lo, hi, lo_open, hi_open = "-inf", "inf", True, True
    found = False
    for m in model.model_fields[name].metadata:
        if isinstance(m, Ge):
            lo, lo_open = f"{m.ge:g}", False
        elif isinstance(m, Gt):
            lo, lo_open = f"{m.gt:g}", True
        elif isinstance(m, Le):
            hi, hi_open = f"{m.le:g}", False
        elif isinstance(m, Lt):
            hi, hi_open = f"{m.lt:g}", True
        else:
            continue
        found = True
    if not found:
        return ""
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
        raise RevexportError(f"{origin}: {field_path(tuple(first['loc']))}: {error_message(first)}") from None
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
    _check_pairs([(nb.a, nb.b) for nb in sc.neighbours], "neighbours", known,
                 "a state cannot neighbour itself", origin, shown)
    names = sorted(set(doctrine_names()) | set(sc.doctrines))
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
    for i, code in enumerate(sc.coalition_group):
        if code not in known:
            raise RevexportError(
                f"{origin}: coalition_group[{i}]: unknown state '{code}' (states are {shown})")
        if code in sc.coalition_group[:i]:
            raise RevexportError(f"{origin}: coalition_group[{i}]: '{code}' listed twice")
    for bloc in ("West", "East"):
        n = sum(1 for s in sc.states if s.superpower == bloc)
        if n > 1:
            raise RevexportError(f"{origin}: states: more than one superpower '{bloc}'")
    _check_events(sc, origin, shown)
    _check_rivalries(sc, origin, shown)
    _check_outside_rivalries(sc, origin, shown)
    _check_civil_wars(sc, origin, shown)
    Parameters().with_overrides(sc.parameters, origin=f"{origin}: parameters")


def _check_events(sc: Scenario, origin: str, shown: str) -> None:
    """Each event not before the run's start, on a state of the scenario that can be occupied, by a
    superpower of the scenario or another state; a state's occupations and withdrawals
    alternate in time."""
    by_code = {s.iso3: s for s in sc.states}
    exporting = {ex.state for ex in sc.exporters}
    blocs = [s.superpower for s in sc.states if s.superpower is not None]
    present = "{" + ", ".join(f"'{b}'" for b in sorted(blocs)) + "}"
    for i, ev in enumerate(sc.events):
        where = f"{origin}: events[{i}]"
        # An event after the end is kept and never happens (a run cut short keeps its data);
        # one before the start would describe a world the scenario's states do not show.
        if sc.step_of_month(ev.month) < 0:
            raise RevexportError(f"{where}.month: must not come before the run's start, "
                                 f"{sc.start}, got '{ev.month}'")
        state = by_code.get(ev.state)
        if state is None:
            raise RevexportError(f"{where}.state: unknown state '{ev.state}' (states are {shown})")
        if state.superpower is not None:
            raise RevexportError(f"{where}.state: '{ev.state}' is a superpower and cannot be "
                                 f"occupied")
        if ev.state in exporting:
            raise RevexportError(f"{where}.state: '{ev.state}' exports at the start and cannot be "
                                 f"occupied")
        if ev.by in ("West", "East"):
            if ev.by not in blocs:
                raise RevexportError(f"{where}.by: must be a superpower of the scenario, one of "
                                     f"{present}, or a state's code, got '{ev.by}'")
        elif ev.by not in by_code or ev.by == ev.state:
            raise RevexportError(f"{where}.by: must be 'West', 'East' or the code of another "
                                 f"state of the scenario (states are {shown}), got '{ev.by}'")
    # In time order (events of one month in the order written): no second occupier, and a
    # withdrawal only of the superpower that occupies the state.
    occupier: dict[str, tuple[str, str]] = {}
    for i in sorted(range(len(sc.events)), key=lambda k: sc.events[k].month):
        ev = sc.events[i]
        held = occupier.get(ev.state)
        if ev.kind == "occupation":
            if held is not None:
                raise RevexportError(f"{origin}: events[{i}]: '{ev.state}' is already occupied by "
                                     f"{held[0]} since {held[1]} (a withdrawal must come first)")
            occupier[ev.state] = (ev.by, ev.month)
        elif held is None or held[0] != ev.by:
            raise RevexportError(f"{origin}: events[{i}]: withdrawal of {ev.by} from '{ev.state}', "
                                 f"which {ev.by} does not occupy in {ev.month}")
        else:
            del occupier[ev.state]


def _check_pairs(pairs: list[tuple[str, str]], field: str, known: set[str], itself: str,
                 origin: str, shown: str) -> None:
    """Unordered pairs of states (neighbours, rivals): both in the scenario, different, and
    each pair listed once; ``itself`` is the message for a state paired with itself."""
    seen: set[tuple[str, str]] = set()
    for i, pair in enumerate(pairs):
        for end, code in zip(("a", "b"), pair, strict=True):
            if code not in known:
                raise RevexportError(
                    f"{origin}: {field}[{i}].{end}: unknown state '{code}' (states are {shown})")
        if pair[0] == pair[1]:
            raise RevexportError(f"{origin}: {field}[{i}]: {itself}")
        key = (min(pair), max(pair))
        if key in seen:
            raise RevexportError(f"{origin}: {field}[{i}]: pair {key[0]}-{key[1]} listed twice")
        seen.add(key)


def _check_rivalries(sc: Scenario, origin: str, shown: str) -> None:
    """Each rivalry between two different states of the scenario, neither a superpower (the
    superpowers' rivalry is their blocs), each pair listed once."""
    _check_pairs([(rv.a, rv.b) for rv in sc.rivalries], "rivalries", set(sc.iso3),
                 "a state cannot be its own rival", origin, shown)
    superpowers = {s.iso3 for s in sc.states if s.superpower is not None}
    for i, rv in enumerate(sc.rivalries):
        for end, code in (("a", rv.a), ("b", rv.b)):
            _refuse_superpower(code, superpowers, f"{origin}: rivalries[{i}].{end}")


def _refuse_superpower(code: str, superpowers: set[str], where: str) -> None:
    """A superpower is no one's strategic rival in the scenario: their rivalry is the blocs."""
    if code in superpowers:
        raise RevexportError(f"{where}: '{code}' is a superpower (the superpowers' rivalry is "
                             f"their blocs); rivals must be other states")


def _check_outside_rivalries(sc: Scenario, origin: str, shown: str) -> None:
    """Each rivalry with an outside state: ``state`` in the scenario and not a superpower,
    ``rival`` not a state of the scenario (a rivalry between two of its states is a
    ``rivalries`` entry), each pair listed once."""
    known = set(sc.iso3)
    superpowers = {s.iso3 for s in sc.states if s.superpower is not None}
    seen: set[tuple[str, str]] = set()
    for i, rv in enumerate(sc.outside_rivalries):
        where = f"{origin}: outside_rivalries[{i}]"
        if rv.state not in known:
            raise RevexportError(f"{where}.state: unknown state '{rv.state}' (states are {shown})")
        _refuse_superpower(rv.state, superpowers, f"{where}.state")
        if rv.rival in known:
            raise RevexportError(f"{where}.rival: '{rv.rival}' is a state of the scenario (list "
                                 f"a rivalry between two of its states under rivalries)")
        if (rv.state, rv.rival) in seen:
            raise RevexportError(f"{where}: pair {rv.state}-{rv.rival} listed twice")
        seen.add((rv.state, rv.rival))


def _check_civil_wars(sc: Scenario, origin: str, shown: str) -> None:
    """Each civil war in a state of the scenario that is not a superpower; a state's civil wars
    do not overlap."""
    known = set(sc.iso3)
    superpowers = {s.iso3 for s in sc.states if s.superpower is not None}
    for i, cw in enumerate(sc.civil_wars):
        where = f"{origin}: civil_wars[{i}]"
        if cw.state not in known:
            raise RevexportError(f"{where}.state: unknown state '{cw.state}' (states are {shown})")
        if cw.state in superpowers:
            raise RevexportError(f"{where}.state: '{cw.state}' is a superpower (the model gives "
                                 "superpowers no internal front); civil wars must be in other "
                                 "states")
        start = sc.step_of_month(cw.start)
        end = None if cw.end is None else sc.step_of_month(cw.end)
        for j, other in enumerate(sc.civil_wars[:i]):
            if other.state != cw.state:
                continue
            o_start = sc.step_of_month(other.start)
            o_end = None if other.end is None else sc.step_of_month(other.end)
            if (o_end is None or start <= o_end) and (end is None or o_start <= end):
                raise RevexportError(f"{where}: overlaps civil_wars[{j}] of {cw.state} (a state's "
                                     "civil wars must not overlap)")


#: Largest scenario or doctrine file read (bytes).
MAX_FILE_BYTES = 64 * 2**20


def read_toml_file(path: Path, missing: str) -> dict[str, Any]:
    """Read a TOML file, turning every read or parse problem into one line.

    Parameters
    ----------
    path : Path
        The file.
    missing : str
        Message (after the path) when the file does not exist.

    Returns
    -------
    dict
        The parsed TOML.

    Raises
    ------
    RevexportError
        Missing, a directory, unreadable, too large, not UTF-8 text, or malformed
        TOML (including integers too long to convert and nesting too deep to parse);
        the message starts with the file name. A UTF-8 byte-order mark is accepted.
    """
    origin = path.name or str(path)
    try:
        if path.is_dir():
            raise RevexportError(f"{path}: is a directory, not a TOML file")
        if not stat.S_ISREG(path.stat().st_mode):  # a device or pipe may never end
            raise RevexportError(f"{path}: not a regular file")
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise RevexportError(f"{origin}: file too large (more than {MAX_FILE_BYTES} bytes)")
    except FileNotFoundError:
        raise RevexportError(f"{path}: {missing}") from None
    except OSError as exc:
        raise RevexportError(f"{path}: cannot read ({exc.strerror or type(exc).__name__})") from None
    if b"\0" in raw:
        raise RevexportError(f"{origin}: not a text file (contains NUL bytes); expected UTF-8 TOML")
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise RevexportError(f"{origin}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset "
                             f"{exc.start}); expected UTF-8 TOML") from None
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise RevexportError(f"{origin}: malformed TOML: arrays or tables nested too deeply"
                             ) from None
    except tomllib.TOMLDecodeError as exc:
        raise RevexportError(f"{origin}: malformed TOML: {exc}") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise RevexportError(f"{origin}: malformed TOML: a value cannot be read: "
                             f"{str(exc).split(';')[0]}") from None
