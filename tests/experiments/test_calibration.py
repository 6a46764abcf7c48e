"""Calibration by ABC-SMC: the sampler's numerics, a known-answer twin experiment, targets
files, the command line and the posterior predictive."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest

from conftest import assert_one_line_error, invoke
from revexport import run_ensemble
from revexport.errors import RevexportError
from revexport.experiments.calibration import (
    abc_smc,
    calibrate,
    condition_mask,
    distances,
    load_targets,
    posterior_medoid,
    priors_of,
    target_statistics,
    validate_targets,
    weighted_quantile,
)
from revexport.scenario.load import load_scenario
from revexport.storage.manifest import read_manifest

# Twin experiments run the built-in scenario to the end of 1983 (59 months): long enough for
# the first strike and the coalition, short enough to keep the whole file well under a minute.
TRUE = {"strike_hazard": 0.05, "coalition_join_rate": 0.05}
TWIN_TARGETS = """
[targets.strike]
statistic = "share"
condition = "first_strike_step <= 24"
observed = 0.5
source = "twin"

[targets.strike_month]
statistic = "mean"
column = "first_strike_step"
observed = 20
source = "twin"

[targets.coalition_month]
statistic = "mean"
column = "coalition_formed_step"
observed = 15
source = "twin"

[targets.coalition_early]
statistic = "share"
condition = "coalition_formed_step <= 12"
observed = 0.5
source = "twin"
"""


@pytest.fixture(scope="module")
def short_scenario():  # type: ignore[no-untyped-def]
    return load_scenario("middle-east-1979").model_copy(update={"end": "1983-12"})


def test_weighted_quantiles_match_the_unweighted_ones_for_equal_weights() -> None:
    x = np.random.default_rng(0).normal(size=1001)
    got = weighted_quantile(x, np.ones_like(x), [0.05, 0.5, 0.95])
    assert np.allclose(got, np.quantile(x, [0.05, 0.5, 0.95]), atol=0.02)
    # Most of the weight on one value: every central quantile is that value.
    got = weighted_quantile(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 98.0]), [0.05, 0.5])
    assert got.tolist() == [3.0, 3.0]


def test_the_medoid_is_a_particle_on_the_ridge_where_the_marginal_medians_are_not() -> None:
    priors = priors_of(["perception_rate", "strike_threshold"])
    lo = np.array([p.low for p in priors])
    hi = np.array([p.high for p in priors])
    # Two ridges of equal weight: slow perception with a low threshold, fast with a high one.
    u = np.linspace(0.0, 1.0, 101)
    slow = np.column_stack([0.1 + 0.1 * u, 0.3 - 0.1 * u])
    fast = np.column_stack([0.8 + 0.1 * u, 0.8 + 0.1 * u])
    theta = lo + (hi - lo) * np.vstack([slow, fast])
    w = np.full(len(theta), 1.0)
    medoid = posterior_medoid(theta, w / w.sum(), priors)
    assert any(np.array_equal(medoid, row) for row in theta)
    medians = np.array([weighted_quantile(theta[:, i], w, [0.5])[0] for i in range(2)])
    assert not any(np.allclose(medians, row) for row in theta)
    # One round cloud: the medoid is near its centre.
    cloud = lo + (hi - lo) * (0.5 + 0.05 * np.random.default_rng(1).normal(size=(400, 2)))
    centre = posterior_medoid(cloud, np.full(400, 1 / 400), priors)
    assert np.all(np.abs((centre - cloud.mean(axis=0)) / (hi - lo)) < 0.01)
    # Nearly all the weight on one particle: the medoid is that particle.
    w2 = np.full(len(theta), 1e-6)
    w2[7] = 1.0
    assert np.array_equal(posterior_medoid(theta, w2, priors), theta[7])


def test_the_sampler_recovers_a_gaussian_mean_evaluating_whole_batches() -> None:
    # Toy model: the statistic is the mean of 20 draws of N(mu, 1); flat prior on [-5, 5];
    # observed 1.0. The posterior of mu is close to N(1, 1/20), s.d. 0.22, and ABC's tolerance
    # widens it a little.
    rng_model = np.random.default_rng(7)
    calls: list[int] = []

    def simulate(theta: np.ndarray) -> np.ndarray:
        calls.append(len(theta))
        return rng_model.normal(theta[:, :1], 1.0, size=(len(theta), 20)).mean(axis=1, keepdims=True)

    res = abc_smc(simulate, np.array([1.0]), np.array([-5.0]), np.array([5.0]), particles=400,
                  generations=6, oversample=2, rng=np.random.default_rng(1))
    assert calls == [800] * 6  # one batch per generation, never one call per particle
    final = res.generations[-1]
    mean = float(np.sum(final.weights * final.theta[:, 0]))
    sd = float(np.sqrt(np.sum(final.weights * (final.theta[:, 0] - mean) ** 2)))
    assert abs(mean - 1.0) < 0.1
    assert 0.15 < sd < 0.4
    eps = [g.epsilon for g in res.generations]
    assert all(b <= a for a, b in itertools.pairwise(eps))
    assert all(abs(g.weights.sum() - 1) < 1e-9 for g in res.generations)


def test_a_tolerance_costs_nothing_inside_it_and_the_posterior_is_the_region_that_fits() -> None:
    stats = np.array([[0.85, 20.0], [0.75, 20.0], [0.9, 28.0], [np.nan, 19.0]])
    d = distances(stats, np.array([1.0, 19.0]), np.ones(2), np.array([0.1, 3.0]),
                  np.array([0.2, 6.0]))
    # Inside both tolerances: 0; a share 0.05 short of its 0.8: 0.5; 3 months late: 1.
    assert d[:3] == pytest.approx([0.0, 0.5, 1.0])
    assert d[3] == np.inf
    # Without tolerances every deviation counts.
    assert distances(stats[:1], np.array([1.0, 19.0]), np.ones(2), np.array([0.1, 3.0]))[0] == \
        pytest.approx(1.5 + 1 / 3)

    # Toy model without noise: the statistic is mu itself, the pattern "mu within 1 of 2".
    # Distance 0 everywhere in [1, 3]: the sampler reaches tolerance 0, and its population
    # covers that interval evenly, neither piling at its centre nor leaving it.
    res = abc_smc(lambda th: th[:, :1].copy(), np.array([2.0]), np.array([-5.0]),
                  np.array([5.0]), particles=400, generations=5, tolerances=np.array([1.0]),
                  oversample=3, rng=np.random.default_rng(3))
    final = res.generations[-1]
    assert final.epsilon == 0.0
    x, w = final.theta[:, 0], final.weights
    assert x.min() >= 1.0 and x.max() <= 3.0
    q = weighted_quantile(x, w, [0.1, 0.5, 0.9])
    assert np.allclose(q, [1.2, 2.0, 2.8], atol=0.15), q


def test_conditions_treat_a_missing_event_as_not_met() -> None:
    frame = pd.DataFrame({"first_strike_step": [3.0, np.nan, 30.0],
                          "first_strike_neighbour": [True, False, True],
                          "first_war_outcome": ["ceasefire", "", "ongoing"]})
    got = condition_mask("first_strike_step <= 24 and first_strike_neighbour", frame)
    assert got.tolist() == [True, False, False]
    assert condition_mask("not first_strike_step > 24", frame).tolist() == [True, True, False]
    assert condition_mask("first_war_outcome == 'ceasefire' or first_strike_step / 2 >= 15",
                          frame).tolist() == [True, False, True]


def test_the_builtin_targets_compute_from_a_run(tmp_path) -> None:
    tf = load_targets()
    assert tf.doctrine == "historical" and {t.pattern for t in tf.targets.values()} >= {
        "P1", "P2", "P3", "P5", "P6"}
    run = run_ensemble("middle-east-1979", doctrine="historical", replicates=20, seed=2,
                       out_dir=tmp_path, workers=1, record_movement=False)
    stats = target_statistics(run.replicates, tf.targets, by=None).iloc[0]
    assert set(stats.index) == set(tf.targets)
    assert all(0 <= stats[n] <= 1 for n, t in tf.targets.items() if t.statistic == "share")
    assert 0 < stats["first_strike_month"] < 60


#: The rest of the twin's world: a coalition whose growth is limited by the joining rate (few
#: states cross a higher threshold, no spill-over or leadership pulls the others in), so that
#: the statistics inform the rate. A known-answer test of the sampler holds in any setting.
TWIN_SETTING = {"coalition_join_threshold": 0.32, "coalition_leadership": 0.0,
                "signal_spillover": 0.0}


def _twin(tmp_path, short_scenario, seed: int, particles: int = 40, generations: int = 4,
          replicates: int = 20):  # type: ignore[no-untyped-def]
    truth = run_ensemble(short_scenario, doctrine="historical", replicates=300, seed=1000 + seed,
                         out_dir=tmp_path, parameters={**TWIN_SETTING, **TRUE}, workers=1,
                         record_movement=False)
    targets = tmp_path / "twin.toml"
    targets.write_text(TWIN_TARGETS)
    return calibrate(short_scenario, "historical", targets=targets, params=list(TRUE),
                     particles=particles, generations=generations, replicates=replicates,
                     seed=seed, out_dir=tmp_path, workers=1, oversample=5,
                     targets_from=truth.run_id[:24], parameters=TWIN_SETTING)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_twin_experiment_recovers_the_true_parameters(tmp_path, short_scenario, seed) -> None:
    # Known answer: targets computed from a run at TRUE; the 90 % interval must cover TRUE.
    # 40 particles, 4 generations of 200 proposals (the closest fifth kept), 20 replicates each:
    # 16,000 replicates of 59 months, a few seconds a seed.
    cal = _twin(tmp_path, short_scenario, seed)
    iv = cal.intervals.set_index("parameter")
    for name, value in TRUE.items():
        assert iv.loc[name, "q05"] <= value <= iv.loc[name, "q95"], (name, iv)
    # ... and is much narrower than the prior (the statistics inform both parameters).
    width = (iv["q95"] - iv["q05"]) / (iv["prior_high"] - iv["prior_low"])
    assert (width < 0.5).all(), iv
    assert len(cal.run_ids) == 4  # one run per generation


def test_a_calibration_is_reproducible_and_stores_its_outputs(tmp_path, short_scenario) -> None:
    a = _twin(tmp_path / "a", short_scenario, seed=5, particles=10, generations=2, replicates=4)
    b = _twin(tmp_path / "b", short_scenario, seed=5, particles=10, generations=2, replicates=4)
    pd.testing.assert_frame_equal(a.posterior, b.posterior)
    for f in ("posterior.parquet", "calibration.json", "intervals.csv", "pairs.png",
              "calibration.html"):
        assert (a.root / f).is_file(), f
    meta = json.loads((a.root / "calibration.json").read_text())
    assert meta["targets_from_run"] and len(meta["epsilon"]) == 2 and len(meta["run_ids"]) == 2
    assert [p["parameter"] for p in meta["priors"]] == list(TRUE)
    post = pd.read_parquet(a.root / "posterior.parquet")
    assert {*TRUE, "weight", "generation", "distance"} <= set(post.columns)
    assert "<section" in (a.root / "calibration.html").read_text()


@pytest.mark.parametrize(("text", "expected"), [
    ("[targets.a]\nstatistic = 'share'\ncondition = 'aligned_final == 0'\nobserved = 1\n",
     ("t.toml", "targets.a.source", "missing")),
    ("[targets.a]\nstatistic = 'mode'\ncolumn = 'x'\nobserved = 1\nsource = 's'\n",
     ("t.toml", "targets.a.statistic", "'share', 'median' or 'mean'")),
    ("[targets.a]\nstatistic = 'share'\ncondition = 'no_such == 0'\nobserved = 1\nsource = 's'\n",
     ("t.toml", "targets.a", "unknown column 'no_such'")),
    ("[targets.a]\nstatistic = 'share'\ncondition = '__import__(1)'\nobserved = 1\nsource = 's'\n",
     ("t.toml", "targets.a", "only comparisons")),
    ("[targets.a]\nstatistic = 'share'\ncondition = 'aligned_final == 0'\nobserved = 2\n"
     "source = 's'\n", ("t.toml", "targets.a", "[0, 1]")),
    ("[targets.a]\nstatistic = 'median'\ncolumn = 'first_strike_step'\nobserved = 19\n"
     "source = 's'\nweigth = 2\n", ("t.toml", "targets.a.weigth", "unknown field")),
    ("[targets.a]\nstatistic = 'median'\ncolumn = 'first_war_outcome'\nobserved = 19\n"
     "source = 's'\n", ("t.toml", "targets.a", "holds text")),
    ("[targets.a]\nstatistic = 'mean'\ncolumn = 'wars_started'\nobserved = 1\nsource = 's'\n"
     "weight = -1\n", ("t.toml", "targets.a.weight", "greater than or equal to 0")),
    ("[targets.a]\nstatistic = 'mean'\ncolumn = 'wars_started'\nobserved = 1\nsource = 's'\n"
     "tolerance = -1\n", ("t.toml", "targets.a.tolerance", "greater than or equal to 0")),
    ("targets = {}\n", ("t.toml", "targets", "at least 1")),
    ("[targets.a\n", ("t.toml", "malformed TOML")),
])
def test_bad_targets_files_are_one_line_errors(tmp_path, text, expected) -> None:
    path = tmp_path / "t.toml"
    path.write_text(text)
    with pytest.raises(RevexportError):
        load_targets(path)
    result = invoke("calibrate", "synthetic:10", "--targets", str(path), "-o", str(tmp_path / "o"))
    assert_one_line_error(result, *expected)
    assert not (tmp_path / "o").exists()


def test_bad_parameters_are_one_line_errors(tmp_path) -> None:
    result = invoke("calibrate", "--params", "strike_hazrd", "-o", str(tmp_path))
    assert_one_line_error(result, "--params", "strike_hazrd", "unknown parameter")
    result = invoke("calibrate", "--params", "new_exporter_slots", "-o", str(tmp_path))
    assert_one_line_error(result, "--params", "whole-number")
    with pytest.raises(RevexportError, match="at least 1"):
        validate_targets({"targets": {}}, "x")


def test_calibrate_and_run_the_posterior_predictive_from_the_command_line(tmp_path) -> None:
    targets = tmp_path / "t.toml"
    targets.write_text(TWIN_TARGETS)
    out = tmp_path / "runs"
    result = invoke("calibrate", "synthetic:20", "--targets", str(targets), "--params",
                    "strike_hazard,coalition_join_rate", "--particles", "20", "--generations",
                    "2", "-r", "3", "-s", "4", "-o", str(out), "-w", "1")
    assert result.exit_code == 0, result.stderr
    assert "strike_hazard" in result.stdout and "95%" in result.stdout
    (cal_dir,) = (out / "calibrations").iterdir()
    result = invoke("run", "synthetic:20", "--posterior", str(cal_dir), "-r", "30", "-s", "2",
                    "-o", str(out / "pp"), "-w", "1", "--no-movement")
    assert result.exit_code == 0, result.stderr
    assert "30 posterior draws x 1 replicates" in result.stdout
    (run_dir,) = (out / "pp").glob("*/manifest.json")
    manifest = read_manifest(run_dir.parent)
    assert manifest["replicates"] == 30 and manifest["replicates_per_row"] == 1
    post = pd.read_parquet(cal_dir / "posterior.parquet")
    final = post[post["generation"] == post["generation"].max()]
    drawn = {round(r["strike_hazard"], 12) for r in manifest["design"]}
    assert drawn <= {round(v, 12) for v in final["strike_hazard"]}
    # A posterior says nothing about another scenario.
    result = invoke("run", "synthetic:30", "--posterior", str(cal_dir), "-o", str(out / "pp"))
    assert_one_line_error(result, "--posterior", "synthetic:20")
