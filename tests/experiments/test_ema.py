"""The EMA Workbench adapter: whole designs per doctrine, EMA's shapes, declared ranges."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("ema_workbench")

import revexport.ema as rxema
from revexport import run_ensemble
from revexport.doctrines.registry import doctrine_names
from revexport.errors import RevexportError
from revexport.params import Parameters

ROOT = Path(__file__).resolve().parents[2]
UNCERTAINTIES = ["strike_hazard", "strike_window_threshold", "stalemate_months"]


@pytest.fixture
def engine_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every call of ``run_ensemble`` made by the adapter (keywords, design included)."""
    calls: list[dict[str, Any]] = []

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append({"args": args, **kwargs})
        return run_ensemble(*args, **kwargs)

    monkeypatch.setattr(rxema, "run_ensemble", counting)
    return calls


def test_one_engine_call_per_doctrine_with_outcomes_in_emas_shape(engine_calls, tmp_path) -> None:
    n, doctrines, reps = 15, ["militant", "pragmatic"], 4
    experiments, outcomes = rxema.perform_experiments(
        n, doctrines=doctrines, replicates=reps, uncertainties=UNCERTAINTIES, seed=5, workers=1,
        out_dir=tmp_path)
    assert len(engine_calls) == len(doctrines)
    assert [c["doctrine"] for c in engine_calls] == doctrines
    for call in engine_calls:
        assert call["replicates"] == reps
        assert list(call["design"].columns) == UNCERTAINTIES and len(call["design"]) == n

    # EMA's experiments table and outcome dict, aligned on the index.
    assert isinstance(experiments, pd.DataFrame) and len(experiments) == n * len(doctrines)
    assert set(UNCERTAINTIES) | {"doctrine", "scenario", "policy", "model"} == set(experiments.columns)
    assert list(experiments["doctrine"].astype(str)) == [d for d in doctrines for _ in range(n)]
    assert experiments["stalemate_months"].dtype.kind == "i"
    assert list(outcomes) == [o.name for o in rxema.OUTCOMES]
    for values in outcomes.values():
        assert isinstance(values, np.ndarray) and values.shape == (n * len(doctrines),)
        assert values.dtype == np.float64
    share = outcomes["war_by_1982"]
    assert ((share >= 0) & (share <= 1)).all()
    assert np.allclose(share * reps, np.round(share * reps))  # a share of 4 replicates

    # Each experiment's outcomes are the means over its own rows' replicates.
    for d, call in zip(doctrines, engine_calls, strict=True):
        direct = run_ensemble("middle-east-1979", doctrine=d, replicates=reps, seed=5,
                              out_dir=tmp_path / "direct", design=call["design"], workers=1,
                              record_movement=False).replicates
        mine = experiments["doctrine"].astype(str) == d
        by_row = direct.groupby("design_row")
        assert np.allclose(outcomes["wars_started"][mine], by_row["wars_started"].mean())
        war_by = (direct["first_war_step"] <= 35).groupby(direct["design_row"]).mean()
        assert np.allclose(share[mine], war_by)
        sampled = experiments.loc[mine, UNCERTAINTIES].reset_index(drop=True)
        assert np.allclose(sampled.to_numpy(float), call["design"].to_numpy(float))


def test_the_same_seed_gives_the_same_sample_and_outcomes() -> None:
    runs = [rxema.perform_experiments(8, doctrines=["gradualist"], replicates=2,
                                      uncertainties=UNCERTAINTIES, seed=11, workers=1)
            for _ in range(2)]
    (ea, oa), (eb, ob) = runs
    assert ea[UNCERTAINTIES].equals(eb[UNCERTAINTIES])
    assert all(np.array_equal(oa[k], ob[k]) for k in oa)


def test_uncertainties_lever_and_outcomes_match_the_declarations() -> None:
    model = rxema.ensemble_model(replicates=2)
    specs = {s.name: s for s in Parameters.specs()}
    uncertainties = list(model.uncertainties)
    assert sorted(u.name for u in uncertainties) == sorted(specs)
    for u in uncertainties:
        s = specs[u.name]
        assert (u.lower_bound, u.upper_bound) == (s.low, s.high)
        assert type(u).__name__ == ("IntegerParameter" if s.integer else "RealParameter")
    assert [s.name for s in specs.values() if s.integer], "no whole-number parameter declared"
    (lever,) = list(model.levers)
    assert lever.name == "doctrine" and type(lever).__name__ == "CategoricalParameter"
    assert [c.value for c in lever.categories] == doctrine_names()
    assert [o.name for o in model.outcomes] == [o.name for o in rxema.OUTCOMES]
    subset = rxema.ensemble_model(uncertainties=["stalemate_months"], outcomes=["war_by_1982"])
    assert [u.name for u in subset.uncertainties] == ["stalemate_months"]
    assert [o.name for o in subset.outcomes] == ["war_by_1982"]


def test_emas_own_evaluator_runs_the_same_model_one_call_per_experiment(engine_calls) -> None:
    from ema_workbench import Policy, perform_experiments

    model = rxema.ensemble_model(replicates=2, uncertainties=["strike_hazard"],
                                 outcomes=["wars_started"], workers=1)
    experiments, outcomes = perform_experiments(model, scenarios=3, policies=[
        Policy("militant", doctrine="militant")], log_progress=True)
    assert len(engine_calls) == 3 and len(experiments) == 3
    assert outcomes["wars_started"].shape == (3,)


def test_bad_names_are_one_line_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(RevexportError, match="unknown parameter 'strike_hazzard'"):
        rxema.perform_experiments(4, uncertainties=["strike_hazzard"])
    with pytest.raises(RevexportError, match="unknown doctrine 'zealot'"):
        rxema.perform_experiments(4, doctrines=["zealot"], uncertainties=UNCERTAINTIES)
    with pytest.raises(RevexportError, match="unknown outcome"):
        rxema.ensemble_model(outcomes=["peace"])
    monkeypatch.setitem(sys.modules, "ema_workbench", None)  # as if not installed
    with pytest.raises(RevexportError, match=r"pip install 'revexport\[ema\]'") as err:
        rxema.ensemble_model()
    assert "\n" not in str(err.value)


def test_the_core_package_never_imports_the_workbench() -> None:
    code = ("import sys, revexport, revexport.cli, revexport.ema; "
            "assert 'ema_workbench' not in sys.modules, 'imported'")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_scenario_discovery_example_prints_a_box() -> None:
    # A few seconds once the engine is compiled (the timeout leaves room for compiling it).
    res = subprocess.run([sys.executable, str(ROOT / "docs" / "examples" / "scenario_discovery.py")],
                         capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "200 experiments x 5 replicates" in out
    assert "PRIM box" in out and "coverage" in out and "density" in out
    box = out.split("PRIM box", 1)[1].splitlines()
    assert any(line.split()[0] in Parameters.__dataclass_fields__ for line in box[2:] if line.strip()
               and not line.startswith(("parameter", "coverage")))
    assert "ipyparallel" not in res.stderr  # the workbench's import-time warning is kept quiet
