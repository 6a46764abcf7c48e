"""Run lifecycle: statuses, blocks committed together, dead runs, resume, full disks, reports."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from reliability_helpers import cli, digests, replicate_sets, short_toml, tables

import revexport as rx
from revexport.experiments.ensemble import Run, resume_run
from revexport.storage import catalog, files, read_manifest
from revexport.storage.lifecycle import run_status
from revexport.storage.manifest import write_manifest


@pytest.fixture(scope="module")
def short_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return short_toml(tmp_path_factory.mktemp("scenario"))


KW = dict(replicates=12, block_size=3, seed=4, workers=1)


@pytest.fixture(scope="module")
def reference(short_scenario, tmp_path_factory) -> Run:
    """An uninterrupted run: what every resumed run must equal."""
    return rx.run_ensemble(str(short_scenario), out_dir=tmp_path_factory.mktemp("ref"),
                           run_id="ref", **KW)


def _same_as(run_dir, reference: Run) -> None:
    assert digests(run_dir) == digests(reference.root)
    a, b = tables(run_dir), tables(reference.root)
    for t in a:
        pd.testing.assert_frame_equal(a[t], b[t])


def test_complete_run_records_its_lifecycle(reference) -> None:
    m = reference.manifest
    assert m["status"] == "complete" and m["blocks_done"] == [0, 1, 2, 3]
    assert m["owner"]["pid"] == os.getpid() and len(m["attempts"]) == 1
    assert (reference.root / "scenario.json").exists()
    assert not (reference.root / ".staging").exists()
    assert reference.status == "complete" and reference.replicates_done == 12


def test_cut_between_two_table_renames_reads_consistently_and_resumes(
        short_scenario, tmp_path, reference, monkeypatch) -> None:
    """A block whose tables were only partly moved into place is not read, then recomputed."""
    real_replace = os.replace
    moved: list[str] = []

    def replace(src, dst) -> None:  # the third block's steps are moved into place; then the cut
        final = str(dst).endswith("block-00002.parquet")
        if final and moved:
            raise KeyboardInterrupt
        real_replace(src, dst)
        if final:
            moved.append(str(dst))

    monkeypatch.setattr(files.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        rx.run_ensemble(str(short_scenario), out_dir=tmp_path, run_id="cut", **KW)
    monkeypatch.undo()
    root = tmp_path / "cut"
    m = read_manifest(root)
    assert m["status"] == "incomplete" and m["blocks_done"] == [0, 1]
    assert len(moved) == 1 and (root / moved[0]).exists()  # a leftover on disk ...
    sets = replicate_sets(root)
    assert sets["steps"] == sets["replicates"] == sets["movement"] == set(range(6))  # ... unread
    assert resume_run(root).status == "complete"
    _same_as(root, reference)


def test_a_killed_run_is_incomplete_for_readers(short_scenario, tmp_path, reference) -> None:
    """A manifest left 'running' by a process that died: listed and treated as incomplete."""
    rx.run_ensemble(str(short_scenario), out_dir=tmp_path, run_id="dead", **KW)
    root = tmp_path / "dead"
    m = read_manifest(root)
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True)
    m.update(status="running", blocks_done=[0, 2], owner={**m["owner"], "pid": int(child.stdout)})
    write_manifest(root, m)
    assert run_status(root, m) == "incomplete"
    runs = catalog.list_runs(tmp_path)
    assert list(runs["status"]) == ["incomplete"] and list(runs["replicates_done"]) == [6]
    assert set(Run.open(root).replicates["replicate"]) == {0, 1, 2, 6, 7, 8}
    again = resume_run(root)
    assert again.manifest["blocks_done"] == [0, 1, 2, 3] and len(again.manifest["attempts"]) == 2
    _same_as(root, reference)
    assert list(catalog.list_runs(tmp_path)["status"]) == ["complete"]


def test_disk_full_marks_the_run_failed_in_one_line(short_scenario, tmp_path, reference,
                                                     monkeypatch) -> None:
    real_write = files.pq.write_table
    calls = []

    def write_table(*args, **kwargs):
        calls.append(1)
        if len(calls) == 8:  # the third block
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(*args, **kwargs)

    monkeypatch.setattr(files.pq, "write_table", write_table)
    with pytest.raises(rx.RevexportError) as err:
        rx.run_ensemble(str(short_scenario), out_dir=tmp_path, run_id="full", **KW)
    monkeypatch.undo()
    message = str(err.value)
    assert "\n" not in message and "No space left on device" in message
    assert "marked failed, 2 of 4 finished blocks kept" in message
    root = tmp_path / "full"
    m = read_manifest(root)
    assert m["status"] == "failed" and m["blocks_done"] == [0, 1] and "No space" in m["error"]
    assert not (root / ".staging").exists()
    resume_run(root)
    _same_as(root, reference)


def test_disk_full_on_the_command_line_is_one_line(short_scenario, tmp_path) -> None:
    code = ("import errno, sys\n"
            "import revexport.storage.files as f\n"
            "def full(*a, **k):\n"
            "    raise OSError(errno.ENOSPC, 'No space left on device')\n"
            "f.pq.write_table = full\n"
            "from revexport.cli import main\n"
            "sys.argv = ['revexport'] + sys.argv[1:]\n"
            "main()\n")
    res = subprocess.run([sys.executable, "-c", code, "run", str(short_scenario), "-r", "6",
                          "--block-size", "3", "-w", "1", "-o", str(tmp_path)],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "No space left on device" in res.stderr and "marked failed" in res.stderr
    (run,) = catalog.list_runs(tmp_path).to_dict(orient="records")
    assert run["status"] == "failed" and run["replicates_done"] == 0


def test_report_refuses_an_incomplete_run_unless_allowed(short_scenario, tmp_path) -> None:
    with pytest.raises(KeyboardInterrupt):
        rx.run_ensemble(str(short_scenario), out_dir=tmp_path, run_id="part", **KW,
                        progress=lambda done: (_ for _ in ()).throw(KeyboardInterrupt)
                        if done >= 6 else None)
    res = cli("report", "part", "-o", str(tmp_path))
    assert res.returncode == 2 and len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "is incomplete: 6 of 12 replicates stored" in res.stderr
    assert "--allow-incomplete" in res.stderr and "revexport resume part" in res.stderr
    res = cli("report", "part", "-o", str(tmp_path), "--allow-incomplete",
              "--to", str(tmp_path / "rep"))
    assert res.returncode == 0, res.stderr
    page = (tmp_path / "rep" / "report.html").read_text()
    assert "historical 6 (incomplete run: 6 of 12 planned)" in page
    assert "12 replicates per doctrine" not in page
    data = json.loads((tmp_path / "rep" / "report_data.json").read_text())
    assert data["replicates"] == {"historical": 6}
    assert {r["n"] for r in data["outcomes"]} <= {6}


def test_resume_on_the_command_line(short_scenario, tmp_path, reference) -> None:
    with pytest.raises(KeyboardInterrupt):
        rx.run_ensemble(str(short_scenario), out_dir=tmp_path, run_id="cli-cut", **KW,
                        progress=lambda done: (_ for _ in ()).throw(KeyboardInterrupt))
    res = cli("resume", "cli-c", "-o", str(tmp_path))
    assert res.returncode == 0, res.stderr
    assert "complete:" in res.stdout
    _same_as(tmp_path / "cli-cut", reference)
    res = cli("resume", "cli-cut", "-o", str(tmp_path))  # nothing left to do
    assert res.returncode == 0, res.stderr
    res = cli("resume", "nope", "-o", str(tmp_path))
    assert res.returncode == 2 and "no such run" in res.stderr


def test_resume_refuses_a_changed_scenario(short_scenario, tmp_path) -> None:
    with pytest.raises(KeyboardInterrupt):
        rx.run_ensemble(str(short_scenario), out_dir=tmp_path, run_id="edit", **KW,
                        progress=lambda done: (_ for _ in ()).throw(KeyboardInterrupt))
    path = tmp_path / "edit" / "scenario.json"
    path.write_text(path.read_text().replace('"1981-12"', '"1982-12"'))
    with pytest.raises(rx.RevexportError, match="does not match the run's scenario_hash"):
        resume_run(tmp_path / "edit")


def test_runs_json_and_rebuild_with_a_corrupt_manifest(short_scenario, tmp_path) -> None:
    rx.run_ensemble(str(short_scenario), out_dir=tmp_path, run_id="good", replicates=3, seed=2,
                    workers=1)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "manifest.json").write_text('{"run_id": "bad", ')
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / "manifest.json").write_text("[1, 2]")
    res = cli("runs", "-o", str(tmp_path), "--json")
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert rows == [{"id": "good", "status": "complete", "scenario": "synthetic:12:0",
                     "doctrine": "historical", "replicates": 3, "replicates_done": 3, "seed": 2,
                     "created": rows[0]["created"]}]
    (tmp_path / catalog.CATALOG).unlink()
    res = cli("runs", "-o", str(tmp_path), "--rebuild")
    assert res.returncode == 0, res.stderr
    assert "1 runs" in res.stdout and "good" in res.stdout
    skipped = res.stderr.strip().splitlines()
    assert len(skipped) == 2 and all(line.startswith("skipped: ") for line in skipped)
    assert any("bad" in line and "malformed manifest" in line for line in skipped)
