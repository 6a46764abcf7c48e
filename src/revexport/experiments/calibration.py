"""Calibration by approximate Bayesian computation (ABC-SMC), one batched run per generation.

The model has no likelihood that can be written down; ABC replaces it by a distance between
statistics of simulated outcomes and their observed values (the historical patterns of a
*targets file*). The sampler is population Monte Carlo ABC (Beaumont et al. 2009): a population
of weighted particles moves through a sequence of shrinking tolerances. Each generation

1. proposes a whole batch of ``M`` parameter sets: from the uniform prior on the declared ranges
   (generation 0), or by perturbing particles of the previous population drawn by weight with a
   Gaussian kernel of twice their weighted covariance (Filippi et al. 2013), truncated to the
   prior box;
2. evaluates the batch in **one** call of :func:`~revexport.experiments.ensemble.run_ensemble`
   with a design of ``M`` rows and ``R`` replicates per row; each row's statistics are computed
   over its ``R`` replicates;
3. keeps the ``N`` proposals closest to the targets (the tolerance of the generation is the
   ``N``-th smallest distance, an adaptive schedule in the spirit of Del Moral, Doucet & Jasra
   2012, and the nearest-neighbour acceptance of Beaumont et al. 2002); and
4. gives each kept particle the importance weight prior / proposal, the proposal being the
   mixture of truncated kernels around the previous population.

A fixed batch per generation, rather than proposing one particle at a time until ``N`` are
accepted, is what lets the engine see whole batches (``docs/calibration.md``).

The distance is ``sum_k weight_k * max(|s_k - observed_k| - tolerance_k, 0) / scale_k``, the scale
being the target's own or, by default, the median absolute deviation of the statistic over
generation 0 (the prior predictive), so that targets in months and targets in shares weigh alike.
A target's tolerance (0 by default) is the deviation its pattern allows: a pattern met is met,
whatever the margin (pattern-oriented modelling, Grimm et al. 2005), so when every target has
one, distance 0 means every pattern is met and the posterior at tolerance 0 is the region of
the parameters in which they all are.

References
----------
Beaumont, M. A., Zhang, W. & Balding, D. J. (2002). Approximate Bayesian computation in
population genetics. *Genetics* 162(4), 2025-2035.

Beaumont, M. A., Cornuet, J.-M., Marin, J.-M. & Robert, C. P. (2009). Adaptive approximate
Bayesian computation. *Biometrika* 96(4), 983-990.

Del Moral, P., Doucet, A. & Jasra, A. (2012). An adaptive sequential Monte Carlo method for
approximate Bayesian computation. *Statistics and Computing* 22(5), 1009-1020.

Filippi, S., Barnes, C. P., Cornebise, J. & Stumpf, M. P. H. (2013). On optimality of kernels
for approximate Bayesian computation using sequential Monte Carlo. *Statistical Applications in
Genetics and Molecular Biology* 12(1), 87-107.

Grimm, V., Revilla, E., Berger, U. et al. (2005). Pattern-oriented modeling of agent-based
complex systems: lessons from ecology. *Science* 310(5750), 987-991.
"""

from __future__ import annotations

import ast
import base64
import html
import io
import json
import math
import operator
import tomllib
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from revexport.errors import RevexportError, check_seed
from revexport.outcomes.definitions import replicate_outcomes
from revexport.params import Parameters
from revexport.scenario.schema import Scenario

#: Built-in targets files, by scenario name.
BUILTIN_TARGETS: dict[str, str] = {"middle-east-1979": "middle_east_1979_targets.toml"}

#: Columns of the per-replicate table (:func:`revexport.outcomes.summary.replicate_summary`)
#: that a target may name.
REPLICATE_COLUMNS: tuple[str, ...] = tuple(o.name for o in replicate_outcomes())

#: Of those, the columns that hold text (a share's condition may compare them with a string).
TEXT_COLUMNS: frozenset[str] = frozenset(o.name for o in replicate_outcomes(numeric=False))

#: Quantiles of the credible intervals.
INTERVAL = (0.05, 0.50, 0.95)


# -- conditions: a small, safe expression language over replicate columns ------------------------

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.Eq: operator.eq, ast.NotEq: operator.ne,
}
_ARITH: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
}


def _names(expr: str) -> list[str]:
    """Parse a condition and return the column names it uses.

    Only comparisons, ``and``/``or``/``not``, arithmetic, column names and literal numbers or
    strings are allowed: a targets file is data, and a condition is never handed to ``eval``.

    Raises
    ------
    ValueError
        A syntax error or a construct outside that language (message without the location).
    """
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError:
        raise ValueError(f"not a condition: {expr!r}") from None
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.append(node.id)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, complex) or node.value is None or isinstance(node.value, bytes):
                raise ValueError(f"not a number or string: {node.value!r}")
        elif isinstance(node, ast.cmpop):
            if type(node) not in _COMPARE:
                raise ValueError(f"only <, <=, >, >=, ==, != compare, in {expr!r}")
        elif isinstance(node, ast.operator):
            if type(node) not in _ARITH:
                raise ValueError(f"only + - * / are allowed, in {expr!r}")
        elif not isinstance(node, ast.Expression | ast.BoolOp | ast.And | ast.Or | ast.UnaryOp
                            | ast.Not | ast.USub | ast.Compare | ast.BinOp | ast.Load):
            raise ValueError(f"only comparisons of columns joined by and/or/not, in {expr!r}")
    return names


