"""Ensembles: many stochastic replicates of one scenario under one doctrine.

Replicates run in fixed-size blocks (:mod:`revexport.engine.rng`); each block
commits its files as soon as it is done, on one core or on several worker
processes. Results depend on the seed and the block size only, never on the
number of workers. A run stopped for any reason keeps its committed blocks and
:func:`resume_run` computes the others (:mod:`revexport.storage.lifecycle`).
"""

from __future__ import annotations

import os
import platform
import signal
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from revexport import __version__
from revexport.compiled import engine_name
from revexport.doctrines.base import Doctrine
from revexport.doctrines.parametric import resolve_doctrine
from revexport.engine.rng import block_sizes, default_block_size
from revexport.engine.run import simulate_block
from revexport.engine.state import Static
from revexport.errors import RevexportError, check_seed
from revexport.experiments.design import design_matrix
from revexport.outcomes.recorder import BlockRecorder
from revexport.outcomes.summary import (
    ensemble_table,
    events_frame,
    metric_major,
    replicate_summary,
    steps_frame,
)
from revexport.params import PARAMETER_NAMES, Parameters, table_from_values
from revexport.scenario.load import load_scenario
from revexport.scenario.schema import Scenario
from revexport.storage.files import MovementStream, RunFiles, read_table
from revexport.storage.lifecycle import RunInterrupted, RunLifecycle, replicates_done, run_status
from revexport.storage.manifest import read_manifest, read_scenario, scenario_hash, write_scenario

MAX_REPLICATES = 10_000_000
#: Column of ``new_exporter_slots`` in a design's values: it sizes the exporter-slot arrays.
NEW_SLOTS = PARAMETER_NAMES.index("new_exporter_slots")


