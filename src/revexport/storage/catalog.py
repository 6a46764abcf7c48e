"""The run catalog: every run's manifest and output files, indexed in DuckDB.

The manifests on disk are the record of the runs; ``<out_dir>/catalog.duckdb``
is an index of them for queries, with two tables:

* ``runs``: one row per run (id, time, scenario and its hash, doctrine, seed,
  replicates, status, wall time, directory, the manifest as JSON);
* ``outputs``: one row per committed Parquet file (run id, table, block, path, rows).

A run never needs the catalog: it writes its manifest and, when it ends,
tries once to index itself. Readers (:func:`list_runs`, :func:`run_path`)
read the manifests and bring the index up to date in short transactions,
retried for a moment; if another process holds the database (a notebook, a
run indexing itself), they answer from the manifests alone. So concurrent
runs into one directory never fail or lose an entry because of the catalog.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow.parquet as pq

from revexport.errors import RevexportError
from revexport.storage.files import TABLES, committed_files
from revexport.storage.lifecycle import replicates_done, run_status
from revexport.storage.manifest import MANIFEST, read_manifest

CATALOG = "catalog.duckdb"
#: How long a reader or a finishing run waits for another process to release the database.
LOCK_WAIT_S = 1.0
#: Rows of ``outputs`` inserted by one statement: a statement a row costs ~0.4 ms each, and a
#: single statement for thousands of rows takes longer than linearly.
INSERT_ROWS = 100

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY, created VARCHAR, scenario VARCHAR, scenario_hash VARCHAR,
    doctrine VARCHAR, article154 BOOLEAN, seed BIGINT, replicates BIGINT, status VARCHAR,
    wall_time_s DOUBLE, path VARCHAR, manifest JSON
);
ALTER TABLE runs ADD COLUMN IF NOT EXISTS replicates_done BIGINT;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS stamp VARCHAR;
CREATE TABLE IF NOT EXISTS outputs (
    run_id VARCHAR, "table" VARCHAR, block INTEGER, path VARCHAR, rows BIGINT
);
"""
COLUMNS = ["run_id", "created", "scenario", "doctrine", "article154", "seed", "replicates",
           "replicates_done", "status", "wall_time_s", "path"]


@dataclass(frozen=True)
class StoredRun:
    """A run directory found on disk, its manifest and its true status."""

    path: Path
    manifest: dict[str, Any]
    status: str
    stamp: str

    def row(self) -> dict[str, Any]:
        m = self.manifest
        return {"run_id": str(m["run_id"]), "created": m.get("created"),
                "scenario": m.get("scenario"), "doctrine": m.get("doctrine"),
                "article154": bool(m.get("article154")), "seed": m.get("seed"),
                "replicates": m.get("replicates"), "replicates_done": replicates_done(m),
                "status": self.status, "wall_time_s": m.get("wall_time_s"),
                "path": str(self.path.resolve())}


@dataclass
class Scan:
    """The runs under a directory, and the directories skipped (with the reason)."""

    runs: list[StoredRun] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def scan(out_dir: Path | str) -> Scan:
    """Read every run manifest under ``out_dir``; a bad one is skipped and reported, not fatal."""
    out = Scan()
    for path in sorted(Path(out_dir).glob(f"*/{MANIFEST}")):
        run_dir = path.parent
        try:
            m = read_manifest(run_dir)
            if not isinstance(m, dict) or not isinstance(m.get("run_id"), str):
                raise RevexportError(f"{path}: malformed manifest: no run_id")
            status = run_status(run_dir, m)
            st = path.stat()
        except (RevexportError, OSError, TypeError, ValueError, AttributeError) as exc:
            out.skipped.append(str(exc) if isinstance(exc, RevexportError) else f"{path}: {exc}")
            continue
        out.runs.append(StoredRun(run_dir, m, status, f"{st.st_mtime_ns}:{st.st_size}:{status}"))
    return out


@contextmanager
def _connection(out_dir: Path, wait_s: float = LOCK_WAIT_S) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the catalog, retried while another process holds it (IOException)."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            con = duckdb.connect(str(out_dir / CATALOG))
            break
        except duckdb.IOException:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.05)
    try:
        con.execute(_SCHEMA)
        yield con
    finally:
        con.close()


def _upsert(con: duckdb.DuckDBPyConnection, runs: list[StoredRun]) -> None:
    for r in runs:
        m, row = r.manifest, r.row()
        con.execute("DELETE FROM runs WHERE run_id = ?", [row["run_id"]])
        con.execute("DELETE FROM outputs WHERE run_id = ?", [row["run_id"]])
        con.execute(
            "INSERT INTO runs (run_id, created, scenario, scenario_hash, doctrine, article154, seed, "
            "replicates, status, wall_time_s, path, manifest, replicates_done, stamp) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [row["run_id"], row["created"], row["scenario"], m.get("scenario_hash"),
             row["doctrine"], row["article154"], row["seed"], row["replicates"], row["status"],
             row["wall_time_s"], row["path"], json.dumps(m, sort_keys=True, default=str),
             row["replicates_done"], r.stamp])
        outputs = []
        for table in TABLES:
            for f in committed_files(r.path, table):
                outputs.append([row["run_id"], table, int(f.stem.split("-")[1]), str(f.resolve()),
                                pq.ParquetFile(f).metadata.num_rows])
        for start in range(0, len(outputs), INSERT_ROWS):
            batch = outputs[start:start + INSERT_ROWS]
            con.execute("INSERT INTO outputs VALUES " + ", ".join(["(?, ?, ?, ?, ?)"] * len(batch)),
                        [value for output in batch for value in output])


