"""Sweeps on Dask: the same run as ``run_ensemble``, blocks as Dask tasks, resumable."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from conftest import assert_one_line_error, invoke
from revexport import run_ensemble
from revexport.experiments.ensemble import Run, resume_run
from revexport.experiments.sweep import sweep
from revexport.storage.lifecycle import RunInterrupted
from revexport.storage.manifest import read_manifest

pytest.importorskip("distributed")

SCENARIO = "synthetic:20"
SEED = 11
BLOCK = 4
DESIGN = pd.DataFrame({"perception_rate": [0.05, 0.3, 0.15],
                       "coalition_join_rate": [0.05, np.nan, 0.4]})
REPLICATES = 6  # 18 replicates: blocks of 4, 4, 4, 4, 2
TABLES = ("replicates", "steps", "events", "movement")


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The design run in this process, one worker."""
    return run_ensemble(SCENARIO, replicates=REPLICATES, seed=SEED, design=DESIGN,
                        block_size=BLOCK, workers=1, out_dir=tmp_path_factory.mktemp("reference"))


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """An existing Dask cluster of two worker processes on this machine."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=logging.CRITICAL) as cluster:
        yield cluster.scheduler_address


def assert_same_tables(a: Run, b: Run) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(a.table(name), b.table(name), obj=name)


def test_a_sweep_on_a_local_cluster_equals_the_run_in_one_process(tmp_path: Path,
                                                                  reference: Run) -> None:
    done: list[int] = []
    run = sweep(DESIGN, SCENARIO, replicates=REPLICATES, seed=SEED, out_dir=tmp_path, workers=2,
                block_size=BLOCK, progress=done.append)
    assert run.status == "complete"
    pd.testing.assert_frame_equal(run.replicates, reference.replicates)
    assert_same_tables(run, reference)
    manifest = read_manifest(run.root)
    assert manifest["executor"] == "dask" and manifest["scheduler"] == "local"
    assert manifest["workers"] == 2 and manifest["blocks_done"] == [0, 1, 2, 3, 4]
    assert manifest["design"] == reference.manifest["design"]
    assert sorted(done) == done and done[-1] == 18 and len(done) == 5


def _stop_after_first_block(done: int) -> None:
    raise KeyboardInterrupt


def test_a_sweep_stopped_after_one_block_resumes_to_the_same_run(tmp_path: Path, reference: Run,
                                                                 scheduler: str) -> None:
    with pytest.raises(RunInterrupted, match="revexport resume"):
        sweep(DESIGN, SCENARIO, replicates=REPLICATES, seed=SEED, out_dir=tmp_path,
              scheduler=scheduler, block_size=BLOCK, progress=_stop_after_first_block)
    (root,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    stopped = Run.open(root)
    assert stopped.status == "incomplete"
    assert len(stopped.manifest["blocks_done"]) == 1
    assert stopped.manifest["scheduler"] == scheduler
    run = resume_run(root, workers=2)  # on threads, in this process
    assert run.status == "complete"
    assert_same_tables(run, reference)


def test_the_command_line_sweeps_and_resumes_on_an_existing_cluster(tmp_path: Path, reference: Run,
                                                                    scheduler: str) -> None:
    csv = tmp_path / "design.csv"
    DESIGN.to_csv(csv, index=False)
    with pytest.raises(RunInterrupted):
        sweep(csv, SCENARIO, replicates=REPLICATES, seed=SEED, out_dir=tmp_path / "runs",
              scheduler=scheduler, block_size=BLOCK, progress=_stop_after_first_block)
    (root,) = [p for p in (tmp_path / "runs").iterdir() if p.is_dir()]
    result = invoke("resume", root.name, "-o", str(tmp_path / "runs"), "--scheduler", scheduler)
    assert result.exit_code == 0, result.stderr
    assert_same_tables(Run.open(root), reference)

    result = invoke("sweep", str(csv), SCENARIO, "-r", str(REPLICATES), "-s", str(SEED), "-o",
                    str(tmp_path / "cli"), "--scheduler", scheduler, "--block-size", str(BLOCK))
    assert result.exit_code == 0, result.stderr
    (root,) = [p for p in (tmp_path / "cli").iterdir() if p.is_dir()]
    assert_same_tables(Run.open(root), reference)


def test_an_unreachable_scheduler_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    csv = tmp_path / "design.csv"
    DESIGN.to_csv(csv, index=False)
    out = tmp_path / "runs"
    result = invoke("sweep", str(csv), SCENARIO, "-r", "2", "-o", str(out),
                    "--scheduler", "tcp://127.0.0.1:1")
    assert_one_line_error(result, "tcp://127.0.0.1:1", "cannot connect", "nothing was written")
    assert not out.exists()
    result = invoke("sweep", str(csv), SCENARIO, "-o", str(out), "--scheduler", "127.0.0.1")
    assert_one_line_error(result, "--scheduler", "tcp://HOST:PORT")
    assert not out.exists()


@pytest.mark.parametrize(("text", "expected"), [
    ("perception_rate\n0.9\n", ("design.csv", "row 1", "perception_rate", "[0.02, 0.5]")),
    ("perception_rate\nlots\n", ("design.csv", "row 1", "perception_rate", "must be a number")),
    ("perception_rat\n0.1\n", ("design.csv", "perception_rat", "unknown parameter")),
])
def test_a_bad_design_is_one_line(tmp_path: Path, text: str, expected: tuple[str, ...]) -> None:
    csv = tmp_path / "design.csv"
    csv.write_text(text)
    result: Any = invoke("sweep", str(csv), SCENARIO, "-o", str(tmp_path / "runs"))
    assert_one_line_error(result, *expected)
    assert not (tmp_path / "runs").exists()
