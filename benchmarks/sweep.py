"""Overhead of Dask per block: a sweep against the same design run on threads.

Runs one design (4 parameter sets on ``synthetic:20``, 20 blocks of 8 replicates) twice with
two workers: with :func:`run_ensemble` on threads in this process, and with
:func:`revexport.experiments.sweep.sweep` on a local Dask cluster of two worker processes
(started once, timed apart, and warmed up by a first sweep so that the engine is loaded in every
worker). Prints the wall times of the computing phase (``wall_time_s`` in the manifests) and the
difference per block: the cost of a task's scheduling, of sending its job and returning its
replicate summaries, and of committing it. The results of both runs are checked to be identical.

Run: ``python benchmarks/sweep.py`` (about half a minute on 2 cores); ``--blocks N`` to change
the number of blocks.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from revexport.experiments.ensemble import run_ensemble  # noqa: E402
from revexport.experiments.sweep import sweep  # noqa: E402

SCENARIO = "synthetic:20"
BLOCK = 8
WORKERS = 2
DESIGN = pd.DataFrame({"perception_rate": [0.05, 0.15, 0.3, 0.45],
                       "coalition_join_rate": [0.05, 0.2, 0.3, 0.4]})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--blocks", type=int, default=20, help="blocks per run (default 20)")
    args = ap.parse_args()
    per_row = args.blocks * BLOCK // len(DESIGN)
    blocks = -(-per_row * len(DESIGN) // BLOCK)
    from distributed import LocalCluster

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        kw = dict(replicates=per_row, seed=1, block_size=BLOCK)
        run_ensemble(SCENARIO, design=DESIGN, out_dir=out / "warm", workers=WORKERS, **kw)
        threads = run_ensemble(SCENARIO, design=DESIGN, out_dir=out / "threads", workers=WORKERS,
                               **kw)
        t0 = time.perf_counter()
        with LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=True,
                          host="127.0.0.1", dashboard_address=None,
                          silence_logs=logging.CRITICAL) as cluster:
            start = time.perf_counter() - t0
            address = cluster.scheduler_address
            sweep(DESIGN, SCENARIO, out_dir=out / "warm", scheduler=address, **kw)
            dask = sweep(DESIGN, SCENARIO, out_dir=out / "dask", scheduler=address, **kw)
        pd.testing.assert_frame_equal(threads.replicates, dask.replicates)
        t_threads = float(threads.manifest["wall_time_s"])
        t_dask = float(dask.manifest["wall_time_s"])
    print(f"{SCENARIO}, {len(DESIGN)} parameter sets x {per_row} replicates, {blocks} blocks of "
          f"{BLOCK}, {WORKERS} workers")
    print(f"local Dask cluster start:    {start:7.2f} s (once per sweep)")
    print(f"threads (run_ensemble):      {t_threads:7.3f} s")
    print(f"Dask (sweep, warm cluster):  {t_dask:7.3f} s")
    print(f"Dask overhead per block:     {1000 * (t_dask - t_threads) / blocks:7.1f} ms "
          "(identical results)")


if __name__ == "__main__":
    main()
