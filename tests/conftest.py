"""Shared fixtures: a block of replicates for calling one phase at a time, the command line
run in-process with the check of its one-line errors, scenario-text helpers for the tables of
dated history, and a small user doctrine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pytest

from revexport.doctrines import Allocation, Doctrine
from revexport.doctrines.base import fixed_shares, normalise_targets
from revexport.engine.run import Block
from revexport.engine.state import Static, World
from revexport.scenario.load import load_scenario
from revexport.scenario.schema import Scenario

WorldFactory = Callable[..., tuple[Static, World, Block]]


@pytest.fixture
def make_world() -> WorldFactory:
    """Build (static, world, block) for a scenario, doctrine and parameter overrides; run one
    phase on it with ``block.phase("movements")``."""

    def build(scenario: str = "middle-east-1979", n: int = 2000, seed: int = 0,
              doctrine: str | None = None, **overrides: float) -> tuple[Static, World, Block]:
        block = Block.build(scenario, n=n, seed=seed, doctrine=doctrine, **overrides)
        return block.static, block.world, block

    return build


class _Outcome(Protocol):
    stdout: str
    stderr: str


def assert_one_line_error(result: _Outcome, *expected: str) -> str:
    """Check the project's rule for bad input and return the error line.

    ``result`` is a :class:`typer.testing.Result` (in-process) or a
    :class:`subprocess.CompletedProcess`. It must have exit status 2, no traceback
    and no unexpected exception, and exactly one line on stderr, ``error: ...``,
    containing every string in ``expected`` (the file, field, allowed values...).
    """
    code = getattr(result, "exit_code", getattr(result, "returncode", None))
    exc = getattr(result, "exception", None)
    assert exc is None or isinstance(exc, SystemExit), f"unexpected exception {exc!r}"
    assert code == 2, f"exit status {code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"not one line: {result.stderr!r}"
    assert lines[0].startswith("error: "), lines[0]
    for text in expected:
        assert text in lines[0], f"{text!r} not in {lines[0]!r}"
    return lines[0]


def invoke(*args: str, **kwargs: Any) -> Any:
    """Run ``revexport ARGS`` in this process (Typer's ``CliRunner``); returns its Result."""
    from typer.testing import CliRunner

    from revexport.cli import app

    return CliRunner().invoke(app, list(args), **kwargs)


def assert_scenario_refused(tmp_path: Path, name: str, text: str, expected: str) -> None:
    """Write ``text`` as ``NAME.toml`` under ``tmp_path``, run it, and check the project's rule
    for bad input: one line naming the file and saying ``expected``, and no run written."""
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    out = invoke("run", str(path), "--replicates", "2", "--out", str(tmp_path / "runs"))
    assert_one_line_error(out, f"error: {name}.toml: ", expected)
    assert not (tmp_path / "runs").exists()


def without_source(text: str, first: str) -> str:
    """``text`` with the ``source`` of the table that starts with ``first`` left blank."""
    lines = text[text.index(first):].split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("source = "))
    table = "\n".join(lines[:at + 1])
    return text.replace(table, "\n".join([*lines[:at], 'source = " "']), 1)


def reloaded(tmp_path: Path, text: str) -> Scenario:
    """The scenario of TOML ``text``, written to a file and loaded back."""
    path = tmp_path / "copy.toml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(str(path))


class Quietist(Doctrine):
    """A user doctrine: outreach to the most receptive, nothing else (and nothing said of
    war tolerance or incitement)."""

    name = "quietist"
    summary = "test doctrine"

    def decide(self, obs, memory, rng):  # type: ignore[no-untyped-def]
        shares = fixed_shares(obs, domestic=0.7, diplomacy=0.2, propaganda=0.1)
        return Allocation(shares=shares,
                          targets=normalise_targets(np.broadcast_to(obs.affinity, obs.proximity.shape),
                                                    obs.valid_target),
                          strike=np.zeros(obs.proximity.shape, dtype=bool))
