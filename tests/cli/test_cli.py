"""The command line end to end, through the installed ``revexport`` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from revexport.scenario import load_scenario, scenario_to_toml

EXE = [sys.executable, "-m", "revexport.cli"]


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*EXE, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_run_prints_the_table_and_writes_files(tmp_path) -> None:
    out = cli("run", "middle-east-1979", "--doctrine", "militant", "--replicates", "30",
              "--seed", "3", "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "wars begun" in out.stdout and "90% CI of mean" in out.stdout
    (run_dir,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["doctrine"] == "militant" and manifest["seed"] == 3
    assert manifest["replicates"] == 30 and manifest["status"] == "complete"
    assert len(manifest["scenario_hash"]) == 64 and manifest["package_version"]
    assert manifest["wall_time_s"] > 0 and "strike_hazard" in manifest["parameters"]
    assert manifest["engine"] == "numba"
    for table in ("steps", "replicates", "events", "movement"):
        assert list((run_dir / table).glob("block-*.parquet")), table


def test_unknown_engine_backend_is_one_line_and_writes_nothing(tmp_path) -> None:
    env = {**os.environ, "REVEXPORT_BACKEND": "fortran"}
    out = subprocess.run([*EXE, "run", "-r", "5", "-o", str(tmp_path)], capture_output=True,
                         text=True, timeout=300, env=env)
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert "REVEXPORT_BACKEND: backend must be one of" in out.stderr + out.stdout
    assert not any(tmp_path.iterdir())


def test_listing_commands_print_one_line_each() -> None:
    out = cli("doctrines")
    assert out.returncode == 0
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 7 and lines[0].startswith("constitutional")
    out = cli("scenarios")
    assert out.returncode == 0 and "middle-east-1979" in out.stdout
    assert all(len(line) > 0 for line in out.stdout.splitlines())
    out = cli("params")
    assert out.returncode == 0 and "strike_hazard" in out.stdout


@pytest.mark.parametrize("command", ["", "run", "scenarios", "doctrines", "params",
                                     "export-scenario"])
def test_help_everywhere(command: str) -> None:
    out = cli(*([command] if command else []), "--help")
    assert out.returncode == 0
    assert "Usage" in out.stdout


def _bad(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


BASE = scenario_to_toml(load_scenario("middle-east-1979"))
CASES = {
    "missing": (BASE.replace('name = "Iraq"\n', "", 1), "states[1].name: missing required field"),
    "wrong-type": (BASE.replace("population = 37.24", 'population = "many"', 1),
                   "states[0].population: input should be a valid number"),
    "out-of-range": (BASE.replace("legitimacy = 0.5109", "legitimacy = 1.4", 1),
                     "states[0].legitimacy: must be in [0, 1], got 1.4"),
    "unknown-doctrine": (BASE.replace('doctrine = "historical"', 'doctrine = "militnat"', 1),
                         "exporters[0].doctrine: must be one of {"),
    "unknown-neighbour": (BASE.replace('a = "AFG"', 'a = "XYZ"', 1),
                          "neighbours[0].a: unknown state 'XYZ'"),
    "malformed": (BASE[:300] + "\n[[states\n", "malformed TOML"),
    "unknown-field": (BASE.replace('name = "Iraq"', 'name = "Iraq"\npopulaton = 3', 1),
                      "states[1].populaton: unknown field"),
    "bad-parameter": (BASE.replace("[parameters]\n", "[parameters]\nstrike_hazrd = 0.2\n", 1),
                      "parameters.strike_hazrd: unknown parameter"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_scenarios_give_one_line_errors(tmp_path, case: str) -> None:
    text, expected = CASES[case]
    path = _bad(tmp_path, f"{case}.toml", text)
    out = cli("run", str(path), "--replicates", "2", "--out", str(tmp_path / "runs"))
    assert out.returncode == 2, out.stdout
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith(f"error: {case}.toml: "), lines[0]
    assert expected in lines[0], lines[0]


@pytest.mark.parametrize("args, expected", [
    (["run", "--doctrine", "militnat"], "doctrine must be one of {"),
    (["run", "--replicates", "0"], "replicates must be in [1,"),
    (["run", "nofile.toml"], "nofile.toml: no such scenario file"),
    (["run", "--set", "strike_hazard=9"], "strike_hazard: must be in [0.01, 0.5], got 9"),
    (["run", "--set", "strike_hazard"], "--set: write name=value"),
])
def test_bad_arguments_give_one_line_errors(tmp_path, args: list[str], expected: str) -> None:
    out = cli(*args, "--out", str(tmp_path))
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert expected in out.stderr


def test_unwritable_output_directory(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    out = cli("run", "--replicates", "2", "--out", str(blocker / "runs"))
    assert out.returncode == 2 and "not writable" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_export_scenario_round_trip_runs(tmp_path) -> None:
    path = tmp_path / "me.toml"
    assert cli("export-scenario", "middle-east-1979", str(path)).returncode == 0
    out = cli("run", str(path), "--replicates", "5", "--out", str(tmp_path / "runs"),
              "--set", "strike_hazard=0.3", "--no-movement")
    assert out.returncode == 0, out.stderr
