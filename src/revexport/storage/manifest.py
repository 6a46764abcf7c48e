"""The run manifest: everything needed to know what a run was and to redo it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from revexport.errors import RevexportError
from revexport.scenario.schema import Scenario

MANIFEST = "manifest.json"


def scenario_hash(sc: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON."""
    text = json.dumps(sc.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def write_manifest(run_dir: Path, manifest: dict[str, Any]) -> None:
    """Write ``manifest.json`` atomically."""
    path = run_dir / MANIFEST
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n")
    tmp.replace(path)


def read_manifest(run_dir: Path | str) -> dict[str, Any]:
    """Read a run's manifest."""
    path = Path(run_dir) / MANIFEST
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        raise RevexportError(f"{path}: no manifest (not a revexport run directory)") from None
    except json.JSONDecodeError as exc:
        raise RevexportError(f"{path}: malformed manifest: {exc.msg}") from None
    return data
