"""Regression tests of the 1979-1990 hindcast (MODEL.md section 6)."""

from __future__ import annotations

import pytest

from revexport.experiments.hindcast import run_hindcast


@pytest.fixture(scope="module")
def hindcast(tmp_path_factory):
    return run_hindcast(replicates=600, seed=2024, out_dir=tmp_path_factory.mktemp("hindcast"))


@pytest.mark.parametrize("check", ["first_strike", "monarchy_coalition", "no_aligned_regime"])
def test_historical_checks_hold_in_most_replicates(hindcast, check) -> None:
    row = hindcast.scores.set_index("check").loc[check]
    assert row["value"] >= 0.80, row["detail"]


@pytest.mark.parametrize("outcome", ["wars_started", "coalition_mean", "sanctions_mean"])
def test_militant_export_brings_more_than_nationalist_restraint(hindcast, outcome) -> None:
    row = hindcast.scores.set_index("check").loc[f"militant_vs_nationalist:{outcome}"]
    assert row["value"] < 0.05, row["detail"]


def test_timings_are_compared_with_the_historical_months(hindcast) -> None:
    t = hindcast.timings
    assert set(t["check"]) == {"first_strike", "monarchy_coalition"}
    assert set(t["historical_step"]) == {19, 27}
    assert len(t) == 2 * 600
