"""Same seed, same results; results do not depend on how blocks were scheduled."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import revexport as rx
from revexport.engine.rng import default_block_size
from revexport.storage import read_manifest, read_table


def _data(root: Path) -> dict[str, pd.DataFrame]:
    return {str(p.relative_to(root)): pq.read_table(p).to_pandas()
            for p in sorted(root.rglob("block-*.parquet"))}


def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("block-*.parquet"))}


def test_same_seed_gives_identical_files(tmp_path) -> None:
    kw = dict(doctrine="militant", replicates=60, seed=5, block_size=25, workers=1)
    a = rx.run_ensemble("middle-east-1979", out_dir=tmp_path, run_id="a", **kw)
    b = rx.run_ensemble("middle-east-1979", out_dir=tmp_path, run_id="b", **kw)
    assert len(_digests(a.root)) == 12  # 3 blocks x 4 tables
    assert _digests(a.root) == _digests(b.root)
    c = rx.run_ensemble("middle-east-1979", out_dir=tmp_path, run_id="c",
                        **{**kw, "seed": 6})
    assert not a.replicates.equals(c.replicates)


def test_workers_do_not_change_results(tmp_path) -> None:
    kw = dict(doctrine="historical", replicates=50, seed=9, block_size=10)
    one = rx.run_ensemble("middle-east-1979", out_dir=tmp_path, run_id="one", workers=1, **kw)
    two = rx.run_ensemble("middle-east-1979", out_dir=tmp_path, run_id="two", workers=2, **kw)
    pd.testing.assert_frame_equal(one.replicates, two.replicates)
    d1, d2 = _data(one.root), _data(two.root)
    assert d1.keys() == d2.keys()
    for key in d1:
        pd.testing.assert_frame_equal(d1[key], d2[key])
    assert _digests(one.root) == _digests(two.root)


def test_replicates_are_distinct_within_a_block(tmp_path) -> None:
    run = rx.run_ensemble("middle-east-1979", replicates=40, seed=1, out_dir=tmp_path,
                          record_movement=False)
    steps = run.table("steps")
    final = steps[steps["step"] == steps["step"].max()]
    assert final["exporter_economy"].nunique() == 40


@pytest.mark.parametrize("workers", [1, 2])
def test_an_interrupted_run_keeps_finished_blocks(tmp_path, workers: int) -> None:
    """Stopped after its first finished block, a run keeps the blocks it finished. In one
    worker that is block 0; with blocks on two threads it is whichever finished first."""
    calls = []

    def stop_after_first_block(done: int) -> None:
        calls.append(done)
        raise KeyboardInterrupt

    try:
        rx.run_ensemble("middle-east-1979", replicates=30, block_size=10, out_dir=tmp_path,
                        run_id="cut", workers=workers, progress=stop_after_first_block)
    except KeyboardInterrupt:
        pass
    manifest = read_manifest(tmp_path / "cut")
    assert manifest["status"] == "incomplete"
    done = manifest["blocks_done"]
    if workers == 1:
        assert done == [0]
    assert 1 <= len(done) < 3 and set(done) <= {0, 1, 2}
    reps = read_table(tmp_path / "cut", "replicates")
    assert len(reps) == 10 * len(done)
    assert sorted(reps["replicate"]) == sorted(10 * b + i for b in done for i in range(10))


def test_whole_compiled_steps_and_phase_by_phase_steps_give_the_same_world() -> None:
    """The compiled loop over whole steps and the step run one phase at a time (as timings
    and Python doctrines run it) draw the same numbers in the same order."""
    from revexport.doctrines.registry import get_doctrine
    from revexport.engine.run import simulate_block
    from revexport.engine.state import Static
    from revexport.params import Parameters, parameter_table
    from revexport.scenario import load_scenario

    static = Static.from_scenario(load_scenario("middle-east-1979"), 2, doctrine="factional")
    rows = [Parameters(), Parameters().with_overrides({"strike_hazard": 0.4, "perception_rate": 0.3})]
    par = parameter_table(rows, np.arange(20) % 2)
    doctrines = {name: get_doctrine(name) for name in set(static.slot_doctrine)}
    whole = simulate_block(static, par, doctrines, seed=3, block=1, n_steps=60)
    timings: dict[str, float] = {}
    phased = simulate_block(static, par, doctrines, seed=3, block=1, n_steps=60, timings=timings)
    assert set(timings) == {"perception", "decision", "movements", "responses", "war", "regime",
                            "home", "record"}
    for name in whole._fields:
        np.testing.assert_array_equal(getattr(whole, name), getattr(phased, name), err_msg=name)
    other = simulate_block(static, par, doctrines, seed=3, block=2, n_steps=60)
    assert not np.array_equal(whole.economy, other.economy)  # another block, other draws


@pytest.mark.parametrize(("n_states", "replicates", "size"), [
    (22, 1000, 500), (22, 999, 500), (22, 2000, 1000), (22, 10_000, 1000), (22, 1, 1),
    (22, None, 1000), (1000, 10_000, 250), (10_000, 30, 15)])
def test_default_blocks_fill_two_cores_and_depend_on_the_run_only(n_states, replicates,
                                                                  size) -> None:
    """The default run of 1,000 replicates runs as two blocks; larger runs keep blocks of 1,000
    (fewer in a large world); nothing of the machine enters."""
    assert default_block_size(n_states, replicates) == size


def test_a_default_run_records_its_block_size(tmp_path) -> None:
    run = rx.run_ensemble("middle-east-1979", replicates=30, seed=3, out_dir=tmp_path,
                          workers=1, record_movement=False)
    assert run.manifest["block_size"] == 15
    assert sorted(run.manifest["blocks_done"]) == [0, 1]
