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
from typing import Any

import pandas as pd

from revexport.errors import RevexportError
from revexport.params import Parameters

#: Most rows a design may have.
MAX_ROWS = 1_000_000


def design_parameters(base: Parameters, design: pd.DataFrame | None,
                      origin: str = "design") -> tuple[list[Parameters], list[dict[str, float]]]:
    """The parameter set of each design row, and the rows as records (what the manifest keeps).

    Parameters
    ----------
    base : Parameters
        The values of every parameter a row leaves empty.
    design : DataFrame or None
        One row per parameter set, columns named after parameters. ``None``: one row, ``base``.
    origin : str
        Where the design came from, the start of error messages.

    Raises
    ------
    RevexportError
        One line naming the row and column: an unknown parameter, a value that is not a
        number or lies outside the parameter's range; or an empty design.
    """
    if design is None:
        return [base], []
    if len(design) == 0 or len(design.columns) == 0:
        raise RevexportError(f"{origin}: a design needs at least one row and one parameter column")
    if len(design) > MAX_ROWS:
        raise RevexportError(f"{origin}: at most {MAX_ROWS} rows, got {len(design)}")
    specs = {s.name: s for s in Parameters.specs()}
    known = set(specs)
    for col in design.columns:
        if col not in known:
            close = sorted(n for n in known if n[:6] == str(col)[:6]) or sorted(known)[:5]
            raise RevexportError(f"{origin}: column '{col}': unknown parameter (did you mean one of "
                                 f"{', '.join(close)}?)")
    rows: list[Parameters] = []
    records: list[dict[str, float]] = []
    for i, row in enumerate(design.to_dict(orient="records")):
        values: dict[str, Any] = {}
        for name, value in row.items():
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            value = value.item() if hasattr(value, "item") else value
            spec = specs[str(name)]
            where = f"{origin}: row {i + 1}, column {name}"
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise RevexportError(f"{where}: must be a number in [{spec.low:g}, {spec.high:g}], "
                                     f"got {value!r}")
            if not spec.low <= value <= spec.high:
                raise RevexportError(f"{where}: must be in [{spec.low:g}, {spec.high:g}], got {value!r}")
            if spec.integer and value != int(value):
                raise RevexportError(f"{where}: must be a whole number, got {value!r}")
            values[str(name)] = value
        rows.append(base.with_overrides(values, origin=f"{origin}: row {i + 1}"))
        records.append({k: float(v) for k, v in values.items()})
    return rows, records


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
    design_parameters(Parameters(), design, origin=name)  # names and ranges, before any run
    return design
