"""Several runs into one directory at once, while another process holds the catalog open."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from reliability_helpers import cli_process, short_toml

from revexport.storage import catalog


@pytest.fixture(scope="module")
def short_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return short_toml(tmp_path_factory.mktemp("scenario"))


N_RUNS = 6


def test_concurrent_runs_are_all_catalogued_while_the_catalog_is_held(short_scenario,
                                                                      tmp_path) -> None:
    # This process holds the database open, as a notebook would: no other process can open it.
    held = duckdb.connect(str(tmp_path / catalog.CATALOG))
    try:
        procs = [subprocess.Popen([sys.executable, "-m", "revexport.cli", "run",
                                   str(short_scenario), "-r", "2", "-s", str(seed),
                                   "-o", str(tmp_path), "--no-movement", "-w", "1"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for seed in range(N_RUNS)]
        results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
        for p in procs:
            for stream in (p.stdout, p.stderr):
                if stream:
                    stream.close()
        assert [code for code, _ in results] == [0] * N_RUNS, results
        listed = cli_process("runs", "-o", str(tmp_path), "--json")  # answered from the manifests
        assert listed.returncode == 0, listed.stderr
        rows = [json.loads(line) for line in listed.stdout.splitlines()]
        assert sorted(r["seed"] for r in rows) == list(range(N_RUNS))
        assert {r["status"] for r in rows} == {"complete"}
    finally:
        held.close()
    # Once the database is free, the next reader brings it up to date.
    assert len(catalog.list_runs(tmp_path, status="complete")) == N_RUNS
    con = duckdb.connect(str(tmp_path / catalog.CATALOG), read_only=True)
    try:
        assert con.execute("SELECT count(*), count(DISTINCT seed) FROM runs").fetchone() == (
            N_RUNS, N_RUNS)
        assert con.execute("SELECT count(DISTINCT run_id) FROM outputs").fetchone() == (N_RUNS,)
    finally:
        con.close()