def default_workers() -> int:
    """Worker processes by default: one per core this process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else
               (os.cpu_count() or 1))


@dataclass(frozen=True)
class _Job:
    """Everything a worker needs to run blocks (picklable)."""

    scenario: Scenario
    design: NDArray[np.float64]  # (design rows, parameters): each row's parameter values
    per_row: int
    doctrine: str | None
    doctrines: dict[str, Doctrine]
    article154: bool | None
    seed: int
    root: Path
    record_movement: bool
    movement_stride: int
    staging: Path | None = None


def _run_block(job: _Job, block: int, n: int, offset: int,
               stop: threading.Event | None = None) -> pd.DataFrame:
    """Simulate one block, write its tables; return its replicate summaries.

    With ``stop``, the block gives up (:class:`~revexport.engine.run.BlockStopped`) soon after
    the event is set.
    """
    n_new = int(job.design[:, NEW_SLOTS].max())
    static = Static.from_scenario(job.scenario, n_new, doctrine=job.doctrine,
                                  article154=job.article154)
    rows = (offset + np.arange(n)) // job.per_row  # the design row of each replicate
    par = table_from_values(job.design, rows)
    files = RunFiles(job.root, job.staging)
    stream = None
    if job.record_movement:
        stream = MovementStream(files.write_path("movement", block), static.codes, offset,
                                job.movement_stride)
    recorder = BlockRecorder(n, static.n_steps, static.n_states, movement_writer=stream)
    world = simulate_block(static, par, job.doctrines, job.seed, block, recorder=recorder,
                           should_stop=None if stop is None else stop.is_set)
    if stream is not None:
        stream.close()
    event_columns = recorder.events()
    events = events_frame(event_columns, static, offset)
    costs = np.stack([world.export_spend.sum(axis=1), world.war_cost.sum(axis=1),
                      world.sanction_loss.sum(axis=1)], axis=1)
    metrics = metric_major(recorder.metrics)  # laid out once for both tables
    reps = replicate_summary(metrics, event_columns, costs, static, offset)
    months = [job.scenario.month_of_step(t) for t in range(static.n_steps)]
    steps = steps_frame(metrics, offset, months)
    reps.insert(1, "design_row", rows.astype(np.int32))
    steps.insert(1, "design_row", np.repeat(rows.astype(np.int32), static.n_steps))
    events.insert(1, "design_row", (events["replicate"].to_numpy() // job.per_row).astype(np.int32))
    files.write_frame("steps", block, steps)
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

    @property
    def status(self) -> str:
        """``complete``, ``incomplete``, ``failed`` or ``running`` (a dead run is ``incomplete``)."""
        return run_status(self.root, self.manifest)

    @property
    def replicates_done(self) -> int:
        """Replicates actually stored (fewer than ``manifest["replicates"]`` if incomplete)."""
        return replicates_done(self.manifest)

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
    design: pd.DataFrame | None = None,
    article154: bool | None = None,
    block_size: int | None = None,
    workers: int | None = None,
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
        Number of stochastic replicates (1 to 10,000,000); with a ``design``, per design row.
    seed : int
        Seed of the run, in [0, 2**63 - 1]; with ``block_size`` it fixes every random draw.
    out_dir : path
        Parent directory; the run is stored in ``out_dir/<run_id>``.
    parameters : mapping, optional
        Parameter overrides (on top of the scenario's), checked against their ranges.
    design : DataFrame, optional
        Parameter sets to run side by side: one row per set, one column per parameter
        (on top of ``parameters``; an empty cell keeps that value). Each row runs
        ``replicates`` replicates, all rows in the same batched blocks; the tables carry the
        ``design_row`` of every replicate (:mod:`revexport.experiments.design`).
    article154 : bool, optional
        Run under the Article 154 switch; the scenario's setting by default.
    block_size : int, optional
        Replicates per block (and per random generator); by default
        :func:`revexport.engine.rng.default_block_size` of the scenario's size and the run's
        replicates (1,000, or half the run if that is smaller).
    workers : int, optional
        Blocks run at once, each on a thread of this process; the number of cores by default.
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
    plan = _plan_ensemble(scenario, doctrine, replicates, seed, out_dir, parameters=parameters,
                          design=design, article154=article154, block_size=block_size,
                          workers=workers, record_movement=record_movement,
                          movement_stride=movement_stride, run_id=run_id)
    job, life = plan.begin()
    parts = _run_blocks(job, life, plan.sizes, plan.workers, progress)
    reps = pd.concat([parts[b] for b in sorted(parts)], ignore_index=True)
    return Run(root=plan.root, manifest=plan.manifest, replicates=reps)


@dataclass
class _Plan:
    """A run checked and described, nothing written yet: :meth:`begin` starts it on disk."""

    root: Path
    manifest: dict[str, Any]
    job: _Job
    sizes: list[int]
    workers: int

    def begin(self) -> tuple[_Job, RunLifecycle]:
        """Create the run directory, store the scenario, lock the run and mark it ``running``."""
        RunFiles(self.root).prepare()
        try:
            write_scenario(self.root, self.job.scenario)
        except OSError as exc:
            raise RevexportError(f"{self.root}: cannot write the run's scenario ({exc.strerror})"
                                 ) from None
        life = RunLifecycle.begin(self.root, self.manifest)
        return replace(self.job, staging=life.staging), life


def _plan_ensemble(
    scenario: Scenario | str,
    doctrine: str | Doctrine | None,
    replicates: int,
    seed: int,
    out_dir: Path | str,
    *,
    parameters: Mapping[str, float] | None,
    design: pd.DataFrame | None,
    article154: bool | None,
    block_size: int | None,
    workers: int | None,
    record_movement: bool,
    movement_stride: int,
    run_id: str | None,
) -> _Plan:
    """Check the arguments of :func:`run_ensemble` and build its job and manifest; write nothing."""
    sc = load_scenario(scenario) if isinstance(scenario, str) else scenario
    if not 1 <= replicates <= MAX_REPLICATES:
        raise RevexportError(f"replicates must be in [1, {MAX_REPLICATES}], got {replicates}")
    workers = default_workers() if workers is None else workers
    check_seed(seed)
    if block_size is not None and not 1 <= block_size <= 100_000:
        raise RevexportError(f"block_size must be in [1, 100000], got {block_size}")
    if workers < 1:
        raise RevexportError(f"workers must be at least 1, got {workers}")
    if movement_stride < 1:
        raise RevexportError(f"movement_stride must be at least 1, got {movement_stride}")
    params = Parameters().with_overrides(sc.parameters, origin=f"{sc.name}: parameters")
    params = params.with_overrides(parameters or {}, origin="parameters")
    rows, design_records = design_matrix(params, design)
    per_row = replicates
    replicates = per_row * len(rows)
    if replicates > MAX_REPLICATES:
        raise RevexportError(f"design rows x replicates must be at most {MAX_REPLICATES}, got "
                             f"{len(rows)} x {per_row}")
    if block_size is None:
        block_size = default_block_size(len(sc.states), replicates)

    if isinstance(doctrine, Doctrine):
        doctrine_name: str | None = doctrine.name
        instances: dict[str, Doctrine] = {doctrine.name: doctrine}
    else:
        doctrine_name = doctrine
        instances = {}
    static = Static.from_scenario(sc, int(rows[:, NEW_SLOTS].max()),
                                  doctrine=doctrine_name, article154=article154)
    for name in set(static.slot_doctrine):
        if name not in instances:
            instances[name] = resolve_doctrine(name, sc.doctrines)

    label = doctrine_name or sc.exporters[0].doctrine
    run_id = run_id or (
        f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{label}-s{seed}-{uuid.uuid4().hex[:6]}"
    )
    root = Path(out_dir) / run_id
    sizes = block_sizes(replicates, block_size)
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
        "doctrine_arg": doctrine_name,
        "slot_doctrines": list(static.slot_doctrine),
        "article154": static.article154,
        "parameters": params.to_dict(),
        "design": design_records,
        "replicates_per_row": per_row,
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
        "engine": engine_name(),
    }
    job = _Job(scenario=sc, design=rows, per_row=per_row, doctrine=doctrine_name,
               doctrines=instances,
               article154=article154, seed=seed, root=root, record_movement=record_movement,
               movement_stride=movement_stride)
    return _Plan(root=root, manifest=manifest, job=job, sizes=sizes, workers=workers)


def resume_run(
    run_dir: Path | str,
    *,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    execute: BlockExecutor | None = None,
) -> Run:
    """Finish a run that was interrupted, killed or stopped by an error.

    Rebuilds the run from its directory (the scenario stored beside the manifest,
    checked against its hash; parameters, doctrines, seed, block size and options
    from the manifest) and computes only the blocks not yet committed. Blocks
    depend on (seed, block) only, so the finished run holds the same tables as an
    uninterrupted run with the same seed.

    Parameters
    ----------
    run_dir : path
        The run's directory (``out_dir/<run_id>``).
    workers : int, optional
        Blocks run at once, each on a thread of this process; the run's original number by
        default.
    progress : callable, optional
        Called with the number of replicates stored after each block.
    execute : BlockExecutor, optional
        Run the blocks elsewhere (:func:`revexport.experiments.sweep.resume_sweep`); on
        threads in this process by default.

    Returns
    -------
    Run
        The completed run (returned at once if it was already complete).
    """
    root = Path(run_dir)
    m = read_manifest(root)
    status = run_status(root, m)
    if status == "complete":
        return Run.open(root)
    if status == "running":
        owner = m.get("owner") or {}
        raise RevexportError(f"run {m.get('run_id')} is still running (pid {owner.get('pid')} on "
                             f"{owner.get('host')}); stop it before resuming")
    sc = read_scenario(root, m)
    params = Parameters().with_overrides(m["parameters"], origin=f"{root / 'manifest.json'}")
    design = pd.DataFrame(m["design"]) if m.get("design") else None
    rows, _ = design_matrix(params, design)
    instances: dict[str, Doctrine] = {}
    for name in set(m["slot_doctrines"]):
        try:
            instances[name] = resolve_doctrine(name, sc.doctrines)
        except RevexportError:
            raise RevexportError(f"run {m['run_id']}: doctrine '{name}' is not registered; load "
                                 "its file first (--doctrine-file)") from None
    workers = int(m.get("workers", 1)) if workers is None else workers
    if workers < 1:
        raise RevexportError(f"workers must be at least 1, got {workers}")
    life = RunLifecycle.begin(root, m)
    job = _Job(scenario=sc, design=rows, per_row=int(m.get("replicates_per_row",
                                                                 m["replicates"])),
               doctrine=m.get("doctrine_arg", m["doctrine"]),
               doctrines=instances, article154=bool(m["article154"]), seed=int(m["seed"]),
               root=root, record_movement=bool(m["record_movement"]),
               movement_stride=int(m["movement_stride"]),
               staging=life.staging)
    sizes = block_sizes(int(m["replicates"]), int(m["block_size"]))
    _run_blocks(job, life, sizes, workers, progress, execute)
    return Run.open(root)


def _signals_to_main_thread() -> None:
    """Block Ctrl-C and SIGTERM in a block's thread: the operating system then delivers them to
    the main thread, which handles them, and compiled code is never interrupted by one."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})


