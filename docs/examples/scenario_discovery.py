"""Scenario discovery with PRIM: in which parameter region is the exporter at war by 1982?

Samples parameter sets over the declared ranges of a few parameters of first strikes and
threat, runs each under the ``historical`` doctrine with the EMA Workbench adapter (one engine
call for the whole sample), and marks an experiment as a case of interest when more than half
of its replicates had a first war begun by 1982-01 (step 35; the outcome ``war_by_1982``).
PRIM then finds a box of parameter values in which such cases are concentrated, and prints its
limits, coverage (share of all cases of interest inside the box) and density (share of
experiments inside the box that are cases of interest).

Run: ``python docs/examples/scenario_discovery.py [--experiments 200] [--replicates 5]``
(needs ``pip install 'revexport[ema]'``).
"""

from __future__ import annotations

import argparse
import logging

import pandas as pd

from revexport.ema import perform_experiments
from revexport.params import Parameters

UNCERTAINTIES = [
    "strike_hazard",
    "strike_threshold",
    "strike_window_threshold",
    "offensive_power_ratio",
    "revolutionary_disruption",
    "threat_ideological_weight",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=200, help="parameter sets sampled")
    parser.add_argument("--replicates", type=int, default=5, help="replicates per parameter set")
    parser.add_argument("--doctrine", default="historical")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--min-coverage", type=float, default=0.6,
                        help="the box shown: the densest on the peeling trajectory with this coverage")
    args = parser.parse_args()

    experiments, outcomes = perform_experiments(
        args.experiments, doctrines=[args.doctrine], replicates=args.replicates,
        uncertainties=UNCERTAINTIES, seed=args.seed, workers=args.workers)
    # A case of interest: more than half of the experiment's replicates at war by 1982-01.
    y = outcomes["war_by_1982"] > 0.5
    x = experiments[UNCERTAINTIES]

    from ema_workbench.analysis import prim  # after revexport.ema has imported the workbench

    logging.getLogger("EMA").setLevel(logging.WARNING)
    print(f"{len(x)} experiments x {args.replicates} replicates, doctrine {args.doctrine}: "
          f"{int(y.sum())} at war by 1982-01 in more than half of their replicates "
          f"({y.mean():.0%})")

    finder = prim.Prim(x, y, threshold=0.8, peel_alpha=0.1)
    box = finder.find_box()
    trajectory = box.peeling_trajectory
    eligible = trajectory[trajectory["coverage"] >= args.min_coverage]
    chosen = int(eligible["density"].idxmax()) if len(eligible) else len(trajectory) - 1
    box.select(chosen)

    limits = box.box_lim
    restricted = [u for u in UNCERTAINTIES
                  if limits.at[0, u] > x[u].min() or limits.at[1, u] < x[u].max()]
    table = pd.DataFrame(
        {"low": [limits.at[0, u] for u in restricted],
         "high": [limits.at[1, u] for u in restricted],
         "declared range": [f"[{Parameters.spec(u).low:g}, {Parameters.spec(u).high:g}]"
                            for u in restricted]},
        index=pd.Index(restricted, name="parameter"))
    print(f"\nPRIM box {chosen} of {len(trajectory) - 1} on the peeling trajectory:")
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    print(f"coverage {box.coverage:.2f}  density {box.density:.2f}  mass {box.mass:.2f}  "
          f"restricted dimensions {int(box.res_dim)}")


if __name__ == "__main__":
    main()
