"""Global sensitivity analysis: the analysis pipeline against the Ishigami function's analytic
indices, the command end to end on a small synthetic world, and its one-line errors."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from SALib.test_functions import Ishigami

from conftest import assert_one_line_error, invoke
from revexport.errors import RevexportError
from revexport.experiments.sensitivity import (
    CHECKS,
    DEFAULT_OUTCOMES,
    REPLICATE_OUTCOMES,
    analyse,
    draw_sample,
    point_responses,
    problem_of,
)
from revexport.storage.manifest import read_manifest

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
# Analytic indices of Ishigami (a = 7, b = 0.1).
S1 = np.array([0.3139, 0.4424, 0.0])
ST = np.array([0.5576, 0.4424, 0.2437])
PARAMS = "strike_hazard,coalition_join_rate,new_exporter_slots"


def test_ishigami_through_the_analysis_gives_its_analytic_indices() -> None:
    x = sobol_sample.sample(ISHIGAMI, 1024, calc_second_order=False, seed=3)
    table = analyse(ISHIGAMI, x, {"y": Ishigami.evaluate(x)}, "sobol", seed=3)
    assert list(table.columns) == ["parameter", "outcome", "S1", "S1_conf", "ST", "ST_conf"]
    assert list(table["parameter"]) == ["x1", "x2", "x3"]
    assert np.all(np.abs(table["S1"] - S1) <= table["S1_conf"])
    assert np.all(np.abs(table["ST"] - ST) <= table["ST_conf"])


def test_ishigami_morris_gives_the_grid_effect_of_x2_and_x3_interacting() -> None:
    x = morris_sample.sample(ISHIGAMI, 200, num_levels=4, seed=1)
    table = analyse(ISHIGAMI, x, pd.DataFrame({"y": Ishigami.evaluate(x)}), "morris", seed=1)
    assert list(table.columns) == ["parameter", "outcome", "mu_star", "mu_star_conf", "sigma"]
    mu = table.set_index("parameter")["mu_star"]
    # On the 4-level grid (-pi, -pi/3, pi/3, pi) every step of x2 changes 7 sin^2(x2) by
    # 7 x 3/4 over a step of 2/3 of the range: |effect| = 7.875 exactly.
    assert mu["x2"] == pytest.approx(7.875)
    # x3 acts only through its interaction with x1: a spread of effects larger than their mean.
    sigma = table.set_index("parameter")["sigma"]
    assert sigma["x3"] > mu["x3"]


def test_a_constant_outcome_gets_no_indices() -> None:
    x = sobol_sample.sample(ISHIGAMI, 8, calc_second_order=False, seed=0)
    table = analyse(ISHIGAMI, x, {"flat": np.ones(len(x))}, "sobol")
    assert table[["S1", "ST"]].isna().all().all()


def test_integer_parameters_are_rounded_in_the_design_only() -> None:
    problem = problem_of(["strike_hazard", "new_exporter_slots"])
    sample, design = draw_sample(problem, "sobol", 16, seed=2)
    assert len(design) == 16 * 4
    slots = design["new_exporter_slots"]
    assert np.array_equal(slots, np.rint(slots)) and slots.between(0, 6).all()
    assert not np.array_equal(sample[:, 1], np.rint(sample[:, 1]))
    assert np.array_equal(design["strike_hazard"], sample[:, 0])


def test_point_responses_average_each_rows_replicates() -> None:
    reps = pd.DataFrame({
        "design_row": [0, 0, 1, 1],
        "first_strike_neighbour": [True, True, False, True],
        "first_strike_step": [10.0, 30.0, np.nan, 5.0],
        "first_war_initiator": ["state", "state", "", "state"],
        "group_coalition_step": [20.0, 40.0, np.nan, np.nan],
        "aligned_final": [0, 1, 0, 0],
        "wars_started": [1, 3, 0, 2],
    })
    y = point_responses(reps, ["first_strike", "monarchy_coalition", "no_aligned_regime",
                               "wars_started"], 2)
    assert y.to_dict(orient="list") == {"first_strike": [0.5, 0.5], "monarchy_coalition": [0.5, 0.0],
                                        "no_aligned_regime": [0.5, 1.0], "wars_started": [2.0, 1.0]}


def test_the_command_writes_indices_figure_report_and_manifest(tmp_path: Path) -> None:
    out = tmp_path / "runs"
    result = invoke("sensitivity", "synthetic:20", "--params", PARAMS, "-n", "8", "-r", "2",
                    "-s", "4", "-o", str(out), "-w", "1")
    assert result.exit_code == 0, result.stderr + result.stdout
    assert "wars_started" in result.stdout and "strike_hazard" in result.stdout
    (folder,) = (out / "sensitivity").iterdir()
    indices = pd.read_parquet(folder / "indices.parquet")
    assert list(indices.columns) == ["parameter", "outcome", "S1", "S1_conf", "ST", "ST_conf"]
    assert list(dict.fromkeys(indices["outcome"])) == list(DEFAULT_OUTCOMES)
    assert len(indices) == 3 * len(DEFAULT_OUTCOMES)
    assert (folder / "sensitivity.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (folder / "sensitivity.html").read_text()
    assert "data:image/png;base64," in page and "<section" in page
    b64 = page.split("data:image/png;base64,")[1].split("'")[0]
    assert base64.b64decode(b64)[:4] == b"\x89PNG"
    manifest = json.loads((folder / "sensitivity.json").read_text())
    assert manifest["method"] == "sobol" and manifest["params"] == PARAMS.split(",")
    assert (manifest["N"], manifest["replicates_per_point"], manifest["seed"]) == (8, 2, 4)
    assert manifest["integer_params_rounded"] == ["new_exporter_slots"]
    run_dir = out / manifest["run_id"]
    run = read_manifest(run_dir)
    assert run["replicates"] == 8 * 5 * 2 and len(run["design"]) == 8 * 5
    # Every numeric per-replicate column is an outcome the analysis knows, and no more.
    reps = pd.read_parquet(run_dir / "replicates")
    numeric = [c for c in reps.columns if c not in ("replicate", "design_row")
               and (pd.api.types.is_numeric_dtype(reps[c]) or pd.api.types.is_bool_dtype(reps[c]))]
    assert sorted(numeric) == sorted(REPLICATE_OUTCOMES)


def test_morris_end_to_end_on_chosen_outcomes(tmp_path: Path) -> None:
    result = invoke("sensitivity", "synthetic:20", "--method", "morris", "--params", PARAMS,
                    "-n", "3", "-r", "2", "-o", str(tmp_path), "-w", "1",
                    "--outcomes", f"{CHECKS[0]},exporter_economy_final")
    assert result.exit_code == 0, result.stderr + result.stdout
    (folder,) = (tmp_path / "sensitivity").iterdir()
    indices = pd.read_parquet(folder / "indices.parquet")
    assert list(indices.columns) == ["parameter", "outcome", "mu_star", "mu_star_conf", "sigma"]
    assert set(indices["outcome"]) == {"first_strike", "exporter_economy_final"}


@pytest.mark.parametrize(("args", "expected"), [
    (["--params", "strike_hazrd,perception_rate"], ("--params", "strike_hazrd", "strike_hazard")),
    (["--params", "strike_hazard"], ("--params", "at least 2")),
    (["--params", "strike_hazard,strike_hazard"], ("--params", "twice")),
    (["--params", PARAMS, "--outcomes", "wars_startd"], ("--outcomes", "wars_startd", "wars_started")),
    (["--params", PARAMS, "-n", "10"], ("-n", "power of two", "10", "8 or 16")),
    (["--params", PARAMS, "--method", "fast"], ("--method", "sobol", "morris")),
    (["--params", PARAMS, "--method", "morris", "-n", "1"], ("-n", "at least 2")),
    (["--params", PARAMS, "-r", "0"], ("-r", "at least 1")),
    (["--params", PARAMS, "-d", "nosuchdoctrine"], ("nosuchdoctrine",)),
])
def test_bad_input_is_one_line(tmp_path: Path, args: list[str], expected: tuple[str, ...]) -> None:
    result = invoke("sensitivity", "synthetic:20", *args, "-o", str(tmp_path))
    assert_one_line_error(result, *expected)
    assert not (tmp_path / "sensitivity").exists()


def test_problem_comes_from_the_declared_ranges() -> None:
    problem = problem_of("all")
    assert problem["num_vars"] == len(problem["names"]) > 50
    i = problem["names"].index("strike_hazard")
    assert problem["bounds"][i] == [0.01, 0.5]
    with pytest.raises(RevexportError, match="unknown parameter"):
        problem_of("nope,strike_hazard")
