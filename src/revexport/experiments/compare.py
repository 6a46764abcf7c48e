"""Doctrines side by side, with intervals, and the differences between them.

Every doctrine is run with the same seed and block size, so replicate ``i`` of
each doctrine starts from the same random streams (common random numbers).
The streams diverge as soon as the doctrines act differently, so the pairing
is loose; differences are therefore estimated from the paired replicates
(mean of ``a_i - b_i`` with a bootstrap interval), and tested with a
two-sample Mann-Whitney test that does not rely on the pairing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from revexport.errors import RevexportError, check_seed
from revexport.experiments.ensemble import Run, run_ensemble
from revexport.outcomes.definitions import main_outcomes
from revexport.scenario.load import load_scenario
from revexport.scenario.schema import Scenario

#: Outcomes compared between doctrines (column -> label).
#: The summary table's outcomes but the first war's month (NaN where no war begins).
COMPARED: dict[str, str] = {
    o.name: o.label for o in main_outcomes() if o.name != "first_war_step"
}
#: Columns of :attr:`Comparison.differences`.
DIFFERENCE_COLUMNS = ("a", "b", "outcome", "label", "diff", "diff_lo", "diff_hi", "p_value")
#: Default map dates (month labels); the first at or after each is drawn.
DEFAULT_MAP_DATES = ("1980-09", "1984-12", "1990-12")
#: Most months a report draws maps for.
MAX_MAP_DATES = 6
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


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
    return pd.DataFrame(rows, columns=list(DIFFERENCE_COLUMNS))


def compare(
    scenario: Scenario | str = "middle-east-1979",
    doctrines: Sequence[str] = ("nationalist", "militant"),
    replicates: int = 1000,
    seed: int = 0,
    out_dir: Path | str = "runs",
    *,
    parameters: Mapping[str, float] | None = None,
    article154: bool | None = None,
    workers: int | None = None,
    level: float = 0.90,
    progress: Callable[[str, int], None] | None = None,
) -> Comparison:
    """Run an ensemble per doctrine and compare them.

    Parameters
    ----------
    scenario : Scenario or str
    doctrines : sequence of str
        At least two distinct doctrine names; each is run with the same seed
        (common random numbers).
    replicates, seed, out_dir, parameters, article154, workers
        As for :func:`revexport.run_ensemble`; ``seed`` in [0, 2**63 - 1].
    level : float
        Coverage of the intervals.
    progress : callable, optional
        ``progress(doctrine, replicates_done)``.

    Returns
    -------
    Comparison

    Raises
    ------
    RevexportError
        Fewer than two distinct doctrines, an unknown doctrine or a seed out of
        range, before anything is run or written.
    """
    from revexport.doctrines.parametric import resolve_doctrine

    if isinstance(doctrines, str):
        doctrines = [doctrines]
    names = list(dict.fromkeys(doctrines))
    if len(names) < 2:
        raise RevexportError("doctrines: give at least two distinct doctrines to compare, got "
                             f"{names}")
    check_seed(seed)
    sc = load_scenario(scenario) if isinstance(scenario, str) else scenario
    for name in names:
        resolve_doctrine(name, sc.doctrines)
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


def parse_map_dates(text: str | None, start: str, end: str) -> list[str]:
    """The months to draw maps for, from the ``--map-dates`` option, checked against a span.

    Parameters
    ----------
    text : str or None
        Comma-separated months ``YYYY-MM``; ``None`` for the defaults
        (:data:`DEFAULT_MAP_DATES` that fall within the
        span, or else the last month).
    start, end : str
        First and last month of the runs, ``YYYY-MM``.

    Returns
    -------
    list of str
        The months, in the order given, without repeats.

    Raises
    ------
    RevexportError
        A month not written ``YYYY-MM``, outside ``start``..``end``, or more than
        :data:`MAX_MAP_DATES` months.
    """
    if text is None:
        return [d for d in DEFAULT_MAP_DATES if start <= d <= end] or [end]
    dates = list(dict.fromkeys(d.strip() for d in text.split(",")))
    for d in dates:
        if not _MONTH.fullmatch(d):
            raise RevexportError(f"--map-dates: months must be written YYYY-MM and separated by "
                                 f"commas, e.g. {end}; got {d!r}")
        if not start <= d <= end:
            raise RevexportError(f"--map-dates: {d} is outside the runs' span {start} to {end}")
    if len(dates) > MAX_MAP_DATES:
        raise RevexportError(f"--map-dates: at most {MAX_MAP_DATES} months, got {len(dates)}")
    return dates
