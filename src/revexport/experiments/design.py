"""Designs: several parameter sets run side by side in the same batched blocks.

A design is a table with one row per parameter set and one column per parameter; a cell left
empty keeps the value the run has without the design. Every row runs the same number of
replicates; replicate ``i`` belongs to design row ``i // replicates_per_row``. Sensitivity
analysis, calibration and sweeps hand the engine whole designs this way, so the engine sees
whole batches, never one model call per parameter set.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from revexport.errors import RevexportError
from revexport.params import PARAMETER_NAMES, Parameters

#: Most rows a design may have.
MAX_ROWS = 1_000_000


def design_matrix(base: Parameters, design: pd.DataFrame | None,
                  origin: str = "design") -> tuple[NDArray[np.float64], list[dict[str, float]]]:
    """The parameter values of each design row, and the rows as records (what the run keeps).

    Parameters
    ----------
    base : Parameters
        The values of every parameter a row leaves empty.
    design : DataFrame or None
        One row per parameter set, columns named after parameters. ``None``: one row, ``base``.
    origin : str
        Where the design came from, the start of error messages.

    Returns
    -------
    values : ndarray of shape (rows, parameters)
        Columns in the order of :data:`revexport.params.PARAMETER_NAMES`
        (:func:`revexport.params.table_from_values` turns it into parameters per replicate).
    records : list of dict
        Each row's values as given (empty cells left out).

    Raises
    ------
    RevexportError
        One line naming the row and column: an unknown parameter, a value that is not a
        number or lies outside the parameter's range; or an empty design.
    """
    base_values = np.array([getattr(base, n) for n in PARAMETER_NAMES], dtype=np.float64)
    if design is None:
        return base_values[None, :], []
    if len(design) == 0 or len(design.columns) == 0:
        raise RevexportError(f"{origin}: a design needs at least one row and one parameter column")
    if len(design) > MAX_ROWS:
        raise RevexportError(f"{origin}: at most {MAX_ROWS} rows, got {len(design)}")
    specs = {s.name: s for s in Parameters.specs()}
    for col in design.columns:
        if col not in specs:
            close = sorted(n for n in specs if n[:6] == str(col)[:6]) or sorted(specs)[:5]
            raise RevexportError(f"{origin}: column '{col}': unknown parameter (did you mean one of "
                                 f"{', '.join(close)}?)")
    values = np.tile(base_values, (len(design), 1))
    given = {}
    # Column by column, vectorised: a design may have a million rows.
    for col in design.columns:
        spec = specs[str(col)]
        raw = design[col]
        if raw.dtype == bool or not (pd.api.types.is_numeric_dtype(raw) or raw.dtype == object):
            bad = 0
        else:
            numbers = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
            is_bool = raw.map(lambda v: isinstance(v, bool | np.bool_)).to_numpy(dtype=bool)
            missing = raw.isna().to_numpy()
            wrong = (np.isnan(numbers) & ~missing) | is_bool
            bad = int(np.argmax(wrong)) if wrong.any() else -1
        if bad >= 0:
            raise RevexportError(f"{origin}: row {bad + 1}, column {col}: must be a number in "
                                 f"[{spec.low:g}, {spec.high:g}], got {raw.iloc[bad]!r}")
        ok = ~np.isnan(numbers)
        out = ok & ((numbers < spec.low) | (numbers > spec.high))
        if out.any():
            i = int(np.argmax(out))
            raise RevexportError(f"{origin}: row {i + 1}, column {col}: must be in "
                                 f"[{spec.low:g}, {spec.high:g}], got {raw.iloc[i]!r}")
        if spec.integer:
            frac = ok & (numbers != np.round(numbers))
            if frac.any():
                i = int(np.argmax(frac))
                raise RevexportError(f"{origin}: row {i + 1}, column {col}: must be a whole number, "
                                     f"got {raw.iloc[i]!r}")
        j = PARAMETER_NAMES.index(str(col))
        values[ok, j] = numbers[ok]
        given[str(col)] = (ok, numbers)
    records = [{c: float(n[i]) for c, (ok, n) in given.items() if ok[i]} for i in range(len(design))]
    return values, records


def read_design(path: str | Path) -> pd.DataFrame:
    """Read a design from a CSV file: a header of parameter names, one parameter set a row.

    Raises
    ------
    RevexportError
        One line naming the file (and the row and column where it applies).
    """
    p = Path(path)
    name = p.name or str(p)
    if not p.exists():
        raise RevexportError(f"{name}: no such design file")
    if not p.is_file():
        raise RevexportError(f"{name}: not a file")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise RevexportError(f"{name}: not a UTF-8 text file") from None
    except OSError as exc:
        raise RevexportError(f"{name}: cannot read ({exc.strerror})") from None
    try:
        return _parse_design(name, list(csv.reader(text.splitlines())))
    except csv.Error as exc:
        raise RevexportError(f"{name}: not a readable CSV file ({exc})") from None


def _parse_design(name: str, lines: list[list[str]]) -> pd.DataFrame:
    reader = iter(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise RevexportError(f"{name}: empty design file (a header of parameter names, then one "
                             "row per parameter set)") from None
    header = [h.strip() for h in header]
    if not header or any(not h for h in header):
        raise RevexportError(f"{name}: header: every column needs a parameter name")
    if len(set(header)) != len(header):
        raise RevexportError(f"{name}: header: a parameter appears twice")
    rows: list[list[float]] = []
    for i, raw in enumerate(reader, start=1):
        if not any(cell.strip() for cell in raw):
            continue
        if len(raw) != len(header):
            raise RevexportError(f"{name}: row {i}: {len(raw)} values for {len(header)} columns")
        row = []
        for col, cell in zip(header, raw, strict=True):
            cell = cell.strip()
            if not cell:
                row.append(math.nan)
                continue
            try:
                value = float(cell)
            except ValueError:
                raise RevexportError(f"{name}: row {i}, column {col}: must be a number, got "
                                     f"{cell[:40]!r}") from None
            if not math.isfinite(value):
                raise RevexportError(f"{name}: row {i}, column {col}: must be a finite number, "
                                     f"got {cell[:40]!r}")
            row.append(value)
        rows.append(row)
    if not rows:
        raise RevexportError(f"{name}: no rows (a header of parameter names, then one row per "
                             "parameter set)")
    design = pd.DataFrame(rows, columns=header)
    design_matrix(Parameters(), design, origin=name)  # names and ranges, before any run
    return design
