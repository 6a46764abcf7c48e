"""Who does what in a run: the states behind the totals.

A hindcast that scores only shares of replicates can pass with the wrong actors (a coalition of
the wrong states, a first strike by a state that never fought the exporter). These tables name
them, per state and per year, so a reader can judge the mechanisms and not only the totals:

* ``first_strikers``: which state strikes the exporter first, how often, and when;
* ``first_war``: who opened the first war, how it ended, and how long it lasted;
* ``wars``: every war with an exporter, by opponent: in how many replicates, how many, who
  opened them and when the first began (a war with a state that never fought the exporter
  shows here even when it is never the first);
* ``coalition``: the share of replicates in which each state is in the coalition at the end of
  each year;
* ``regime_falls``: how often each state's regime falls, when first, and how often it ends
  aligned with the exporter;
* ``movements``: the strongest movements (mean over replicates) at the end of each year;
* ``factions``: the mean influence of each faction of the original exporter at the end of
  each year (factional doctrines).

Tables over events, movements and steps are aggregated by DuckDB over the run's committed
Parquet files, reading only the steps they show, so memory does not grow with replicates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from revexport.codes import ALIGNED, STARTED_BY_EXPORTER
from revexport.experiments.ensemble import Run
from revexport.report.queries import connection, months, parquet_list
from revexport.storage.files import committed_files

#: Strongest movements shown per year.
TOP_MOVEMENTS = 3
FACTIONS = ("faction_nationalist", "faction_militant", "faction_pragmatic", "faction_gradualist")


@dataclass
class Actors:
    """Who does what in one run (see the module's docstring); every share is over the run's
    replicates."""

    first_strikers: pd.DataFrame
    first_war: pd.DataFrame
    wars: pd.DataFrame
    coalition: pd.DataFrame
    regime_falls: pd.DataFrame
    movements: pd.DataFrame
    factions: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name, in the order a report shows them."""
        return {"first_strikers": self.first_strikers, "first_war": self.first_war,
                "wars": self.wars, "coalition": self.coalition, "regime_falls": self.regime_falls,
                "movements": self.movements, "factions": self.factions}


def year_ends(month_labels: Sequence[str]) -> list[tuple[int, str]]:
    """(step, month) of the last step of each calendar year in the run."""
    last: dict[str, tuple[int, str]] = {}
    for step, month in enumerate(month_labels):
        last[month[:4]] = (step, month)
    return list(last.values())


def first_strikers(replicates: pd.DataFrame) -> pd.DataFrame:
    """Per state that struck an exporter first in some replicate: the share of replicates, the
    median month of the strike and whether it borders the exporter; most frequent first."""
    n = len(replicates)
    struck = replicates[replicates["first_strike_by"] != ""]
    if struck.empty:
        return pd.DataFrame(columns=["state", "share", "median_month", "neighbour"])
    grouped = struck.groupby("first_strike_by")
    out = pd.DataFrame({
        "share": grouped.size() / n,
        "median_month": grouped["first_strike_step"].median(),
        "neighbour": grouped["first_strike_neighbour"].all(),
    }).rename_axis("state").reset_index()
    return out.sort_values(["share", "state"], ascending=[False, True], kind="stable"
                           ).reset_index(drop=True)


def first_war(replicates: pd.DataFrame) -> pd.DataFrame:
    """The first war of each replicate by who opened it and how it ended: share of replicates,
    median start month and median length (months, of wars that ended)."""
    n = len(replicates)
    wars = replicates[replicates["first_war_initiator"] != ""].assign(
        opened_by=lambda d: d["first_war_initiator"],
        outcome=lambda d: d["first_war_outcome"])
    if wars.empty:
        return pd.DataFrame(columns=["opened_by", "outcome", "share", "median_start_month",
                                     "median_length"])
    grouped = wars.groupby(["opened_by", "outcome"])
    out = pd.DataFrame({
        "share": grouped.size() / n,
        "median_start_month": grouped["first_war_step"].median(),
        "median_length": grouped["first_war_length"].median(),
    }).reset_index()
    return out.sort_values("share", ascending=False, kind="stable").reset_index(drop=True)


def _events_by_state(run_dir: Path, codes: Sequence[str], sql: str, params: list[int],
                     names: list[str]) -> pd.DataFrame:
    """The rows of ``sql`` (one a state; ``{events}`` in it stands for the run's committed event
    files) named ``names``, for the scenario's states only; empty when no events are stored."""
    events = committed_files(run_dir, "events")
    if not events:
        return pd.DataFrame(columns=names)
    with connection() as con:
        rows = con.execute(sql.format(events=parquet_list(events)), params).fetchall()
    out = pd.DataFrame(rows, columns=names)
    return out[out["state"].astype(str).isin(set(codes))]


def _most_frequent_first(table: pd.DataFrame, share: str, columns: list[str]) -> pd.DataFrame:
    """``columns`` of ``table``, by ``share`` descending, then by state."""
    return table[columns].sort_values([share, "state"], ascending=[False, True], kind="stable"
                                      ).reset_index(drop=True)


def wars_by_state(run_dir: Path, codes: Sequence[str], n_replicates: int) -> pd.DataFrame:
    """Per state that fought an exporter in some replicate: the share of replicates with at
    least one such war, the mean number of wars a replicate, the share of them the exporter
    opened, and the median month the state's first war began; most frequent first."""
    out = _events_by_state(
        run_dir, codes,
        "SELECT state, count(*), sum(n), sum(by_exporter), median(first_step) "
        "FROM (SELECT replicate, state, count(*) AS n, min(step) AS first_step, "
        "count(*) FILTER (WHERE code = ?) AS by_exporter "
        "FROM read_parquet({events}) WHERE kind = 'war_start' "
        "GROUP BY replicate, state) GROUP BY state", [STARTED_BY_EXPORTER],
        ["state", "pairs", "n", "by_exporter", "median_first_month"])
    out = out.assign(at_war=out["pairs"] / n_replicates,
                     wars_per_replicate=out["n"] / n_replicates,
                     opened_by_exporter=out["by_exporter"] / out["n"])
    return _most_frequent_first(out, "at_war", ["state", "at_war", "wars_per_replicate",
                                                "opened_by_exporter", "median_first_month"])


def coalition_by_year(run_dir: Path, codes: Sequence[str], ends: Sequence[tuple[int, str]],
                      n_replicates: int) -> pd.DataFrame:
    """Share of replicates in which each state is in the coalition at each year's end.

    A state's joins and leaves alternate (it can only leave after joining), so it is a member
    at a step exactly when it has joined more often than it has left up to that step.
    """
    out = pd.DataFrame({"state": list(codes)})
    events = committed_files(run_dir, "events")
    for _, month in ends:
        out[month] = 0.0
    if not events or not ends:
        return out
    sums = ", ".join(
        f"sum(CASE WHEN kind = 'coalition_join' THEN 1 ELSE -1 END) FILTER (WHERE step <= {step})"
        for step, _ in ends)
    with connection() as con:
        rows = con.execute(
            f"SELECT state, {sums} FROM read_parquet({parquet_list(events)}) "
            "WHERE kind IN ('coalition_join', 'coalition_leave') GROUP BY state").fetchall()
    at = {str(r[0]): r[1:] for r in rows}
    for j, (_, month) in enumerate(ends):
        out[month] = [float(at[c][j] or 0) / n_replicates if c in at else 0.0 for c in codes]
    return out


def regime_falls(run_dir: Path, codes: Sequence[str], n_replicates: int) -> pd.DataFrame:
    """Per state whose regime fell in some replicate: the share of replicates in which it fell
    at least once, the median month of its first fall, and the share in which its last new
    regime is aligned with the exporter; most frequent first."""
    out = _events_by_state(
        run_dir, codes,
        "SELECT state, count(*), median(first_step), count(*) FILTER (WHERE last_code = ?) "
        "FROM (SELECT replicate, state, min(step) AS first_step, "
        "arg_max(code, step * 1000000 + file_row_number) AS last_code "
        "FROM read_parquet({events}, file_row_number = true) "
        "WHERE kind = 'regime_change' GROUP BY replicate, state) GROUP BY state", [ALIGNED],
        ["state", "n", "median_first_month", "n_aligned"])
    out = out.assign(fell=out["n"] / n_replicates, aligned_at_end=out["n_aligned"] / n_replicates)
    return _most_frequent_first(out, "fell", ["state", "fell", "median_first_month",
                                              "aligned_at_end"])


def strongest_movements(run_dir: Path, ends: Sequence[tuple[int, str]],
                        top: int = TOP_MOVEMENTS) -> pd.DataFrame:
    """The ``top`` strongest movements (mean strength over replicates) at each year's end; empty
    when the run did not store movement by state."""
    columns = ["month", "rank", "state", "movement"]
    files = committed_files(run_dir, "movement")
    if not files or not ends:
        return pd.DataFrame(columns=columns)
    month_of = {step: month for step, month in ends}
    steps = ", ".join(str(s) for s in month_of)
    with connection() as con:
        rows = con.execute(
            f"SELECT step, state, avg(movement) AS m FROM read_parquet({parquet_list(files)}) "
            f"WHERE step IN ({steps}) GROUP BY step, state "
            "QUALIFY row_number() OVER (PARTITION BY step ORDER BY m DESC, state) <= ? "
            "ORDER BY step, m DESC, state", [top]).fetchall()
    out = pd.DataFrame(rows, columns=["step", "state", "movement"])
    out["month"] = out["step"].map(month_of)
    out["rank"] = out.groupby("step").cumcount() + 1
    return out[columns].reset_index(drop=True)


def faction_weights(run_dir: Path, ends: Sequence[tuple[int, str]]) -> pd.DataFrame:
    """Mean influence of each faction of the original exporter at each year's end."""
    columns = ["month", *(f.removeprefix("faction_") for f in FACTIONS)]
    files = committed_files(run_dir, "steps")
    if not files or not ends:
        return pd.DataFrame(columns=columns)
    month_of = {step: month for step, month in ends}
    steps = ", ".join(str(s) for s in month_of)
    means = ", ".join(f'avg("{f}")' for f in FACTIONS)
    with connection() as con:
        rows = con.execute(f"SELECT step, {means} FROM read_parquet({parquet_list(files)}) "
                           f"WHERE step IN ({steps}) GROUP BY step ORDER BY step").fetchall()
    out = pd.DataFrame([[month_of[r[0]], *r[1:]] for r in rows], columns=columns)
    return out


def actors_of(run: Run) -> Actors:
    """Who does what in a stored run (its committed blocks)."""
    codes = [str(c) for c in run.manifest["states"]]
    n = len(run.replicates)
    ends = year_ends(months(run.root))
    return Actors(
        first_strikers=first_strikers(run.replicates),
        first_war=first_war(run.replicates),
        wars=wars_by_state(run.root, codes, n),
        coalition=coalition_by_year(run.root, codes, ends, n),
        regime_falls=regime_falls(run.root, codes, n),
        movements=strongest_movements(run.root, ends),
        factions=faction_weights(run.root, ends),
    )


__all__ = ["Actors", "actors_of", "coalition_by_year", "faction_weights", "first_strikers",
           "first_war", "regime_falls", "strongest_movements", "wars_by_state", "year_ends"]
