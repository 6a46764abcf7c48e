"""The recorded tables agree with one another: per-step, per-replicate and event counts."""

from __future__ import annotations

import numpy as np
import pytest

import revexport as rx


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return rx.run_ensemble("middle-east-1979", doctrine="militant", replicates=40, seed=11,
                           block_size=20, out_dir=tmp_path_factory.mktemp("runs"),
                           record_movement=False)


def _count(events, kind: str, n: int) -> np.ndarray:
    sel = events[events["kind"] == kind]
    return np.bincount(sel["replicate"].to_numpy(), minlength=n)


def test_every_replicate_has_one_summary_row_and_every_step(run) -> None:
    reps, steps = run.replicates, run.table("steps")
    assert sorted(reps["replicate"]) == list(range(40))
    per = steps.groupby("replicate")["step"].agg(["count", "min", "max", "nunique"])
    assert (per["count"] == per["nunique"]).all()
    assert (per["min"] == 0).all() and per["count"].nunique() == 1
    assert (per["max"] == per["count"] - 1).all()


def test_summaries_match_the_events(run) -> None:
    reps = run.replicates.sort_values("replicate")
    events = run.table("events")
    assert len(events) > 0
    assert np.array_equal(reps["regime_changes"], _count(events, "regime_change", 40))
    assert np.array_equal(reps["wars_started"], _count(events, "war_start", 40))
    # A war ends at most once, and only after it began.
    assert (_count(events, "war_end", 40) <= _count(events, "war_start", 40)).all()
    assert (reps["aligned_changes"] <= reps["regime_changes"]).all()


def test_summaries_match_the_steps(run) -> None:
    reps = run.replicates.sort_values("replicate").set_index("replicate")
    steps = run.table("steps")
    by = steps.groupby("replicate")
    assert np.array_equal(by["coalition_size"].max().sort_index(), reps["coalition_max"])
    last = steps[steps["step"] == steps["step"].max()].set_index("replicate").sort_index()
    assert np.array_equal(last["aligned_regimes"], reps["aligned_final"])
    np.testing.assert_allclose(last["exporter_economy"], reps["exporter_economy_final"])
    assert (steps["coalition_monarchies"] <= steps["coalition_size"]).all()
    assert (steps["movement_mean"] <= steps["movement_max"] + 1e-12).all()
    started = reps["wars_started"] > 0
    assert reps.loc[started, "first_war_step"].notna().all()
    assert reps.loc[~started, "first_war_step"].isna().all()
