"""Strategic rivalries as scenario data, and the balancing rule that reads them: a state
balances against the greatest threat, so one whose rival threatens it more than the exporters
weighs the exporters' threat less (the enemy of an exporter's enemy does not join against it).
A rival outside the scenario weighs the same way, its power fixed at the data's."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from conftest import assert_scenario_refused, reloaded, without_source
from revexport.codes import CONTACT_LAND, CONTACT_SEA, EAST, STARTED_BY_STATE, WEST
from revexport.engine import cells
from revexport.engine.state import Static
from revexport.scenario import load_scenario, scenario_to_toml

SCENARIO = load_scenario("middle-east-1979")


# -- the built-in data ----------------------------------------------------------------------


def test_builtin_rivalries_are_shipped_sourced_and_symmetric() -> None:
    pairs = {(min(r.a, r.b), max(r.a, r.b)) for r in SCENARIO.rivalries}
    assert len(pairs) == len(SCENARIO.rivalries) == 24
    assert {("IRQ", "SYR"), ("IRQ", "KWT"), ("IRQ", "SAU"), ("OMN", "YPR"), ("YAR", "YPR"),
            ("BHR", "QAT"), ("AFG", "PAK"), ("ISR", "SYR")} <= pairs
    assert all("Thompson, Sakuwa & Suzuki 2021" in r.source for r in SCENARIO.rivalries)
    assert not {"USA", "SUN"} & {c for p in pairs for c in p}  # the superpowers' rivalry is their blocs
    st = Static.from_scenario(SCENARIO, 0).arrays
    idx = {c: i for i, c in enumerate(SCENARIO.iso3)}
    entries = {(a, int(st.rival_idx[k])): k for a in range(len(idx))
               for k in range(st.rival_ptr[a], st.rival_ptr[a + 1]) if st.rival_idx[k] >= 0}
    assert len(entries) == 2 * len(pairs)
    for a, b in pairs:
        k, back = entries[idx[a], idx[b]], entries[idx[b], idx[a]]
        assert st.rival_contact[k] == st.rival_contact[back]
        assert (st.rival_first[k], st.rival_last[k]) == (st.rival_first[back], st.rival_last[back])
    iraq_syria = entries[idx["IRQ"], idx["SYR"]]
    assert st.rival_contact[iraq_syria] == CONTACT_LAND and st.rival_first[iraq_syria] < 0
    bahrain_qatar = entries[idx["BHR"], idx["QAT"]]
    assert st.rival_contact[bahrain_qatar] == CONTACT_SEA
    assert st.rival_first[bahrain_qatar] == SCENARIO.step_of_month("1986-01")
    oman_yemen = entries[idx["OMN"], idx["YPR"]]
    assert st.rival_last[oman_yemen] == SCENARIO.step_of_month("1982-12")


def test_builtin_outside_rivalries_are_shipped_sourced_and_fixed() -> None:
    out = SCENARIO.outside_rivalries
    assert len(out) == 10 and len({(r.state, r.rival) for r in out}) == 10
    assert not {r.rival for r in out} & set(SCENARIO.iso3)
    assert all("Thompson, Sakuwa & Suzuki 2021" in r.source and "COW NMC" in r.source
               for r in out)
    st = Static.from_scenario(SCENARIO, 0).arrays
    pak = SCENARIO.iso3.index("PAK")
    india = [k for k in range(st.rival_ptr[pak], st.rival_ptr[pak + 1]) if st.rival_idx[k] < 0]
    assert len(india) == 1
    (k,) = india
    # India's 1979 CINC 0.0528 against Pakistan's 0.0097: five times its capability, by land.
    assert st.rival_power[k] == pytest.approx(5.28225)
    assert st.rival_power[k] > 5 * st.capability0[pak]
    assert st.rival_contact[k] == CONTACT_LAND and st.rival_first[k] < 0
    assert (st.rival_power[st.rival_idx >= 0] == 0.0).all()
    liberia = next(r for r in out if r.rival == "LBR")
    assert (liberia.state, liberia.contact, liberia.start) == ("LBY", "far", "1989-01")


def test_contact_proximity_is_the_exporters_proximity_of_the_class() -> None:
    from revexport.params import Parameters

    q = Parameters().table(1)[0]
    assert [cells.contact_proximity(q, c) for c in range(4)] == [
        1.0, q.proximity_sea, q.proximity_two_hop, q.proximity_far]


# -- the rule --------------------------------------------------------------------------------


def _rival_world(make_world, state: str, rival: str | None, intent: float, n: int = 800,
                 **overrides: float):
    """A block in which ``state`` reads the exporter's ``intent`` and, in the first half of the
    replicates, its ``rival`` is overwhelmingly strong and fully hostile, in the second barely
    hostile (``rival`` None: its rivals keep their power, only their hostility differs).
    Returns the block, the state's row, the first half's rows and the exporter's threat to the
    state."""
    static, world, block = make_world(n=n, **overrides)
    s = static.codes.index(state)
    world.intent[:, 0, :] = 0.0
    world.intent[:, 0, s] = intent
    strong = np.arange(n) < n // 2
    block.par.rival_hostility[strong] = 1.0
    block.par.rival_hostility[~strong] = 0.2
    if rival is not None:
        world.capability[strong, static.codes.index(rival)] *= 1000.0
    q = block.par[0]
    pw = world.capability * world.cohesion + world.aid
    x = static.initial_exporters[0]
    vuln = cells.vulnerability(q, world.regime[0, s], world.movement[0, s], static.affinity[s],
                               static.grievance[s])
    return block, s, strong, cells.threat(q, intent, world.proximity[0, 0, s], pw[0, x],
                                          pw[0, s], vuln)


def _balancing(make_world, state: str, rival: str | None, step: int, intent: float = 1.0):
    """Who joins after one responses phase of :func:`_rival_world`, the threat over a low join
    threshold; with the first half's rows and the exporter's threat."""
    block, s, strong, exporter = _rival_world(
        make_world, state, rival, intent, coalition_join_rate=0.5, coalition_bandwagon=0.0,
        coalition_margin_width=0.005, coalition_bloc_restraint=0.0, coalition_join_threshold=0.1,
        coalition_front_restraint=1.0, coalition_leadership=0.0)
    block.world.superpower_sanction[:, [WEST, EAST]] = True
    block.phase("responses", step)
    return block.world.coalition[:, s], strong, exporter


def test_a_state_whose_rival_threatens_it_more_does_not_balance_the_exporter(make_world) -> None:
    """Syria, whose rival Iraq is overwhelmingly strong and fully hostile (threat 1 - w of its
    power share, over the exporter's), weighs the exporter's threat at (1 - 1) and never joins;
    with a barely hostile rival it joins at the join rate."""
    joined, strong, exporter = _balancing(make_world, "SYR", "IRQ", 0)
    assert 0.1 + 0.03 < exporter < 0.4 - 0.03  # both margins many widths wide
    assert not joined[strong].any()
    p = 0.5 * cells.logistic(exporter - 0.1, 0.005)
    assert abs(joined[~strong].mean() - p) < 4 * math.sqrt(p * (1 - p) / (~strong).sum())


def test_a_rivalry_weighs_only_in_its_years(make_world) -> None:
    """Qatar's rivalry with Bahrain begins in January 1986: in the month before, Qatar's
    balancing ignores Bahrain however strong; from that month, with the exporter's threat below
    the threat of an overwhelming Bahrain across the sea (1 - w of proximity_sea), it does not
    join."""
    begins = SCENARIO.step_of_month("1986-01")
    before, strong, exporter = _balancing(make_world, "QAT", "BHR", begins - 1, intent=0.3)
    assert 0.1 + 0.03 < exporter < 0.4 * 0.6 - 0.03
    assert before[strong].mean() > 0.3
    after, strong, _ = _balancing(make_world, "QAT", "BHR", begins, intent=0.3)
    assert not after[strong].any()


def test_a_rival_outside_the_scenario_weighs_as_one_inside(make_world) -> None:
    """Pakistan's rival India is not simulated: its threat is the data's power (five times
    Pakistan's, by land) with the rival's hostility. Fully hostile (threat 1 - w of its power
    share, over the exporter's), it keeps Pakistan out of the coalition; barely hostile, below
    the exporter's threat, it does not."""
    joined, strong, exporter = _balancing(make_world, "PAK", None, 0, intent=0.4)
    static, _, block = make_world(n=1)
    q = block.par[0]
    share = 5.28225 / (5.28225 + static.arrays.capability0[static.codes.index("PAK")])
    india = (1 - q.threat_ideological_weight) * share
    assert 0.2 * india + 0.03 < exporter < india - 0.03 and exporter > 0.1 + 0.03
    assert not joined[strong].any()
    p = 0.5 * cells.logistic(exporter - 0.1, 0.005)
    assert abs(joined[~strong].mean() - p) < 4 * math.sqrt(p * (1 - p) / (~strong).sum())


def test_a_rival_that_threatens_more_holds_part_of_a_states_power_from_its_window(
        make_world) -> None:
    """Iraq, its rival Syria overwhelming and fully hostile, keeps strike_front_commitment (0.9)
    of its power on that front: its window against the exporter shuts and it does not strike;
    with a barely hostile rival its window is open and it strikes at the strike hazard."""
    block, s, strong, exporter = _rival_world(
        make_world, "IRQ", "SYR", 0.4, strike_hazard=0.5, strike_threshold=0.1,
        strike_window_threshold=0.2, strike_margin_width=0.005, strike_front_commitment=0.9,
        coalition_margin_width=0.005)
    assert 0.1 + 0.03 < exporter < 0.4 - 0.03
    block.phase("responses")
    world = block.world
    struck = world.war[:, 0, s] & (world.war_initiator[:, 0, s] == STARTED_BY_STATE)
    assert not struck[strong].any()
    assert abs(struck[~strong].mean() - 0.5) < 4 * math.sqrt(0.25 / (~strong).sum())


# -- the scenario format --------------------------------------------------------------------

BASE = scenario_to_toml(SCENARIO)
FIRST = '[[rivalries]]\na = "EGY"\nb = "IRQ"\nstart = "1943-01"\nend = "2003-12"\n'
CASES: dict[str, tuple[str, str]] = {
    "unknown": (FIRST.replace('a = "EGY"', 'a = "XYZ"'),
                "rivalries[0].a: unknown state 'XYZ' (states are IRN, IRQ"),
    "superpower": (FIRST.replace('b = "IRQ"', 'b = "USA"'),
                   "rivalries[0].b: 'USA' is a superpower (the superpowers' rivalry is their "
                   "blocs); rivals must be other states"),
    "itself": (FIRST.replace('b = "IRQ"', 'b = "EGY"'),
               "rivalries[0]: a state cannot be its own rival"),
    "twice": (FIRST.replace('a = "EGY"\nb = "IRQ"', 'a = "IRQ"\nb = "SYR"'),
              "rivalries[1]: pair IRQ-SYR listed twice"),
    "backwards": (FIRST.replace('end = "2003-12"', 'end = "1940-12"'),
                  "rivalries[0].end: must not come before start (1943-01), got '1940-12'"),
    "month": (FIRST.replace('start = "1943-01"', 'start = "1943"'),
              "rivalries[0].start: must be a month written YYYY-MM, got '1943'"),
}


OUTSIDE = ('[[outside_rivalries]]\nstate = "PAK"\nrival = "IND"\ncapability = 5.28225\n'
           'contact = "land"\nstart = "1947-01"\n')
CASES.update({
    "outside_unknown": (OUTSIDE.replace('state = "PAK"', 'state = "XYZ"'),
                        "outside_rivalries[0].state: unknown state 'XYZ' (states are IRN, IRQ"),
    "outside_superpower": (OUTSIDE.replace('state = "PAK"', 'state = "SUN"'),
                           "outside_rivalries[0].state: 'SUN' is a superpower"),
    "outside_inside": (OUTSIDE.replace('rival = "IND"', 'rival = "AFG"'),
                       "outside_rivalries[0].rival: 'AFG' is a state of the scenario (list a "
                       "rivalry between two of its states under rivalries)"),
    "outside_contact": (OUTSIDE.replace('contact = "land"', 'contact = "air"'),
                        "outside_rivalries[0].contact: must be one of 'land', 'sea', 'two-hop' or "
                        "'far', got 'air'"),
    "outside_capability": (OUTSIDE.replace("capability = 5.28225", "capability = 0.0"),
                           "outside_rivalries[0].capability: input should be greater than 0, "
                           "got 0.0"),
    "outside_twice": (OUTSIDE.replace('state = "PAK"\nrival = "IND"',
                                      'state = "TUR"\nrival = "GRC"'),
                      "outside_rivalries[1]: pair TUR-GRC listed twice"),
})


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_rivalries_give_one_line_errors(tmp_path: Path, case: str) -> None:
    replacement, expected = CASES[case]
    first = OUTSIDE if case.startswith("outside") else FIRST
    assert BASE.count(first) == 1
    assert_scenario_refused(tmp_path, case, BASE.replace(first, replacement), expected)


def test_a_rivalry_without_a_source_is_refused(tmp_path: Path) -> None:
    assert_scenario_refused(tmp_path, "nosource", without_source(BASE, FIRST),
                            "rivalries[0].source: must name the source of the rivalry")


def test_rivalries_survive_the_toml_round_trip(tmp_path: Path) -> None:
    again = reloaded(tmp_path, BASE)
    assert again.rivalries == SCENARIO.rivalries
    assert any(r.end is None for r in again.rivalries)
    assert again.outside_rivalries == SCENARIO.outside_rivalries
