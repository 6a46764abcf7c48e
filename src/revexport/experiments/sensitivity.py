"""Global sensitivity analysis with SALib: Sobol' indices or Morris elementary effects.

The SALib problem comes from :mod:`revexport.params`: each analysed parameter varies over its
declared range. The whole sample is one design (:mod:`revexport.experiments.design`) run by a
single :func:`~revexport.experiments.ensemble.run_ensemble` call, ``R`` replicates per sample
point, so the engine sees whole batches, never one model call per point. The response of a point
is the mean of an outcome over its replicates; the hindcast checks (first strike within 24
months, the six Gulf monarchies' coalition within 36 months, no aligned regime at the end) enter as the share
of replicates that meet them (:func:`revexport.experiments.hindcast.pattern_checks`).

Choices stated once:

* Integer parameters (``stalemate_months``, ``new_exporter_slots``) are sampled over their
  declared range like the others and rounded to the nearest whole number before the run. The
  analysis sees the unrounded sample (Morris needs the exact steps of its trajectories).
* Sobol' needs ``N`` to be a power of two (the balance properties of the Sobol' sequence);
  any other ``N`` is an error, never silently rounded.
* SALib is seeded with ``seed mod 2**32`` (the range NumPy's legacy seeding accepts).
"""

from __future__ import annotations

import base64
import difflib
import html
import io
import json
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from revexport.errors import RevexportError, check_seed
from revexport.experiments.ensemble import MAX_REPLICATES, Run, run_ensemble
from revexport.experiments.hindcast import pattern_checks
from revexport.outcomes.definitions import checks, direction_outcomes, replicate_outcomes
from revexport.params import Parameters
from revexport.scenario.load import load_scenario
from revexport.scenario.schema import Scenario

METHODS = ("sobol", "morris")
#: The hindcast checks, analysed as 0/1 per replicate.
CHECKS: tuple[str, ...] = tuple(o.name for o in checks())
#: The checks and the outcomes of the hindcast's fourth check.
DEFAULT_OUTCOMES: tuple[str, ...] = (*CHECKS, *(o.name for o in direction_outcomes()))
#: Numeric per-replicate outcomes of :func:`revexport.outcomes.summary.replicate_summary`.
#: Outcomes measured in steps (``*_step``, ``first_war_length``) are NaN in a replicate where the
#: event never happens; a point's mean is over the replicates where it did.
REPLICATE_OUTCOMES: tuple[str, ...] = tuple(o.name for o in replicate_outcomes(numeric=True))
OUTCOMES: tuple[str, ...] = (*CHECKS, *REPLICATE_OUTCOMES)
#: Index columns of the table, by method (SALib's names).
INDEX_COLUMNS: dict[str, tuple[str, ...]] = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu_star", "mu_star_conf", "sigma"),
}
#: The column that ranks parameters, by method.
RANK_BY = {"sobol": "ST", "morris": "mu_star"}
MORRIS_LEVELS = 4
MIN_PARAMETERS = 2
#: Bootstrap resamples and confidence level of SALib's intervals.
NUM_RESAMPLES = 100
CONF_LEVEL = 0.95


@dataclass
class Sensitivity:
    """A sensitivity analysis: its sample, responses, indices and files.

    Attributes
    ----------
    method : str
        ``sobol`` or ``morris``.
    problem : dict
        The SALib problem (``num_vars``, ``names``, ``bounds``).
    sample : ndarray
        (points, parameters) sample as drawn (before rounding integer parameters).
    responses : DataFrame
        One row per sample point, one column per outcome: its mean over the point's replicates.
    indices : DataFrame
        parameter, outcome and the method's indices (:data:`INDEX_COLUMNS`).
    run : Run
        The design run that evaluated the sample.
    manifest : dict
        What ``sensitivity.json`` holds.
    paths : dict of str to Path
        ``indices``, ``figure``, ``html``, ``manifest``.
    """

    method: str
    problem: dict[str, Any]
    sample: NDArray[np.float64]
    responses: pd.DataFrame
    indices: pd.DataFrame
    run: Run
    manifest: dict[str, Any]
    paths: dict[str, Path]


