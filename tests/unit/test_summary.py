"""Per-replicate summaries read from hand-written events: the coalition at its formation, the
first war's end and renewal, the first strike, and blocks with few or no events."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from revexport.codes import STARTED_BY_EXPORTER, STARTED_BY_STATE, WarEnd
from revexport.engine.phases.record import EVENT_COLUMNS
from revexport.engine.state import Static
from revexport.outcomes.recorder import EVENT_KINDS, STEP_METRICS
from revexport.outcomes.summary import (
    events_frame,
    metric_major,
    replicate_summary,
    steps_frame,
)
from revexport.scenario import load_scenario

STATIC = Static.from_scenario(load_scenario("middle-east-1979"), 0)
CODES = STATIC.codes
N_STEPS = 10
COALITION = list(STEP_METRICS).index("coalition_size")


def _events(*rows: tuple[int, int, str, str, str, int, int]) -> dict[str, np.ndarray]:
    """Event columns from (replicate, step, kind, state, exporter or "", code, detail) rows."""
    out = {c: np.zeros(len(rows), dtype=np.int64) for c in EVENT_COLUMNS}
    for i, (rep, step, kind, state, exporter, code, detail) in enumerate(rows):
        out["replicate"][i], out["step"][i] = rep, step
        out["kind"][i], out["state"][i] = EVENT_KINDS.index(kind), CODES.index(state)
        out["other"][i] = CODES.index(exporter) if exporter else 0
        out["code"][i], out["detail"][i] = code, detail
    return out


def _summary(events: dict[str, np.ndarray], n: int, formed: dict[int, int] | None = None,
             offset: int = 0) -> pd.DataFrame:
    """The summary of ``n`` replicates whose coalition reaches three members at ``formed``."""
    metrics = np.zeros((n, N_STEPS, len(STEP_METRICS)))
    for rep, step in (formed or {}).items():
        metrics[rep, step:, COALITION] = 3
    return replicate_summary(metrics, events, np.zeros((n, 3)), STATIC, offset).set_index(
        "replicate")


def _shuffled(events: dict[str, np.ndarray], seed: int = 0) -> dict[str, np.ndarray]:
    order = np.random.default_rng(seed).permutation(len(events["step"]))
    return {k: v[order] for k, v in events.items()}


COALITION_MOVES = _events(
    (0, 1, "coalition_join", "SAU", "", 0, 0),
    (0, 2, "coalition_join", "KWT", "", 0, 0),
    (0, 2, "coalition_join", "BHR", "", 0, 0),
    (0, 3, "coalition_leave", "KWT", "", 0, 0),   # left before the coalition formed
    (0, 3, "coalition_leave", "BHR", "", 0, 0),
    (0, 4, "coalition_join", "ARE", "", 0, 0),
    (0, 5, "coalition_join", "BHR", "", 0, 0),    # back at the step it formed
    (0, 6, "coalition_join", "IRQ", "", 0, 0),    # joined after it formed
    (0, 7, "coalition_leave", "SAU", "", 0, 0),   # left after it formed
    (1, 2, "coalition_join", "OMN", "", 0, 0),    # a coalition that never formed
    (2, 0, "coalition_join", "SAU", "", 0, 0),
    (2, 0, "coalition_join", "QAT", "", 0, 0),
    (2, 0, "coalition_join", "OMN", "", 0, 0),
)


def test_coalition_members_are_those_in_it_when_it_formed_in_alphabetical_order() -> None:
    got = _summary(COALITION_MOVES, 3, formed={0: 5, 2: 0})["coalition_members"]
    assert got.tolist() == ["ARE+BHR+SAU", "", "OMN+QAT+SAU"]


def test_coalition_members_do_not_depend_on_the_order_of_the_events() -> None:
    expected = _summary(COALITION_MOVES, 3, formed={0: 5, 2: 0})
    for seed in range(5):
        got = _summary(_shuffled(COALITION_MOVES, seed), 3, formed={0: 5, 2: 0})
        pd.testing.assert_frame_equal(got, expected, check_exact=True)


WARS = _events(
    (0, 2, "war_start", "IRQ", "IRN", STARTED_BY_STATE, 0),
    (0, 3, "war_start", "SAU", "IRN", STARTED_BY_EXPORTER, 0),
    (0, 4, "war_end", "SAU", "IRN", WarEnd.CEASEFIRE, 1),          # another pair's war
    (0, 6, "war_end", "IRQ", "IRN", WarEnd.CEASEFIRE, 4),
    (0, 8, "war_start", "IRQ", "IRN", STARTED_BY_EXPORTER, 0),     # the first war renewed
    (1, 0, "war_end", "KWT", "IRN", WarEnd.REGIME_FELL, 3),        # ended before it began
    (1, 1, "war_start", "KWT", "IRN", STARTED_BY_EXPORTER, 0),
    (1, 5, "war_start", "PAK", "IRN", STARTED_BY_STATE, 0),
    (2, 1, "war_start", "SAU", "IRN", STARTED_BY_EXPORTER, 0),
    (2, 4, "war_end", "SAU", "IRN", WarEnd.STATE_COLLAPSED, 3),
    (2, 5, "war_start", "KWT", "IRN", STARTED_BY_EXPORTER, 0),     # not the same two sides
)


def test_first_war_its_end_and_its_renewal() -> None:
    got = _summary(WARS, 4)
    first = got[["first_war_step", "first_war_initiator", "first_war_opponent",
                 "first_war_exporter", "first_war_outcome", "first_war_length",
                 "first_war_renewed"]]
    assert first.loc[0].tolist() == [2.0, "state", "IRQ", "IRN", "ceasefire", 4.0, True]
    assert first.loc[1].iloc[:5].tolist() == [1.0, "exporter", "KWT", "IRN", "ongoing"]
    assert np.isnan(first.loc[1, "first_war_length"]) and not first.loc[1, "first_war_renewed"]
    assert first.loc[2].tolist() == [1.0, "exporter", "SAU", "IRN", "state collapsed", 3.0,
                                     False]
    assert first.loc[3].iloc[1:5].tolist() == ["", "", "", ""]
    assert np.isnan(first.loc[3, "first_war_step"]) and not first.loc[3, "first_war_renewed"]
    assert got["wars_started"].tolist() == [3, 2, 2, 0]
    assert got["wars_opened"].tolist() == [2, 1, 2, 0]


def test_first_strike_is_the_first_war_a_state_began() -> None:
    got = _summary(WARS, 4)
    iran = CODES.index("IRN")
    neighbours = STATIC.are_neighbours(np.array([CODES.index("IRQ"), CODES.index("PAK")]),
                                       np.array([iran, iran]))
    assert got["first_strike_step"].tolist()[:2] == [2.0, 5.0]
    assert got["first_strike_by"].tolist() == ["IRQ", "PAK", "", ""]
    assert got["first_strike_neighbour"].tolist() == [*neighbours.tolist(), False, False]
    assert got["first_strike_step"].iloc[2:].isna().all()


def test_wars_do_not_depend_on_the_order_of_the_events() -> None:
    expected = _summary(WARS, 4, offset=3000)
    for seed in range(5):
        pd.testing.assert_frame_equal(_summary(_shuffled(WARS, seed), 4, offset=3000), expected,
                                      check_exact=True)
    assert expected.index.tolist() == [3000, 3001, 3002, 3003]


@pytest.mark.parametrize("events", [_events(), WARS], ids=["no events", "some events"])
def test_code_columns_are_stored_as_the_event_tables_codes(events) -> None:
    """The state codes of a summary keep the type of the event table's (object when a block
    has no event at all, as pandas leaves an empty column of objects)."""
    got = _summary(events, 4, formed={1: 2})
    codes = events_frame(events, STATIC, 0)["state"].dtype
    for column in ("first_war_opponent", "first_war_exporter", "first_strike_by",
                   "coalition_members"):
        assert got[column].dtype == codes, column
    if not len(events["step"]):
        assert (got["coalition_members"] == "").all() and got["first_war_step"].isna().all()
        assert (got[["regime_changes", "wars_started", "wars_opened"]] == 0).all().all()


def test_the_event_table_names_kinds_states_and_the_exporters_of_wars() -> None:
    events = _events((0, 1, "regime_change", "BHR", "", 6, 0),
                     (1, 2, "war_start", "IRQ", "IRN", STARTED_BY_STATE, 0),
                     (1, 3, "coalition_join", "SAU", "", 0, 0))
    got = events_frame(events, STATIC, 10)
    assert got.columns.tolist() == [*EVENT_COLUMNS, "exporter"]
    assert got["replicate"].tolist() == [10, 11, 11]
    assert got["kind"].tolist() == ["regime_change", "war_start", "coalition_join"]
    assert got["state"].tolist() == ["BHR", "IRQ", "SAU"]
    assert got["exporter"].tolist() == ["", "IRN", ""]


def test_steps_frame_reads_either_layout_of_the_metrics() -> None:
    metrics = np.random.default_rng(0).random((3, N_STEPS, len(STEP_METRICS)))
    by_metric = metric_major(metrics)
    assert metric_major(by_metric) is by_metric
    assert np.array_equal(by_metric, metrics)
    months = [f"1979-{m:02d}" for m in range(1, N_STEPS + 1)]
    got = steps_frame(by_metric, 6, months)
    pd.testing.assert_frame_equal(got, steps_frame(metrics, 6, months), check_exact=True)
    assert got.columns.tolist() == ["replicate", "step", "month", *STEP_METRICS]
    assert got["replicate"].tolist() == [6] * N_STEPS + [7] * N_STEPS + [8] * N_STEPS
    assert got["month"].tolist() == months * 3
    assert np.array_equal(got[list(STEP_METRICS)].to_numpy(), metrics.reshape(-1, len(STEP_METRICS)))
