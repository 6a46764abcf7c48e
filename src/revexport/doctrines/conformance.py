"""Checks every doctrine must pass (like scikit-learn's ``check_estimator``).

Run them on your own doctrine before you trust its results::

    from revexport.doctrines.conformance import check_doctrine
    check_doctrine(MyDoctrine())

Each check raises ``AssertionError`` with a message naming what failed.
"""

from __future__ import annotations

import ast
import inspect
import pickle
import re
import textwrap
from collections.abc import Callable

import numpy as np

from revexport.doctrines.base import Allocation, Doctrine
from revexport.doctrines.spec import compile_slots
from revexport.engine.phases.decision import decisions, observe
from revexport.engine.state import Static, initial_world
from revexport.params import Parameters
from revexport.scenario import load_scenario

#: Words a doctrine must not contain: country codes and names of the built-in scenario, years.
_YEAR = re.compile(r"\b(19|20)\d\d\b")


def _decide(doctrine: Doctrine, seed: int, scenario: str = "middle-east-1979",
            n: int = 64) -> tuple[Allocation, np.ndarray, np.ndarray]:
    """The doctrine's allocation in a varied world: movements, legitimacy and wars differ
    across replicates. Returns the allocation, the valid targets and the sitting slots."""
    params = Parameters()
    static = Static.from_scenario(load_scenario(scenario), int(params.new_exporter_slots),
                                  doctrine=doctrine.name)
    par = params.table(n)
    world = initial_world(static, par)
    rng = np.random.default_rng(seed)
    world.movement[:] = rng.random(world.movement.shape) * 0.6
    world.legitimacy[:] = rng.random(world.legitimacy.shape)
    world.war[:, 0, :] = rng.random(world.war[:, 0, :].shape) < 0.05
    d = decisions(world, static.arrays, par, compile_slots([None] * static.n_slots))
    observe(world, static.arrays, par, d)
    memory = doctrine.init_memory(n, static.n_slots)
    alloc = doctrine.decide(d.obs, memory, np.random.default_rng(seed))
    return alloc, d.obs.valid_target, d.obs.active


def check_allocation_is_valid(doctrine: Doctrine) -> None:
    """Shares of every sitting exporter non-negative, finite and summing to 1; targets only
    on valid targets."""
    for scenario in ("middle-east-1979", "synthetic:30:2"):
        alloc, valid, active = _decide(doctrine, 1, scenario)
        shares = np.asarray(alloc.shares)
        assert shares.ndim == 3 and shares.shape[-1] == 6, f"shares shape {shares.shape}"
        assert np.all(np.isfinite(shares)), "shares not finite"
        assert np.all(shares >= 0), "negative share"
        assert np.allclose(shares.sum(axis=-1)[active], 1.0), "shares do not sum to 1"
        targets = np.asarray(alloc.targets)
        assert targets.shape == valid.shape, f"targets shape {targets.shape} != {valid.shape}"
        assert np.all(np.isfinite(targets)) and np.all(targets >= 0), "bad target weights"
        assert not np.any(targets[~valid] > 0), "weight on a state that may not be targeted"
        sums = targets.sum(axis=-1)
        assert np.all((np.abs(sums - 1) < 1e-9) | (sums == 0)), "targets must sum to 1 or 0"
        strike = np.asarray(alloc.strike)
        assert strike.dtype == bool and strike.shape == valid.shape, "strike must be a bool mask"
        assert not np.any(strike & ~valid), "strike on a state that may not be targeted"


def check_deterministic(doctrine: Doctrine) -> None:
    """The same observation and generator give the same allocation."""
    a, _, _ = _decide(doctrine, 7)
    b, _, _ = _decide(doctrine, 7)
    assert np.array_equal(a.shares, b.shares), "shares differ between identical calls"
    assert np.array_equal(a.targets, b.targets), "targets differ between identical calls"
    assert np.array_equal(a.strike, b.strike), "strike differs between identical calls"


def check_picklable(doctrine: Doctrine) -> None:
    """Worker processes receive doctrines by pickling."""
    clone = pickle.loads(pickle.dumps(doctrine))
    a, _, _ = _decide(doctrine, 3)
    b, _, _ = _decide(clone, 3)
    assert np.array_equal(a.shares, b.shares), "unpickled doctrine decides differently"


def rule_literals(source: str) -> tuple[set[str], set[int]]:
    """Strings and whole numbers that code uses, docstrings and comments left out.

    Documentation may cite the 1979 literature; rules may not use a country or a year.
    """
    tree = ast.parse(textwrap.dedent(source))
    docstrings = set()
    for node in ast.walk(tree):
        # A one-line summary shown to users is documentation too.
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "summary" for t in node.targets):
            docstrings.add(id(node.value))
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    strings: set[str] = set()
    numbers: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and id(node) not in docstrings:
            if isinstance(node.value, str):
                strings.add(node.value)
            elif isinstance(node.value, int) and not isinstance(node.value, bool):
                numbers.add(node.value)
        elif isinstance(node, ast.Name):
            strings.add(node.id)
        elif isinstance(node, ast.Attribute):
            strings.add(node.attr)
    return strings, numbers


def names_country_or_date(source: str) -> str | None:
    """What a rule in ``source`` names of the built-in scenario's states or the calendar, if any."""
    sc = load_scenario("middle-east-1979")
    words = {s.iso3 for s in sc.states} | {s.name for s in sc.states}
    strings, numbers = rule_literals(source)
    for text in strings:
        for word in words:
            if re.search(rf"\b{re.escape(word)}\b", text):
                return f"'{word}'"
        if _YEAR.search(text):
            return f"the date in '{text}'"
    years = sorted(n for n in numbers if 1900 <= n <= 2099)
    return f"the year {years[0]}" if years else None


def check_names_no_country_or_date(doctrine: Doctrine) -> None:
    """A doctrine chooses by attributes, never by identity or calendar."""
    try:
        source = inspect.getsource(type(doctrine))
    except (OSError, TypeError):
        return  # no source to read (e.g. defined interactively)
    found = names_country_or_date(source)
    assert found is None, f"a rule names {found}"


CHECKS: tuple[Callable[[Doctrine], None], ...] = (
    check_allocation_is_valid,
    check_deterministic,
    check_picklable,
    check_names_no_country_or_date,
)


def check_doctrine(doctrine: Doctrine) -> None:
    """Run every conformance check on ``doctrine``; raise ``AssertionError`` on the first failure."""
    for check in CHECKS:
        try:
            check(doctrine)
        except AssertionError as exc:
            raise AssertionError(f"{type(doctrine).__name__}: {check.__name__}: {exc}") from None
