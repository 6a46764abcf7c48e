"""Benchmark of a global sensitivity analysis, written to docs/sensitivity.md.

A Sobol' analysis (first and total order) of 20 parameters on middle-east-1979 under the
``historical`` doctrine: N = 1,024, so N (D + 2) = 22,528 sample points, 10 replicates each
(225,280 replicates), evaluated as one design run. Measures the analysis's wall time and the
engine's throughput inside it against a plain ``run_ensemble`` of the same number of replicates
(target: at least 80 %), and writes the indices of the 10 most influential parameters for each
hindcast check.

Run: ``python benchmarks/sensitivity.py`` (several minutes on 2 cores), or ``--quick``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from revexport.experiments.ensemble import run_ensemble  # noqa: E402
from revexport.experiments.sensitivity import CHECKS, run_sensitivity, top_parameters  # noqa: E402

SCENARIO = "middle-east-1979"
DOCTRINE = "historical"
#: Parameters of perception, threat, movements, coalitions, sanctions, first strikes and regime
#: change: the mechanisms the three checks run through.
PARAMS = [
    "perception_rate", "misperception_bias", "threat_ideological_weight",
    "threat_regime_delegitimised", "vulnerability_base", "budget_fraction",
    "offensive_power_ratio", "movement_propaganda_growth", "contagion_weight", "movement_decay",
    "coalition_join_threshold", "coalition_join_rate", "coalition_leave_rate",
    "coalition_bandwagon", "sanction_threshold", "strike_threshold", "strike_window_threshold",
    "strike_hazard", "revolutionary_disruption", "regime_hazard",
]
TARGET = 0.80


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 64, 2 replicates (a minute)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "sensitivity.md")
    args = parser.parse_args()
    n, reps = (64, 2) if args.quick else (1024, 10)
    assert len(PARAMS) == 20

    with tempfile.TemporaryDirectory() as tmp:
        # A small run first: the engine is compiled (or loaded from its cache) outside the timings.
        run_ensemble(SCENARIO, doctrine=DOCTRINE, replicates=20, out_dir=tmp, workers=1,
                     record_movement=False)
        t0 = time.perf_counter()
        result = run_sensitivity(SCENARIO, doctrine=DOCTRINE, method="sobol", params=PARAMS, n=n,
                                 replicates=reps, seed=0, out_dir=Path(tmp) / "sa",
                                 workers=args.workers)
        analysis_wall = time.perf_counter() - t0
        total = int(result.manifest["replicates"])
        run_wall = float(result.manifest["run_wall_time_s"])
        t0 = time.perf_counter()
        plain = run_ensemble(SCENARIO, doctrine=DOCTRINE, replicates=total, seed=0,
                             out_dir=Path(tmp) / "plain", workers=args.workers,
                             record_movement=False)
        plain_wall = time.perf_counter() - t0
    # The two runs need not do the same work: the sample spans the parameters' ranges.
    war_months = (float(result.run.replicates["war_months"].mean()),
                  float(plain.replicates["war_months"].mean()))
    events = (float(result.run.replicates["wars_started"].mean()
                    + result.run.replicates["regime_changes"].mean()),
              float(plain.replicates["wars_started"].mean()
                    + plain.replicates["regime_changes"].mean()))

    indices = result.indices
    ratio = plain_wall / analysis_wall
    run_ratio = plain_wall / run_wall
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    lines = [
        "# Sensitivity analysis",
        "",
        "Measured by `python benchmarks/sensitivity.py`; every figure below is written by that "
        "script. `revexport sensitivity` runs the same analysis for any scenario, doctrine, "
        "parameters and outcomes.",
        "",
        f"Machine: {cores} cores, {platform.machine()}, Python {platform.python_version()}, "
        f"NumPy {np.__version__}; {args.workers} workers.",
        "",
        "## Setting",
        "",
        f"Sobol' indices (first and total order, SALib, Saltelli's sample without second order) "
        f"of {len(PARAMS)} parameters, each over its declared range, on {SCENARIO} under the "
        f"`{DOCTRINE}` doctrine: N = {n:,}, so {result.manifest['points']:,} sample points, "
        f"{reps} replicates each ({total:,} replicates), seed 0, one design run. A point's "
        "response to a check is the share of its replicates that meet it (docs/odd.md, "
        "section 1.2); confidence intervals are SALib's 95 % bootstrap intervals.",
        "",
        *(["Quick setting (`--quick`): a smoke run, not the benchmark.", ""] if args.quick else []),
        "## Time",
        "",
        "| what | replicates | wall s | replicates/s |",
        "|---|---|---|---|",
        f"| the whole analysis (sample, design run, indices, files) | {total:,} | "
        f"{analysis_wall:.1f} | {total / analysis_wall:,.0f} |",
        f"| its design run alone | {total:,} | {run_wall:.1f} | {total / run_wall:,.0f} |",
        f"| a plain `run_ensemble`, one parameter set | {total:,} | {plain_wall:.1f} | "
        f"{total / plain_wall:,.0f} |",
        "",
        f"Throughput inside the analysis: {ratio:.0%} of the plain run ({run_ratio:.0%} for the "
        f"design run alone; target: at least {TARGET:.0%}). "
        + ("Reached." if ratio >= TARGET else "Not reached.")
        + f" Both run in blocks of {result.manifest['block_size']:,} replicates; the design's "
        "parameters are gathered per replicate from one matrix, and the design is stored once "
        "beside the run's manifest. The two runs do not simulate the same histories: over the "
        f"sample a replicate spends {war_months[0]:.0f} months at war and has "
        f"{events[0]:.2f} wars and regime changes, at the defaults {war_months[1]:.0f} and "
        f"{events[1]:.2f} (the cost of the design machinery alone, rows at the defaults, is in "
        "docs/performance.md).",
        "",
    ]
    for check in CHECKS:
        top = top_parameters(indices[indices["outcome"] == check], "sobol", k=10)
        lines += [f"## {check}: the 10 most influential parameters", ""]
        if top["ST"].isna().all():
            lines += ["No indices: the check's share does not vary over the sample.", ""]
            continue
        lines += ["| parameter | ST | ST 95 % | S1 | S1 95 % |", "|---|---|---|---|---|"]
        for row in top.itertuples(index=False):
            lines.append(f"| `{row.parameter}` | {row.ST:.3f} | ±{row.ST_conf:.3f} | "
                         f"{row.S1:.3f} | ±{row.S1_conf:.3f} |")
        lines.append("")
    args.out.write_text("\n".join(lines), encoding="utf-8")
    pd.set_option("display.width", 140)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
