"""Ensembles: many stochastic replicates of one scenario under one doctrine.

Replicates run in fixed-size blocks (:mod:`revexport.engine.rng`); each block
writes its files as soon as it is done, on one core or on several worker
processes. Results depend on the seed and the block size only, never on the
number of workers.
"""

from __future__ import annotations

import platform
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from revexport import __version__
from revexport.doctrines.base import Doctrine
from revexport.doctrines.registry import get_doctrine
from revexport.engine import kernels
from revexport.engine.rng import block_sizes, default_block_size
from revexport.engine.run import simulate_block
from revexport.engine.state import Static
from revexport.errors import RevexportError
from revexport.outcomes.recorder import BlockRecorder
from revexport.outcomes.summary import (
    ensemble_table,
    events_frame,
    replicate_summary,
    steps_frame,
)
from revexport.params import Parameters
from revexport.scenario.load import load_scenario
from revexport.scenario.schema import Scenario
from revexport.storage import catalog
from revexport.storage.files import MovementStream, RunFiles, read_table
from revexport.storage.manifest import read_manifest, scenario_hash, write_manifest

MAX_REPLICATES = 10_000_000


@dataclass(frozen=True)
class _Job:
    """Everything a worker needs to run blocks (picklable)."""

    scenario: Scenario
    params: Parameters
    doctrine: str | None
    doctrines: dict[str, Doctrine]
    article154: bool | None
    seed: int
    root: Path
    record_movement: bool
    movement_stride: int
    backend: str


def _run_block(job: _Job, block: int, n: int, offset: int) -> pd.DataFrame:
    with kernels.use_backend(job.backend):  # the same backend in every worker process
        return _run_block_here(job, block, n, offset)


def _run_block_here(job: _Job, block: int, n: int, offset: int) -> pd.DataFrame:
    static = Static.from_scenario(job.scenario, job.params, doctrine=job.doctrine,
                                  article154=job.article154)
    files = RunFiles(job.root)
    stream = None
    if job.record_movement:
        stream = MovementStream(files.block_path("movement", block), static.codes, offset,
                                job.movement_stride)
    recorder = BlockRecorder(n, static.n_steps, movement_writer=stream)
    simulate_block(static, job.params, job.doctrines, n, job.seed, block, sink=recorder)
    recorder.flush()
    if stream is not None:
        stream.close()
    events = events_frame(recorder.events.arrays(), static, offset)
    assert recorder.final_costs is not None
    reps = replicate_summary(recorder.metrics, events, recorder.final_costs, static, offset)
    months = [job.scenario.month_of_step(t) for t in range(static.n_steps)]
    files.write_frame("steps", block, steps_frame(recorder.metrics, offset, months))
    files.write_frame("events", block, events)
    files.write_frame("replicates", block, reps)
    return reps


@dataclass
class Run:
    """A stored run: its directory, manifest and per-replicate summaries.

    Further tables are read from disk on demand (:meth:`table`).
    """

    root: Path
    manifest: dict[str, Any]
    replicates: pd.DataFrame = field(repr=False)

    @classmethod
    def open(cls, root: Path | str) -> Run:
        """Open a stored run directory."""
        root = Path(root)
        return cls(root=root, manifest=read_manifest(root),
                   replicates=read_table(root, "replicates"))

    @property
    def run_id(self) -> str:
        return str(self.manifest["run_id"])

    def table(self, name: str) -> pd.DataFrame:
        """One stored table: ``steps``, ``replicates``, ``events`` or ``movement``."""
        return read_table(self.root, name)

    def summary(self, level: float = 0.90) -> pd.DataFrame:
        """Mean, interval of the mean and central range of the main outcomes."""
        return ensemble_table(self.replicates, level=level)