class _StopSignals:
    """While blocks run: the first Ctrl-C (or SIGTERM) stops the run, later ones are ignored.

    A second Ctrl-C must never cut short the stopping itself (ending the workers, recording
    the run as incomplete). Only in the main thread, where Python delivers signals.
    """

    def __init__(self) -> None:
        self.stopping = False
        self._old: dict[int, Any] = {}

    def _handler(self, signum: int, frame: object) -> None:
        if not self.stopping:
            self.stopping = True
            raise KeyboardInterrupt

    def __enter__(self) -> _StopSignals:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handler)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)


#: Runs blocks elsewhere (on a Dask cluster, say): called with the job, the blocks to compute as
#: (block, replicates, offset) and a commit function, to call in this process with each finished
#: block and its replicate summaries. Stopping (Ctrl-C, an error) reaches it as an exception
#: raised from the commit function or its own waiting; it stops its blocks and re-raises.
BlockExecutor = Callable[[_Job, list[tuple[int, int, int]], Callable[[int, pd.DataFrame], None]],
                         None]


def _run_blocks(job: _Job, life: RunLifecycle, sizes: list[int], workers: int,
                progress: Callable[[int], None] | None,
                execute: BlockExecutor | None = None) -> dict[int, pd.DataFrame]:
    """Compute and commit every block not yet committed; record how the run ended."""
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int).tolist()
    todo = [b for b in range(len(sizes)) if b not in set(life.blocks_done)]
    parts: dict[int, pd.DataFrame] = {}
    done = sum(sizes[b] for b in life.blocks_done)
    t0 = time.perf_counter()
    run_id = str(life.manifest["run_id"])

    def _commit(b: int, reps: pd.DataFrame) -> None:
        nonlocal done
        parts[b] = reps
        life.block_committed(b)
        done += sizes[b]
        if progress:
            progress(done)

    with _StopSignals() as stop:
        try:
            if execute is not None:
                execute(job, [(b, sizes[b], offsets[b]) for b in todo], _commit)
            elif todo:
                # Blocks run on threads, one worker included: the compiled phases release the
                # GIL, so blocks run in parallel with no worker start-up and nothing to pickle,
                # and the main thread only waits, so Ctrl-C and SIGTERM are handled there and
                # never interrupt compiled code. A stop request reaches a running block within
                # CHECK_STEPS steps.
                halt = threading.Event()
                pool = ThreadPoolExecutor(max_workers=min(workers, len(todo)),
                                          thread_name_prefix="revexport-block",
                                          initializer=_signals_to_main_thread)
                pending: dict[Future[pd.DataFrame], int] = {}
                try:
                    pending = {pool.submit(_run_block, job, b, sizes[b], offsets[b], halt): b
                               for b in todo}
                    while pending:
                        # A timeout keeps the main thread responsive to Ctrl-C.
                        finished, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                        # Commit in block order where several finish together.
                        for fut in sorted(finished, key=pending.__getitem__):
                            _commit(pending.pop(fut), fut.result())
                except BaseException:
                    stop.stopping = True
                    halt.set()
                    for fut in pending:
                        fut.cancel()
                    pool.shutdown(wait=True, cancel_futures=True)
                    raise
                pool.shutdown()
        except KeyboardInterrupt:
            stop.stopping = True
            life.interrupt(time.perf_counter() - t0)
            n_done, n_all = len(life.blocks_done), len(sizes)
            out = life.root.parent
            raise RunInterrupted(
                f"run {run_id} is incomplete: {n_done} of {n_all} blocks ({done} of {sum(sizes)} "
                f"replicates) kept; continue with: revexport resume {run_id} -o {out}") from None
        except (OSError, MemoryError, RevexportError) as exc:
            stop.stopping = True
            if isinstance(exc, OSError):
                what = f"cannot write its files ({exc.strerror or exc})"
            elif isinstance(exc, MemoryError):
                what = "out of memory (try a smaller --block-size)"
            else:
                what = str(exc)
            recorded = life.fail(what, time.perf_counter() - t0)
            state = "marked failed" if recorded else "stopped (the manifest could not be updated)"
            raise RevexportError(
                f"run {run_id}: {what}; {state}, {len(life.blocks_done)} of {len(sizes)} finished "
                f"blocks kept; free the cause, then: revexport resume {run_id} -o {life.root.parent}"
            ) from None
        except BaseException as exc:
            stop.stopping = True
            life.fail(f"{type(exc).__name__}: {exc}", time.perf_counter() - t0)
            raise
        stop.stopping = True  # recording completion: a late Ctrl-C waits for it
        life.finish(time.perf_counter() - t0)
    # Deferred: DuckDB takes ~30 ms to import, and only a finished run needs it.
    from revexport.storage import catalog

    catalog.try_register(life.root.parent, life.root)
    return parts
