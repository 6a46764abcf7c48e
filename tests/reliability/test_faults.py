"""Fault injection: a run killed (SIGKILL) at random moments, resumed each time, loses nothing."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from reliability_helpers import digests, short_toml, tables

import revexport as rx
from revexport.experiments.ensemble import resume_run
from revexport.storage import catalog


@pytest.fixture(scope="module")
def short_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return short_toml(tmp_path_factory.mktemp("scenario"))


KW = dict(replicates=90, block_size=3, seed=11, workers=1)
DRIVER = """
import sys
from pathlib import Path
import revexport as rx
from revexport.experiments.ensemble import resume_run
scenario, out = sys.argv[1], Path(sys.argv[2])
if (out / "r" / "manifest.json").exists():
    resume_run(out / "r")
else:
    rx.run_ensemble(scenario, out_dir=out, run_id="r", replicates=90, block_size=3, seed=11,
                    workers=1)
"""


def _manifest(root: Path) -> dict:
    try:
        return json.loads((root / "manifest.json").read_text())
    except (OSError, ValueError):
        return {}


def test_random_kills_then_resume_equal_an_uninterrupted_run(short_scenario, tmp_path) -> None:
    reference = rx.run_ensemble(str(short_scenario), out_dir=tmp_path / "ref", run_id="ref", **KW)
    out, rng = tmp_path / "runs", random.Random(20261125)
    root = out / "r"
    kills: list[tuple[float, int, int]] = []  # (delay, blocks committed, leftover block files)
    for _ in range(12):
        proc = subprocess.Popen([sys.executable, "-c", DRIVER, str(short_scenario), str(out)])
        # Wait until this process is computing blocks and has committed 2 to 6 more, then kill
        # it at a random moment of the next block (inside the engine, a write or a commit).
        while proc.poll() is None and _manifest(root).get("owner", {}).get("pid") != proc.pid:
            time.sleep(0.005)
        target = min(len(_manifest(root).get("blocks_done", [])) + rng.randint(2, 6), 27)
        while proc.poll() is None and len(_manifest(root).get("blocks_done", [])) < target:
            time.sleep(0.005)
        delay = rng.uniform(0.0, 0.02)
        time.sleep(delay)
        if proc.poll() is not None:
            break  # finished before the kill
        proc.kill()
        proc.wait()
        m = _manifest(root)
        if m["status"] == "complete":
            break  # killed on its way out, after the run had ended
        leftovers = (len([p for p in root.glob("*/block-*.parquet")])
                     - 4 * len(m.get("blocks_done", [])) + len(list(root.glob(".staging/*/*/*"))))
        kills.append((round(delay, 2), len(m.get("blocks_done", [])), leftovers))
        assert m["status"] == "running"  # as a killed process leaves it ...
        assert catalog.list_runs(out)["status"].tolist() == ["incomplete"]  # ... seen as it is
        if len(kills) == 5:
            break
    print(f"\nkills (delay s, blocks committed, leftover block files): {kills}")
    assert len(kills) >= 3, kills
    assert any(left > 0 for _, _, left in kills), kills  # some kills landed inside a block
    run = resume_run(root)
    assert run.status == "complete" and run.manifest["blocks_done"] == list(range(30))
    assert len(run.manifest["attempts"]) >= len(kills) + 1
    assert digests(root) == digests(reference.root)
    a, b = tables(root), tables(reference.root)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert sorted(a["replicates"]["replicate"]) == list(range(90))  # none lost, none twice
