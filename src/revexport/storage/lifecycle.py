"""The life of a run on disk: running, then complete, incomplete or failed.

A run's manifest moves through these states:

* ``running``: a process is computing blocks. It holds an exclusive lock
  (``flock``) on ``<run>/.lock`` for as long as it lives and touches the lock
  file every few seconds (a heartbeat); the manifest names its pid and host.
* ``complete``: every block is committed.
* ``incomplete``: stopped (Ctrl-C, SIGTERM) with some blocks missing;
  ``revexport resume`` runs the missing ones.
* ``failed``: stopped by an error (a full disk, say); the committed blocks are
  kept and the run can be resumed once the cause is fixed.

A process killed outright cannot record anything, so readers ask
:func:`run_status`, not the manifest: a run marked ``running`` whose lock is
free (same host) or whose heartbeat is stale (another host) is ``incomplete``.

A block is committed by renaming its staged tables into place and then adding
it to the manifest's ``blocks_done`` (rewritten atomically after every block);
readers read committed blocks only.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from revexport.errors import RevexportError
from revexport.storage.files import STAGING, TABLES, RunFiles
from revexport.storage.manifest import write_manifest

STATUSES = ("running", "complete", "incomplete", "failed")
LOCK = ".lock"
#: Seconds between heartbeats, and the age after which a run on another host is taken for dead.
HEARTBEAT_S = 5.0
STALE_AFTER_S = 120.0
_BLOCK_FILE = re.compile(r"block-(\d{5,})\.parquet")


class RunInterrupted(KeyboardInterrupt):
    """A run stopped by Ctrl-C or SIGTERM after recording itself as incomplete.

    Its message is the one line to show (what was kept, how to resume).
    """


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _owner_alive(run_dir: Path, manifest: dict[str, Any]) -> bool:
    owner = manifest.get("owner") or {}
    lock = run_dir / LOCK
    if owner.get("host") == socket.gethostname():
        try:
            fd = os.open(lock, os.O_RDONLY)
        except OSError:
            return False
        try:
            # Free lock: its holder is gone. A live holder keeps it until it ends.
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
        return False
    try:
        age = time.time() - lock.stat().st_mtime
    except OSError:
        return False
    return age < STALE_AFTER_S


def run_status(run_dir: Path | str, manifest: dict[str, Any]) -> str:
    """The true status of a run: the manifest's, except that a dead ``running`` run is ``incomplete``."""
    status = str(manifest.get("status", "incomplete"))
    if status == "running" and not _owner_alive(Path(run_dir), manifest):
        return "incomplete"
    return status


def replicates_done(manifest: dict[str, Any]) -> int:
    """Replicates in the committed blocks of a run."""
    total, size = int(manifest.get("replicates", 0)), int(manifest.get("block_size", 1))
    return sum(min(size, total - b * size) for b in manifest.get("blocks_done", []))


@dataclass
class RunLifecycle:
    """Record a run's progress in its manifest while it computes blocks.

    Use :meth:`begin`, then :meth:`block_committed` after each block, then one
    of :meth:`finish`, :meth:`interrupt` or :meth:`fail`.
    """

    root: Path
    manifest: dict[str, Any]
    staging: Path
    _previous_wall_s: float = 0.0
    _lock: IO[bytes] | None = field(default=None, repr=False)
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def begin(cls, root: Path, manifest: dict[str, Any]) -> RunLifecycle:
        """Lock the run, discard leftovers of unfinished blocks and mark it ``running``."""
        life = cls(root=root, manifest=manifest, staging=root / STAGING / uuid.uuid4().hex[:12],
                   _previous_wall_s=float(manifest.get("wall_time_s") or 0.0))
        life._acquire()
        try:
            life._discard_leftovers()
            manifest["status"] = "running"
            manifest["owner"] = {"pid": os.getpid(), "host": socket.gethostname()}
            manifest.setdefault("blocks_done", [])
            manifest.setdefault("attempts", []).append({"started": _now()})
            manifest.pop("error", None)
            life._write()
        except OSError as exc:
            life._release()
            raise RevexportError(f"{root}: cannot write the run's manifest ({exc.strerror or exc})"
                                 ) from None
        except BaseException:
            life._release()
            raise
        threading.Thread(target=life._heartbeat, name="revexport-heartbeat", daemon=True).start()
        return life

    @property
    def blocks_done(self) -> list[int]:
        return [int(b) for b in self.manifest["blocks_done"]]

    def files(self) -> RunFiles:
        """The run's files, writing into this attempt's staging folder."""
        return RunFiles(self.root, self.staging)

    def block_committed(self, block: int) -> None:
        """Move a finished block's tables into place and record the commit."""
        self.files().commit_block(block)
        self.manifest["blocks_done"] = sorted({*self.blocks_done, block})
        self._write()

    def finish(self, wall_time_s: float) -> None:
        """All blocks committed: mark the run ``complete``."""
        self._end("complete", wall_time_s)

    def interrupt(self, wall_time_s: float) -> None:
        """Stopped on request: mark the run ``incomplete`` (resumable)."""
        self._end("incomplete", wall_time_s)

    def fail(self, message: str, wall_time_s: float) -> bool:
        """Stopped by an error: mark the run ``failed``; False if even that could not be written."""
        self.manifest["error"] = message
        try:
            self._end("failed", wall_time_s)
        except OSError:
            return False
        return True

    # -- internals -------------------------------------------------------------------------

    def _write(self) -> None:
        self.manifest["heartbeat"] = _now()
        with self._guard:
            write_manifest(self.root, self.manifest)

    def _end(self, status: str, wall_time_s: float) -> None:
        self._stop.set()
        try:
            # Staged files first: on a full disk, that frees room for the manifest.
            shutil.rmtree(self.staging, ignore_errors=True)
            try:
                (self.root / STAGING).rmdir()
            except OSError:
                pass  # another attempt's leftovers (an orphaned worker's): discarded next time
            self.manifest["status"] = status
            self.manifest["wall_time_s"] = round(self._previous_wall_s + wall_time_s, 3)
            self.manifest["attempts"][-1].update(ended=_now(), status=status)
            self._write()
        finally:
            self._release()

    def _acquire(self) -> None:
        path = self.root / LOCK
        try:
            f = open(path, "ab")  # held open (and locked) for the whole run
        except OSError as exc:
            raise RevexportError(f"{path}: cannot create the run's lock file ({exc.strerror})") from None
        # Retried briefly: a reader may hold the lock for a moment to test it.
        for _ in range(20):
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._lock = f
                return
            except BlockingIOError:
                time.sleep(0.05)
        f.close()
        owner = self.manifest.get("owner") or {}
        who = f" (pid {owner['pid']} on {owner.get('host')})" if owner.get("pid") else ""
        raise RevexportError(f"run {self.root.name} is being computed by another process{who}")

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.close()  # closing the file releases the flock
            self._lock = None

    def _heartbeat(self) -> None:
        while not self._stop.wait(HEARTBEAT_S):
            try:
                os.utime(self.root / LOCK)
            except OSError:
                pass

    def _discard_leftovers(self) -> None:
        """Remove staged files of earlier attempts and files of blocks never committed."""
        shutil.rmtree(self.root / STAGING, ignore_errors=True)
        done = set(self.manifest.get("blocks_done", []))
        for table in TABLES:
            folder = self.root / table
            if not folder.is_dir():
                continue
            for f in folder.glob("block-*"):
                m = _BLOCK_FILE.fullmatch(f.name)
                if m is None or int(m.group(1)) not in done:
                    f.unlink(missing_ok=True)
