"""Shared by the reliability tests: a small, short scenario, the command line, stored tables."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pandas as pd

from revexport.scenario.load import load_scenario, scenario_to_toml
from revexport.storage.files import TABLES, committed_files, read_table


def short_toml(folder: Path) -> Path:
    """12 synthetic states over 35 months: blocks of a few replicates take a fraction of a second."""
    text = scenario_to_toml(load_scenario("synthetic:12"))
    path = folder / "short.toml"
    path.write_text(text.replace('end = "1990-12"', 'end = "1981-12"', 1))
    assert load_scenario(str(path)).n_steps == 35
    return path


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``revexport ARGS`` in this process (Typer's runner), as a finished process would be seen."""
    from typer.testing import CliRunner

    from revexport.cli import app

    res = CliRunner().invoke(app, list(args))
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    return subprocess.CompletedProcess(args, res.exit_code, res.stdout, res.stderr)


def cli_process(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``revexport ARGS`` in a process of its own."""
    return subprocess.run([sys.executable, "-m", "revexport.cli", *args], capture_output=True,
                          text=True, timeout=timeout)


def tables(root: Path) -> dict[str, pd.DataFrame]:
    """Every stored table of a run, as readers see it (committed blocks only)."""
    return {t: read_table(root, t) for t in TABLES}


def digests(root: Path) -> dict[str, str]:
    """SHA-256 of every committed block file, by table/block name."""
    return {f"{t}/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest()
            for t in TABLES for p in committed_files(root, t)}


def replicate_sets(root: Path) -> dict[str, set[int]]:
    return {t: set(read_table(root, t)["replicate"].astype(int)) for t in TABLES}