def _truth(v: Any) -> NDArray[np.bool_]:
    # A missing value (NaN: the event never happened) is false, never true.
    a = np.asarray(v)
    if a.dtype.kind == "f":
        out: NDArray[np.bool_] = np.nan_to_num(a, nan=0.0) != 0
        return out
    if a.dtype.kind == "O":
        return np.array([bool(x) and x == x for x in a.ravel()], dtype=bool).reshape(a.shape)
    return a.astype(bool)


def _eval(node: ast.AST, frame: pd.DataFrame) -> Any:
    if isinstance(node, ast.Expression):
        return _eval(node.body, frame)
    if isinstance(node, ast.Name):
        return frame[node.id].to_numpy()
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.BoolOp):
        parts = [_truth(_eval(v, frame)) for v in node.values]
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        out = parts[0]
        for p in parts[1:]:
            out = combine(out, p)
        return out
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, frame)
        return np.logical_not(_truth(value)) if isinstance(node.op, ast.Not) else -np.asarray(value)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, frame)
        out = np.ones(len(frame), dtype=bool)
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = _eval(comp, frame)
            out &= _truth(_COMPARE[type(op)](left, right))
            left = right
        return out
    if isinstance(node, ast.BinOp):
        return _ARITH[type(node.op)](np.asarray(_eval(node.left, frame), dtype=float),
                                     np.asarray(_eval(node.right, frame), dtype=float))
    raise RevexportError(f"cannot evaluate {ast.dump(node)[:60]}")  # pragma: no cover (parsed)


def condition_mask(expr: str, frame: pd.DataFrame) -> NDArray[np.bool_]:
    """Which rows of a per-replicate table meet a condition such as
    ``first_strike_step <= 24 and first_strike_neighbour``.

    A comparison with a missing value (NaN) is false.
    """
    try:
        names = _names(expr)
    except ValueError as exc:
        raise RevexportError(str(exc)) from None
    missing = sorted(set(names) - set(frame.columns))
    if missing:
        raise RevexportError(f"condition {expr!r}: no column {missing[0]!r} in the run's outcomes")
    out = _truth(_eval(ast.parse(expr.strip(), mode="eval"), frame))
    return np.broadcast_to(out, (len(frame),)).copy()


# -- targets files ---------------------------------------------------------------------------------

class Target(BaseModel):
    """One target: a named statistic of the per-replicate outcomes and its observed value.

    ``share``: the share of replicates meeting ``condition``. ``median`` / ``mean``: of
    ``column`` over the replicates where it is not missing (and that meet ``where``, if given).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    statistic: Literal["share", "median", "mean"]
    observed: float = Field(allow_inf_nan=False)
    source: str = Field(min_length=1)
    weight: float = Field(default=1.0, ge=0, allow_inf_nan=False)
    scale: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    tolerance: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    condition: str | None = None
    column: str | None = None
    where: str | None = None
    pattern: str = ""
    description: str = ""

    @model_validator(mode="after")
    def _fields_of_statistic(self) -> Target:
        if self.statistic == "share":
            if self.condition is None:
                raise ValueError("a share needs a condition, e.g. 'aligned_final == 0'")
            if self.column is not None or self.where is not None:
                raise ValueError("a share takes a condition, not column or where")
            if not 0 <= self.observed <= 1:
                raise ValueError(f"the observed value of a share must be in [0, 1], got "
                                 f"{self.observed!r}")
        else:
            if self.column is None:
                raise ValueError(f"a {self.statistic} needs a column, e.g. 'first_strike_step'")
            if self.condition is not None:
                raise ValueError(f"a {self.statistic} takes column (and where), not condition")
        for expr in (self.condition, self.column, self.where):
            if expr is None:
                continue
            for name in _names(expr):
                if name not in REPLICATE_COLUMNS:
                    close = [c for c in REPLICATE_COLUMNS if c.split("_")[0] == name.split("_")[0]]
                    raise ValueError(f"unknown column {name!r} (one of "
                                     f"{', '.join(close or REPLICATE_COLUMNS[:6])}, ...)")
        if self.column is not None and not self.column.isidentifier():
            raise ValueError(f"column must name one column, got {self.column!r}")
        if self.column in TEXT_COLUMNS:
            raise ValueError(f"column {self.column!r} holds text; a {self.statistic} needs a number "
                             "(use a share with a condition)")
        return self


class TargetsFile(BaseModel):
    """A targets file: optional scenario and doctrine, and ``[targets.NAME]`` tables."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = ""
    scenario: str | None = None
    doctrine: str | None = None
    targets: dict[str, Target] = Field(min_length=1)

    @model_validator(mode="after")
    def _names_are_identifiers(self) -> TargetsFile:
        for name in self.targets:
            if not name.isidentifier():
                raise ValueError(f"target name {name!r}: letters, digits and _ only")
        return self


