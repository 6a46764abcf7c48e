"""Dated events as scenario data: a superpower occupies a state at a month and withdraws at
another; what the built-in scenario codes with them; and how bad events are refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import assert_one_line_error, assert_scenario_refused, invoke
from revexport.codes import EAST
from revexport.engine.cells import other_front, presence_support
from revexport.scenario import load_scenario, scenario_to_toml
from revexport.scenario.builtin import CODINGS_FILE, STATES_FILE, _read_csv, derive_state
from revexport.scenario.load import load_toml

# The built-in scenario dates the occupation 1979-12 (step 10) and the withdrawal 1989-02
# (step 120); the tests read the steps from the scenario rather than trusting these numbers.
SCENARIO = load_scenario("middle-east-1979")


def _event(kind: str) -> tuple[int, str]:
    ev = next(e for e in SCENARIO.events if e.kind == kind)
    return SCENARIO.step_of_month(ev.month), ev.state


# -- the built-in data ----------------------------------------------------------------------


def test_event_kinds_of_the_format_are_the_engine_codes() -> None:
    from revexport import codes
    from revexport.scenario import schema

    assert schema.EVENT_KINDS == codes.EVENT_KINDS
    assert [codes.EVENT_KINDS[k] for k in codes.EventKind] == ["occupation", "withdrawal"]


def test_builtin_events_are_shipped_and_sourced() -> None:
    kinds = [(e.kind, e.state, e.by) for e in SCENARIO.events]
    assert kinds == [("occupation", "AFG", "East"), ("withdrawal", "AFG", "East"),
                     ("occupation", "LBN", "SYR")]
    assert all(e.source.strip() for e in SCENARIO.events)
    assert _event("occupation")[0] == 10 and _event("withdrawal")[0] == 120


def test_afghanistan_is_not_collapsed_at_the_start() -> None:
    codings = {r["iso3"]: r for r in _read_csv(CODINGS_FILE)}
    assert codings["AFG"]["state_collapse"] == "false"
    by = {s.iso3: s for s in SCENARIO.states}
    # An intact state with an undefined polity2 reads as full autocracy: openness 0, no
    # collapse penalty on legitimacy, the full repression of an autocracy.
    assert by["AFG"].repression == pytest.approx(0.8)
    assert by["AFG"].legitimacy > by["LBN"].legitimacy
    assert by["AFG"].alignment == "East"


def test_a_collapsed_state_represses_less_than_an_intact_autocracy() -> None:
    rows = {r["iso3"]: r for r in _read_csv(STATES_FILE)}
    codings = {r["iso3"]: r for r in _read_csv(CODINGS_FILE)}
    by = {s.iso3: s for s in SCENARIO.states}
    # Lebanon (collapsed) against every intact autocracy of the region.
    autocracies = [s for s in SCENARIO.states if s.superpower is None and s.repression >= 0.66]
    assert autocracies
    assert all(by["LBN"].repression < s.repression for s in autocracies)
    # The same row, coded collapsed or not: capacity alone makes the difference.
    intact = derive_state(rows["LBN"], {**codings["LBN"], "state_collapse": "false"})
    collapsed = derive_state(rows["LBN"], codings["LBN"])
    assert collapsed["repression"] < intact["repression"]


# -- the engine -----------------------------------------------------------------------------


def test_occupation_takes_effect_at_its_step_and_ends_at_the_withdrawal(make_world) -> None:
    start, afg = _event("occupation")
    end, _ = _event("withdrawal")
    static, world, block = make_world(n=200, seed=3)
    s = static.codes.index(afg)
    world.alignment[:, s] = 2  # as if it had left its bloc: the occupation sets it again
    block.phase("perception", start - 1)
    assert (world.occupied[:, s] == -1).all() and (world.alignment[:, s] == 2).all()
    block.phase("perception", start)
    assert (world.occupied[:, s] == static.superpower_rows[EAST]).all()
    assert (world.alignment[:, s] == EAST).all()
    block.phase("perception", start + 1)  # no event: the occupation lasts
    assert (world.occupied[:, s] == static.superpower_rows[EAST]).all()
    block.phase("perception", end)
    assert (world.occupied[:, s] == -1).all()
    assert (world.alignment[:, s] == EAST).all()  # its regime stays the occupier's client


def test_a_state_can_occupy_another(make_world) -> None:
    """The built-in Syrian presence in Lebanon: from the first step Lebanon is occupied by
    Syria's row, takes Syria's alignment and is defended by Syria's forces."""
    static, world, block = make_world(n=20, seed=1)
    lbn, syr = static.codes.index("LBN"), static.codes.index("SYR")
    block.phase("perception", 0)
    assert (world.occupied[:, lbn] == syr).all()
    assert (world.alignment[:, lbn] == world.alignment[:, syr]).all()
    q = block.par[0]
    support = np.zeros(static.n_states)
    presence_support(q, world.presence, world.alignment, world.occupied, world.capability,
                     static.superpower_rows, 0, support)
    support = support[lbn]
    assert support >= q.presence_strength * world.capability[0, syr] > 0


