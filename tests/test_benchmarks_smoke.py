"""The benchmark scripts run (tiny sizes); no timing is asserted."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def test_quick_benchmark_writes_every_section(tmp_path) -> None:
    out = tmp_path / "performance.md"
    res = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run_all.py"), "--quick",
                          "--out", str(out)], capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stderr
    text = out.read_text()
    for heading in ("## Throughput on middle-east-1979", "## Where the time goes",
                    "## `revexport run -r", "## A design of many parameter sets",
                    "## Scaling on synthetic worlds", "## A long run of a large world",
                    "## The machine's limits", "## Statistical equivalence with the Mesa reference"):
        assert heading in text, heading
    assert "| Mesa 3.3 reference | 1 |" in text
    assert "| revexport | 1 |" in text and "| revexport | 2 |" in text
    assert "| decision |" in text  # the phase profile names the phases
    assert "normal random numbers" in text  # what the step draws, and what drawing costs


def test_mesa_reference_matches_engine_outcome_names() -> None:
    sys.path.insert(0, str(ROOT))
    from benchmarks.mesa_reference.model import run_replicates

    from revexport.scenario import load_scenario

    rows = run_replicates(load_scenario("middle-east-1979"), "militant", 2, seed=1)
    assert len(rows) == 2
    assert set(rows[0]) == {"wars_started", "wars_opened", "war_months", "coalition_mean", "sanctions_mean",
                            "aligned_final", "regime_changes", "exporter_economy_final"}


def test_mesa_reference_is_independent_of_the_engine() -> None:
    """The reference reads the scenario, the parameters and the codes from revexport, nothing else:
    an oracle that called the engine or the package's doctrines would not be independent."""
    allowed = ("revexport.scenario", "revexport.params", "revexport.codes")
    for path in sorted((ROOT / "benchmarks" / "mesa_reference").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name == "revexport" or name.startswith("revexport."):
                    assert name.startswith(allowed), f"{path.name} imports {name}"


def test_robustness_groups_partition_the_parameters() -> None:
    """Every parameter falls in exactly one mechanism group, and every group's prefixes match."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.robustness import GROUPS, parameter_groups

    from revexport.params import Parameters

    names = [s.name for s in Parameters.specs()]
    groups = parameter_groups(names)
    members = [n for group in groups.values() for n in group]
    assert sorted(members) == sorted(names)
    for group, prefixes in GROUPS.items():
        for prefix in prefixes:
            assert any(n.startswith(prefix) for n in names), (group, prefix)


def test_the_hypercube_keeps_each_parameters_values_when_another_is_added(monkeypatch) -> None:
    """Each column is a Latin hypercube of its range (one value in each of n equal strata), and
    dropping a parameter leaves the other columns as they were."""
    sys.path.insert(0, str(ROOT))
    from benchmarks import robustness

    from revexport.params import Parameters

    specs = Parameters.specs()
    full = robustness.latin_hypercube(24, seed=3)
    for spec in specs:
        if spec.integer:
            continue
        strata = np.floor((full[spec.name] - spec.low) / (spec.high - spec.low) * 24)
        assert sorted(strata.astype(int)) == list(range(24)), spec.name
    monkeypatch.setattr(Parameters, "specs", classmethod(lambda cls: specs[1:]))
    fewer = robustness.latin_hypercube(24, seed=3)
    pd.testing.assert_frame_equal(fewer, full[fewer.columns])
    assert not fewer.equals(robustness.latin_hypercube(24, seed=4))


def test_quick_robustness_writes_the_group_analysis(tmp_path) -> None:
    out = tmp_path / "robustness.md"
    res = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "robustness.py"), "--quick",
                          "--workers", "1", "--out", str(out)],
                         capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stderr
    text = out.read_text()
    assert "## In how many sets the checks hold" in text
    assert "## The mechanisms the fit hangs on" in text
    assert "| coalition | " in text  # a row per mechanism group
    assert "Drawn alone, the groups that break the fit most:" in text
    scan = text.split("## One parameter at a time")[1].split("## ")[0]
    assert scan.count(" of the values |") == 3  # one row per check
