"""Compare doctrines from Python and score the hindcast: tidy pandas tables throughout.

Run: ``python docs/examples/compare_doctrines.py [OUT_DIR] [REPLICATES]``
"""

from __future__ import annotations

import sys
from pathlib import Path

from revexport.experiments.compare import compare
from revexport.experiments.hindcast import run_hindcast
from revexport.report import build_report

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("runs")
replicates = int(sys.argv[2]) if len(sys.argv) > 2 else 500

# 1. Three doctrines side by side, common random numbers.
comparison = compare("middle-east-1979", ["nationalist", "pragmatic", "militant"],
                     replicates=replicates, seed=1, out_dir=out)
wars = comparison.outcomes.query("outcome == 'wars_started'")
print(wars[["doctrine", "mean", "mean_lo", "mean_hi"]].to_string(index=False))
diff = comparison.differences.query("a == 'nationalist' and b == 'militant'")
print(diff[["label", "diff", "diff_lo", "diff_hi", "p_value"]].to_string(index=False))

# 2. Per-step trajectories of one run, tidy (replicate, step, month, metrics...).
steps = comparison.runs["militant"].table("steps")
print(steps.groupby("month")["coalition_size"].mean().tail(3))

# 3. The hindcast: share of replicates meeting each check.
hindcast = run_hindcast(replicates=replicates, seed=1, out_dir=out)
print(hindcast.scores[["check", "value", "passed"]].to_string(index=False))

# 4. A report with every table and figure embedded.
print(build_report(out / "reports" / "example", comparison, title="Example comparison"))
