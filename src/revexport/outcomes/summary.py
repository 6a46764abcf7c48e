"""Per-replicate summaries and ensemble statistics, computed without loops over replicates."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from revexport.codes import ALIGNED, STARTED_BY_EXPORTER, STARTED_BY_STATE
from revexport.engine.state import Static
from revexport.outcomes.definitions import main_outcomes
from revexport.outcomes.recorder import EVENT_KINDS, STEP_METRICS
from revexport.scenario.schema import REGIME_TYPES

WAR_OUTCOMES = {0: "ongoing", 1: "ceasefire", 2: "state collapsed", 3: "exporter collapsed",
                4: "regime fell"}
INITIATORS = {STARTED_BY_STATE: "state", STARTED_BY_EXPORTER: "exporter"}

#: A coalition counts as formed once it has this many members (the definition of an outcome,
#: not a model parameter: "a coalition is three or more states").
COALITION_MIN_MEMBERS = 3

#: The main outcomes shown in summary tables, with labels (from the outcome registry).
MAIN_OUTCOMES: dict[str, str] = {o.name: o.label for o in main_outcomes()}


def events_frame(arrays: dict[str, NDArray[np.int64]], static: Static,
                 replicate_offset: int) -> pd.DataFrame:
    """The event table with readable columns."""
    codes = np.array([*static.codes, ""], dtype=object)
    df = pd.DataFrame(arrays)
    df["replicate"] += replicate_offset
    df["kind"] = pd.Categorical.from_codes(df["kind"].to_numpy(), categories=pd.Index(EVENT_KINDS))
    df["state"] = codes[df["state"].to_numpy()]
    is_war = df["kind"].isin(["war_start", "war_end"]).to_numpy()
    other = df["other"].to_numpy()
    df["exporter"] = np.where(is_war, codes[np.where(other >= 0, other, -1)], "")
    return df


def first_step_reaching(series: NDArray[np.float64], level: float) -> NDArray[np.float64]:
    """(R,) first step at which an (R, T) series reaches ``level``; NaN if never."""
    hit = series >= level
    first = np.argmax(hit, axis=1).astype(np.float64)
    return np.where(hit.any(axis=1), first, np.nan)


def replicate_summary(
    metrics: NDArray[np.float64],
    events: pd.DataFrame,
    final_costs: NDArray[np.float64],
    static: Static,
    replicate_offset: int,
    coalition_min_members: int | None = None,
) -> pd.DataFrame:
    """One row per replicate: regime changes, first war, coalition, sanctions, costs.

    Parameters
    ----------
    metrics : (R, T, M) per-step metrics (columns of ``STEP_METRICS``)
    events : event table from :func:`events_frame`
    final_costs : (R, 3) export spending, war cost, sanction loss, US$ bn
    static : Static
    replicate_offset : int
        Index of the block's first replicate in the run.
    coalition_min_members : int, optional
        Members at which a coalition counts as formed; :data:`COALITION_MIN_MEMBERS` by default.
    """
    if coalition_min_members is None:
        coalition_min_members = COALITION_MIN_MEMBERS
    m = {name: metrics[:, :, i] for i, name in enumerate(STEP_METRICS)}
    n = metrics.shape[0]
    reps = np.arange(n) + replicate_offset
    out = pd.DataFrame({"replicate": reps})
    out["aligned_final"] = m["aligned_regimes"][:, -1]
    out["aligned_population_final"] = m["aligned_population"][:, -1]
    out["first_aligned_step"] = first_step_reaching(m["aligned_regimes"], 1)
    out["wars_mean"] = m["wars"].mean(axis=1)
    out["war_months"] = m["wars"].sum(axis=1)
    out["coalition_max"] = m["coalition_size"].max(axis=1)
    out["coalition_mean"] = m["coalition_size"].mean(axis=1)
    out["coalition_formed_step"] = first_step_reaching(m["coalition_size"], coalition_min_members)
    out["monarchy_coalition_step"] = first_step_reaching(
        m["coalition_monarchies"], coalition_min_members)
    n_group = int(np.count_nonzero(static.arrays.coalition_group))
    out["group_coalition_step"] = (first_step_reaching(m["coalition_group"], n_group)
                                   if n_group else np.nan)
    out["sanctions_mean"] = m["sanctions"].mean(axis=1)
    out["sanctions_max"] = m["sanctions"].max(axis=1)
    out["presence_months"] = m["superpower_presence"].sum(axis=1)
    out["exporter_economy_final"] = m["exporter_economy"][:, -1]
    out["exporter_legitimacy_final"] = m["exporter_legitimacy"][:, -1]
    out["export_spend"] = final_costs[:, 0]
    out["war_cost"] = final_costs[:, 1]
    out["sanction_loss"] = final_costs[:, 2]
    out = out.set_index("replicate")

    rc = events[events["kind"] == "regime_change"]
    out["regime_changes"] = rc.groupby("replicate").size().reindex(out.index, fill_value=0)
    out["aligned_changes"] = (
        rc[rc["code"] == ALIGNED].groupby("replicate").size().reindex(out.index, fill_value=0)
    )
    starts = events[events["kind"] == "war_start"]
    out["wars_started"] = starts.groupby("replicate").size().reindex(out.index, fill_value=0)
    out["wars_opened"] = (starts[starts["code"] == STARTED_BY_EXPORTER].groupby("replicate").size()
                          .reindex(out.index, fill_value=0))
    _first_war(out, starts, events[events["kind"] == "war_end"])
    _first_strike(out, starts, static)
    _coalition_members(out, events)
    return out.reset_index()


def _first_war(out: pd.DataFrame, starts: pd.DataFrame, ends: pd.DataFrame) -> None:
    first = starts.sort_values(["replicate", "step"], kind="stable").groupby("replicate").head(1)
    first = first.set_index("replicate")
    out["first_war_step"] = first["step"].reindex(out.index).astype(float)
    out["first_war_initiator"] = first["code"].map(INITIATORS).reindex(out.index).fillna("")
    out["first_war_opponent"] = first["state"].reindex(out.index).fillna("")
    out["first_war_exporter"] = first["exporter"].reindex(out.index).fillna("")
    # The end of that war: the first end event of the same pair after its start.
    key = first.reset_index()[["replicate", "state", "exporter", "step"]]
    joined = ends.merge(key, on=["replicate", "state", "exporter"], suffixes=("", "_start"))
    joined = joined[joined["step"] >= joined["step_start"]]
    end = joined.sort_values(["replicate", "step"], kind="stable").groupby("replicate").head(1)
    end = end.set_index("replicate")
    length = end["detail"].reindex(out.index).astype(float)
    out["first_war_outcome"] = end["code"].map(WAR_OUTCOMES).reindex(out.index)
    ongoing = out["first_war_step"].notna() & length.isna()
    out.loc[ongoing, "first_war_outcome"] = "ongoing"
    out["first_war_outcome"] = out["first_war_outcome"].fillna("")
    out["first_war_length"] = length
    # Renewed: the same two sides at war again after the first war ended.
    ended = end[["state", "exporter", "step"]].rename(columns={"step": "end"}).reset_index()
    again = starts.merge(ended, on=["replicate", "state", "exporter"])
    renewed = np.unique(again.loc[again["step"] > again["end"], "replicate"].to_numpy())
    out["first_war_renewed"] = out.index.isin(renewed)


def _first_strike(out: pd.DataFrame, starts: pd.DataFrame, static: Static) -> None:
    """First war begun by a state against an exporter, and whether it neighbours the exporter."""
    by_state = starts[starts["code"] == 1]
    first = by_state.sort_values(["replicate", "step"], kind="stable").groupby("replicate").head(1)
    first = first.set_index("replicate")
    out["first_strike_step"] = first["step"].reindex(out.index).astype(float)
    out["first_strike_by"] = first["state"].reindex(out.index).fillna("")
    idx = {c: i for i, c in enumerate(static.codes)}
    a = np.array([idx.get(c, -1) for c in first["state"]], dtype=np.int64)
    b = np.array([idx.get(c, -1) for c in first["exporter"]], dtype=np.int64)
    ok = (a >= 0) & (b >= 0)
    nb = np.zeros(len(first), dtype=bool)
    nb[ok] = static.are_neighbours(a[ok], b[ok])
    out["first_strike_neighbour"] = (
        pd.Series(nb, index=first.index).reindex(out.index).fillna(False).astype(bool)
    )


def _coalition_members(out: pd.DataFrame, events: pd.DataFrame) -> None:
    """Members of the coalition when it first counted as formed (codes joined by '+')."""
    moves = events[events["kind"].isin(["coalition_join", "coalition_leave"])]
    formed = out["coalition_formed_step"]
    moves = moves.join(formed, on="replicate")
    moves = moves[moves["step"] <= moves["coalition_formed_step"]]
    last = moves.sort_values(["replicate", "step"], kind="stable").groupby(
        ["replicate", "state"]).tail(1)
    members = last[last["kind"] == "coalition_join"].sort_values(["replicate", "state"])
    joined = members.groupby("replicate")["state"].agg("+".join)
    out["coalition_members"] = joined.reindex(out.index).fillna("")


def steps_frame(metrics: NDArray[np.float64], replicate_offset: int,
                months: Sequence[str]) -> pd.DataFrame:
    """Long table of per-step metrics: one row per replicate and step."""
    r, t, _ = metrics.shape
    df = pd.DataFrame(metrics.reshape(r * t, -1), columns=list(STEP_METRICS))
    df.insert(0, "month", np.tile(np.asarray(months, dtype=object), r))
    df.insert(0, "step", np.tile(np.arange(t, dtype=np.int32), r))
    df.insert(0, "replicate", np.repeat(np.arange(r, dtype=np.int32) + replicate_offset, t))
    return df


def regime_name(code: int) -> str:
    """Regime type name of a regime code."""
    return REGIME_TYPES[code]


def ensemble_table(replicates: pd.DataFrame, columns: dict[str, str] | None = None,
                   level: float = 0.90) -> pd.DataFrame:
    """Mean, a confidence interval of the mean, and the central range over replicates.

    Parameters
    ----------
    replicates : DataFrame
        Per-replicate summaries.
    columns : dict, optional
        Outcome columns and labels; ``MAIN_OUTCOMES`` by default.
    level : float
        Coverage of both intervals (0.90: the 5th and 95th percentiles of the
        replicates, and a 90 % interval of the mean). The interval of the mean is a
        percentile bootstrap (1,000 resamples, fixed seed, so tables are
        reproducible) up to 2,000 replicates, and normal-theory beyond, where
        the central limit theorem makes the two agree.

    Returns
    -------
    DataFrame
        Index: outcome label; columns ``mean``, ``mean_lo``, ``mean_hi``, ``lo``, ``hi``, ``n``.
    """
    columns = columns or MAIN_OUTCOMES
    # The standard library's normal quantile: importing scipy.stats for it would cost every
    # run's summary about 0.4 s (5 % of `revexport run -r 10000` on 2 cores).
    z = NormalDist().inv_cdf(0.5 + level / 2)
    q = (1 - level) / 2
    rng = np.random.default_rng(0)
    rows = {}
    for col, label in columns.items():
        x = replicates[col].to_numpy(dtype=np.float64)
        x = x[np.isfinite(x)]
        if len(x) == 0:
            rows[label] = dict(mean=np.nan, mean_lo=np.nan, mean_hi=np.nan, lo=np.nan,
                               hi=np.nan, n=0)
            continue
        if len(x) == 1:
            mean_lo = mean_hi = np.nan
        elif len(x) <= 2_000:
            means = x[rng.integers(0, len(x), size=(1000, len(x)))].mean(axis=1)
            mean_lo, mean_hi = np.quantile(means, q), np.quantile(means, 1 - q)
        else:
            se = x.std(ddof=1) / np.sqrt(len(x))
            mean_lo, mean_hi = x.mean() - z * se, x.mean() + z * se
        rows[label] = dict(mean=x.mean(), mean_lo=mean_lo, mean_hi=mean_hi,
                           lo=np.quantile(x, q), hi=np.quantile(x, 1 - q), n=len(x))
    return pd.DataFrame.from_dict(rows, orient="index")
