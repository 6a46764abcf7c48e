"""The files of a run.

A run directory holds::

    manifest.json
    steps/block-00000.parquet       per-step metrics, one row per replicate and step
    replicates/block-00000.parquet  per-replicate summaries
    events/block-00000.parquet      regime changes, wars begun/ended, coalition moves
    movement/block-00000.parquet    movement strength by state (replicate, step, state)

A block first writes its four files into a staging folder
(``.staging/<attempt>/block-00000/``; movement is streamed there in chunks of
steps while the block runs). Once all four are written they are renamed into
place and the block is recorded in the manifest's ``blocks_done``: that record
is the block's commit (:mod:`revexport.storage.lifecycle`). Readers read
committed blocks only, so a run killed between two renames never shows tables
that disagree, and an interrupted run keeps every committed block.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from revexport.errors import RevexportError
from revexport.storage.manifest import read_manifest

TABLES = ("steps", "replicates", "events", "movement")
STAGING = ".staging"
#: Codec of every table. With the float columns split by byte (:func:`float_encoding`), LZ4
#: writes a block's steps and movement in two thirds of the time zstd took on plain floats, and
#: reads them faster, into files about as large (steps 12 % smaller, movement 6 % larger).
COMPRESSION = "lz4"


def float_encoding(schema: pa.Schema) -> dict[str, str]:
    """``BYTE_STREAM_SPLIT`` for every float column of ``schema``.

    The bytes of the floats are stored by significance (all first bytes, then all second
    bytes...): sign and exponent bytes repeat, so the codec compresses them cheaply.
    """
    return {f.name: "BYTE_STREAM_SPLIT" for f in schema
            if pa.types.is_float32(f.type) or pa.types.is_float64(f.type)}


@dataclass(frozen=True)
class RunFiles:
    """Paths of one run's files.

    With ``staging`` set (a folder under ``root/.staging``), blocks are written
    there and moved into place by :meth:`commit_block`.
    """

    root: Path
    staging: Path | None = None

    def block_path(self, table: str, block: int) -> Path:
        return self.root / table / f"block-{block:05d}.parquet"

    def write_path(self, table: str, block: int) -> Path:
        """Where a block's table is written: its staging file, or its final path."""
        if self.staging is None:
            return self.block_path(table, block)
        folder = self.staging / f"block-{block:05d}"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{table}.parquet"

    def commit_block(self, block: int) -> None:
        """Move a block's staged tables into place (the caller then records the commit)."""
        if self.staging is None:
            return
        folder = self.staging / f"block-{block:05d}"
        for table in TABLES:
            staged = folder / f"{table}.parquet"
            if staged.exists():
                os.replace(staged, self.block_path(table, block))
        folder.rmdir()

    def prepare(self) -> None:
        """Create the run directory and its table folders, or fail with one line."""
        try:
            for t in TABLES:
                (self.root / t).mkdir(parents=True, exist_ok=True)
            probe = self.root / ".write-test"
            probe.write_text("")
            probe.unlink()
        except OSError as exc:
            raise RevexportError(f"{self.root}: output directory is not writable ({exc.strerror})"
                                 ) from None

    def write_frame(self, table: str, block: int, df: pd.DataFrame) -> None:
        """Write one block's table (atomically: a temporary file, then a rename)."""
        path = self.write_path(table, block)
        tmp = path.with_suffix(".tmp")
        arrow = pa.Table.from_pandas(df, preserve_index=False)
        # Dictionary-encode the text columns only: for numbers it costs time and saves nothing.
        # Read from the Arrow schema, which names text alike whether pandas held it as objects
        # or as its string dtype (the default from pandas 3).
        text = [f.name for f in arrow.schema if pa.types.is_string(f.type)
                or pa.types.is_large_string(f.type)]
        pq.write_table(arrow, tmp, compression=COMPRESSION, use_dictionary=text,
                       column_encoding=float_encoding(arrow.schema))
        tmp.replace(path)


class MovementStream:
    """Stream movement by state for one block to Parquet, one row group per chunk.

    Rows are (replicate, step, state, movement) with ``state`` dictionary-encoded.
    """

    def __init__(self, path: Path, codes: list[str], replicate_offset: int,
                 step_stride: int = 1) -> None:
        self.path = path
        self.tmp = path.with_suffix(".tmp")
        self.codes = pa.array(codes)
        self.offset = replicate_offset
        self.stride = step_stride
        self._index: dict[int, tuple[pa.Array, pa.Array]] = {}
        self.schema = pa.schema([("replicate", pa.int32()), ("step", pa.int16()),
                                 ("state", pa.dictionary(pa.int32(), pa.string())),
                                 ("movement", pa.float32())])
        # Only the state codes gain from a dictionary (encoding the numeric columns costs most of
        # the write time for nothing). Their min and max would cost a sixth of the write and
        # prune nothing (every row group holds every state): no statistics for them.
        self.writer = pq.ParquetWriter(self.tmp, self.schema, compression=COMPRESSION,
                                       use_dictionary=["state"],
                                       column_encoding=float_encoding(self.schema),
                                       write_statistics=["replicate", "step", "movement"])

    def __call__(self, first_step: int, movement: NDArray[np.float32]) -> None:
        """Write the chunk ``movement`` (R, steps, S) of the steps from ``first_step``."""
        r, t, s = movement.shape
        steps = np.arange(first_step, first_step + t)
        keep = steps % self.stride == 0
        if not keep.any():
            return
        if not keep.all():
            movement, steps = movement[:, keep], steps[keep]
        t = len(steps)
        # The replicate and state columns repeat from chunk to chunk: built once per length.
        if t not in self._index:
            rep = np.repeat(np.arange(r, dtype=np.int32) + self.offset, t * s)
            state = np.tile(np.arange(s, dtype=np.int32), r * t)
            self._index[t] = (pa.array(rep), pa.DictionaryArray.from_arrays(state, self.codes))
        rep_column, state_column = self._index[t]
        stp = np.broadcast_to(steps.astype(np.int16)[None, :, None], (r, t, s)).ravel()
        table = pa.table({
            "replicate": rep_column, "step": stp, "state": state_column,
            # The chunk is laid out replicate by replicate, as the rows are: no copy if whole.
            "movement": np.ascontiguousarray(movement).ravel(),
        }, schema=self.schema)
        self.writer.write_table(table)

    def close(self) -> None:
        self.writer.close()
        self.tmp.replace(self.path)


def committed_files(run_dir: Path | str, table: str) -> list[Path]:
    """The files of one table's committed blocks, in block order.

    Files of blocks not recorded in the manifest (a block cut short between its
    renames) are left out.
    """
    if table not in TABLES:
        raise RevexportError(f"table must be one of {{{', '.join(TABLES)}}}; got '{table}'")
    run_dir = Path(run_dir)
    files = RunFiles(run_dir)
    paths = [files.block_path(table, int(b))
             for b in sorted(read_manifest(run_dir).get("blocks_done", []))]
    return [p for p in paths if p.exists()]


def read_table(run_dir: Path | str, table: str) -> pd.DataFrame:
    """Read one table of a stored run (its committed blocks, in block order)."""
    files = committed_files(run_dir, table)
    if not files:
        raise RevexportError(f"{Path(run_dir) / table}: no stored blocks")
    frames: list[pd.DataFrame] = [pq.read_table(f).to_pandas() for f in files]
    return pd.concat(frames, ignore_index=True)
