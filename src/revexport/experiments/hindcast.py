"""The 1979-1990 hindcast: the historical posture scored against what happened.

The checks (docs/odd.md, section 1.2) are measured on the model's outcomes; the
historical dates are data for the comparison, never inputs to the model.

1. ``first_strike``: a neighbour of the exporter strikes it first within
   24 months (Iraq invaded in September 1980, month 19 from February 1979).
2. ``monarchy_coalition``: the six Gulf monarchies (the scenario's named
   ``coalition_group``: Saudi Arabia, Kuwait, Bahrain, Qatar, the UAE, Oman) are
   all in the coalition against the exporter at once within 36 months (the Gulf
   Cooperation Council, May 1981, month 27).
3. ``no_aligned_regime``: no state of the region has an aligned regime at the end.
4. ``militant_vs_nationalist``: militant export brings more wars, a larger
   coalition and heavier sanctions than nationalist restraint (Walt 1996):
   three one-sided Mann-Whitney tests at 5 %.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from revexport.errors import check_seed
from revexport.experiments.compare import Comparison, comparison_of
from revexport.experiments.ensemble import Run, run_ensemble
from revexport.outcomes.definitions import direction_outcomes

SCENARIO = "middle-east-1979"
#: Historical reference events: (check, month index from 1979-02, date, event, window in months).
HISTORY: dict[str, tuple[int | None, str, str, int | None]] = {
    "first_strike": (19, "1980-09", "Iraq invades Iran", 24),
    "monarchy_coalition": (27, "1981-05", "Gulf Cooperation Council founded", 36),
    "no_aligned_regime": (None, "1990-12", "no aligned regime in the region", None),
}
#: Outcomes of the fourth check: column, label (from the outcome registry).
DIRECTION: dict[str, str] = {o.name: o.label for o in direction_outcomes()}
SHARE_THRESHOLD = 0.80
ALPHA = 0.05


@dataclass
class Hindcast:
    """Runs and scores of a hindcast.

    Attributes
    ----------
    runs : dict of str to Run
        ``historical``, ``militant`` and ``nationalist``.
    scores : DataFrame
        One row per check: check, description, share (or p-value), threshold, passed, detail.
    timings : DataFrame
        Tidy per-replicate timings of checks 1 and 2 (check, replicate, step, historical_step).
    comparison : Comparison
        The three doctrines side by side.
    """

    runs: dict[str, Run]
    scores: pd.DataFrame
    timings: pd.DataFrame
    comparison: Comparison


def pattern_checks(replicates: pd.DataFrame) -> pd.DataFrame:
    """Whether each replicate meets checks 1-3 (the per-replicate definitions :func:`score` uses).

    Parameters
    ----------
    replicates : DataFrame
        Per-replicate summaries (``first_strike_neighbour``, ``first_strike_step``,
        ``group_coalition_step``, ``aligned_final``).

    Returns
    -------
    DataFrame
        One boolean column per check (``first_strike``, ``monarchy_coalition``,
        ``no_aligned_regime``), indexed like ``replicates``.
    """
    h = replicates
    return pd.DataFrame({
        "first_strike": h["first_strike_neighbour"].astype(bool)
        & (h["first_strike_step"] <= HISTORY["first_strike"][3]),
        "monarchy_coalition": h["group_coalition_step"] <= HISTORY["monarchy_coalition"][3],
        "no_aligned_regime": h["aligned_final"] == 0,
    }, index=h.index)


def score(historical: pd.DataFrame, militant: pd.DataFrame,
          nationalist: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score the four checks from per-replicate summaries.

    Returns
    -------
    scores : DataFrame
        check, description, value, threshold, passed, detail.
    timings : DataFrame
        check, replicate, step (NaN if the event never happened), historical_step.
    """
    h = historical
    checks = pattern_checks(h)
    strike_ok, coal_ok, none_ok = (checks[c] for c in HISTORY)
    rows = [
        dict(check="first_strike",
             description="a neighbour strikes the exporter first within 24 months",
             value=float(strike_ok.mean()), threshold=SHARE_THRESHOLD,
             detail=f"median month {np.nanmedian(h['first_strike_step']):.0f} "
                    f"(history: 19, {HISTORY['first_strike'][2]})"),
        dict(check="monarchy_coalition",
             description="the six Gulf monarchies are all in the coalition against the exporter "
                         "within 36 months",
             value=float(coal_ok.mean()), threshold=SHARE_THRESHOLD,
             detail=f"median month {np.nanmedian(h['group_coalition_step']):.0f} "
                    f"(history: 27, {HISTORY['monarchy_coalition'][2]})"),
        dict(check="no_aligned_regime",
             description="no state in the region has become an aligned regime by the end",
             value=float(none_ok.mean()), threshold=SHARE_THRESHOLD,
             detail=f"mean aligned regimes at the end {h['aligned_final'].mean():.3f}"),
    ]
    for col, label in DIRECTION.items():
        p = float(stats.mannwhitneyu(militant[col], nationalist[col], alternative="greater").pvalue)
        rows.append(dict(
            check=f"militant_vs_nationalist:{col}",
            description=f"militant export brings more {label.replace('mean ', '')} "
                        "than nationalist restraint (one-sided Mann-Whitney p)",
            value=p, threshold=ALPHA,
            detail=f"militant {militant[col].mean():.3g} vs nationalist "
                   f"{nationalist[col].mean():.3g}"))
    scores = pd.DataFrame(rows)
    is_p = scores["check"].str.startswith("militant")
    scores["passed"] = np.where(is_p, scores["value"] < scores["threshold"],
                                scores["value"] >= scores["threshold"])
    timings = pd.concat([
        pd.DataFrame({"check": "first_strike", "replicate": h["replicate"],
                      "step": h["first_strike_step"].where(h["first_strike_neighbour"]),
                      "historical_step": HISTORY["first_strike"][0]}),
        pd.DataFrame({"check": "monarchy_coalition", "replicate": h["replicate"],
                      "step": h["group_coalition_step"],
                      "historical_step": HISTORY["monarchy_coalition"][0]}),
    ], ignore_index=True)
    return scores, timings


def hindcast_of(runs: dict[str, Run]) -> Hindcast:
    """Score stored ``historical``, ``militant`` and ``nationalist`` runs (no simulation)."""
    scores, timings = score(runs["historical"].replicates, runs["militant"].replicates,
                            runs["nationalist"].replicates)
    return Hindcast(runs=runs, scores=scores, timings=timings, comparison=comparison_of(runs))


def run_hindcast(replicates: int = 1000, seed: int = 0, out_dir: Path | str = "runs",
                 workers: int | None = None,
                 progress: Callable[[str, int], None] | None = None) -> Hindcast:
    """Run ``historical``, ``militant`` and ``nationalist`` on the 1979 scenario and score them."""
    check_seed(seed)
    runs: dict[str, Run] = {}
    for name in ("historical", "militant", "nationalist"):
        def advance(done: int, name: str = name) -> None:
            if progress:
                progress(name, done)

        runs[name] = run_ensemble(SCENARIO, doctrine=name, replicates=replicates, seed=seed,
                                  out_dir=out_dir, workers=workers, progress=advance)
    return hindcast_of(runs)
