"""Civil wars as scenario data, and the front they open: a government fighting an armed
opposition at home holds part of its power there and weighs the exporters' threat less
(``docs/odd.md`` 7.4; the data, ``docs/data.md`` §5c)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import assert_scenario_refused, reloaded, without_source
from revexport.codes import NONALIGNED
from revexport.engine.state import Static
from revexport.scenario import load_scenario, scenario_to_toml

SCENARIO = load_scenario("middle-east-1979")


def test_builtin_civil_wars_are_shipped_sourced_and_dated() -> None:
    wars = SCENARIO.civil_wars
    assert len(wars) == 8
    assert all("UCDP/PRIO Armed Conflict Dataset v20.1" in w.source for w in wars)
    assert not {"USA", "SUN"} & {w.state for w in wars}
    table = Static.from_scenario(SCENARIO, 0).arrays.civil_war
    idx = {c: i for i, c in enumerate(SCENARIO.iso3)}
    assert table.shape == (SCENARIO.n_steps, len(SCENARIO.states))
    assert table[:, idx["AFG"]].all()  # from 1978-04, before the run, to beyond it
    sudan = np.flatnonzero(table[:, idx["SDN"]])
    assert sudan[0] == SCENARIO.step_of_month("1983-05") and sudan[-1] == SCENARIO.n_steps - 1
    syria = np.flatnonzero(table[:, idx["SYR"]])
    assert list(syria) == [SCENARIO.step_of_month("1982-01"), SCENARIO.step_of_month("1982-02")]
    assert table[:, idx["IRQ"]].sum() == 12 and table[:, idx["YPR"]].sum() == 1
    assert not table[:, [idx[c] for c in ("SAU", "KWT", "BHR", "QAT", "ARE", "OMN", "PAK")]].any()


def _struck(make_world, civil_war: bool) -> float:
    """Share of replicates in which IRQ, non-aligned, strikes an exporter 0.8 times as strong
    as itself, threat high; with ``civil_war``, the scenario has it at civil war this month."""
    static, world, block = make_world(n=2000, strike_hazard=0.5, strike_front_commitment=0.6,
                                      strike_window_threshold=0.5, strike_margin_width=0.005)
    s, x = static.codes.index("IRQ"), static.initial_exporters[0]
    static.arrays.civil_war[:, s] = civil_war
    world.intent[:, 0, :] = 1.0
    world.aid[:, [s, x]] = 0.0
    own = world.capability[0, s] * world.cohesion[0, s]
    world.capability[:, x] = 0.8 * own / world.cohesion[:, x]
    world.alignment[:, s] = NONALIGNED
    block.phase("responses")
    return float(world.war[:, 0, s].mean())


def test_a_civil_war_holds_power_back_from_a_first_strike(make_world) -> None:
    """Against an exporter a little weaker than itself a state strikes, unless it keeps part of
    its power for a civil war at home."""
    assert _struck(make_world, civil_war=False) > 0.2
    assert _struck(make_world, civil_war=True) == 0.0


def test_a_state_at_civil_war_balances_less(make_world) -> None:
    def joined(civil_war: bool) -> float:
        static, world, block = make_world(n=2000, coalition_front_restraint=0.9,
                                          coalition_margin_width=0.005, coalition_join_rate=0.5)
        s = static.codes.index("IRQ")
        static.arrays.civil_war[:, s] = civil_war
        world.alignment[:, s] = NONALIGNED  # no patron's restraint
        world.intent[:, 0, :] = 1.0
        for _ in range(6):
            block.phase("responses")
        return float(world.coalition[:, s].mean())

    at_peace, at_war = joined(False), joined(True)
    assert at_peace > 0.9 and at_war < 0.1


# -- the scenario format --------------------------------------------------------------------

BASE = scenario_to_toml(SCENARIO)
FIRST = '[[civil_wars]]\nstate = "AFG"\nstart = "1978-04"\n'
CASES: dict[str, tuple[str, str]] = {
    "unknown": (FIRST.replace('"AFG"', '"XYZ"'),
                "civil_wars[0].state: unknown state 'XYZ' (states are IRN, IRQ"),
    "superpower": (FIRST.replace('"AFG"', '"SUN"'),
                   "civil_wars[0].state: 'SUN' is a superpower (the model gives superpowers no "
                   "internal front); civil wars must be in other states"),
    "overlap": (FIRST.replace('"AFG"', '"SDN"'),
                "civil_wars[6]: overlaps civil_wars[0] of SDN (a state's civil wars must not "
                "overlap)"),
    "backwards": (FIRST.replace('start = "1978-04"\n', 'start = "1978-04"\nend = "1977-12"\n'),
                  "civil_wars[0].end: must not come before start (1978-04), got '1977-12'"),
    "month": (FIRST.replace('"1978-04"', '"1978"'),
              "civil_wars[0].start: must be a month written YYYY-MM, got '1978'"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_civil_wars_give_one_line_errors(tmp_path: Path, case: str) -> None:
    replacement, expected = CASES[case]
    assert BASE.count(FIRST) == 1
    assert_scenario_refused(tmp_path, case, BASE.replace(FIRST, replacement), expected)


def test_a_civil_war_without_a_source_is_refused(tmp_path: Path) -> None:
    assert_scenario_refused(tmp_path, "nosource", without_source(BASE, FIRST),
                            "civil_wars[0].source: must name the source of the civil war")


def test_civil_wars_survive_the_toml_round_trip(tmp_path: Path) -> None:
    again = reloaded(tmp_path, BASE)
    assert again.civil_wars == SCENARIO.civil_wars
    assert any(w.end is None for w in again.civil_wars)