def _primed(make_world, occupied: bool):  # type: ignore[no-untyped-def]
    """A block in which the state of the occupation event is a coalition member, sanctions,
    feels the highest threat, has a wide strike window and is struck by the exporter."""
    start, afg = _event("occupation")
    static, world, block = make_world(n=400, seed=5, strike_hazard=0.5, strike_threshold=0.1,
                                      strike_window_threshold=0.2, strike_margin_width=0.005)
    s = static.codes.index(afg)
    static.arrays.civil_war[:, s] = False  # its civil war, another front, is not what is tested
    block.phase("perception", start if occupied else 0)
    world.intent[:, 0, :] = 1.0
    world.coalition[:, s] = True
    world.sanctioning[:, s] = True
    return static, world, block, s


def test_an_occupied_state_leaves_the_coalition_and_does_not_strike(make_world) -> None:
    static, world, block, s = _primed(make_world, occupied=False)
    block.phase("responses")
    sovereign_strikes = int(world.new_war[:, 0, s].sum())
    assert sovereign_strikes > 0  # the same state, not occupied, strikes in some replicates
    assert world.coalition[:, s].any()

    static, world, block, s = _primed(make_world, occupied=True)
    world.strike[:, 0, s] = True  # the exporter would open a war on it
    block.phase("responses")
    assert not world.coalition[:, s].any()
    assert not world.sanctioning[:, s].any()
    assert not world.new_war[:, 0, s].any() and not world.war[:, 0, s].any()
    assert (world.aid[:, s] == 0).all()
    # It represses its movement toward the occupier's level.
    assert (world.repression[:, s] > static.repression0[s]).all()


def test_an_occupied_state_is_defended_not_targeted_and_keeps_its_regime(make_world) -> None:
    static, world, block, s = _primed(make_world, occupied=True)
    rows = static.superpower_rows
    assert not world.presence[:, EAST].any()  # no deployment: the occupying army defends it
    by_state = np.zeros(static.n_states)
    presence_support(block.par[0], world.presence, world.alignment, world.occupied,
                     world.capability, rows, 0, by_state)
    support = by_state[s]
    assert support == block.par[0].presence_strength * world.capability[0, rows[EAST]] > 0
    block.phase("decision")
    assert not block.decisions.obs.valid_target[:, :, s].any()
    world.movement[:, s] = 1.0  # a movement that would topple any sovereign regime
    block.phase("regime")
    assert not world.fell[:, s].any()
    assert np.array_equal(world.regime[:, s], np.full(world.regime.shape[0], static.regime0[s]))


# -- the scenario format --------------------------------------------------------------------

