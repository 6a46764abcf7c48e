"""Per-replicate summaries and ensemble statistics, computed without loops over replicates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from statistics import NormalDist
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
from numpy.typing import NDArray
from pandas.api.extensions import ExtensionArray

from revexport.codes import ALIGNED, STARTED_BY_EXPORTER, STARTED_BY_STATE
from revexport.engine.state import Static
from revexport.outcomes.definitions import main_outcomes
from revexport.outcomes.recorder import EVENT_KINDS, STEP_METRICS
from revexport.scenario.schema import REGIME_TYPES

WAR_OUTCOMES = {0: "ongoing", 1: "ceasefire", 2: "state collapsed", 3: "exporter collapsed",
                4: "regime fell"}
INITIATORS = {STARTED_BY_STATE: "state", STARTED_BY_EXPORTER: "exporter"}
#: Event kinds as the event arrays code them (positions in ``EVENT_KINDS``).
REGIME_CHANGE, WAR_START, WAR_END, COALITION_JOIN, COALITION_LEAVE = (
    EVENT_KINDS.index(k)
    for k in ("regime_change", "war_start", "war_end", "coalition_join", "coalition_leave"))

#: Columns of the per-replicate table made of the event table's state codes.
_CODE_COLUMNS = ("first_war_opponent", "first_war_exporter", "first_strike_by", "coalition_members")

#: A coalition counts as formed once it has this many members (the definition of an outcome,
#: not a model parameter: "a coalition is three or more states").
COALITION_MIN_MEMBERS = 3

#: The main outcomes shown in summary tables, with labels (from the outcome registry).
MAIN_OUTCOMES: dict[str, str] = {o.name: o.label for o in main_outcomes()}


def events_frame(arrays: Mapping[str, NDArray[np.int64]], static: Static,
                 replicate_offset: int) -> pd.DataFrame:
    """The event table with readable columns.

    Parameters
    ----------
    arrays : mapping of str to (N,) int64 arrays
        The block's event columns (:data:`~revexport.engine.phases.record.EVENT_COLUMNS`), as
        :meth:`~revexport.engine.run.Recorder.events` gives them.
    static : Static
    replicate_offset : int
        Index of the block's first replicate in the run.

    Returns
    -------
    DataFrame
        The columns of ``arrays``, the replicate counted in the run, the kind by name, the state
        by code, and ``exporter``: the exporter's code for a war, "" otherwise.
    """
    kind = arrays["kind"]
    is_war = (kind == WAR_START) | (kind == WAR_END)
    return pd.DataFrame({
        "replicate": arrays["replicate"] + replicate_offset,
        "step": arrays["step"],
        "kind": pd.Categorical.from_codes(kind, categories=pd.Index(EVENT_KINDS)),
        "state": _state_codes(static, arrays["state"]),
        "other": arrays["other"],
        "code": arrays["code"],
        "detail": arrays["detail"],
        "exporter": _state_codes(static, np.where(is_war, arrays["other"], -1)),
    })


def _text_column(names: Sequence[str], index: NDArray[np.integer[Any]]
                 ) -> NDArray[np.object_] | ExtensionArray:
    """``names[index]`` (a negative index: "") as pandas stores a column of those strings."""
    table = [*names, ""]
    at = np.where(index >= 0, index, len(names))
    text = pd.Series([""]).dtype  # Arrow-backed ``str`` from pandas 3 on, object before
    # An empty column stays object, as pandas leaves an empty object array.
    if len(at) and isinstance(text, pd.StringDtype) and text.storage == "pyarrow":
        # Arrow picks the strings: a Python string per row would take most of the time of a
        # column of tens of thousands of rows.
        column: ExtensionArray = pd.array(pa.array(table, type=pa.large_string()).take(at),
                                          dtype=text)
        return column
    return np.array(table, dtype=object)[at]


def _state_codes(static: Static, states: NDArray[np.integer[Any]]
                 ) -> NDArray[np.object_] | ExtensionArray:
    """The codes of ``states`` (indices of states; -1 for none, whose code is "") as text."""
    return _text_column(static.codes, states)


def first_step_reaching(series: NDArray[np.float64], level: float) -> NDArray[np.float64]:
    """(R,) first step at which an (R, T) series reaches ``level``; NaN if never."""
    hit = series >= level
    first = np.argmax(hit, axis=1).astype(np.float64)
    return np.where(hit.any(axis=1), first, np.nan)


def replicate_summary(
    metrics: NDArray[np.float64],
    events: Mapping[str, NDArray[np.int64]],
    final_costs: NDArray[np.float64],
    static: Static,
    replicate_offset: int,
    coalition_min_members: int | None = None,
) -> pd.DataFrame:
    """One row per replicate: regime changes, first war, coalition, sanctions, costs.

    Parameters
    ----------
    metrics : (R, T, M) per-step metrics (columns of ``STEP_METRICS``)
        Read without a copy when laid out by :func:`metric_major`.
    events : mapping of str to (N,) int64 arrays
        The block's event columns, as :func:`events_frame` takes them (replicates counted
        from 0 within the block), in any order.
    final_costs : (R, 3) export spending, war cost, sanction loss, US$ bn
    static : Static
    replicate_offset : int
        Index of the block's first replicate in the run.
    coalition_min_members : int, optional
        Members at which a coalition counts as formed; :data:`COALITION_MIN_MEMBERS` by default.

    Returns
    -------
    DataFrame
        One row per replicate, ``replicate`` counted in the run.
    """
    if coalition_min_members is None:
        coalition_min_members = COALITION_MIN_MEMBERS
    n = metrics.shape[0]
    m = dict(zip(STEP_METRICS, metric_major(metrics).transpose(2, 0, 1), strict=True))
    n_group = int(np.count_nonzero(static.arrays.coalition_group))
    out: dict[str, Any] = {
        "replicate": np.arange(n) + replicate_offset,
        "aligned_final": m["aligned_regimes"][:, -1],
        "aligned_population_final": m["aligned_population"][:, -1],
        "first_aligned_step": first_step_reaching(m["aligned_regimes"], 1),
        "wars_mean": m["wars"].mean(axis=1),
        "war_months": m["wars"].sum(axis=1),
        "coalition_max": m["coalition_size"].max(axis=1),
        "coalition_mean": m["coalition_size"].mean(axis=1),
        "coalition_formed_step": first_step_reaching(m["coalition_size"], coalition_min_members),
        "monarchy_coalition_step": first_step_reaching(m["coalition_monarchies"],
                                                       coalition_min_members),
        "group_coalition_step": (first_step_reaching(m["coalition_group"], n_group)
                                 if n_group else np.full(n, np.nan)),
        "sanctions_mean": m["sanctions"].mean(axis=1),
        "sanctions_max": m["sanctions"].max(axis=1),
        "presence_months": m["superpower_presence"].sum(axis=1),
        "exporter_economy_final": m["exporter_economy"][:, -1],
        "exporter_legitimacy_final": m["exporter_legitimacy"][:, -1],
        "export_spend": final_costs[:, 0],
        "war_cost": final_costs[:, 1],
        "sanction_loss": final_costs[:, 2],
    }
    ev = _events_by_replicate(events)
    rc = ev.kind == REGIME_CHANGE
    starts = ev.kind == WAR_START
    out["regime_changes"] = _count(ev.replicate[rc], n)
    out["aligned_changes"] = _count(ev.replicate[rc & (ev.code == ALIGNED)], n)
    out["wars_started"] = _count(ev.replicate[starts], n)
    out["wars_opened"] = _count(ev.replicate[starts & (ev.code == STARTED_BY_EXPORTER)], n)
    out.update(_first_war(ev, n, static))
    out.update(_first_strike(ev, n, static))
    out["coalition_members"] = _coalition_members(ev, out["coalition_formed_step"], static)
    table = pd.DataFrame(out)
    if len(ev.step) == 0:
        # Like the event table's codes they are read from, which pandas leaves as objects in a
        # block without events (an empty object column is not taken for text).
        table = table.astype(dict.fromkeys(_CODE_COLUMNS, object))
    return table


class _Events(NamedTuple):
    """A block's events as arrays, sorted by replicate and, within one, in time order.

    ``replicate`` counts from 0 within the block; ``exporter`` is the exporter of a war (the
    events' ``other``), -1 for none.
    """

    replicate: NDArray[np.int64]
    step: NDArray[np.int64]
    kind: NDArray[np.int64]
    state: NDArray[np.int64]
    exporter: NDArray[np.int64]
    code: NDArray[np.int64]
    detail: NDArray[np.int64]


def _events_by_replicate(events: Mapping[str, NDArray[np.int64]]) -> _Events:
    """The event columns sorted by replicate and step."""
    # A stable sort: the events of one step keep the order the record phase wrote them in.
    order = np.lexsort((events["step"], events["replicate"]))
    return _Events(replicate=events["replicate"][order], step=events["step"][order],
                   kind=events["kind"][order], state=events["state"][order],
                   exporter=np.maximum(events["other"][order], -1), code=events["code"][order],
                   detail=events["detail"][order])


def _count(replicates: NDArray[np.int64], n: int) -> NDArray[np.int64]:
    """(n,) how often each of the replicates 0 to n - 1 occurs in ``replicates``."""
    return np.bincount(replicates, minlength=n).astype(np.int64, copy=False)


def _run_starts(*keys: NDArray[Any]) -> NDArray[np.bool_]:
    """Where a run of rows with equal ``keys`` begins (rows sorted so that equal keys are adjacent)."""
    starts = np.zeros(len(keys[0]), dtype=bool)
    starts[:1] = True
    for k in keys:
        starts[1:] |= k[1:] != k[:-1]
    return starts


def _run_ends(*keys: NDArray[Any]) -> NDArray[np.bool_]:
    """Where a run of rows with equal ``keys`` ends (rows sorted so that equal keys are adjacent)."""
    ends = np.zeros(len(keys[0]), dtype=bool)
    ends[-1:] = True
    for k in keys:
        ends[:-1] |= k[1:] != k[:-1]
    return ends


def _first_in_each_replicate(ev: _Events, rows: NDArray[np.intp]) -> NDArray[np.intp]:
    """The first of ``rows`` (ascending positions in ``ev``) of each replicate that has any."""
    return rows[_run_starts(ev.replicate[rows])]


def _labels(codes: NDArray[np.int64], names: Mapping[int, str]) -> list[str]:
    """The name of each code ("" for a code without one)."""
    return [names.get(c, "") for c in codes.tolist()]


def _first_war(ev: _Events, n: int, static: Static) -> dict[str, Any]:
    """Each replicate's first war: when it began, who began it, between whom, how it ended, how
    long it lasted, and whether its two sides went to war again after it ended."""
    is_start = ev.kind == WAR_START
    first = _first_in_each_replicate(ev, np.flatnonzero(is_start))
    reps = ev.replicate[first]
    start = np.full(n, np.nan)
    start[reps] = ev.step[first]
    state = np.full(n, -1)
    state[reps] = ev.state[first]
    exporter = np.full(n, -1)
    exporter[reps] = ev.exporter[first]
    initiator = np.full(n, "", dtype=object)
    initiator[reps] = _labels(ev.code[first], INITIATORS)
    at_war = np.zeros(n, dtype=bool)
    at_war[reps] = True
    # Events of the first war's two sides (and only theirs).
    same_sides = (at_war[ev.replicate] & (ev.state == state[ev.replicate])
                  & (ev.exporter == exporter[ev.replicate]))
    # Its end: the first end of a war between them from its start on.
    end = _first_in_each_replicate(ev, np.flatnonzero(
        (ev.kind == WAR_END) & same_sides & (ev.step >= start[ev.replicate])))
    ended = ev.replicate[end]
    length = np.full(n, np.nan)
    length[ended] = ev.detail[end]
    end_step = np.full(n, np.nan)
    end_step[ended] = ev.step[end]
    outcome = np.where(at_war, "ongoing", "").astype(object)
    outcome[ended] = _labels(ev.code[end], WAR_OUTCOMES)
    # Renewed: the same two sides at war again after the first war ended.
    renewed = np.zeros(n, dtype=bool)
    renewed[ev.replicate[is_start & same_sides & (ev.step > end_step[ev.replicate])]] = True
    return {"first_war_step": start, "first_war_initiator": initiator,
            "first_war_opponent": _state_codes(static, state),
            "first_war_exporter": _state_codes(static, exporter),
            "first_war_outcome": outcome, "first_war_length": length,
            "first_war_renewed": renewed}


def _first_strike(ev: _Events, n: int, static: Static) -> dict[str, Any]:
    """First war begun by a state against an exporter, and whether it neighbours the exporter."""
    first = _first_in_each_replicate(ev, np.flatnonzero(
        (ev.kind == WAR_START) & (ev.code == STARTED_BY_STATE)))
    reps, state, exporter = ev.replicate[first], ev.state[first], ev.exporter[first]
    step = np.full(n, np.nan)
    step[reps] = ev.step[first]
    by = np.full(n, -1)
    by[reps] = state
    known = (state >= 0) & (exporter >= 0)
    neighbour = np.zeros(n, dtype=bool)
    neighbour[reps[known]] = static.are_neighbours(state[known], exporter[known])
    return {"first_strike_step": step, "first_strike_by": _state_codes(static, by),
            "first_strike_neighbour": neighbour}


def _coalition_members(ev: _Events, formed_step: NDArray[np.float64],
                       static: Static) -> NDArray[np.object_]:
    """Members of the coalition when it first counted as formed: their codes, in alphabetical
    order, joined by '+' ("" where it never formed)."""
    n = len(formed_step)
    moves = np.flatnonzero(((ev.kind == COALITION_JOIN) | (ev.kind == COALITION_LEAVE))
                           & (ev.step <= formed_step[ev.replicate]))
    # Each replicate's moves by the states' codes in alphabetical order (stably: each state's
    # moves stay in time order), so that a state's last move ends its run and the members come
    # out in the order they are written in.
    alphabetical = np.argsort(np.argsort(np.array(static.codes, dtype=str)))  # each code's rank
    moves = moves[np.lexsort((alphabetical[ev.state[moves]], ev.replicate[moves]))]
    last = moves[_run_ends(ev.replicate[moves], ev.state[moves])]
    # A member is a state whose last move up to that step joined the coalition.
    members = last[ev.kind[last] == COALITION_JOIN]
    reps = ev.replicate[members]
    codes = [static.codes[s] for s in ev.state[members].tolist()]
    bounds = np.append(np.flatnonzero(_run_starts(reps)), len(members))
    text = np.full(n, "", dtype=object)
    text[reps[bounds[:-1]]] = ["+".join(codes[a:b]) for a, b in pairwise(bounds.tolist())]
    return text


def steps_frame(metrics: NDArray[np.float64], replicate_offset: int,
                months: Sequence[str]) -> pd.DataFrame:
    """Long table of per-step metrics: one row per replicate and step.

    Parameters
    ----------
    metrics : (R, T, M) per-step metrics (columns of ``STEP_METRICS``)
    replicate_offset : int
        Index of the block's first replicate in the run.
    months : sequence of str
        The month of each step.

    Returns
    -------
    DataFrame
        ``replicate``, ``step``, ``month`` and the metrics, replicate by replicate. The metrics'
        columns share the memory of :func:`metric_major` of ``metrics``.
    """
    r, t, n_metrics = metrics.shape
    values = metric_major(metrics).transpose(2, 0, 1).reshape(n_metrics, r * t)
    columns: dict[str, Any] = {
        "replicate": np.repeat(np.arange(r, dtype=np.int32) + replicate_offset, t),
        "step": np.tile(np.arange(t, dtype=np.int32), r),
        "month": _text_column(months, np.tile(np.arange(t), r)),
        **dict(zip(STEP_METRICS, values, strict=True)),
    }
    # Not copied: each metric's column is already contiguous, as pandas and Arrow keep one.
    return pd.DataFrame(columns, copy=False)


def metric_major(metrics: NDArray[np.float64]) -> NDArray[np.float64]:
    """The per-step metrics laid out metric by metric in memory.

    Each metric's (R, T) series is then contiguous: reductions over the steps read memory in
    order, and pandas and Arrow take each metric as a column without copying it.

    Parameters
    ----------
    metrics : (R, T, M) per-step metrics, in any layout

    Returns
    -------
    (R, T, M) array
        The same values: ``metrics`` itself if it is laid out so already, else a copy.
    """
    if metrics.transpose(2, 0, 1).flags.c_contiguous:
        return metrics
    r, t, n_metrics = metrics.shape
    return _transposed(metrics.reshape(r * t, n_metrics)).reshape(n_metrics, r, t).transpose(1, 2, 0)


#: Rows of each slice of :func:`_transposed`: a slice of every column fits in the cache.
_TRANSPOSE_ROWS = 1024


def _transposed(rows: NDArray[np.float64]) -> NDArray[np.float64]:
    """(K, N) copy of an (N, K) array."""
    # Slice by slice: copying the whole transpose at once strides across memory, four times slower.
    out = np.empty(rows.shape[::-1], dtype=rows.dtype)
    for a in range(0, rows.shape[0], _TRANSPOSE_ROWS):
        out[:, a:a + _TRANSPOSE_ROWS] = rows[a:a + _TRANSPOSE_ROWS].T
    return out


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