def _close(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def _names(text: str | Sequence[str], known: Sequence[str], what: str, option: str) -> list[str]:
    """Names from ``a,b,c`` (or a sequence), checked against ``known``; ``all`` means all."""
    items = [s.strip() for s in text.split(",")] if isinstance(text, str) else [str(s) for s in text]
    if items == ["all"]:
        return list(known)
    if not items or any(not s for s in items):
        raise RevexportError(f"{option}: give {what} names separated by commas, got {text!r}")
    for name in items:
        if name not in known:
            raise RevexportError(f"{option}: unknown {what} '{name}'{_close(name, known)}")
    dup = sorted({n for n in items if items.count(n) > 1})
    if dup:
        raise RevexportError(f"{option}: {what} '{dup[0]}' given twice")
    return items


def problem_of(params: str | Sequence[str] = "all") -> dict[str, Any]:
    """The SALib problem of some parameters: their names and declared ranges.

    Parameters
    ----------
    params : str or sequence of str
        ``all``, ``a,b,c`` or a list of parameter names.

    Raises
    ------
    RevexportError
        An unknown name (with close matches), a name given twice, fewer than two parameters.
    """
    specs = {s.name: s for s in Parameters.specs()}
    names = _names(params, list(specs), "parameter", "--params")
    if len(names) < MIN_PARAMETERS:
        raise RevexportError(f"--params: a sensitivity analysis needs at least {MIN_PARAMETERS} "
                             f"parameters, got {len(names)}")
    return {"num_vars": len(names), "names": names,
            "bounds": [[specs[n].low, specs[n].high] for n in names]}


def outcomes_of(outcomes: str | Sequence[str] | None = None) -> list[str]:
    """The analysed outcomes: the defaults, or names checked against :data:`OUTCOMES`."""
    if outcomes is None:
        return list(DEFAULT_OUTCOMES)
    return _names(outcomes, OUTCOMES, "outcome", "--outcomes")


def check_size(method: str, n: int, num_vars: int, replicates: int) -> int:
    """Check ``N`` and ``R``; return the number of sample points.

    Sobol' (first and total order): ``N (D + 2)`` points, ``N`` a power of two. Morris:
    ``N (D + 1)`` points (``N`` trajectories).
    """
    if method not in METHODS:
        raise RevexportError(f"--method: must be one of {', '.join(METHODS)}, got '{method}'")
    if method == "sobol":
        if n < 2 or n & (n - 1):
            lo = 2 ** max(1, int(math.log2(max(n, 1))))
            near = f"{lo} or {2 * lo}" if n > 2 else "2, 4, 8, ..."
            raise RevexportError(f"-n: Sobol' sampling needs N to be a power of two (the sequence "
                                 f"loses its balance otherwise), got {n}; try {near}")
        points = n * (num_vars + 2)
    else:
        if n < 2:
            raise RevexportError(f"-n: Morris needs at least 2 trajectories, got {n}")
        points = n * (num_vars + 1)
    if replicates < 1:
        raise RevexportError(f"-r: replicates per point must be at least 1, got {replicates}")
    if points * replicates > MAX_REPLICATES:
        raise RevexportError(f"-n/-r: {points} points x {replicates} replicates exceed "
                             f"{MAX_REPLICATES} replicates")
    return points


def draw_sample(problem: Mapping[str, Any], method: str, n: int,
                seed: int) -> tuple[NDArray[np.float64], pd.DataFrame]:
    """Draw the SALib sample and the design that runs it.

    Returns
    -------
    sample : ndarray
        (points, parameters), as SALib drew it.
    design : DataFrame
        The same points, one column per parameter, integer parameters rounded and kept within
        their range.
    """
    from SALib.sample import morris as morris_sample  # type: ignore[import-untyped]
    from SALib.sample import sobol as sobol_sample

    check_size(method, n, int(problem["num_vars"]), 1)
    salib_seed = seed % 2**32
    if method == "sobol":
        x = sobol_sample.sample(dict(problem), n, calc_second_order=False, seed=salib_seed)
    else:
        x = morris_sample.sample(dict(problem), n, num_levels=MORRIS_LEVELS, seed=salib_seed)
    sample = np.asarray(x, dtype=np.float64)
    design = pd.DataFrame(sample, columns=list(problem["names"]))
    for name, (low, high) in zip(problem["names"], problem["bounds"], strict=True):
        if Parameters.spec(name).integer:
            design[name] = np.clip(np.rint(design[name]), low, high)
        else:
            # Sobol' points can touch the upper bound within rounding; the design checks ranges.
            design[name] = design[name].clip(low, high)
    return sample, design


def point_responses(replicates: pd.DataFrame, outcomes: Sequence[str], points: int) -> pd.DataFrame:
    """Mean of each outcome over the replicates of each design row (checks as 0/1).

    Raises
    ------
    RevexportError
        An outcome that is not a column of ``replicates`` (nor a check).
    """
    frame = replicates.copy()
    checks = pattern_checks(frame)
    for name in CHECKS:
        frame[name] = checks[name].astype(float)
    for name in outcomes:
        if name not in frame.columns:
            raise RevexportError(f"outcome '{name}': not a per-replicate column of the run"
                                 f"{_close(name, list(frame.columns))}")
    values = frame[list(outcomes)].astype(float)
    means = values.groupby(frame["design_row"].to_numpy()).mean()
    return means.reindex(pd.RangeIndex(points)).reset_index(drop=True)


def analyse(problem: Mapping[str, Any], sample: NDArray[np.float64],
            responses: Mapping[str, NDArray[np.float64]] | pd.DataFrame, method: str = "sobol",
            seed: int = 0) -> pd.DataFrame:
    """Sensitivity indices of each response, as one tidy table.

    Parameters
    ----------
    problem : dict
        The SALib problem.
    sample : ndarray
        (points, parameters) sample SALib drew for ``method`` (Morris reads it; Sobol' only
        needs its order).
    responses : mapping of str to ndarray, or DataFrame
        One response vector of length ``points`` per outcome.
    method : str
        ``sobol`` (first and total order, no second order) or ``morris``.
    seed : int
        Seed of SALib's bootstrap of the confidence intervals.

    Returns
    -------
    DataFrame
        parameter, outcome and SALib's indices (:data:`INDEX_COLUMNS`). An outcome that does
        not vary over the sample, or is undefined at some point, gets NaN indices.
    """
    from SALib.analyze import morris as morris_analyze  # type: ignore[import-untyped]
    from SALib.analyze import sobol as sobol_analyze

    if method not in METHODS:
        raise RevexportError(f"method must be one of {', '.join(METHODS)}, got '{method}'")
    names = list(problem["names"])
    columns = INDEX_COLUMNS[method]
    frames = []
    for outcome, y in responses.items():
        y = np.asarray(y, dtype=np.float64)
        if len(y) != len(sample):
            raise RevexportError(f"outcome '{outcome}': {len(y)} responses for {len(sample)} "
                                 "sample points")
        result: dict[str, Any]
        if not np.all(np.isfinite(y)) or np.ptp(y) == 0:
            # No variance to decompose (or none defined): SALib would divide by zero.
            result = {c: np.full(len(names), np.nan) for c in columns}
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                if method == "sobol":
                    result = sobol_analyze.analyze(
                        dict(problem), y, calc_second_order=False, num_resamples=NUM_RESAMPLES,
                        conf_level=CONF_LEVEL, seed=seed % 2**32)
                else:
                    result = morris_analyze.analyze(
                        dict(problem), sample, y, num_resamples=NUM_RESAMPLES,
                        conf_level=CONF_LEVEL, num_levels=MORRIS_LEVELS, seed=seed % 2**32)
        frame = pd.DataFrame({"parameter": names, "outcome": str(outcome)})
        for c in columns:
            frame[c] = np.asarray(result[c], dtype=np.float64)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def top_parameters(indices: pd.DataFrame, method: str, k: int = 10) -> pd.DataFrame:
    """The ``k`` most influential parameters of each outcome (by ST, or by mu*), in order."""
    key = RANK_BY[method]
    ranked = indices.sort_values(["outcome", key], ascending=[True, False], na_position="last",
                                 kind="stable")
    order = {name: i for i, name in enumerate(dict.fromkeys(indices["outcome"]))}
    top = ranked.groupby("outcome", sort=False).head(k)
    top = top.assign(_o=top["outcome"].map(order)).sort_values("_o", kind="stable")
    return top.drop(columns="_o").reset_index(drop=True)


def figure_png(indices: pd.DataFrame, method: str, k: int = 10) -> bytes:
    """Bars of the top ``k`` parameters per outcome: ST and S1 (Sobol') or mu* and sigma."""
    from matplotlib.figure import Figure  # the Agg canvas of a bare Figure: files only

    top = top_parameters(indices, method, k)
    outcomes = list(dict.fromkeys(top["outcome"]))
    ncols = min(3, max(1, len(outcomes)))
    nrows = math.ceil(len(outcomes) / ncols)
    fig = Figure(figsize=(5.2 * ncols, 0.32 * k * nrows + 1.2 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    a, b = ("ST", "S1") if method == "sobol" else ("mu_star", "sigma")
    labels = {"ST": "total order ST", "S1": "first order S1", "mu_star": "mu*", "sigma": "sigma"}
    for ax, outcome in zip(axes.ravel(), outcomes, strict=False):
        rows = top[top["outcome"] == outcome].iloc[::-1]
        pos = np.arange(len(rows))
        ax.barh(pos + 0.2, rows[a].fillna(0), height=0.4, color="#1f5f8b", label=labels[a])
        ax.barh(pos - 0.2, rows[b].fillna(0), height=0.4, color="#e0a030", label=labels[b])
        if method == "sobol":
            ax.errorbar(rows[a].fillna(0), pos + 0.2, xerr=rows["ST_conf"].fillna(0), fmt="none",
                        ecolor="black", lw=0.8)
        ax.set_yticks(pos, list(rows["parameter"]), fontsize=7)
        if rows[a].isna().all():
            ax.text(0.5, 0.5, "no indices: constant or undefined over the sample", fontsize=8,
                    ha="center", transform=ax.transAxes)
        ax.set_title(outcome, fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
    for ax in axes.ravel()[len(outcomes):]:
        ax.set_visible(False)
    axes.ravel()[0].legend(fontsize=7, loc="lower right")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return buf.getvalue()


def html_section(indices: pd.DataFrame, manifest: Mapping[str, Any], png: bytes, k: int = 10) -> str:
    """A self-contained HTML page holding one section: the settings, the figure, the top table."""
    method = str(manifest["method"])
    top = top_parameters(indices, method, k)
    cols = ["outcome", "parameter", *INDEX_COLUMNS[method]]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = []
    for row in top[cols].itertuples(index=False):
        cells = [f"<td>{html.escape(str(v))}</td>" if isinstance(v, str)
                 else f"<td style='text-align:right'>{v:.3f}</td>" for v in row]
        body.append(f"<tr>{''.join(cells)}</tr>")
    label = "Sobol' indices" if method == "sobol" else "Morris elementary effects"
    what = ("ST: total-order index (bars), S1: first-order index; 95 % bootstrap intervals"
            if method == "sobol" else "mu*: mean absolute elementary effect, sigma: its s.d.")
    encoded = base64.b64encode(png).decode("ascii")
    settings = (f"scenario {manifest['scenario']}, doctrine {manifest['doctrine']}, "
                f"{manifest['num_vars']} parameters, N = {manifest['N']}, "
                f"{manifest['points']} points x {manifest['replicates_per_point']} replicates, "
                f"seed {manifest['seed']}, run {manifest['run_id']}")
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>Sensitivity: {html.escape(label)}</title></head><body>\n"
        "<section class='sensitivity' style='font-family:sans-serif;max-width:1100px'>\n"
        f"<h2>Global sensitivity: {html.escape(label)}</h2>\n"
        f"<p>{html.escape(settings)}.</p>\n<p>{html.escape(what)}. Checks are shares of "
        "replicates meeting them; other outcomes are means over a point's replicates.</p>\n"
        f"<figure><img alt='sensitivity indices' style='max-width:100%' "
        f"src='data:image/png;base64,{encoded}'></figure>\n"
        f"<table style='border-collapse:collapse;font-size:12px'><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>\n</section>\n</body></html>\n")


def run_sensitivity(
    scenario: Scenario | str = "middle-east-1979",
    doctrine: str | None = None,
    method: str = "sobol",
    params: str | Sequence[str] = "all",
    n: int = 64,
    replicates: int = 10,
    seed: int = 0,
    out_dir: Path | str = "runs",
    outcomes: str | Sequence[str] | None = None,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Sensitivity:
    """Sample parameters, run the sample as one design, analyse and write the results.

    Parameters
    ----------
    scenario : Scenario or str
        A scenario or a name for :func:`revexport.scenario.load_scenario`.
    doctrine : str, optional
        Doctrine of the exporter; the scenario's by default.
    method : str
        ``sobol`` (``N (D + 2)`` points, ``N`` a power of two) or ``morris`` (``N``
        trajectories of ``D + 1`` points, 4 levels).
    params : str or sequence of str
        ``all`` or the names of the parameters to vary (at least two).
    n : int
        SALib's ``N``.
    replicates : int
        Replicates per sample point.
    seed : int
        Seed of the sample, the run and the bootstrap.
    out_dir : path
        The design run goes to ``out_dir/<run_id>``, the analysis to
        ``out_dir/sensitivity/<run_id>/``.
    outcomes : str or sequence of str, optional
        Outcomes to analyse (:data:`OUTCOMES`); :data:`DEFAULT_OUTCOMES` by default.
    workers : int, optional
        Worker processes of the run.
    progress : callable, optional
        Called with the number of replicates finished.

    Returns
    -------
    Sensitivity
    """
    check_seed(seed)
    problem = problem_of(params)
    names = outcomes_of(outcomes)
    points = check_size(method, n, problem["num_vars"], replicates)
    sample, design = draw_sample(problem, method, n, seed)
    sc = load_scenario(scenario) if isinstance(scenario, str) else scenario
    run = run_ensemble(sc, doctrine=doctrine, replicates=replicates, seed=seed,
                       out_dir=out_dir, design=design, workers=workers, record_movement=False,
                       progress=progress)
    responses = point_responses(run.replicates, names, points)
    indices = analyse(problem, sample, responses, method, seed)
    undefined = [c for c in names if not np.all(np.isfinite(responses[c])) or np.ptp(responses[c]) == 0]
    manifest: dict[str, Any] = {
        "method": method,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "scenario": run.manifest["scenario"],
        "doctrine": run.manifest["doctrine"],
        "params": problem["names"],
        "bounds": problem["bounds"],
        "integer_params_rounded": [p for p in problem["names"] if Parameters.spec(p).integer],
        "num_vars": problem["num_vars"],
        "N": n,
        "points": points,
        "replicates_per_point": replicates,
        "replicates": points * replicates,
        "seed": seed,
        "block_size": run.manifest["block_size"],
        "salib_seed": seed % 2**32,
        "calc_second_order": False if method == "sobol" else None,
        "num_levels": MORRIS_LEVELS if method == "morris" else None,
        "num_resamples": NUM_RESAMPLES,
        "conf_level": CONF_LEVEL,
        "outcomes": names,
        "outcomes_without_indices": undefined,
        "run_id": run.run_id,
        "run_path": str(run.root),
        "run_wall_time_s": run.manifest.get("wall_time_s"),
    }
    paths = write_results(Path(out_dir) / "sensitivity" / run.run_id, indices, manifest)
    return Sensitivity(method=method, problem=problem, sample=sample, responses=responses,
                       indices=indices, run=run, manifest=manifest, paths=paths)


def write_results(out: Path, indices: pd.DataFrame, manifest: Mapping[str, Any]) -> dict[str, Path]:
    """Write ``indices.parquet``, ``sensitivity.png``, ``sensitivity.html`` and ``sensitivity.json``."""
    paths = {"indices": out / "indices.parquet", "figure": out / "sensitivity.png",
             "html": out / "sensitivity.html", "manifest": out / "sensitivity.json"}
    try:
        out.mkdir(parents=True, exist_ok=True)
        indices.to_parquet(paths["indices"], index=False)
        png = figure_png(indices, str(manifest["method"]))
        paths["figure"].write_bytes(png)
        paths["html"].write_text(html_section(indices, manifest, png), encoding="utf-8")
        paths["manifest"].write_text(json.dumps(dict(manifest), indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise RevexportError(f"{out}: cannot write the sensitivity results ({exc.strerror})") from None
    return paths
