"""Hostile scenario files never produce a traceback: they load, or fail with one line."""

from __future__ import annotations

import copy
import string

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


@st.composite
def mutated(draw: st.DrawFn) -> dict:
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(["top", "state", "neighbour", "exporter", "parameters"]))
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
