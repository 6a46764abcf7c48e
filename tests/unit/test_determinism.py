"""Same seed, same results; results do not depend on how blocks were scheduled."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

import revexport as rx
from revexport.storage import read_manifest, read_table


def _data(root: Path) -> dict[str, pd.DataFrame]:
    return {str(p.relative_to(root)): pq.read_table(p).to_pandas()
            for p in sorted(root.rglob("block-*.parquet"))}


def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("block-*.parquet"))}


def test_same_seed_gives_identical_files(tmp_path) -> None:
    kw = dict(doctrine="militant", replicates=60, seed=5, block_size=25)
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


def test_an_interrupted_run_keeps_finished_blocks(tmp_path) -> None:
    calls = []

    def stop_after_first_block(done: int) -> None:
        calls.append(done)
        raise KeyboardInterrupt

    try:
        rx.run_ensemble("middle-east-1979", replicates=30, block_size=10, out_dir=tmp_path,
                        run_id="cut", progress=stop_after_first_block)
    except KeyboardInterrupt:
        pass
    manifest = read_manifest(tmp_path / "cut")
    assert manifest["status"] == "incomplete"
    assert manifest["blocks_done"] == [0]
    assert len(read_table(tmp_path / "cut", "replicates")) == 10
