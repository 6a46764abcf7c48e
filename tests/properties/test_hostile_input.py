"""Hostile scenario files never produce a traceback: they load (and run), or fail with one line."""

from __future__ import annotations

import copy
import functools
import json
import re
import string
import tempfile
import time
import tomllib
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import assert_one_line_error, invoke
from revexport.errors import RevexportError
from revexport.scenario import load_scenario
from revexport.scenario.load import load_toml

BASE = load_scenario("synthetic:8:1").model_dump(exclude_none=True)
junk = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
    st.text(string.printable, max_size=12), st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(string.ascii_letters, min_size=1, max_size=5), st.integers(),
                    max_size=2),
)


def _some_copies(draw: st.DrawFn, table: dict) -> list[dict]:
    """One or two copies of a scenario table, maybe with one of its fields left out."""
    if draw(st.booleans()):
        table.pop(draw(st.sampled_from(sorted(table))))
    return [table] * draw(st.integers(1, 2))


@st.composite
def mutated(draw: st.DrawFn) -> dict:
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(["top", "state", "neighbour", "exporter", "parameters",
                                      "rivalry", "outside rivalry", "civil war"]))
        value = draw(junk)
        if where == "top":
            key = draw(st.sampled_from([*BASE, "bogus"]))
            if draw(st.booleans()):
                data.pop(key, None)
            else:
                data[key] = value
        elif where == "state" and isinstance(data.get("states"), list) and data["states"]:
            row = data["states"][draw(st.integers(0, len(data["states"]) - 1))]
            if not isinstance(row, dict):
                continue
            key = draw(st.sampled_from([*row, "bogus"]))
            if draw(st.booleans()):
                row.pop(key, None)
            else:
                row[key] = value
        elif where == "neighbour" and isinstance(data.get("neighbours"), list) and data["neighbours"]:
            nb = data["neighbours"][draw(st.integers(0, len(data["neighbours"]) - 1))]
            if isinstance(nb, dict):
                nb[draw(st.sampled_from(["a", "b", "type"]))] = value
        elif where == "exporter":
            data["exporters"] = [{"state": draw(junk), "doctrine": draw(junk)}]
        elif where == "parameters":
            data["parameters"] = {draw(st.sampled_from(["strike_hazard", "nope"])): value}
        elif where == "rivalry":
            codes = [row.get("iso3") for row in BASE["states"]]
            code = st.one_of(st.sampled_from(codes), junk)
            month = st.one_of(st.sampled_from(["1950-01", "1979-02", "1985-06", "2030-12"]), junk)
            rivalry = {"a": draw(code), "b": draw(code), "start": draw(month), "end": draw(month),
                       "source": draw(st.one_of(st.just("a source"), junk))}
            data["rivalries"] = _some_copies(draw, rivalry)
        elif where == "outside rivalry":
            codes = [row.get("iso3") for row in BASE["states"]]
            outside = {"state": draw(st.one_of(st.sampled_from(codes), junk)),
                       "rival": draw(st.one_of(st.sampled_from(["IND", *codes]), junk)),
                       "capability": draw(st.one_of(st.floats(-1.0, 200.0), junk)),
                       "contact": draw(st.one_of(st.sampled_from(["land", "sea", "two-hop", "far",
                                                                   "air"]), junk)),
                       "start": draw(st.one_of(st.just("1947-01"), junk)),
                       "source": draw(st.one_of(st.just("a source"), junk))}
            data["outside_rivalries"] = _some_copies(draw, outside)
        elif where == "civil war":
            codes = [row.get("iso3") for row in BASE["states"]]
            month = st.one_of(st.sampled_from(["1950-01", "1979-02", "1985-06", "2030-12"]), junk)
            civil_war = {"state": draw(st.one_of(st.sampled_from([*codes, "XYZ"]), junk)),
                         "start": draw(month), "end": draw(month),
                         "source": draw(st.one_of(st.just("a source"), junk))}
            data["civil_wars"] = _some_copies(draw, civil_war)
    return data


def _clean(obj):  # TOML has no null
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list):
        return [_clean(v) for v in obj if v is not None]
    return obj


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mutated())
def test_mutated_scenarios_load_or_fail_with_one_line(tmp_path_factory, data) -> None:
    path = tmp_path_factory.mktemp("hostile") / "hostile.toml"
    try:
        path.write_text(tomli_w.dumps(_clean(data)))
    except (TypeError, ValueError):
        return  # not representable as TOML
    try:
        load_toml(path)
    except RevexportError as exc:
        message = str(exc)
        assert message.startswith("hostile.toml: ")
        assert "\n" not in message


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=200))
def test_arbitrary_text_is_malformed_toml_or_a_clear_error(tmp_path_factory, text) -> None:
    path = tmp_path_factory.mktemp("text") / "junk.toml"
    path.write_text(text, encoding="utf-8")
    try:
        load_toml(path)
    except RevexportError as exc:
        assert str(exc).startswith("junk.toml: ") and "\n" not in str(exc)