def validate_targets(data: Mapping[str, Any], origin: str) -> TargetsFile:
    """Validate parsed targets; the first problem is one line naming ``origin`` and the field."""
    from revexport.scenario.validate import error_message, field_path

    try:
        return TargetsFile.model_validate(dict(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise RevexportError(f"{origin}: {field_path(tuple(first['loc']))}: "
                             f"{error_message(first)}") from None


def load_targets(path: str | Path | None = None, scenario: str = "middle-east-1979") -> TargetsFile:
    """Read a targets file; without a path, the built-in targets of ``scenario``.

    Raises
    ------
    RevexportError
        One line naming the file and the field (missing, unknown, out of range, a condition that
        names no column of the outputs, ...).
    """
    from revexport.scenario.validate import read_toml_file

    if path is None:
        if scenario not in BUILTIN_TARGETS:
            raise RevexportError(f"--targets: no built-in targets for scenario '{scenario}' (built-in "
                                 f"for {', '.join(BUILTIN_TARGETS)}); give a targets file")
        text = resources.files("revexport.scenario.data").joinpath(
            BUILTIN_TARGETS[scenario]).read_text(encoding="utf-8")
        return validate_targets(tomllib.loads(text), BUILTIN_TARGETS[scenario])
    p = Path(path)
    return validate_targets(read_toml_file(p, "no such targets file"), p.name or str(p))


def target_statistics(replicates: pd.DataFrame, targets: Mapping[str, Target],
                      by: str | None = "design_row") -> pd.DataFrame:
    """Each target's statistic, per design row (or over all replicates with ``by=None``).

    Returns
    -------
    DataFrame
        One row per group (index: the value of ``by``), one column per target; NaN where a
        median or mean has no replicate to average (the event never happened).
    """
    keys = (replicates[by].to_numpy() if by is not None
            else np.zeros(len(replicates), dtype=np.int64))
    out: dict[str, pd.Series] = {}
    for name, t in targets.items():
        if t.statistic == "share":
            assert t.condition is not None
            values = pd.Series(condition_mask(t.condition, replicates).astype(float))
            out[name] = values.groupby(keys).mean()
            continue
        assert t.column is not None
        if t.column not in replicates.columns:
            raise RevexportError(f"target '{name}': no column {t.column!r} in the run's outcomes")
        x = pd.Series(replicates[t.column].to_numpy(dtype=float))
        if t.where is not None:
            x = x.where(condition_mask(t.where, replicates))
        grouped = x.groupby(keys)
        out[name] = grouped.median() if t.statistic == "median" else grouped.mean()
    return pd.DataFrame(out)


# -- priors and the sampler ---------------------------------------------------------------------

@dataclass(frozen=True)
class Prior:
    """Uniform prior on a parameter's declared range."""

    name: str
    low: float
    high: float
    default: float


def priors_of(names: Sequence[str]) -> list[Prior]:
    """Uniform priors on the declared ranges of the named parameters.

    Raises
    ------
    RevexportError
        An unknown or repeated name, or a whole-number parameter.
    """
    specs = {s.name: s for s in Parameters.specs()}
    if not names:
        raise RevexportError("--params: name at least one parameter, e.g. strike_hazard")
    if len(set(names)) != len(names):
        raise RevexportError(f"--params: a parameter appears twice in {', '.join(names)}")
    out = []
    for n in names:
        if n not in specs:
            close = sorted(k for k in specs if k[:6] == n[:6]) or sorted(specs)[:5]
            raise RevexportError(f"--params: '{n}': unknown parameter (did you mean one of "
                                 f"{', '.join(close)}?)")
        s = specs[n]
        if s.integer:
            raise RevexportError(f"--params: '{n}' is a whole-number parameter; calibration "
                                 "takes continuous parameters")
        out.append(Prior(n, float(s.low), float(s.high), float(s.default)))
    return out


@dataclass
class Generation:
    """One generation of the sampler: its kept population and what it cost."""

    theta: NDArray[np.float64]  # (N, d)
    weights: NDArray[np.float64]  # (N,), sum 1
    distances: NDArray[np.float64]  # (N,)
    epsilon: float
    proposals: int
    acceptance_rate: float  # share of the batch within the previous tolerance (1 at generation 0)
    ess: float


@dataclass
class SMCResult:
    """Every generation of an ABC-SMC run, and the scales of the distance."""

    generations: list[Generation]
    scales: NDArray[np.float64]
    prior_statistics: NDArray[np.float64] = field(repr=False)


def weighted_quantile(x: NDArray[np.float64], w: NDArray[np.float64],
                      q: Sequence[float]) -> NDArray[np.float64]:
    """Quantiles of a weighted sample: the inverse of its weighted empirical distribution
    function (the smallest value whose cumulative weight reaches ``q``; with equal weights, the
    sample quantile of type 1 in Hyndman & Fan 1996)."""
    order = np.argsort(x, kind="stable")
    xs, ws = x[order], w[order] / w.sum()
    cum = np.cumsum(ws)
    idx = np.searchsorted(cum, np.asarray(q, dtype=float) - 1e-12, side="left")
    return xs[np.minimum(idx, len(xs) - 1)]


def distances(stats: NDArray[np.float64], observed: NDArray[np.float64],
              weights: NDArray[np.float64], scales: NDArray[np.float64],
              tolerances: NDArray[np.float64] | None = None) -> NDArray[np.float64]:
    """Weighted sum over targets of ``max(|statistic - observed| - tolerance, 0) / scale``;
    ``inf`` where a statistic with a positive weight is missing (that parameter set never
    produced the event)."""
    tol = np.zeros_like(observed) if tolerances is None else tolerances
    dev = np.maximum(np.abs(stats - observed) - tol, 0.0) / scales
    dev = np.where(weights > 0, dev, 0.0)
    d = np.sum(weights * np.nan_to_num(dev, nan=0.0), axis=1)
    return np.where(np.isnan(dev).any(axis=1), np.inf, d)


def prior_scales(stats: NDArray[np.float64]) -> NDArray[np.float64]:
    """Median absolute deviation of each statistic over the prior predictive.

    Where it is zero (most of the prior gives one value) the standard deviation is used, and 1
    if that is zero too; a target that does not move is then harmless rather than infinite.
    """
    from scipy.stats import median_abs_deviation

    mad = np.asarray(median_abs_deviation(stats, axis=0, nan_policy="omit"), dtype=float)
    sd = np.nanstd(stats, axis=0) if np.isfinite(stats).any() else np.zeros(stats.shape[1])
    out = np.where(mad > 0, mad, np.where(sd > 0, sd, 1.0))
    return np.where(np.isfinite(out), out, 1.0)


def _kernel_cov(theta: NDArray[np.float64], w: NDArray[np.float64], low: NDArray[np.float64],
                high: NDArray[np.float64]) -> NDArray[np.float64]:
    # Twice the weighted covariance (Beaumont et al. 2009; Filippi et al. 2013), plus a tiny
    # ridge so that a parameter the data pin down completely still gets a proper kernel.
    cov = 2.0 * np.atleast_2d(np.cov(theta.T, aweights=w, ddof=0))
    return cov + np.diag((1e-6 * (high - low)) ** 2)


def _propose(rng: np.random.Generator, theta: NDArray[np.float64], w: NDArray[np.float64],
             cov: NDArray[np.float64], low: NDArray[np.float64], high: NDArray[np.float64],
             m: int) -> NDArray[np.float64]:
    """``m`` draws from the mixture of Gaussian kernels truncated to the box (by rejection)."""
    chol = np.linalg.cholesky(cov)
    parents = rng.choice(len(theta), size=m, p=w)
    out = np.empty((m, theta.shape[1]))
    todo = np.arange(m)
    for _ in range(10_000):
        if len(todo) == 0:
            return out
        cand = theta[parents[todo]] + rng.standard_normal((len(todo), theta.shape[1])) @ chol.T
        ok = np.all((cand >= low) & (cand <= high), axis=1)
        out[todo[ok]] = cand[ok]
        todo = todo[~ok]
    raise RevexportError("calibration: the perturbation kernel keeps leaving the prior box")


def _importance_weights(new: NDArray[np.float64], old: NDArray[np.float64],
                        w_old: NDArray[np.float64], cov: NDArray[np.float64],
                        low: NDArray[np.float64], high: NDArray[np.float64]) -> NDArray[np.float64]:
    """prior / proposal for each new particle (Beaumont et al. 2009, step 2(b)).

    The prior is uniform on the box, so the weight is ``1 / sum_j w_j K(new | old_j)``, where
    ``K`` is the Gaussian kernel truncated to the box: its density divided by the kernel's mass
    inside the box around ``old_j`` (a box probability of a multivariate normal, computed by
    scipy's Genz algorithm with a fixed seed so that weights are reproducible).
    """
    from scipy.stats import multivariate_normal

    mass = np.array([multivariate_normal(mean=o, cov=cov).cdf(high, lower_limit=low, rng=0)
                     for o in old])
    mass = np.clip(mass, 1e-300, 1.0)
    diff = new[:, None, :] - old[None, :, :]
    dens = multivariate_normal(mean=np.zeros(new.shape[1]), cov=cov).pdf(diff)
    dens = np.asarray(dens).reshape(len(new), len(old))
    q = dens @ (w_old / mass)
    w = 1.0 / np.maximum(q, 1e-300)
    out: NDArray[np.float64] = w / w.sum()
    return out


def abc_smc(simulate: Callable[[NDArray[np.float64]], NDArray[np.float64]],
            observed: NDArray[np.float64], low: NDArray[np.float64], high: NDArray[np.float64], *,
            particles: int, generations: int, target_weights: NDArray[np.float64] | None = None,
            scales: NDArray[np.float64] | None = None,
            tolerances: NDArray[np.float64] | None = None, oversample: float = 4.0,
            rng: np.random.Generator | None = None,
            progress: Callable[[int, Generation], None] | None = None) -> SMCResult:
    """Population Monte Carlo ABC with an adaptive tolerance, one batch per generation.

    Parameters
    ----------
    simulate : callable
        Takes an ``(M, d)`` array of parameter sets and returns an ``(M, K)`` array of
        statistics (NaN where one cannot be computed). It is called once per generation with the
        whole batch: a model evaluates the batch side by side.
    observed : (K,) array
        The observed statistics.
    low, high : (d,) arrays
        The uniform prior's box.
    particles : int
        Population size ``N``.
    generations : int
        Number of generations, including generation 0 (rejection from the prior).
    target_weights : (K,) array, optional
        Weight of each statistic in the distance (1 by default).
    scales : (K,) array, optional
        Scale of each statistic; NaN entries (or all, by default) are replaced by the median
        absolute deviation over generation 0 (:func:`prior_scales`).
    tolerances : (K,) array, optional
        Deviation of each statistic from its observed value that costs nothing (0 by default).
    oversample : float
        Proposals per generation as a multiple of ``N``: the batch has ``M = ceil(oversample N)``
        rows and the ``N`` closest are kept: the tolerance is the ``1/oversample`` quantile of
        the batch's distances. Keeping a quarter (the default) rather than a half moves the
        population in few generations; with a noisy model (few replicates a particle) a weak
        selection mostly selects luck.
    rng : numpy Generator
        The sampler's random numbers (the model's own seeds are the caller's).
    progress : callable, optional
        Called with (generation, Generation) after each generation.

    Returns
    -------
    SMCResult

    Notes
    -----
    Beaumont et al. (2009) propose one particle at a time until ``N`` fall within a fixed
    tolerance. Here the tolerance of generation ``t`` is the ``N``-th smallest distance among
    ``M`` proposals (Beaumont et al. 2002; adaptive tolerance after Del Moral et al. 2012), so
    each generation is one batch of known size. Kept particles are weighted by prior over
    proposal density, which corrects for the kernel; the reported acceptance rate is the share of
    the batch within the previous tolerance, the rate the classical algorithm would have had.
    """
    rng = rng or np.random.default_rng()
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    observed = np.asarray(observed, dtype=float)
    k = len(observed)
    tw = np.ones(k) if target_weights is None else np.asarray(target_weights, dtype=float)
    tol = np.zeros(k) if tolerances is None else np.asarray(tolerances, dtype=float)
    if particles < 2:
        raise RevexportError(f"--particles: must be at least 2, got {particles}")
    if generations < 1:
        raise RevexportError(f"--generations: must be at least 1, got {generations}")
    if not oversample >= 1:
        raise RevexportError(f"--oversample: must be at least 1, got {oversample}")
    m = math.ceil(oversample * particles)
    gens: list[Generation] = []

    def run_batch(theta: NDArray[np.float64]) -> NDArray[np.float64]:
        stats = np.asarray(simulate(theta), dtype=float)
        if stats.shape != (len(theta), k):
            raise RevexportError(f"calibration: the model returned statistics of shape "
                                 f"{stats.shape}, expected {(len(theta), k)}")
        return stats

    theta = low + (high - low) * rng.random((m, len(low)))
    stats = run_batch(theta)
    prior_stats = stats
    sc = np.full(k, np.nan) if scales is None else np.asarray(scales, dtype=float).copy()
    sc = np.where(np.isnan(sc), prior_scales(stats), sc)
    prev_eps = math.inf
    w = np.full(m, 1.0 / m)
    for t in range(generations):
        if t > 0:
            old, w_old = gens[-1].theta, gens[-1].weights
            cov = _kernel_cov(old, w_old, low, high)
            theta = _propose(rng, old, w_old, cov, low, high, m)
            stats = run_batch(theta)
        d = distances(stats, observed, tw, sc, tol)
        keep = np.argsort(d, kind="stable")[:particles]
        eps = float(d[keep[-1]])
        if t == 0:
            w = np.full(particles, 1.0 / particles)
        else:
            w = _importance_weights(theta[keep], old, w_old, cov, low, high)
        gen = Generation(theta=theta[keep], weights=w, distances=d[keep], epsilon=eps, proposals=m,
                         acceptance_rate=float(np.mean(d <= prev_eps)),
                         ess=float(1.0 / np.sum(w ** 2)))
        gens.append(gen)
        prev_eps = eps
        if progress is not None:
            progress(t, gen)
    return SMCResult(generations=gens, scales=sc, prior_statistics=prior_stats)


# -- the model: one run_ensemble per generation --------------------------------------------------

@dataclass
class Calibration:
    """A finished calibration and where it is stored."""

    root: Path
    result: SMCResult
    priors: list[Prior]
    targets: dict[str, Target]
    observed: dict[str, float]
    run_ids: list[str]
    posterior: pd.DataFrame
    intervals: pd.DataFrame
    meta: dict[str, Any]


def _model_seeds(seed: int, n: int) -> tuple[np.random.Generator, list[int]]:
    # Two independent streams from the one seed: the sampler's, and one model seed per
    # generation (different generations must not share the model's random numbers).
    sampler, model = np.random.SeedSequence(seed).spawn(2)
    seeds = [int(s) for s in np.random.default_rng(model).integers(0, 2**63 - 1, size=n)]
    return np.random.default_rng(sampler), seeds


def calibrate(
    scenario: Scenario | str = "middle-east-1979",
    doctrine: str | None = None,
    *,
    targets: TargetsFile | str | Path | None = None,
    params: Sequence[str] = ("strike_hazard", "strike_threshold", "coalition_join_threshold",
                             "coalition_join_rate"),
    particles: int = 200,
    generations: int = 4,
    replicates: int = 10,
    seed: int = 0,
    out_dir: Path | str = "runs",
    workers: int | None = None,
    oversample: float = 4.0,
    targets_from: str | None = None,
    parameters: Mapping[str, float] | None = None,
    progress: Callable[[int, Generation], None] | None = None,
) -> Calibration:
    """Calibrate parameters to a targets file by ABC-SMC; store and return the posterior.

    Parameters
    ----------
    scenario : Scenario or str
        The scenario (a built-in name, ``synthetic:N`` or a TOML path).
    doctrine : str, optional
        Doctrine of the exporter; the targets file's, else the scenario's.
    targets : TargetsFile, path or None
        The targets; the built-in file of the scenario by default.
    params : sequence of str
        Parameters to calibrate (uniform priors on their declared ranges); the others keep
        their values (defaults, the scenario's, then ``parameters``).
    particles, generations, replicates : int
        Population size, number of generations, replicates per particle.
    seed : int
        Fixes the sampler and every model run.
    out_dir : path
        The generation runs go to ``out_dir/<run_id>``, the calibration to
        ``out_dir/calibrations/<id>``.
    workers : int, optional
        Worker threads of each run.
    oversample : float
        Proposals per generation over particles (see :func:`abc_smc`).
    targets_from : str, optional
        A stored run (id or unique prefix, under ``out_dir``): the observed values are the
        targets' statistics over its replicates (a twin experiment).
    parameters : mapping, optional
        Fixed overrides of the other parameters.
    progress : callable, optional
        Called after each generation.

    Returns
    -------
    Calibration
    """
    from revexport.experiments.ensemble import Run, run_ensemble
    from revexport.scenario.load import load_scenario
    from revexport.storage import catalog

    sc = load_scenario(scenario) if isinstance(scenario, str) else scenario
    check_seed(seed, "--seed:")
    if replicates < 1:
        raise RevexportError(f"--replicates: must be at least 1, got {replicates}")
    if isinstance(targets, TargetsFile):
        tf = targets
        targets_origin = "(given)"
    else:
        tf = load_targets(targets, sc.name)
        targets_origin = str(targets) if targets is not None else BUILTIN_TARGETS[sc.name]
    doctrine = doctrine or tf.doctrine
    priors = priors_of(list(params))
    names = list(tf.targets)
    observed = {n: t.observed for n, t in tf.targets.items()}
    twin: str | None = None
    if targets_from is not None:
        twin_run = Run.open(catalog.run_path(out_dir, targets_from))
        twin = twin_run.run_id
        stats0 = target_statistics(twin_run.replicates, tf.targets, by=None).iloc[0]
        for n in names:
            if not np.isfinite(stats0[n]):
                raise RevexportError(f"--targets-from {twin}: target '{n}' has no value in that run "
                                     "(the event never happened)")
            observed[n] = float(stats0[n])
    low = np.array([p.low for p in priors])
    high = np.array([p.high for p in priors])
    rng, model_seeds = _model_seeds(seed, generations)
    stamp = datetime.now(UTC)
    calib_id = f"calibration-{stamp:%Y%m%d-%H%M%S}-s{seed}-{uuid.uuid4().hex[:6]}"
    run_ids: list[str] = []

    def simulate(theta: NDArray[np.float64]) -> NDArray[np.float64]:
        g = len(run_ids)
        design = pd.DataFrame(theta, columns=[p.name for p in priors])
        run = run_ensemble(sc, doctrine=doctrine, replicates=replicates, seed=model_seeds[g],
                           out_dir=out_dir, parameters=parameters, design=design, workers=workers,
                           record_movement=False, run_id=f"{calib_id}-g{g}")
        run_ids.append(run.run_id)
        stats = target_statistics(run.replicates, tf.targets).reindex(range(len(theta)))
        return stats[names].to_numpy(dtype=float)

    own_scales = np.array([np.nan if t.scale is None else t.scale for t in tf.targets.values()])
    result = abc_smc(simulate, np.array([observed[n] for n in names]), low, high,
                     particles=particles, generations=generations,
                     target_weights=np.array([t.weight for t in tf.targets.values()]),
                     scales=own_scales,
                     tolerances=np.array([t.tolerance for t in tf.targets.values()]),
                     oversample=oversample, rng=rng, progress=progress)

    frames = []
    for t, gen in enumerate(result.generations):
        f = pd.DataFrame(gen.theta, columns=[p.name for p in priors])
        f["weight"] = gen.weights
        f["generation"] = t
        f["distance"] = gen.distances
        frames.append(f)
    posterior = pd.concat(frames, ignore_index=True)
    final = result.generations[-1]
    intervals = credible_intervals(final.theta, final.weights, priors)
    root = Path(out_dir) / "calibrations" / calib_id
    meta: dict[str, Any] = {
        "calibration_id": calib_id,
        "created": stamp.isoformat(timespec="seconds"),
        "method": "ABC-SMC: population Monte Carlo (Beaumont et al. 2009), adaptive tolerance "
                  "(N closest of M proposals per generation), Gaussian kernel of twice the "
                  "weighted covariance truncated to the prior box",
        "scenario": sc.name,
        "doctrine": doctrine,
        "seed": seed,
        "particles": particles,
        "generations": generations,
        "replicates_per_particle": replicates,
        "proposals_per_generation": final.proposals,
        "oversample": oversample,
        "targets_file": targets_origin,
        "targets_from_run": twin,
        "fixed_parameters": dict(parameters or {}),
        "targets": [
            {"name": n, **t.model_dump(exclude_none=True), "observed": observed[n],
             "observed_in_file": t.observed, "scale_used": float(result.scales[i])}
            for i, (n, t) in enumerate(tf.targets.items())],
        "priors": [{"parameter": p.name, "distribution": "uniform", "low": p.low, "high": p.high,
                    "default": p.default} for p in priors],
        "epsilon": [g.epsilon for g in result.generations],
        "acceptance_rate": [g.acceptance_rate for g in result.generations],
        "ess": [g.ess for g in result.generations],
        "run_ids": run_ids,
        "intervals": intervals.to_dict(orient="records"),
    }
    write_calibration(root, posterior, intervals, meta, priors)
    return Calibration(root=root, result=result, priors=priors, targets=dict(tf.targets),
                       observed=observed, run_ids=run_ids, posterior=posterior,
                       intervals=intervals, meta=meta)


def posterior_medoid(theta: NDArray[np.float64], w: NDArray[np.float64],
                     priors: Sequence[Prior]) -> NDArray[np.float64]:
    """The particle with the least weighted mean distance to the others (the weighted medoid).

    Distances are Euclidean after scaling each parameter by its prior's width. Unlike the
    marginal medians, the medoid is a parameter set of the population itself: when the
    targets fix a combination of parameters and not each one (a ridge, e.g. slow perception
    with a low threshold or fast perception with a high one), the marginal medians can fall
    between the ridges, where the model fits worse than anywhere in the posterior.
    """
    from scipy.spatial.distance import cdist

    width = np.array([p.high - p.low for p in priors])
    z = theta / np.where(width > 0, width, 1.0)
    cost = cdist(z, z) @ w  # each particle's weighted distance to the population
    return np.asarray(theta[int(np.argmin(cost))], dtype=float)


def credible_intervals(theta: NDArray[np.float64], w: NDArray[np.float64],
                       priors: Sequence[Prior]) -> pd.DataFrame:
    """Weighted 5 %, 50 % and 95 % quantiles of each parameter, and the weighted medoid of the
    population (:func:`posterior_medoid`), beside the prior and the default."""
    rows = []
    medoid = posterior_medoid(theta, w, priors)
    for i, p in enumerate(priors):
        q05, q50, q95 = weighted_quantile(theta[:, i], w, INTERVAL)
        rows.append({"parameter": p.name, "q05": float(q05), "q50": float(q50), "q95": float(q95),
                     "medoid": float(medoid[i]), "prior_low": p.low, "prior_high": p.high,
                     "default": p.default})
    return pd.DataFrame(rows)


# -- outputs ----------------------------------------------------------------------------------

def pair_plot(posterior: pd.DataFrame, priors: Sequence[Prior]) -> Any:
    """Pair plot of the final population: weighted histograms on the diagonal, scatter with
    marker area proportional to weight below it; axes span the prior ranges."""
    import matplotlib

    matplotlib.use("Agg")  # files only
    from matplotlib.figure import Figure

    final = posterior[posterior["generation"] == posterior["generation"].max()]
    w = final["weight"].to_numpy()
    d = len(priors)
    fig = Figure(figsize=(2.4 * d + 0.6, 2.4 * d + 0.4), layout="constrained")
    axes = fig.subplots(d, d, squeeze=False)
    for i, pi in enumerate(priors):
        for j, pj in enumerate(priors):
            ax = axes[i, j]
            if j > i:
                ax.set_axis_off()
                continue
            if i == j:
                ax.hist(final[pi.name], bins=20, range=(pi.low, pi.high), weights=w,
                        color="tab:blue", alpha=0.8)
                ax.axvline(pi.default, color="k", lw=0.8, ls="--")
                ax.set_yticks([])
            else:
                ax.scatter(final[pj.name], final[pi.name], s=4 + 400 * w, alpha=0.5, lw=0,
                           color="tab:blue")
                ax.plot([pj.default], [pi.default], "k+", ms=8)
                ax.set_ylim(pi.low, pi.high)
            ax.set_xlim(pj.low, pj.high)
            if i == d - 1:
                ax.set_xlabel(pj.name, fontsize=8)
            if j == 0 and i != j:
                ax.set_ylabel(pi.name, fontsize=8)
            ax.tick_params(labelsize=7)
    fig.suptitle("Posterior (final generation; + and dashed line: defaults)", fontsize=9)
    return fig


def _html_section(meta: Mapping[str, Any], intervals: pd.DataFrame, png: bytes) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(t['name'])}</td><td>{e(t['statistic'])}</td>"
        f"<td>{e(t.get('condition') or t.get('column', ''))}"
        f"{e(' where ' + t['where']) if t.get('where') else ''}</td>"
        f"<td>{t['observed']:.4g}</td><td>{t['weight']:g}</td><td>{t['scale_used']:.3g}</td>"
        f"<td>{e(t['source'])}</td></tr>" for t in meta["targets"])
    ints = "".join(
        f"<tr><td>{e(str(r.parameter))}</td><td>[{r.prior_low:g}, {r.prior_high:g}]</td>"
        f"<td>{r.default:g}</td><td>{r.q05:.4g}</td><td>{r.q50:.4g}</td><td>{r.q95:.4g}</td>"
        f"<td>{r.medoid:.4g}</td></tr>"
        for r in intervals.itertuples())
    sched = "".join(
        f"<tr><td>{g}</td><td>{eps:.4g}</td><td>{acc:.3f}</td><td>{ess:.0f}</td></tr>"
        for g, (eps, acc, ess) in enumerate(zip(meta["epsilon"], meta["acceptance_rate"],
                                                meta["ess"], strict=True)))
    img = base64.b64encode(png).decode("ascii")
    return (
        f'<section class="calibration"><h2>Calibration {e(meta["calibration_id"])}</h2>'
        f'<p>{e(meta["scenario"])}, doctrine {e(str(meta["doctrine"]))}: {meta["particles"]} '
        f'particles, {meta["generations"]} generations of {meta["proposals_per_generation"]} '
        f'proposals, {meta["replicates_per_particle"]} replicates each; seed {meta["seed"]}. '
        f'{e(meta["method"])}.</p>'
        "<h3>Targets</h3><table><tr><th>target</th><th>statistic</th><th>of</th>"
        "<th>observed</th><th>weight</th><th>scale</th><th>source</th></tr>"
        f"{rows}</table>"
        "<h3>Posterior: weighted 5 %, 50 %, 95 % and the weighted medoid</h3><table><tr><th>parameter</th>"
        "<th>prior</th><th>default</th><th>5 %</th><th>50 %</th><th>95 %</th><th>medoid</th></tr>"
        f"{ints}</table>"
        "<h3>Tolerance schedule</h3><table><tr><th>generation</th><th>epsilon</th>"
        "<th>acceptance rate</th><th>ESS</th></tr>"
        f"{sched}</table>"
        f'<img alt="pair plot of the posterior" src="data:image/png;base64,{img}"></section>')


