"""The 1979-1990 hindcast: the historical posture scored against what happened.

The checks (docs/odd.md, section 1.2) are measured on the model's outcomes; the
historical dates are data for the comparison, never inputs to the model.

1. ``first_strike``: a neighbour of the exporter strikes it first within
   24 months, the exporter not having opened a war before (Iraq invaded in
   September 1980, month 19 from February 1979).
2. ``monarchy_coalition``: the six Gulf monarchies (the scenario's named
   ``coalition_group``: Saudi Arabia, Kuwait, Bahrain, Qatar, the UAE, Oman) are
   all in the coalition against the exporter at once within 36 months (the Gulf
   Cooperation Council, May 1981, month 27).
3. ``no_aligned_regime``: no state of the region has an aligned regime at the end.
4. ``militant_vs_nationalist``: militant export brings more wars, more wars
   the exporter opens itself, a larger coalition and heavier sanctions than
   nationalist restraint (Walt 1996): four one-sided Mann-Whitney tests at 5 %;
   and ``nationalist_opens_no_war``: a nationalist exporter opens no war in any
   replicate.
5. ``long_first_war``: the first war lasts five years or more and ends in a
   ceasefire, in at least 60 % of replicates (September 1980 to August 1988);
   and ``ceasefire_holds``: it ends in a ceasefire after which its two sides do
   not go to war again by the end, in as many (Iran and Iraq did not, after 1988).
6. ``first_strike_month`` and ``monarchy_coalition_month``: the median months of
   the first strike by a neighbour and of the six monarchies' coalition are each
   within six months of history (months 19 and 27).
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
#: The fifth check: a first war at least this long, ended in a ceasefire, in this share.
LONG_WAR_MONTHS = 60
LONG_WAR_SHARE = 0.60
#: The sixth: a median month within this many months of history.
TIMING_TOLERANCE = 6


@dataclass
class Hindcast:
    """Runs and scores of a hindcast.

    Attributes
    ----------
    runs : dict of str to Run
        ``historical``, ``militant`` and ``nationalist``.
    scores : DataFrame
        One row per check: check, kind (``share``, ``p_value`` or ``month``), description,
        value, threshold, passed, detail. A share passes at or above its threshold, a p-value
        below it, a median month within ``threshold`` months of history.
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
        ``first_war_initiator``, ``group_coalition_step``, ``aligned_final``).

    Returns
    -------
    DataFrame
        One boolean column per check (``first_strike``, ``monarchy_coalition``,
        ``no_aligned_regime``), indexed like ``replicates``.
    """
    h = replicates
    return pd.DataFrame({
        "first_strike": h["first_strike_neighbour"].astype(bool)
        & (h["first_strike_step"] <= HISTORY["first_strike"][3])
        & (h["first_war_initiator"] != "exporter"),
        "monarchy_coalition": h["group_coalition_step"] <= HISTORY["monarchy_coalition"][3],
        "no_aligned_regime": h["aligned_final"] == 0,
    }, index=h.index)


def _median(x: pd.Series) -> float:
    """Median of the values present; NaN when the event never happened."""
    return float(x.median()) if x.notna().any() else np.nan


def score(historical: pd.DataFrame, militant: pd.DataFrame,
          nationalist: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score the checks from per-replicate summaries.

    Returns
    -------
    scores : DataFrame
        check, kind, description, value, threshold, passed, detail (see :class:`Hindcast`).
    timings : DataFrame
        check, replicate, step (NaN if the event never happened), historical_step.
    """
    h = historical
    checks = pattern_checks(h)
    strike_ok, coal_ok, none_ok = (checks[c] for c in HISTORY)
    neighbour_strike = h["first_strike_step"].where(h["first_strike_neighbour"].astype(bool))
    strike_month = _median(neighbour_strike)
    coalition_month = _median(h["group_coalition_step"])
    long_war = ((h["first_war_outcome"] == "ceasefire")
                & (h["first_war_length"] >= LONG_WAR_MONTHS))
    ceasefire_length = h["first_war_length"].where(h["first_war_outcome"] == "ceasefire")
    held = (h["first_war_outcome"] == "ceasefire") & ~h["first_war_renewed"].astype(bool)
    rows = [
        dict(check="first_strike", kind="share",
             description="a neighbour strikes the exporter first within 24 months, the "
                         "exporter having opened no war",
             value=float(strike_ok.mean()), threshold=SHARE_THRESHOLD,
             detail=f"median month {strike_month:.0f} "
                    f"(history: {HISTORY['first_strike'][0]}, {HISTORY['first_strike'][2]})"),
        dict(check="monarchy_coalition", kind="share",
             description="the six Gulf monarchies are all in the coalition against the exporter "
                         "within 36 months",
             value=float(coal_ok.mean()), threshold=SHARE_THRESHOLD,
             detail=f"median month {coalition_month:.0f} "
                    f"(history: {HISTORY['monarchy_coalition'][0]}, "
                    f"{HISTORY['monarchy_coalition'][2]})"),
        dict(check="no_aligned_regime", kind="share",
             description="no state in the region has become an aligned regime by the end",
             value=float(none_ok.mean()), threshold=SHARE_THRESHOLD,
             detail=f"mean aligned regimes at the end {h['aligned_final'].mean():.3f}"),
    ]
    for col, label in DIRECTION.items():
        p = float(stats.mannwhitneyu(militant[col], nationalist[col], alternative="greater").pvalue)
        rows.append(dict(
            check=f"militant_vs_nationalist:{col}", kind="p_value",
            description=f"militant export brings more {label.replace('mean ', '')} "
                        "than nationalist restraint (one-sided Mann-Whitney p)",
            value=p, threshold=ALPHA,
            detail=f"militant {militant[col].mean():.3g} vs nationalist "
                   f"{nationalist[col].mean():.3g}"))
    never = nationalist["wars_opened"] == 0
    rows.append(dict(
        check="nationalist_opens_no_war", kind="share",
        description="a nationalist exporter never opens a war",
        value=float(never.mean()), threshold=1.0,
        detail=f"wars it opened: {int(nationalist['wars_opened'].sum())} in {len(never)} "
               f"replicates (militant: {int(militant['wars_opened'].sum())}, in "
               f"{int((militant['wars_opened'] > 0).sum())} replicates)"))
    length = (f"median length {_median(ceasefire_length):.0f} months"
              if ceasefire_length.notna().any() else "no first war ended in a ceasefire")
    rows += [
        dict(check="long_first_war", kind="share",
             description=f"the first war lasts {LONG_WAR_MONTHS} months or more and ends in a "
                         "ceasefire",
             value=float(long_war.mean()), threshold=LONG_WAR_SHARE,
             detail=f"{length} of those that did (history: 95, September 1980 to August 1988)"),
        dict(check="ceasefire_holds", kind="share",
             description="the first war ends in a ceasefire and its two sides do not go to war "
                         "again by the end",
             value=float(held.mean()), threshold=LONG_WAR_SHARE,
             detail=f"renewed after it ended in {h['first_war_renewed'].astype(bool).mean():.3f} "
                    "of replicates (history: not renewed, August 1988 to 1990)"),
        dict(check="first_strike_month", kind="month",
             description="median month of the first strike by a neighbour, within "
                         f"{TIMING_TOLERANCE} months of history",
             value=strike_month, threshold=TIMING_TOLERANCE,
             detail=f"history: {HISTORY['first_strike'][0]} ({HISTORY['first_strike'][1]})"),
        dict(check="monarchy_coalition_month", kind="month",
             description="median month the six Gulf monarchies are first all in the coalition, "
                         f"within {TIMING_TOLERANCE} months of history",
             value=coalition_month, threshold=TIMING_TOLERANCE,
             detail=f"history: {HISTORY['monarchy_coalition'][0]} "
                    f"({HISTORY['monarchy_coalition'][1]})"),
    ]
    scores = pd.DataFrame(rows)
    history = scores["check"].map({"first_strike_month": HISTORY["first_strike"][0],
                                   "monarchy_coalition_month": HISTORY["monarchy_coalition"][0]})
    scores["passed"] = np.select(
        [scores["kind"] == "p_value", scores["kind"] == "month"],
        [scores["value"] < scores["threshold"],
         (scores["value"] - history).abs() <= scores["threshold"]],
        scores["value"] >= scores["threshold"]).astype(bool)
    timings = pd.concat([
        pd.DataFrame({"check": "first_strike", "replicate": h["replicate"],
                      "step": neighbour_strike,
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