# ---------------------------------------------------------------------------------------------
# The whole command line, in-process: scenario files made by mutating the built-in scenario as
# `revexport export-scenario` writes it. Every file either runs (finite outputs) or is refused
# with one line, exit status 2 and no traceback.

SPAN = ("1979-02", "1979-07")  # six months keep each run short
MONTHS = st.sampled_from(["1979-02", "1979-03", "1979-07", "1990-12", "2279-01", "4800-01",
                          "0000-01", "1979-13", "1979-2", "79-02", "", "1979-02-01"])
REGIMES = st.sampled_from(["monarchy", "democracy", "theocratic", "aligned-revolutionary",
                           "caliphate", "Monarchy", "", "[/]"])
WEIRD = st.one_of(
    st.none(),  # None: the field is removed
    st.booleans(),
    st.integers(-10**6, 10**6),
    st.sampled_from([2**63, -(2**63), 10**30, 2**1000, 0, -1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 5e-324, 1e-300, 0.0, -0.0, 1e5, 1e6, 1e7, 100.0, 101.0]),
    st.text(max_size=12),
    st.sampled_from(["12", "0.5", "true", "inf", "nan", "", "IRN", "XYZ", "[/]", "[bold]x",
                     ":smile:", "\x1b[31m", "militant"]),
    st.lists(st.integers(-3, 3), max_size=3),
    st.lists(st.lists(st.integers(0, 1), max_size=2), max_size=2),
    st.dictionaries(st.text(string.ascii_letters, min_size=1, max_size=5), st.integers(),
                    max_size=2),
)
#: In range but extreme: the values a valid scenario may hold at the edges of its ranges.
EDGES = {
    "population": st.sampled_from([5e-324, 1e-300, 1e-6, 0.01, 1e5]),
    "gdp": st.sampled_from([5e-324, 1e-300, 1e-6, 1e6]),
    "capability": st.sampled_from([0.0, 5e-324, 1e-9, 100.0, 0]),
    **{k: st.sampled_from([0.0, 1.0, 0, 1, 5e-324, 1 - 1e-16])
       for k in ("legitimacy", "grievance", "repression", "affinity", "movement")},
}
DEEP = "[" * 50_000 + "]" * 50_000


