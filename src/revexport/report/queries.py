"""What the figures need, computed by DuckDB over a run's committed Parquet files.

A report never loads a whole ``steps`` or ``movement`` table: quantiles over
replicates are aggregated in the query, and the maps read only the steps they
draw (the filter reaches the Parquet row groups), so the report's memory does
not grow with the number of replicates.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from revexport.codes import ALIGNED
from revexport.storage.files import committed_files

#: Memory DuckDB may use for one query; it works within it (spilling to disk if it must).
MEMORY_LIMIT = "512MB"
#: Values one exact-quantile query may hold (8 bytes each, plus DuckDB's overhead).
QUANTILE_VALUES = 8_000_000
QUANTILES = (0.05, 0.5, 0.95)


@contextmanager
def connection() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "threads": 2,
                                 "preserve_insertion_order": False})
    try:
        yield con
    finally:
        con.close()


def parquet_list(paths: Sequence[Path]) -> str:
    # Paths are SQL string literals (table functions take no bound parameters).
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def months(run_dir: Path) -> list[str]:
    """Month label of every step (from the first committed block: every block has all steps)."""
    files = committed_files(run_dir, "steps")[:1]
    if not files:
        return []
    with connection() as con:
        rows = con.execute(f"SELECT step, any_value(month) FROM read_parquet({parquet_list(files)}) "
                           "GROUP BY step ORDER BY step").fetchall()
    return [str(m) for _, m in rows]


def step_quantiles(run_dir: Path, metrics: Sequence[str], n_replicates: int
                   ) -> dict[str, pd.DataFrame]:
    """Per metric, the 5, 50 and 95 % quantiles over replicates at each step.

    Each frame has index ``step`` and columns ``0.05, 0.5, 0.95`` (linear
    interpolation, as :meth:`pandas.Series.quantile`).
    """
    files = committed_files(run_dir, "steps")
    if not files:
        return {}
    with connection() as con:
        n_steps = int(con.execute(f"SELECT max(step) + 1 FROM read_parquet({parquet_list(files[:1])})"
                                  ).fetchone()[0])  # type: ignore[index]
        # An exact quantile keeps every value it is given (it cannot spill to disk): each
        # query takes as many metrics and steps as fit in QUANTILE_VALUES values.
        per_metric = n_replicates * n_steps
        if per_metric * len(metrics) <= QUANTILE_VALUES:
            groups, chunk = [list(metrics)], n_steps
        elif n_replicates * len(metrics) <= QUANTILE_VALUES:
            groups, chunk = [list(metrics)], QUANTILE_VALUES // (n_replicates * len(metrics))
        else:
            groups, chunk = [[m] for m in metrics], max(1, QUANTILE_VALUES // n_replicates)
        qs = "[" + ", ".join(str(q) for q in QUANTILES) + "]"
        parts: dict[str, list[pd.DataFrame]] = {m: [] for m in metrics}
        for group in groups:
            cols = ", ".join(f'quantile_cont("{m}", {qs})' for m in group)
            for first in range(0, n_steps, chunk):
                rows = con.execute(
                    f"SELECT step, {cols} FROM read_parquet({parquet_list(files)}) "
                    "WHERE step >= ? AND step < ? GROUP BY step ORDER BY step",
                    [first, first + chunk]).fetchall()
                index = pd.Index([r[0] for r in rows], name="step")
                for j, m in enumerate(group):
                    parts[m].append(pd.DataFrame([list(r[j + 1]) for r in rows], index=index,
                                                 columns=list(QUANTILES), dtype=float))
    return {m: pd.concat(frames) for m, frames in parts.items()}


def map_layers(run_dir: Path, codes: Sequence[str], step: int, n_replicates: int,
               with_movement: bool) -> dict[str, np.ndarray]:
    """Per state at ``step``: mean movement, share of replicates aligned, share in the coalition.

    Aligned and coalition membership follow each (replicate, state)'s last regime
    change and last coalition move up to ``step`` (ties at one step: the later event).
    """
    idx = {c: i for i, c in enumerate(codes)}
    n = len(codes)
    mov = np.full(n, np.nan)
    al = np.zeros(n)
    cm = np.zeros(n)
    events = committed_files(run_dir, "events")
    movement = committed_files(run_dir, "movement") if with_movement else []
    with connection() as con:
        if movement:
            for state, value in con.execute(
                    f"SELECT state, avg(movement) FROM read_parquet({parquet_list(movement)}) "
                    "WHERE step = ? GROUP BY state", [step]).fetchall():
                if value is not None and str(state) in idx:
                    mov[idx[str(state)]] = value
        if events:
            last = ("SELECT replicate, state, kind, code FROM read_parquet({files}, "
                    "file_row_number = true) WHERE step <= ? AND kind IN ({kinds}) QUALIFY "
                    "row_number() OVER (PARTITION BY replicate, state "
                    "ORDER BY step DESC, file_row_number DESC) = 1")
            files = parquet_list(events)
            last_change = last.format(files=files, kinds="'regime_change'")
            last_move = last.format(files=files, kinds="'coalition_join', 'coalition_leave'")
            aligned = con.execute(f"SELECT state, count(*) FROM ({last_change}) WHERE code = ? "
                                  "GROUP BY state", [step, ALIGNED]).fetchall()
            member = con.execute(f"SELECT state, count(*) FROM ({last_move}) "
                                 "WHERE kind = 'coalition_join' GROUP BY state", [step]).fetchall()
            for state, count in aligned:
                if str(state) in idx:
                    al[idx[str(state)]] = count / n_replicates
            for state, count in member:
                if str(state) in idx:
                    cm[idx[str(state)]] = count / n_replicates
    return {"movement strength (mean)": mov, "aligned regime (share of replicates)": al,
            "in coalition (share of replicates)": cm}
