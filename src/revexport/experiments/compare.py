"""Doctrines side by side, with intervals, and the differences between them.

Every doctrine is run with the same seed and block size, so replicate ``i`` of
each doctrine starts from the same random streams (common random numbers).
The streams diverge as soon as the doctrines act differently, so the pairing
is loose; differences are therefore estimated from the paired replicates
(mean of ``a_i - b_i`` with a bootstrap interval), and tested with a
two-sample Mann-Whitney test that does not rely on the pairing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from revexport.errors import RevexportError
from revexport.experiments.ensemble import Run, run_ensemble
from revexport.outcomes.summary import MAIN_OUTCOMES
from revexport.scenario.load import load_scenario
from revexport.scenario.schema import Scenario

#: Outcomes compared between doctrines (column -> label).
COMPARED: dict[str, str] = {
    k: v for k, v in MAIN_OUTCOMES.items() if k != "first_war_step"
}


@dataclass
class Comparison:
    """Runs of several doctrines and their comparison tables.

    Attributes
    ----------
    runs : dict of str to Run
        One stored run per doctrine.
    outcomes : DataFrame
        Tidy: doctrine, outcome, label, mean, mean_lo, mean_hi, lo, hi, n.
    differences : DataFrame
        Tidy: a, b, outcome, label, diff, diff_lo, diff_hi, p_value (two-sided).
    """

    runs: dict[str, Run]
    outcomes: pd.DataFrame
    differences: pd.DataFrame


def outcome_table(runs: Mapping[str, pd.DataFrame], level: float = 0.90,
                  columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Mean, bootstrap interval of the mean and central range of each outcome, per doctrine."""
    from revexport.outcomes.summary import ensemble_table

    cols = dict(columns or COMPARED)
    frames = []
    for doctrine, reps in runs.items():
        t = ensemble_table(reps, cols, level=level).reset_index(names="label")
        t.insert(0, "outcome", list(cols))
        t.insert(0, "doctrine", doctrine)
        frames.append(t)
    return pd.concat(frames, ignore_index=True)


def difference_table(runs: Mapping[str, pd.DataFrame], level: float = 0.90,
                     columns: Mapping[str, str] | None = None,
                     n_boot: int = 1000) -> pd.DataFrame:
    """Differences between every pair of doctrines, with intervals and p-values.

    ``diff`` is the mean over paired replicates of ``a - b`` (replicates are
    paired by index, the common-random-number pairing); ``diff_lo``/``diff_hi``
    a percentile bootstrap interval (fixed seed); ``p_value`` the two-sided
    Mann-Whitney test of the two samples.
    """
    cols = dict(columns or COMPARED)
    rng = np.random.default_rng(0)
    q = (1 - level) / 2
    rows = []
    for a, b in combinations(runs, 2):
        ra, rb = runs[a], runs[b]
        n = min(len(ra), len(rb))
        idx = rng.integers(0, n, size=(n_boot, n))
        for col, label in cols.items():
            xa = ra[col].to_numpy(dtype=float)[:n]
            xb = rb[col].to_numpy(dtype=float)[:n]
            ok = np.isfinite(xa) & np.isfinite(xb)
            if ok.sum() < 2:
                rows.append(dict(a=a, b=b, outcome=col, label=label, diff=np.nan,
                                 diff_lo=np.nan, diff_hi=np.nan, p_value=np.nan))
                continue
            dd = (xa - xb)[ok]
            boot = dd[idx[:, : len(dd)] % len(dd)].mean(axis=1)
            fa, fb = xa[np.isfinite(xa)], xb[np.isfinite(xb)]
            p = (float(stats.mannwhitneyu(fa, fb, alternative="two-sided").pvalue)
                 if np.ptp(np.concatenate([fa, fb])) > 0 else 1.0)
            rows.append(dict(a=a, b=b, outcome=col, label=label, diff=float(dd.mean()),
                             diff_lo=float(np.quantile(boot, q)),
                             diff_hi=float(np.quantile(boot, 1 - q)), p_value=p))
    return pd.DataFrame(rows)


def compare(
    scenario: Scenario | str = "middle-east-1979",
    doctrines: Sequence[str] = ("nationalist", "militant"),
    replicates: int = 1000,
    seed: int = 0,
    out_dir: Path | str = "runs",
    *,
    parameters: Mapping[str, float] | None = None,
    article154: bool | None = None,
    workers: int = 1,
    level: float = 0.90,
    progress: Callable[[str, int], None] | None = None,
) -> Comparison:
    """Run an ensemble per doctrine and compare them.

    Parameters
    ----------
    scenario : Scenario or str
    doctrines : sequence of str
        At least one doctrine name; each is run with the same seed (common random numbers).
    replicates, seed, out_dir, parameters, article154, workers
        As for :func:`revexport.run_ensemble`.
    level : float
        Coverage of the intervals.
    progress : callable, optional
        ``progress(doctrine, replicates_done)``.

    Returns
    -------
    Comparison
    """
    from revexport.doctrines.registry import get_doctrine

    names = list(dict.fromkeys(doctrines))
    if not names:
        raise RevexportError("doctrines: give at least one doctrine")
    for name in names:
        get_doctrine(name)
    sc = load_scenario(scenario) if isinstance(scenario, str) else scenario
    runs: dict[str, Run] = {}
    for name in names:
        def advance(done: int, name: str = name) -> None:
            if progress:
                progress(name, done)

        runs[name] = run_ensemble(sc, doctrine=name, replicates=replicates, seed=seed,
                                  out_dir=out_dir, parameters=parameters, article154=article154,
                                  workers=workers, progress=advance)
    return comparison_of(runs, level=level)


def comparison_of(runs: Mapping[str, Run], level: float = 0.90) -> Comparison:
    """Build the comparison tables from stored runs (no simulation)."""
    reps = {name: run.replicates for name, run in runs.items()}
    return Comparison(runs=dict(runs), outcomes=outcome_table(reps, level),
                      differences=difference_table(reps, level))