BASE = scenario_to_toml(SCENARIO)
MONTH = 'month = "1979-12"'
CASES: dict[str, tuple[str, str]] = {
    "kind": (BASE.replace('kind = "occupation"', 'kind = "invasion"', 1),
             "events[0].kind: must be one of 'occupation' or 'withdrawal', got 'invasion'"),
    "month-outside": (BASE.replace(MONTH, 'month = "1978-06"', 1),
                      "events[0].month: must not come before the run's start, 1979-02, got "
                      "'1978-06'"),
    "month-format": (BASE.replace(MONTH, 'month = "Dec 1979"', 1),
                     "events[0].month: must be a month written YYYY-MM, got 'Dec 1979'"),
    "state": (BASE.replace('state = "AFG"\nkind = "occupation"', 'state = "XYZ"\nkind = "occupation"',
                           1), "events[0].state: unknown state 'XYZ' (states are IRN, IRQ"),
    "superpower": (BASE.replace('state = "AFG"\nkind = "occupation"',
                                'state = "USA"\nkind = "occupation"', 1),
                   "events[0].state: 'USA' is a superpower and cannot be occupied"),
    "by": (BASE.replace('by = "East"', 'by = "Soviet"', 1),
           "events[0].by: must be 'West', 'East' or the code of another state of the scenario "
           "(states are IRN, IRQ"),
    "source-missing": (BASE.replace('source = "Soviet intervention', 'note = "Soviet intervention',
                                    1), "events[0].source: missing required field"),
    "source-empty": (BASE.replace('source = "Soviet intervention 24-27 Dec 1979: Cordovez & '
                                  'Harrison 1995, Out of Afghanistan; Braithwaite 2011, Afgantsy"',
                                  'source = "  "', 1),
                     "events[0].source: must name the source of the event"),
    "withdrawal-first": (BASE.replace(MONTH, 'month = "1990-01"', 1),
                         "events[1]: withdrawal of East from 'AFG', which East does not occupy "
                         "in 1989-02"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_events_give_one_line_errors(tmp_path: Path, case: str) -> None:
    text, expected = CASES[case]
    assert text != BASE, "the case did not change the scenario"
    assert_scenario_refused(tmp_path, case, text, expected)


GROUP = 'coalition_group = [\n    "SAU",\n    "KWT",'
GROUP_CASES: dict[str, tuple[str, str]] = {
    "group-unknown": ('coalition_group = [\n    "SAU",\n    "XXX",',
                      "coalition_group[1]: unknown state 'XXX' (states are IRN, IRQ"),
    "group-twice": ('coalition_group = [\n    "SAU",\n    "SAU",',
                    "coalition_group[1]: 'SAU' listed twice"),
}


@pytest.mark.parametrize("case", sorted(GROUP_CASES))
def test_a_bad_coalition_group_gives_one_line_error(tmp_path: Path, case: str) -> None:
    replacement, expected = GROUP_CASES[case]
    assert BASE.count(GROUP) == 1
    assert_scenario_refused(tmp_path, case, BASE.replace(GROUP, replacement), expected)


def test_an_absent_superpower_is_refused(tmp_path: Path) -> None:
    sc = load_scenario("synthetic:12")
    data = sc.model_dump(exclude_none=True)
    data["states"] = [s for s in data["states"] if s.get("superpower") != "West"]
    data["neighbours"] = [nb for nb in data["neighbours"]
                          if {nb["a"], nb["b"]} <= {s["iso3"] for s in data["states"]}]
    target = next(s["iso3"] for s in data["states"] if s.get("superpower") is None
                  and s["iso3"] not in {ex["state"] for ex in data["exporters"]})
    data["events"] = [{"month": sc.start, "state": target, "kind": "occupation", "by": "West",
                       "source": "a test"}]
    import tomli_w

    path = tmp_path / "nowest.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    out = invoke("run", str(path), "--replicates", "2", "--out", str(tmp_path / "runs"))
    assert_one_line_error(out, "nowest.toml: events[0].by: must be a superpower of the scenario, "
                               "one of {'East'}, or a state's code, got 'West'")


def test_toml_scenarios_accept_events_tables(tmp_path: Path) -> None:
    text = BASE
    assert text.count("[[events]]") == 3
    path = tmp_path / "me.toml"
    path.write_text(text, encoding="utf-8")
    sc = load_toml(path)
    assert sc.events == SCENARIO.events
    # A scenario without events is still valid: the list is optional.
    path.write_text(text.split("[[events]]")[0], encoding="utf-8")
    assert load_toml(path).events == []


def test_an_army_next_door_holds_a_front_unless_it_is_an_ally(make_world) -> None:
    """``other_front``: Turkey (West) borders the Soviet Union; Israel (West) borders Lebanon,
    which Syria (East) occupies; Syria is not held by its own army in Lebanon; Pakistan
    (non-aligned) faces a front from the Soviet occupation of Afghanistan on, not before; Iraq
    has no foreign army on its borders."""
    start, _ = _event("occupation")
    static, world, block = make_world(n=2)
    st = static.arrays

    def fronts() -> set[str]:
        out = np.zeros(static.n_states, dtype=bool)
        other_front(world.alignment, world.occupied, st.superpower, st.land_ptr, st.land_idx,
                    np.zeros(static.n_states, dtype=bool), 0, out)
        return {static.codes[s] for s in np.flatnonzero(out)}

    for t in range(start):
        block.phase("perception", t)
    before = fronts()
    block.phase("perception", start)
    after = fronts()
    assert {"TUR", "ISR"} <= before and {"PAK", "SYR", "IRQ"}.isdisjoint(before)
    assert after - before == {"PAK"} and "IRQ" not in after
