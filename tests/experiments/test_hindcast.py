"""Regression tests of the 1979-1990 hindcast (MODEL.md section 6)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from revexport.experiments.hindcast import run_hindcast, score

#: Replicates of the regression hindcast: the number the issue's acceptance is stated for
#: (``revexport hindcast -r 2000``). With P5's share near 0.64 against its threshold of 0.60,
#: 600 replicates (a standard error of 0.02) would fail about one seed in thirty by chance.
REPLICATES = 2000


@pytest.fixture(scope="module")
def hindcast(tmp_path_factory):
    return run_hindcast(replicates=REPLICATES, seed=2024,
                        out_dir=tmp_path_factory.mktemp("hindcast"))


@pytest.mark.parametrize("check", ["first_strike", "monarchy_coalition", "no_aligned_regime"])
def test_historical_checks_hold_in_most_replicates(hindcast, check) -> None:
    row = hindcast.scores.set_index("check").loc[check]
    assert row["value"] >= 0.80, row["detail"]


def test_the_first_war_is_long_and_ends_in_a_ceasefire(hindcast) -> None:
    row = hindcast.scores.set_index("check").loc["long_first_war"]
    assert row["kind"] == "share" and row["threshold"] == 0.60
    assert row["value"] >= 0.60, row["detail"]


def test_the_ceasefire_that_ends_the_first_war_holds(hindcast) -> None:
    row = hindcast.scores.set_index("check").loc["ceasefire_holds"]
    assert row["kind"] == "share" and row["threshold"] == 0.60
    assert row["value"] >= 0.60, row["detail"]


@pytest.mark.parametrize(("check", "history"), [("first_strike_month", 19),
                                                ("monarchy_coalition_month", 27)])
def test_the_timings_are_within_six_months_of_history(hindcast, check, history) -> None:
    row = hindcast.scores.set_index("check").loc[check]
    assert row["kind"] == "month" and row["threshold"] == 6
    assert abs(row["value"] - history) <= 6, row["value"]
    assert row["passed"]


def _replicates(strike, neighbour, coalition, outcome, length, wars=1.0):  # type: ignore[no-untyped-def]
    n = len(strike)
    return pd.DataFrame({
        "replicate": np.arange(n), "first_strike_step": np.asarray(strike, dtype=float),
        "first_strike_neighbour": neighbour, "group_coalition_step": np.asarray(coalition, dtype=float),
        "aligned_final": np.zeros(n), "first_war_outcome": outcome,
        "first_war_length": np.asarray(length, dtype=float),
        "first_war_renewed": np.zeros(n, dtype=bool),
        "first_war_initiator": np.where(np.asarray(neighbour, dtype=bool), "state", ""),
        "wars_started": np.full(n, wars), "wars_opened": np.full(n, wars - 1.0),
        "coalition_mean": np.full(n, wars), "sanctions_mean": np.full(n, wars)})


def test_each_kind_of_check_passes_on_its_own_side_of_its_threshold() -> None:
    # Hand-made outcomes: neighbour strikes in months 12, 14, 40 (a non-neighbour's month 2 is
    # not counted), so the median is 14, five months before history; the coalition in months
    # 30, 35, 50: median 35, eight months after. Two first wars of 60+ months ended in a
    # ceasefire out of four: 0.5, below the 0.6 the fifth check needs.
    h = _replicates([12, 14, 40, 2], [True, True, True, False], [30, 35, 50, np.nan],
                    ["ceasefire", "ceasefire", "ongoing", "ceasefire"], [60, 95, np.nan, 59])
    more = _replicates([1] * 4, [True] * 4, [1] * 4, [""] * 4, [np.nan] * 4, wars=3.0)
    scores, _ = score(h, more, h)
    got = scores.set_index("check")
    assert got.loc["first_strike_month", "value"] == 14 and got.loc["first_strike_month", "passed"]
    assert got.loc["monarchy_coalition_month", "value"] == 35
    assert not got.loc["monarchy_coalition_month", "passed"]
    assert got.loc["long_first_war", "value"] == 0.5 and not got.loc["long_first_war", "passed"]
    # Three first wars ended in a ceasefire, none renewed: 0.75; renew two and it is 0.25.
    assert got.loc["ceasefire_holds", "value"] == 0.75 and got.loc["ceasefire_holds", "passed"]
    renewed = h.assign(first_war_renewed=[True, False, False, True])
    held = score(renewed, more, h)[0].set_index("check").loc["ceasefire_holds"]
    assert held["value"] == 0.25 and not held["passed"]
    assert got.loc["militant_vs_nationalist:wars_started", "kind"] == "p_value"
    assert got.loc["militant_vs_nationalist:wars_started", "passed"]
    # The nationalist exporter of ``h`` opens no war; one that opens two in each replicate fails.
    assert got.loc["nationalist_opens_no_war", "passed"]
    assert not score(h, more, more)[0].set_index("check").loc["nationalist_opens_no_war", "passed"]
    # Two neighbours strike within 24 months (months 12 and 14); one that strikes in month 12
    # after the exporter opened a war does not strike first.
    assert got.loc["first_strike", "value"] == 0.5
    opened = h.assign(first_war_initiator=["exporter", "state", "state", ""])
    assert score(opened, more, h)[0].set_index("check").loc["first_strike", "value"] == 0.25
    # No neighbour ever strikes: no month to compare, and the check fails.
    none = _replicates([np.nan] * 4, [False] * 4, [30] * 4, [""] * 4, [np.nan] * 4)
    got = score(none, more, none)[0].set_index("check")
    assert np.isnan(got.loc["first_strike_month", "value"])
    assert not got.loc["first_strike_month", "passed"]


@pytest.mark.parametrize("outcome", ["wars_started", "wars_opened", "coalition_mean",
                                     "sanctions_mean"])
def test_militant_export_brings_more_than_nationalist_restraint(hindcast, outcome) -> None:
    row = hindcast.scores.set_index("check").loc[f"militant_vs_nationalist:{outcome}"]
    assert row["value"] < 0.05, row["detail"]


def test_timings_are_compared_with_the_historical_months(hindcast) -> None:
    t = hindcast.timings
    assert set(t["check"]) == {"first_strike", "monarchy_coalition"}
    assert set(t["historical_step"]) == {19, 27}
    assert len(t) == 2 * REPLICATES