def run_ensemble(
    scenario: Scenario | str = "middle-east-1979",
    doctrine: str | Doctrine | None = None,
    replicates: int = 1000,
    seed: int = 0,
    out_dir: Path | str = "runs",
    *,
    parameters: Mapping[str, float] | None = None,
    article154: bool | None = None,
    block_size: int | None = None,
    workers: int = 1,
    record_movement: bool = True,
    movement_stride: int = 1,
    run_id: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Run:
    """Run an ensemble and store it.

    Parameters
    ----------
    scenario : Scenario or str
        A scenario, or a built-in name / TOML path for :func:`load_scenario`.
    doctrine : str or Doctrine, optional
        Doctrine of the initial exporters; the scenario's by default.
    replicates : int
        Number of stochastic replicates (1 to 10,000,000).
    seed : int
        Seed of the run; with ``block_size`` it fixes every random draw.
    out_dir : path
        Parent directory; the run is stored in ``out_dir/<run_id>``.
    parameters : mapping, optional
        Parameter overrides (on top of the scenario's), checked against their ranges.
    article154 : bool, optional
        Run under the Article 154 switch; the scenario's setting by default.
    block_size : int, optional
        Replicates per block (and per random generator); by default
        :func:`revexport.engine.rng.default_block_size` of the scenario's size.
    workers : int
        Worker processes (1 = run in this process).
    record_movement : bool
        Store movement strength by state (every ``movement_stride`` steps).
    run_id : str, optional
        Name of the run directory; generated if not given.
    progress : callable, optional
        Called with the number of replicates finished after each block.

    Returns
    -------
    Run
    """
    sc = load_scenario(scenario) if isinstance(scenario, str) else scenario
    if not 1 <= replicates <= MAX_REPLICATES:
        raise RevexportError(f"replicates must be in [1, {MAX_REPLICATES}], got {replicates}")
    if block_size is None:
        block_size = default_block_size(len(sc.states))
    if not 1 <= block_size <= 100_000:
        raise RevexportError(f"block_size must be in [1, 100000], got {block_size}")
    if workers < 1:
        raise RevexportError(f"workers must be at least 1, got {workers}")
    if movement_stride < 1:
        raise RevexportError(f"movement_stride must be at least 1, got {movement_stride}")
    backend = kernels.backend()
    params = Parameters().with_overrides(sc.parameters, origin=f"{sc.name}: parameters")
    params = params.with_overrides(parameters or {}, origin="parameters")

    if isinstance(doctrine, Doctrine):
        doctrine_name: str | None = doctrine.name
        instances: dict[str, Doctrine] = {doctrine.name: doctrine}
    else:
        doctrine_name = doctrine
        instances = {}
    static = Static.from_scenario(sc, params, doctrine=doctrine_name, article154=article154)
    for name in set(static.slot_doctrine):
        if name not in instances:
            instances[name] = get_doctrine(name)

    label = doctrine_name or sc.exporters[0].doctrine
    run_id = run_id or (
        f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{label}-s{seed}-{uuid.uuid4().hex[:6]}"
    )
    root = Path(out_dir) / run_id
    files = RunFiles(root)
    files.prepare()
    job = _Job(scenario=sc, params=params, doctrine=doctrine_name, doctrines=instances,
               article154=article154, seed=seed, root=root, record_movement=record_movement,
               movement_stride=movement_stride, backend=backend)
    sizes = block_sizes(replicates, block_size)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int).tolist()
    manifest: dict[str, Any] = {
        "run_id": run_id,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "status": "running",
        "scenario": sc.name,
        "scenario_hash": scenario_hash(sc),
        "start": sc.start,
        "end": sc.end,
        "n_steps": sc.n_steps,
        "n_states": len(sc.states),
        "states": list(static.codes),
        "exporters": [static.codes[i] for i in static.initial_exporters],
        "doctrine": label,
        "slot_doctrines": list(static.slot_doctrine),
        "article154": static.article154,
        "parameters": params.to_dict(),
        "seed": seed,
        "replicates": replicates,
        "block_size": block_size,
        "blocks_total": len(sizes),
        "blocks_done": [],
        "workers": workers,
        "record_movement": record_movement,
        "movement_stride": movement_stride,
        "package_version": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "engine": backend,
    }
    write_manifest(root, manifest)
    t0 = time.perf_counter()
    parts: dict[int, pd.DataFrame] = {}
    done = 0
    try:
        if workers == 1:
            for b, (n, off) in enumerate(zip(sizes, offsets, strict=True)):
                parts[b] = _run_block(job, b, n, off)
                done += n
                manifest["blocks_done"].append(b)
                if progress:
                    progress(done)
        else:
            with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as ex:
                pending: dict[Future[pd.DataFrame], int] = {
                    ex.submit(_run_block, job, b, n, off): b
                    for b, (n, off) in enumerate(zip(sizes, offsets, strict=True))
                }
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        b = pending.pop(fut)
                        parts[b] = fut.result()
                        done += sizes[b]
                        manifest["blocks_done"].append(b)
                        if progress:
                            progress(done)
    except BaseException:
        manifest["status"] = "incomplete"
        manifest["blocks_done"] = sorted(manifest["blocks_done"])
        manifest["wall_time_s"] = round(time.perf_counter() - t0, 3)
        write_manifest(root, manifest)
        catalog.register(out_dir, root)
        raise
    manifest["status"] = "complete"
    manifest["blocks_done"] = sorted(manifest["blocks_done"])
    manifest["wall_time_s"] = round(time.perf_counter() - t0, 3)
    write_manifest(root, manifest)
    catalog.register(out_dir, root)
    reps = pd.concat([parts[b] for b in sorted(parts)], ignore_index=True)
    return Run(root=root, manifest=manifest, replicates=reps)
