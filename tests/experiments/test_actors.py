"""Who does what: the per-state tables of a run, each checked against a computation of its own
from the whole stored tables (pandas, not the DuckDB queries), and in the hindcast report."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import invoke as cli
from revexport.codes import ALIGNED, STARTED_BY_EXPORTER
from revexport.experiments.ensemble import Run, run_ensemble
from revexport.report.actors import Actors, actors_of, year_ends


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> tuple[Run, Actors]:
    run = run_ensemble("middle-east-1979", doctrine="historical", replicates=120, seed=11,
                       out_dir=tmp_path_factory.mktemp("actors"), block_size=50, workers=1)
    return run, actors_of(run)


def _last_per_pair(events: pd.DataFrame, kinds: tuple[str, ...], step: int) -> pd.DataFrame:
    e = events[events["kind"].isin(kinds) & (events["step"] <= step)]
    return e.groupby(["replicate", "state"], sort=False).tail(1)  # events are stored in order


def test_coalition_by_year_follows_each_states_last_move(stored) -> None:
    run, actors = stored
    events = run.table("events")
    months = list(run.table("steps").drop_duplicates("step").sort_values("step")["month"])
    ends = year_ends(months)
    assert [m for _, m in ends][:2] == ["1979-12", "1980-12"] and ends[-1][1] == "1990-12"
    table = actors.coalition.set_index("state")
    for step, month in ends:
        last = _last_per_pair(events, ("coalition_join", "coalition_leave"), step)
        members = last[last["kind"] == "coalition_join"].groupby("state").size() / len(run.replicates)
        expected = members.reindex(table.index, fill_value=0.0)
        np.testing.assert_allclose(table[month].to_numpy(), expected.to_numpy())
    # The coalition's size at the end, summed over states, is the recorded metric's mean.
    steps = run.table("steps")
    final = steps[steps["step"] == ends[-1][0]]["coalition_size"].mean()
    assert table[ends[-1][1]].sum() == pytest.approx(final)


def test_regime_falls_by_state(stored) -> None:
    run, actors = stored
    n = len(run.replicates)
    changes = run.table("events").query("kind == 'regime_change'")
    got = actors.regime_falls.set_index("state")
    per_pair = changes.groupby(["replicate", "state"])
    fell = per_pair.size().groupby("state").size() / n
    pd.testing.assert_series_equal(got["fell"].sort_index(), fell.sort_index(),
                                   check_names=False)
    aligned = (per_pair["code"].last() == ALIGNED).groupby("state").sum() / n
    np.testing.assert_allclose(got["aligned_at_end"].reindex(aligned.index), aligned)
    # Shares of aligned states at the end add up to the per-replicate count's mean.
    assert got["aligned_at_end"].sum() == pytest.approx(run.replicates["aligned_final"].mean())


def test_first_strikers_and_first_war_cover_every_replicate_once(stored) -> None:
    run, actors = stored
    reps = run.replicates
    struck = (reps["first_strike_by"] != "").mean()
    assert actors.first_strikers["share"].sum() == pytest.approx(struck)
    top = actors.first_strikers.iloc[0]
    assert top["share"] == (reps["first_strike_by"] == top["state"]).mean()
    assert actors.first_war["share"].sum() == pytest.approx((reps["first_war_initiator"] != "").mean())
    assert set(actors.first_war["outcome"]) <= {"ceasefire", "ongoing", "state collapsed",
                                                 "exporter collapsed", "regime fell"}


def test_wars_by_state_count_every_war_and_who_opened_it(stored) -> None:
    run, actors = stored
    n = len(run.replicates)
    starts = run.table("events").query("kind == 'war_start'")
    assert not starts.empty  # the historical doctrine's exporter is fought in most replicates
    got = actors.wars.set_index("state")
    per_state = starts.groupby("state")
    np.testing.assert_allclose(got["wars_per_replicate"], per_state.size().reindex(got.index) / n)
    at_war = starts.drop_duplicates(["replicate", "state"]).groupby("state").size() / n
    np.testing.assert_allclose(got["at_war"], at_war.reindex(got.index))
    by_exporter = (starts["code"] == STARTED_BY_EXPORTER).groupby(starts["state"]).mean()
    np.testing.assert_allclose(got["opened_by_exporter"], by_exporter.reindex(got.index))
    first = starts.groupby(["replicate", "state"])["step"].min().groupby("state").median()
    np.testing.assert_allclose(got["median_first_month"], first.reindex(got.index))
    # Most frequent first; the first war's opponent is among them in every replicate.
    assert list(got["at_war"]) == sorted(got["at_war"], reverse=True)
    assert set(run.replicates.loc[run.replicates["first_war_opponent"] != "",
                                  "first_war_opponent"]) <= set(got.index)


def test_strongest_movements_and_factions_by_year(stored) -> None:
    run, actors = stored
    movement = run.table("movement")
    last = actors.movements[actors.movements["month"] == "1990-12"]
    step = int(run.table("steps").query("month == '1990-12'")["step"].iloc[0])
    means = movement[movement["step"] == step].groupby("state", observed=True)["movement"].mean()
    expected = means.sort_values(ascending=False).head(3)
    assert list(last["state"]) == list(expected.index)
    np.testing.assert_allclose(last["movement"].to_numpy(), expected.to_numpy(), rtol=1e-6)
    factions = actors.factions.drop(columns="month").to_numpy()
    np.testing.assert_allclose(factions.sum(axis=1), 1.0, atol=1e-9)
    assert len(actors.factions) == 12  # one row per year, 1979 to 1990


def test_hindcast_prints_and_reports_who_does_what(tmp_path: Path) -> None:
    res = cli("hindcast", "--replicates", "20", "--seed", "4", "--out", str(tmp_path),
              "--workers", "1")
    assert res.exit_code == 0, res.output
    assert "Who strikes the exporter first (historical)" in res.stdout
    assert "The first war (historical)" in res.stdout
    assert "Wars with the exporter, by opponent (historical)" in res.stdout
    report = Path(res.stdout.strip().splitlines()[-1].removeprefix("report: ").strip())
    page = report.read_text()
    assert "Who does what (historical posture)" in page and "coalition_by_state.png" in page
    data = json.loads((report.parent / "report_data.json").read_text())
    assert set(data["actors"]) == {"first_strikers", "first_war", "wars", "coalition",
                                   "regime_falls", "movements", "factions"}
    coalition = data["actors"]["coalition"]
    assert len(coalition) == 22  # every state of the scenario
    assert all(len(row) == 1 + 12 for row in coalition)  # the state and each year's end
