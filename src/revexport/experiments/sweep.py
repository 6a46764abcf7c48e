"""Sweeps: a design run as blocks on a Dask cluster.

A sweep is the run :func:`~revexport.experiments.ensemble.run_ensemble` makes of a design (the
same run directory, manifest, blocks and tables, and the same results for a seed and block size),
with its blocks computed as Dask tasks: on a :class:`distributed.LocalCluster` of this machine by
default, or on an existing cluster (``dask-jobqueue``, ``dask scheduler`` / ``dask worker``) by
its scheduler's address. Each worker writes its blocks' tables into the run directory itself,
which must therefore lie on a filesystem every worker shares; this process commits each block
as soon as it is done, so a sweep stopped for any reason keeps its finished blocks and
:func:`resume_sweep` (or :func:`~revexport.experiments.ensemble.resume_run`, on threads)
computes the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from revexport.doctrines.base import Doctrine
from revexport.errors import RevexportError
from revexport.experiments.design import read_design
from revexport.experiments.ensemble import (
    BlockExecutor,
    Run,
    _Job,
    _plan_ensemble,
    _run_block,
    _run_blocks,
    default_workers,
    resume_run,
)
from revexport.scenario.schema import Scenario
from revexport.storage.lifecycle import run_status
from revexport.storage.manifest import read_manifest

#: Seconds to wait for an existing scheduler to answer.
CONNECT_TIMEOUT_S = 5.0


@dataclass
class _Cluster:
    """A connected Dask client, and the local cluster it runs on if this process started one."""

    client: Any
    cluster: Any
    label: str
    workers: int

    def close(self) -> None:
        """Disconnect; stop the local cluster (and its worker processes) if there is one."""
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _probe(address: str) -> None:
    """Refuse a malformed or unreachable scheduler address with one line.

    A bare connection first: a :class:`distributed.Client` that fails to connect lingers until
    the interpreter exits, then spends seconds trying to close.
    """
    from distributed.comm.core import connect

    async def knock() -> None:
        comm = await connect(address, timeout=CONNECT_TIMEOUT_S)
        await comm.close()

    try:
        asyncio.run(knock())
    except ValueError as exc:
        raise RevexportError(f"--scheduler: not a Dask scheduler address ({_first_line(exc)}); "
                             "write it as tcp://HOST:PORT") from None
    except (OSError, TimeoutError) as exc:
        raise RevexportError(f"scheduler {address}: cannot connect within {CONNECT_TIMEOUT_S:g} s "
                             f"({_first_line(exc)}); nothing was written") from None


@contextmanager
def _connect(scheduler: str | None, workers: int | None) -> Iterator[_Cluster]:
    """Connect to ``scheduler``, or start a local cluster of ``workers`` processes; writes nothing."""
    from distributed import Client, LocalCluster

    if scheduler is None:
        n = default_workers() if workers is None else workers
        if n < 1:
            raise RevexportError(f"workers must be at least 1, got {n}")
        try:
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address=None,
                                   silence_logs=logging.CRITICAL)
        except (OSError, RuntimeError, TimeoutError) as exc:
            raise RevexportError(f"cannot start a local Dask cluster ({exc})") from None
        try:
            client = Client(cluster)
        except BaseException:
            cluster.close()
            raise
        conn = _Cluster(client=client, cluster=cluster, label="local", workers=n)
    else:
        if workers is not None:
            raise RevexportError("--workers: the cluster at --scheduler has its own workers; "
                                 "give one or the other")
        _probe(scheduler)
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            raise RevexportError(f"scheduler {scheduler}: cannot connect ({_first_line(exc)}); "
                                 "nothing was written") from None
        n_workers = len(client.scheduler_info().get("workers", {}))
        conn = _Cluster(client=client, cluster=None, label=scheduler, workers=max(1, n_workers))
    try:
        yield conn
    finally:
        conn.close()


def _dask_executor(client: Any) -> BlockExecutor:
    """Run blocks as Dask futures and commit each in this process as soon as it is done."""
    from concurrent.futures import CancelledError

    from distributed import as_completed
    from distributed.comm.core import CommClosedError
    from distributed.scheduler import KilledWorker

    def execute(job: _Job, blocks: list[tuple[int, int, int]],
                commit: Callable[[int, pd.DataFrame], None]) -> None:
        if not blocks:
            return
        futures = {client.submit(_run_block, job, b, n, off, pure=False): b for b, n, off in blocks}
        try:
            for fut in as_completed(futures):
                b = futures[fut]
                try:
                    reps = fut.result()
                except (KilledWorker, CommClosedError, CancelledError) as exc:
                    raise RevexportError(f"block {b}: lost by the Dask cluster ({type(exc).__name__}: "
                                         f"{_first_line(exc)})") from None
                commit(b, reps)
        except BaseException:
            client.cancel(list(futures), force=True)
            raise

    return execute


def sweep(
    design: pd.DataFrame | str | Path,
    scenario: Scenario | str = "middle-east-1979",
    doctrine: str | Doctrine | None = None,
    replicates: int = 100,
    seed: int = 0,
    out_dir: Path | str = "runs",
    scheduler: str | None = None,
    workers: int | None = None,
    block_size: int | None = None,
    progress: Callable[[int], None] | None = None,
    *,
    parameters: dict[str, float] | None = None,
    article154: bool | None = None,
    record_movement: bool = True,
    movement_stride: int = 1,
    run_id: str | None = None,
) -> Run:
    """Run a design as blocks on a Dask cluster and store it as :func:`run_ensemble` does.

    Parameters
    ----------
    design : DataFrame or path
        Parameter sets, one a row (or a CSV file of them, :func:`read_design`).
    scenario : Scenario or str
        A scenario, or a built-in name / TOML path.
    doctrine : str or Doctrine, optional
        Doctrine of the initial exporters; the scenario's by default.
    replicates : int
        Replicates per design row.
    seed : int
        Seed of the run; with ``block_size`` it fixes every random draw, whatever the cluster.
    out_dir : path
        Parent directory of the run directory; every worker must be able to write there.
    scheduler : str, optional
        Address of an existing Dask scheduler (``tcp://HOST:8786``); by default a local cluster.
    workers : int, optional
        Worker processes of the local cluster (one thread each); one per core by default.
    block_size : int, optional
        Replicates per block; by default from the scenario's size.
    progress : callable, optional
        Called with the number of replicates stored after each committed block.
    parameters, article154, record_movement, movement_stride, run_id
        As for :func:`run_ensemble`.

    Returns
    -------
    Run
        The stored run; its manifest has ``"executor": "dask"`` and the scheduler's address
        (``"local"`` for a local cluster).

    Raises
    ------
    RevexportError
        One line: bad arguments or design, an unreachable scheduler (nothing is written), or a
        failed run (its finished blocks kept, resumable).
    """
    table = design if isinstance(design, pd.DataFrame) else read_design(design)
    # Absolute: workers on other machines (or in other directories) write there too.
    plan = _plan_ensemble(scenario, doctrine, replicates, seed, Path(out_dir).absolute(),
                          parameters=parameters, design=table, article154=article154,
                          block_size=block_size, workers=workers, record_movement=record_movement,
                          movement_stride=movement_stride, run_id=run_id)
    with _connect(scheduler, workers) as conn:
        plan.manifest.update(executor="dask", scheduler=conn.label, workers=conn.workers)
        job, life = plan.begin()
        _run_blocks(job, life, plan.sizes, conn.workers, progress, _dask_executor(conn.client))
    return Run.open(plan.root)


def resume_sweep(
    run_dir: Path | str,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Run:
    """Finish an interrupted run (a sweep's or any other) with its missing blocks on Dask.

    Parameters
    ----------
    run_dir : path
        The run's directory.
    scheduler : str, optional
        Address of an existing Dask scheduler; by default a local cluster.
    workers : int, optional
        Worker processes of the local cluster; one per core by default.
    progress : callable, optional
        Called with the number of replicates stored after each committed block.

    Returns
    -------
    Run
        The completed run, identical to an uninterrupted one with the same seed.
    """
    root = Path(run_dir).absolute()
    if run_status(root, read_manifest(root)) == "complete":
        return Run.open(root)
    with _connect(scheduler, workers) as conn:
        return resume_run(root, workers=conn.workers, progress=progress,
                          execute=_dask_executor(conn.client))
