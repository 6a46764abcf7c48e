"""Ctrl-C (twice) and SIGTERM: workers stop at once, the run is incomplete and resumable."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reliability_helpers import digests, short_toml

import revexport as rx
from revexport.experiments.ensemble import resume_run
from revexport.storage import read_manifest


@pytest.fixture(scope="module")
def short_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return short_toml(tmp_path_factory.mktemp("scenario"))


def _start(short_scenario: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    # A session of its own: the signal goes to the whole group, as Ctrl-C in a terminal does.
    return subprocess.Popen([sys.executable, "-m", "revexport.cli", "run", str(short_scenario),
                             "-r", "60", "--block-size", "2", "-s", "3", "-o", str(out), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _wait_for_blocks(out: Path, proc: subprocess.Popen[str], n: int) -> Path:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        for path in out.glob("*/manifest.json"):
            try:
                if len(json.loads(path.read_text())["blocks_done"]) >= n:
                    return path.parent
            except (OSError, ValueError, KeyError):
                pass
        time.sleep(0.01)
    raise AssertionError(f"no {n} blocks: {proc.communicate()}")


def _live_in_group(pgid: int) -> list[int]:
    """Processes of a group still alive (exited ones waiting to be reaped do not count)."""
    live = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] not in "ZX":
            live.append(int(stat.parent.name))
    return live


def test_ctrl_c_twice_stops_two_workers_at_once(short_scenario, tmp_path) -> None:
    proc = _start(short_scenario, tmp_path, "-w", "2")
    root = _wait_for_blocks(tmp_path, proc, 2)
    t0 = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # pressed again while the run is stopping
    _, err = proc.communicate(timeout=15)
    elapsed = time.monotonic() - t0
    assert elapsed < 2.0, elapsed
    assert proc.returncode == 130
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith(f"interrupted: run {root.name} is incomplete")
    assert f"revexport resume {root.name}" in lines[0]
    assert _live_in_group(proc.pid) == [], "a worker process outlived the run"
    m = read_manifest(root)
    assert m["status"] == "incomplete" and 2 <= len(m["blocks_done"]) < 30
    run = resume_run(root, workers=1)
    assert run.status == "complete"
    reference = rx.run_ensemble(str(short_scenario), out_dir=tmp_path / "ref", run_id="ref",
                                replicates=60, block_size=2, seed=3, workers=1)
    assert digests(root) == digests(reference.root)


def test_sigterm_marks_the_run_incomplete(short_scenario, tmp_path) -> None:
    proc = _start(short_scenario, tmp_path, "--no-movement", "-w", "1")
    root = _wait_for_blocks(tmp_path, proc, 1)
    proc.terminate()
    _, err = proc.communicate(timeout=15)
    assert proc.returncode == 130 and len(err.strip().splitlines()) == 1, err
    m = read_manifest(root)
    assert m["status"] == "incomplete" and m["blocks_done"]
    assert m["attempts"][-1]["status"] == "incomplete"