@functools.cache
def _base_scenario() -> dict:
    """The built-in scenario exported by the command line, shortened to six months."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "base.toml"
        result = invoke("export-scenario", "middle-east-1979", str(path))
        assert result.exit_code == 0, result.output
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    data["start"], data["end"] = SPAN
    return data


@st.composite
def hostile_scenarios(draw: st.DrawFn) -> tuple[str, bytes]:
    """(what was done, file content): a mutated scenario, then maybe mangled as bytes."""
    data = copy.deepcopy(_base_scenario())
    done = []
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.sampled_from(["top", "state", "edge", "regime", "neighbour", "exporter",
                                      "parameters", "months", "states-list"]))
        states = data.get("states")
        row = (draw(st.sampled_from(states)) if isinstance(states, list) and states
               and isinstance(states[0], dict) else None)
        if where == "top":
            key = draw(st.sampled_from([*_base_scenario(), "bogus", "doctrines"]))
            data[key] = draw(WEIRD)
            done.append(f"top.{key}")
        elif where == "state" and row is not None:
            key = draw(st.sampled_from([*row, "superpower", "bogus"]))
            row[key] = draw(WEIRD)
            done.append(f"state.{key}")
        elif where == "edge" and row is not None:
            key = draw(st.sampled_from(sorted(EDGES)))
            row[key] = draw(EDGES[key])
            done.append(f"edge.{key}")
        elif where == "regime" and row is not None:
            row[draw(st.sampled_from(["regime", "alignment", "superpower"]))] = draw(REGIMES)
            done.append("regime")
        elif (where == "neighbour" and isinstance(data.get("neighbours"), list)
              and data["neighbours"]):  # an earlier mutation may have made it anything
            nb = draw(st.sampled_from(data["neighbours"]))
            if isinstance(nb, dict):
                nb[draw(st.sampled_from(["a", "b", "type", "bogus"]))] = draw(WEIRD | REGIMES)
            done.append("neighbour")
        elif where == "exporter":
            data["exporters"] = draw(st.sampled_from([
                [{"state": draw(WEIRD), "doctrine": draw(WEIRD)}], [], [{"state": "IRN"}],
                [{"state": "IRN", "doctrine": "militant"}, {"state": "IRQ"}],
                [{"state": "USA"}], [{"state": "IRN"}, {"state": "IRN"}]]))
            done.append("exporters")
        elif where == "parameters":
            name = draw(st.sampled_from(["strike_hazard", "nope", "coalition_min_members"]))
            data["parameters"] = {name: draw(WEIRD)}
            done.append(f"parameters.{name}")
        elif where == "months":
            data[draw(st.sampled_from(["start", "end"]))] = draw(MONTHS)
            done.append("months")
        elif where == "states-list" and isinstance(states, list):
            k = draw(st.integers(0, 3))
            data["states"] = (states[:k] if draw(st.booleans()) else states + states[:k])
            done.append("states-list")
    try:
        text = tomli_w.dumps(_clean(data))
    except (TypeError, ValueError):  # not representable as TOML (e.g. NaN keys); write it raw
        text = str(data)
        done.append("repr")
    raw = text.encode("utf-8")
    mangle = draw(st.sampled_from(["none"] * 6 + ["bom", "garbage", "truncate", "digits", "deep",
                                                  "nul", "latin1", "binary"]))
    done.append(mangle)
    at = draw(st.integers(0, len(raw)))
    if mangle == "bom":
        raw = b"\xef\xbb\xbf" + raw
    elif mangle == "garbage":
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    elif mangle == "truncate":
        raw = raw[:at]
    elif mangle == "digits":
        raw = raw.replace(b"population = 37.24", b"population = " + b"7" * 5001, 1)
    elif mangle == "deep":
        raw = raw.replace(b"capability = 13.7", b"capability = " + DEEP.encode(), 1)
    elif mangle == "nul":
        raw = raw[:at] + b"\0" + raw[at:]
    elif mangle == "latin1":
        raw = raw.replace(b'name = "Iraq"', 'name = "Irâq"'.encode("latin-1"), 1)
    elif mangle == "binary":
        raw = draw(st.binary(max_size=300))
    return " ".join(done), raw


def _finite_outputs(run_dir: Path) -> None:
    """Every stored metric is finite.

    NaN is allowed only where it means "not applicable": the step and length of an event that
    never happened, and the faction weights under a doctrine without factions.
    """
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    for table in ("replicates", "steps"):
        df = pd.concat([pd.read_parquet(p) for p in sorted((run_dir / table).glob("*.parquet"))])
        numbers = df.select_dtypes("number")
        numbers = numbers[[c for c in numbers if not c.endswith(("_step", "_length"))
                           and not c.startswith("faction_")]]
        bad = [c for c in numbers if not np.isfinite(numbers[c].to_numpy(dtype=float)).all()]
        assert not bad, f"{table}: not finite: {bad}"


def test_hostile_scenario_files_through_the_command_line(tmp_path_factory) -> None:
    """Mutated scenario files run with finite outputs, or fail with one line (exit 2)."""
    outcomes: Counter[str] = Counter()
    started = time.perf_counter()
    _base_scenario()  # exported once, outside the strategies

    @settings(max_examples=300, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=hostile_scenarios(), seed=st.sampled_from([0, 1, 2**63 - 1]))
    def check(case: tuple[str, bytes], seed: int) -> None:
        what, raw = case
        work = tmp_path_factory.mktemp("cli")
        path = work / "hostile.toml"
        path.write_bytes(raw)
        result = invoke("run", str(path), "-r", "2", "--no-movement", "--seed", str(seed),
                        "-o", str(work / "runs"))
        if result.exit_code == 0:
            (run_dir,) = [p for p in (work / "runs").iterdir() if p.is_dir()]
            _finite_outputs(run_dir)
            outcomes["ran"] += 1
            outcomes["ran with edge values"] += "edge." in what
            return
        line = assert_one_line_error(result, "error: hostile.toml: ")
        assert not (work / "runs").exists() or not any(
            p.is_dir() for p in (work / "runs").iterdir()), f"{what}: a run was started: {line}"
        field = re.split(r"[:;(\[]", line.removeprefix("error: hostile.toml: "))[0].strip()
        outcomes[f"error {field}"] += 1

    check()
    total = sum(v for k, v in outcomes.items() if k == "ran" or k.startswith("error "))
    print(f"\nhostile scenario files: {total} cases in {time.perf_counter() - started:.1f} s: "
          f"{outcomes['ran']} ran ({outcomes['ran with edge values']} with values at the edges of "
          "their ranges); refused in one line: "
          + ", ".join(f"{k.removeprefix('error ')} {v}" for k, v in outcomes.most_common()
                      if k.startswith("error ")))
    assert total >= 100 and outcomes["ran"] >= 5
