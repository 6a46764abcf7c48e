"""The run manifest: everything needed to know what a run was and to redo it."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from revexport.errors import RevexportError
from revexport.scenario.schema import Scenario

MANIFEST = "manifest.json"
#: The run's scenario, beside the manifest, so a run can be resumed from its directory alone.
SCENARIO = "scenario.json"
#: The run's design, when it has one (see :func:`write_manifest`).
DESIGN = "design.json"


def scenario_hash(sc: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON."""
    text = json.dumps(sc.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _write_atomic(path: Path, text: str) -> None:
    # A temporary file, flushed to disk, then renamed over the old one: a reader (or a
    # machine that loses power) sees the old file or the new one, never half of one.
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_manifest(run_dir: Path, manifest: dict[str, Any]) -> None:
    """Write ``manifest.json`` atomically (temporary file, fsync, rename).

    A run's design (one record per parameter set; a sensitivity analysis has tens of
    thousands) is written once, to ``design.json`` beside it, and the manifest names that
    file: the manifest is rewritten after every block and must stay small.
    """
    design = manifest.get("design")
    if isinstance(design, list) and design:
        path = run_dir / DESIGN
        if not path.exists():  # a run's design never changes
            _write_atomic(path, json.dumps(design, separators=(",", ":")) + "\n")
        manifest = {**manifest, "design": {"file": DESIGN, "rows": len(design)}}
    _write_atomic(run_dir / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True, default=str)
                  + "\n")


def write_scenario(run_dir: Path, sc: Scenario) -> None:
    """Store the run's scenario as JSON beside the manifest."""
    _write_atomic(run_dir / SCENARIO, json.dumps(sc.model_dump(mode="json"), indent=1,
                                                 sort_keys=True) + "\n")


def read_scenario(run_dir: Path | str, manifest: dict[str, Any]) -> Scenario:
    """The scenario of a stored run, checked against the manifest's ``scenario_hash``.

    Runs stored before the scenario was kept beside the manifest fall back to the
    built-in scenario of the same name, if its hash matches.
    """
    path = Path(run_dir) / SCENARIO
    if path.exists():
        try:
            sc = Scenario.model_validate(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, OSError) as exc:
            raise RevexportError(f"{path}: unreadable scenario ({type(exc).__name__})") from None
        origin = str(path)
    else:
        from revexport.scenario.load import load_scenario

        try:
            sc = load_scenario(str(manifest.get("scenario")))
        except RevexportError:
            raise RevexportError(f"{path}: missing, and '{manifest.get('scenario')}' is not a "
                                 "built-in scenario") from None
        origin = f"built-in scenario '{manifest.get('scenario')}'"
    if scenario_hash(sc) != manifest.get("scenario_hash"):
        raise RevexportError(f"{origin}: does not match the run's scenario_hash (changed since the "
                             "run began); cannot resume")
    return sc


def read_manifest(run_dir: Path | str) -> dict[str, Any]:
    """Read a run's manifest."""
    path = Path(run_dir) / MANIFEST
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        raise RevexportError(f"{path}: no manifest (not a revexport run directory)") from None
    except json.JSONDecodeError as exc:
        raise RevexportError(f"{path}: malformed manifest: {exc.msg}") from None
    design = data.get("design")
    if isinstance(design, dict) and "file" in design:
        where = Path(run_dir) / str(design["file"])
        try:
            data["design"] = json.loads(where.read_text())
        except (OSError, ValueError) as exc:
            raise RevexportError(f"{where}: unreadable design ({type(exc).__name__})") from None
    return data