def refresh(out_dir: Path | str, found: Scan | None = None, *, full: bool = False,
            wait_s: float = LOCK_WAIT_S) -> bool:
    """Bring the catalog in line with the manifests on disk.

    Only runs whose manifest (or true status) changed are re-indexed, unless
    ``full``. Returns False, changing nothing, if another process holds the
    database for longer than ``wait_s`` seconds.
    """
    out_dir = Path(out_dir)
    found = scan(out_dir) if found is None else found
    try:
        with _connection(out_dir, wait_s) as con:
            known = dict(con.execute("SELECT run_id, stamp FROM runs").fetchall())
            on_disk = {str(r.manifest["run_id"]): r for r in found.runs}
            changed = [r for rid, r in on_disk.items() if full or known.get(rid) != r.stamp]
            gone = [rid for rid in known if rid not in on_disk]
            if not changed and not gone:
                return True
            con.execute("BEGIN")
            for rid in gone:
                con.execute("DELETE FROM runs WHERE run_id = ?", [rid])
                con.execute("DELETE FROM outputs WHERE run_id = ?", [rid])
            _upsert(con, changed)
            con.execute("COMMIT")
    except duckdb.Error:
        return False  # busy (or unusable): the manifests still answer every question
    return True


def try_register(out_dir: Path | str, run_dir: Path | str) -> bool:
    """Index one run if the catalog is free within a moment; never fails (the manifest is the record)."""
    run_dir = Path(run_dir)
    found = Scan()
    try:
        m = read_manifest(run_dir)
        st = (run_dir / MANIFEST).stat()
        status = run_status(run_dir, m)
    except (RevexportError, OSError):
        return False
    found.runs.append(StoredRun(run_dir, m, status, f"{st.st_mtime_ns}:{st.st_size}:{status}"))
    try:
        with _connection(Path(out_dir)) as con:
            con.execute("BEGIN")
            _upsert(con, found.runs)
            con.execute("COMMIT")
    except (duckdb.Error, OSError):
        return False
    return True


def register(out_dir: Path | str, run_dir: Path | str) -> None:
    """Index one run directory in the catalog of ``out_dir`` (one-line error if it cannot)."""
    if not try_register(out_dir, run_dir):
        read_manifest(run_dir)  # a bad manifest says so in one line
        raise RevexportError(f"{Path(out_dir) / CATALOG}: busy or unwritable; the run is still "
                             "listed from its manifest")


def rebuild(out_dir: Path | str) -> int:
    """Re-index every run directory under ``out_dir``; return how many runs were indexed.

    Directories with a bad manifest are skipped (see :func:`scan` for the reasons).
    """
    found = scan(out_dir)
    refresh(out_dir, found, full=True)
    return len(found.runs)


def list_runs(out_dir: Path | str, **filters: Any) -> pd.DataFrame:
    """Runs under ``out_dir``, newest first, optionally filtered by column equality.

    Read from the manifests (with their true status: a run whose process died is
    ``incomplete``); the DuckDB catalog is refreshed on the way when it is free.

    Parameters
    ----------
    out_dir : path
        The directory runs were written to.
    **filters
        Column values to match, e.g. ``doctrine="militant"``, ``scenario="middle-east-1979"``,
        ``status="complete"`` (``None`` values are ignored).
    """
    out_dir = Path(out_dir)
    allowed = {"scenario", "doctrine", "seed", "status", "scenario_hash", "article154"}
    for key in filters:
        if key not in allowed:
            raise RevexportError(f"filter must be one of {{{', '.join(sorted(allowed))}}}; got '{key}'")
    found = scan(out_dir)
    if not found.runs and not found.skipped and not (out_dir / CATALOG).exists():
        raise RevexportError(f"{out_dir}: no runs here; run something first")
    refresh(out_dir, found)
    rows = []
    for r in found.runs:
        row = r.row()
        if all(value is None or (r.manifest.get(key) if key == "scenario_hash" else row[key]) == value
               for key, value in filters.items()):
            rows.append(row)
    df = pd.DataFrame(rows, columns=COLUMNS)
    return df.sort_values(["created", "run_id"], ascending=False, ignore_index=True)


def run_path(out_dir: Path | str, run_id: str) -> Path:
    """The directory of a run under ``out_dir`` (a unique prefix of its id is enough)."""
    ids = {str(r.manifest["run_id"]): r.path for r in scan(out_dir).runs}
    if run_id in ids:
        return ids[run_id]
    match = [i for i in ids if i.startswith(run_id)]
    if not match:
        raise RevexportError(f"run '{run_id}': no such run in {out_dir}")
    if len(match) > 1:
        raise RevexportError(f"run '{run_id}': ambiguous, matches {len(match)} runs")
    return ids[match[0]]
