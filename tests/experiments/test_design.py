"""Designs: several parameter sets run side by side, each replicate with its own parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import assert_one_line_error, invoke
from revexport import run_ensemble
from revexport.errors import RevexportError
from revexport.experiments.design import read_design
from revexport.storage.manifest import read_manifest


def test_each_design_row_runs_its_own_parameters(tmp_path) -> None:
    # Neighbours strike first with a monthly hazard: fifty times the hazard, a first strike in
    # every replicate and years sooner.
    design = pd.DataFrame({"strike_hazard": [0.01, 0.5]})
    run = run_ensemble("middle-east-1979", doctrine="historical", replicates=150, seed=3,
                       out_dir=tmp_path, design=design, workers=1, record_movement=False)
    reps = run.replicates
    assert list(reps["design_row"].value_counts().sort_index()) == [150, 150]
    strikes = reps["first_strike_step"].groupby(reps["design_row"])
    assert strikes.count()[1] == 150 and strikes.count()[0] < 130
    assert strikes.median()[1] + 24 < strikes.median()[0]
    steps, events = run.table("steps"), run.table("events")
    assert set(steps["design_row"]) == {0, 1}
    assert np.array_equal(events["design_row"], events["replicate"] // 150)
    manifest = read_manifest(run.root)
    assert manifest["design"] == [{"strike_hazard": 0.01}, {"strike_hazard": 0.5}]
    assert manifest["replicates"] == 300 and manifest["replicates_per_row"] == 150


def test_a_design_gives_the_same_results_for_any_number_of_workers(tmp_path) -> None:
    design = pd.DataFrame({"perception_rate": [0.05, 0.3, 0.15],
                           "coalition_join_rate": [0.05, np.nan, 0.4]})
    runs = [run_ensemble("synthetic:30", replicates=40, seed=1, out_dir=tmp_path / str(w),
                         design=design, workers=w, block_size=25, record_movement=False)
            for w in (1, 2)]
    a, b = (r.replicates.sort_values("replicate").reset_index(drop=True) for r in runs)
    pd.testing.assert_frame_equal(a, b)


def test_an_empty_cell_keeps_the_runs_value(tmp_path) -> None:
    design = pd.DataFrame({"strike_hazard": [0.3, np.nan]})
    run = run_ensemble("synthetic:20", replicates=5, out_dir=tmp_path, design=design,
                       parameters={"strike_hazard": 0.2}, workers=1, record_movement=False)
    manifest = read_manifest(run.root)
    assert manifest["design"] == [{"strike_hazard": 0.3}, {}]
    assert manifest["parameters"]["strike_hazard"] == 0.2


@pytest.mark.parametrize(("text", "expected"), [
    ("strike_hazrd\n0.1\n", ("design.csv", "strike_hazrd", "unknown parameter")),
    ("strike_hazard\n0.9\n", ("design.csv", "row 1", "strike_hazard", "[0.01, 0.5]")),
    ("strike_hazard\nlots\n", ("design.csv", "row 1", "strike_hazard", "must be a number")),
    ("strike_hazard\n", ("design.csv", "no rows")),
    ("", ("design.csv", "empty design file")),
    ("strike_hazard,strike_hazard\n0.1,0.2\n", ("design.csv", "twice")),
    ("strike_hazard,perception_rate\n0.1\n", ("design.csv", "row 1", "1 values for 2 columns")),
    ("new_exporter_slots\n1.5\n", ("design.csv", "new_exporter_slots", "whole number")),
    ("strike_hazard\ninf\n", ("design.csv", "finite")),
])
def test_bad_designs_are_one_line_errors_naming_file_row_and_column(tmp_path, text, expected) -> None:
    path = tmp_path / "design.csv"
    path.write_text(text)
    with pytest.raises(RevexportError):
        read_design(path)
    result = invoke("run", "--design", str(path), "-o", str(tmp_path / "runs"))
    assert_one_line_error(result, *expected)
    assert not (tmp_path / "runs").exists()  # nothing written


def test_a_design_from_the_command_line(tmp_path) -> None:
    path = tmp_path / "sets.csv"
    path.write_text("strike_hazard,coalition_join_rate\n0.05,0.1\n0.4,\n")
    result = invoke("run", "synthetic:20", "--design", str(path), "-r", "4", "-w", "1",
                    "-o", str(tmp_path / "runs"), "--no-movement")
    assert result.exit_code == 0, result.stderr
    assert "2 parameter sets x 4 replicates" in result.stdout
