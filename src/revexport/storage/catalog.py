"""The run catalog: every run's manifest and output files, indexed in DuckDB.

``<out_dir>/catalog.duckdb`` holds two tables:

* ``runs``: one row per run (id, time, scenario and its hash, doctrine, seed,
  replicates, status, wall time, directory, the manifest as JSON);
* ``outputs``: one row per stored Parquet file (run id, table, block, path, rows).

:func:`register` is called by every ensemble when it ends (complete or not);
:func:`rebuild` re-indexes a directory from the manifests on disk.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow.parquet as pq

from revexport.errors import RevexportError
from revexport.storage.files import TABLES
from revexport.storage.manifest import MANIFEST, read_manifest

CATALOG = "catalog.duckdb"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY, created VARCHAR, scenario VARCHAR, scenario_hash VARCHAR,
    doctrine VARCHAR, article154 BOOLEAN, seed BIGINT, replicates BIGINT, status VARCHAR,
    wall_time_s DOUBLE, path VARCHAR, manifest JSON
);
CREATE TABLE IF NOT EXISTS outputs (
    run_id VARCHAR, "table" VARCHAR, block INTEGER, path VARCHAR, rows BIGINT
);
"""


def _connect(out_dir: Path) -> duckdb.DuckDBPyConnection:
    try:
        con = duckdb.connect(str(out_dir / CATALOG))
    except (duckdb.Error, OSError) as exc:
        raise RevexportError(f"{out_dir / CATALOG}: cannot open the run catalog ({exc})") from None
    con.execute(_SCHEMA)
    return con


def register(out_dir: Path | str, run_dir: Path | str) -> None:
    """Index one run directory (its manifest and Parquet files) in the catalog of ``out_dir``."""
    out_dir, run_dir = Path(out_dir), Path(run_dir)
    m = read_manifest(run_dir)
    con = _connect(out_dir)
    try:
        con.execute("BEGIN")
        con.execute("DELETE FROM runs WHERE run_id = ?", [m["run_id"]])
        con.execute("DELETE FROM outputs WHERE run_id = ?", [m["run_id"]])
        con.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [m["run_id"], m.get("created"), m.get("scenario"), m.get("scenario_hash"),
             m.get("doctrine"), bool(m.get("article154")), m.get("seed"), m.get("replicates"),
             m.get("status"), m.get("wall_time_s"), str(run_dir.resolve()),
             json.dumps(m, sort_keys=True, default=str)],
        )
        rows = []
        for table in TABLES:
            for f in sorted((run_dir / table).glob("block-*.parquet")):
                block = int(f.stem.split("-")[1])
                rows.append([m["run_id"], table, block, str(f.resolve()),
                             pq.ParquetFile(f).metadata.num_rows])
        if rows:
            con.executemany("INSERT INTO outputs VALUES (?, ?, ?, ?, ?)", rows)
        con.execute("COMMIT")
    finally:
        con.close()


def rebuild(out_dir: Path | str) -> int:
    """Re-index every run directory under ``out_dir``; return how many were found."""
    out_dir = Path(out_dir)
    found = sorted(p.parent for p in out_dir.glob(f"*/{MANIFEST}"))
    for run_dir in found:
        register(out_dir, run_dir)
    return len(found)


def list_runs(out_dir: Path | str, **filters: Any) -> pd.DataFrame:
    """Runs in the catalog, newest first, optionally filtered by column equality.

    Parameters
    ----------
    out_dir : path
        The directory runs were written to.
    **filters
        Column values to match, e.g. ``doctrine="militant"``, ``scenario="middle-east-1979"``,
        ``status="complete"`` (``None`` values are ignored).
    """
    out_dir = Path(out_dir)
    if not (out_dir / CATALOG).exists():
        raise RevexportError(f"{out_dir}: no run catalog here ({CATALOG}); run something first")
    allowed = {"scenario", "doctrine", "seed", "status", "scenario_hash", "article154"}
    where, args = [], []
    for key, value in filters.items():
        if value is None:
            continue
        if key not in allowed:
            raise RevexportError(f"filter must be one of {{{', '.join(sorted(allowed))}}}; got '{key}'")
        where.append(f"{key} = ?")
        args.append(value)
    sql = ("SELECT run_id, created, scenario, doctrine, article154, seed, replicates, status, "
           "wall_time_s, path FROM runs")
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY created DESC, run_id DESC"
    con = _connect(out_dir)
    try:
        df: pd.DataFrame = con.execute(sql, args).df()
    finally:
        con.close()
    return df


def run_path(out_dir: Path | str, run_id: str) -> Path:
    """The directory of a catalogued run (a unique prefix of its id is enough)."""
    runs = list_runs(out_dir)
    exact = runs[runs["run_id"] == run_id]
    match = exact if len(exact) else runs[runs["run_id"].str.startswith(run_id)]
    if len(match) == 0:
        raise RevexportError(f"run '{run_id}': no such run in {Path(out_dir) / CATALOG}")
    if len(match) > 1:
        raise RevexportError(f"run '{run_id}': ambiguous, matches {len(match)} runs")
    return Path(str(match["path"].iloc[0]))
