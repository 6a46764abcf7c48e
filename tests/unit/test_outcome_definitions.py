"""The outcome registry matches what a run produces, and every copy of a label reads from it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from revexport.experiments.ensemble import run_ensemble
from revexport.experiments.hindcast import HISTORY, pattern_checks
from revexport.outcomes.definitions import (
    KINDS,
    OUTCOMES,
    checks,
    label,
    main_outcomes,
    replicate_outcomes,
)

#: Columns of the per-replicate table that index it rather than measure anything.
INDEX_COLUMNS = ("replicate", "design_row")


def test_registry_matches_the_replicate_table(tmp_path: Path) -> None:
    run = run_ensemble("synthetic:20", replicates=3, workers=1, record_movement=False,
                       out_dir=tmp_path)
    reps = run.replicates
    numeric = [c for c in reps.columns if c not in INDEX_COLUMNS
               and (pd.api.types.is_numeric_dtype(reps[c]) or pd.api.types.is_bool_dtype(reps[c]))]
    undeclared = [c for c in numeric if c not in OUTCOMES]
    assert not undeclared, f"numeric per-replicate columns not declared: {undeclared}"
    check_names = set(pattern_checks(reps).columns)
    missing = [n for n in OUTCOMES if n not in reps.columns and n not in check_names]
    assert not missing, f"declared outcomes that are neither a column nor a check: {missing}"
    # Kinds agree with the columns: text columns hold text, the others numbers.
    for o in replicate_outcomes():
        assert (o.name in numeric) == o.numeric, o.name


def test_registry_is_well_formed() -> None:
    assert all(o.kind in KINDS and o.label and o.description for o in OUTCOMES.values())
    assert all(name == o.name for name, o in OUTCOMES.items())
    assert len({o.label for o in OUTCOMES.values()}) == len(OUTCOMES)
    assert [o.name for o in checks()] == list(HISTORY)


def test_aliases_read_the_registry() -> None:
    from revexport import ema
    from revexport.experiments import calibration, compare, hindcast, sensitivity
    from revexport.outcomes.summary import MAIN_OUTCOMES
    from revexport.report import figures

    assert MAIN_OUTCOMES == {o.name: o.label for o in main_outcomes()}
    for table in (compare.COMPARED, hindcast.DIRECTION, figures.FINAL_OUTCOMES):
        assert all(text == label(name) for name, text in table.items())
    assert set(compare.COMPARED) == set(MAIN_OUTCOMES) - {"first_war_step"}
    assert set(sensitivity.OUTCOMES) == {o.name for o in OUTCOMES.values() if o.numeric}
    assert sensitivity.REPLICATE_OUTCOMES == tuple(o.name for o in replicate_outcomes(True))
    assert calibration.REPLICATE_COLUMNS == tuple(o.name for o in replicate_outcomes())
    assert all(s.column in OUTCOMES for s in ema.OUTCOMES)