def write_calibration(root: Path, posterior: pd.DataFrame, intervals: pd.DataFrame,
                      meta: Mapping[str, Any], priors: Sequence[Prior]) -> None:
    """Write posterior.parquet, intervals.csv, calibration.json, pairs.png, calibration.html."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        posterior.to_parquet(root / "posterior.parquet", index=False)
        intervals.to_csv(root / "intervals.csv", index=False, float_format="%.6g")
        (root / "calibration.json").write_text(json.dumps(meta, indent=2, default=float) + "\n")
        fig = pair_plot(posterior, priors)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=90, metadata={"Software": None})
        png = buf.getvalue()
        (root / "pairs.png").write_bytes(png)
        section = _html_section(meta, intervals, png)
        (root / "calibration.html").write_text(
            '<!doctype html><html><head><meta charset="utf-8"><title>Calibration</title>'
            "<style>body{font-family:sans-serif;max-width:60em;margin:1em auto}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}"
            f"img{{max-width:100%}}</style></head><body>{section}</body></html>\n")
    except OSError as exc:
        raise RevexportError(f"{root}: cannot write the calibration ({exc.strerror})") from None


# -- posterior predictive -----------------------------------------------------------------------

def read_calibration(path: str | Path) -> tuple[dict[str, Any], pd.DataFrame]:
    """The ``calibration.json`` and ``posterior.parquet`` of a calibration directory."""
    root = Path(path)
    meta_path = root / "calibration.json"
    if not meta_path.is_file():
        raise RevexportError(f"{root}: not a calibration directory (no calibration.json)")
    try:
        meta = json.loads(meta_path.read_text())
        posterior = pd.read_parquet(root / "posterior.parquet")
    except (OSError, ValueError) as exc:
        raise RevexportError(f"{root}: cannot read the calibration ({exc})") from None
    return meta, posterior


def posterior_design(path: str | Path, draws: int, seed: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    """``draws`` parameter sets drawn by weight from a calibration's final population.

    Run them with ``replicates=1``: one posterior draw per replicate, the posterior predictive.
    The draws depend on ``seed`` only (a stream of its own, apart from the model's).
    """
    meta, posterior = read_calibration(path)
    final = posterior[posterior["generation"] == posterior["generation"].max()]
    names = [p["parameter"] for p in meta["priors"]]
    w = final["weight"].to_numpy(dtype=float)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x70057]))
    rows = rng.choice(len(final), size=draws, p=w / w.sum())
    return final[names].iloc[rows].reset_index(drop=True), meta


def posterior_run_design(path: str | Path, draws: int, seed: int, scenario: str,
                         doctrine: str | None, with_design: bool = False
                         ) -> tuple[pd.DataFrame, str | None]:
    """What ``revexport run --posterior`` runs: the design of :func:`posterior_design` and the
    doctrine (the calibration's unless another is named).

    Raises
    ------
    RevexportError
        Also given a design; or the calibration was made on another scenario (its posterior
        says nothing about this one).
    """
    if with_design:
        raise RevexportError("--posterior: give either --posterior or --design, not both")
    design, meta = posterior_design(path, draws, seed)
    if meta["scenario"] != scenario:
        raise RevexportError(f"--posterior: {Path(path).name} calibrates scenario "
                             f"'{meta['scenario']}', not '{scenario}'; name that scenario")
    return design, doctrine or meta.get("doctrine")
