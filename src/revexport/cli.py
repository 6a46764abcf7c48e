"""Command line: ``revexport run | calibrate | scenarios | doctrines | params`` and more.

Every user error is printed as one line (``error: ...``) with exit status 2;
no traceback.
"""

from __future__ import annotations

import gc
import math
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from revexport import errors
from revexport.errors import RevexportError
from revexport.outcomes.definitions import direction_outcomes

app = typer.Typer(
    add_completion=False,
    no_args_is_help=False,
    help="Agent-based model of the policy of exporting the Islamic Revolution of 1979.",
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help texts hold brackets ([doctrines.NAME]) that are not markup
)
# Outside a terminal (pipes, logs, CI) keep tables on one line per row. Markup and emoji codes
# are off: names, paths and messages come from the user and are printed as they are.
console = Console(width=None if sys.stdout.isatty() else 120, markup=False, emoji=False)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 200, markup=False,
                      emoji=False)
R = TypeVar("R")

# Options several commands share, declared once.
ScenarioArg = Annotated[str, typer.Argument(
    help="built-in scenario name, synthetic:N, or a scenario TOML file")]
DoctrineOpt = Annotated[str | None, typer.Option(
    "--doctrine", "-d", help="doctrine of the exporter (default: the scenario's)")]
SeedOpt = Annotated[int, typer.Option("--seed", "-s", help="random seed")]
WorkersOpt = Annotated[int | None, typer.Option(
    "--workers", "-w", help="blocks run at once (default: one per core)")]
BlockSizeOpt = Annotated[int | None, typer.Option(
    help="replicates per block (fixes the random streams); default: 1,000, or half the run's "
    "replicates if that is fewer, or fewer in a large world")]


def guarded(fn: Callable[..., R]) -> Callable[..., R]:
    """Turn RevexportError (and interrupts) into one line on stderr and exit code 2."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> R:
        try:
            return fn(*args, **kwargs)
        except RevexportError as exc:
            # Control characters from user input are shown escaped, never sent to the terminal.
            text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(exc))
            err_console.print(Text.assemble(("error:", "bold red"), f" {text}"), highlight=False,
                              soft_wrap=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt as exc:
            # Exiting now: a further Ctrl-C must not cut the exit short (or kill it by signal).
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            # A run says what it kept and how to resume; other commands have nothing to keep.
            err_console.print(f"interrupted: {exc or 'finished blocks are kept on disk'}",
                              highlight=False, soft_wrap=True)
            raise typer.Exit(130) from None

    return wrapper


def print_summary(table_df: Any, title: str) -> None:
    """Print an ensemble summary table (mean, 90 % interval of the mean, 5-95 % range)."""
    t = Table(title=title, title_justify="left")
    t.add_column("outcome", no_wrap=True)
    t.add_column("mean", justify="right")
    t.add_column("90% CI of mean", justify="right")
    t.add_column("5%-95% of replicates", justify="right")
    t.add_column("n", justify="right")
    for label, row in table_df.iterrows():
        t.add_row(str(label), f"{row['mean']:.3g}", f"[{row['mean_lo']:.3g}, {row['mean_hi']:.3g}]",
                  f"[{row['lo']:.3g}, {row['hi']:.3g}]", str(int(row["n"])))
    console.print(t)


def load_engine() -> None:
    """Import the engine, saying once on the terminal if this machine must compile it first
    (it is then cached on disk), and freeze what the imports made.

    The package is imported lazily, so a command that runs no model starts at once; a command
    that does calls this first. What the engine's imports made (Numba, pandas, Arrow) lives
    until exit: frozen, the garbage collector stops scanning it in every full collection.
    """
    from revexport.compiled import is_cached
    from revexport.engine.step import run_steps

    if not is_cached(run_steps):
        err_console.print("compiling the engine for this machine (once; cached on disk) ...",
                          highlight=False, markup=False)
    gc.freeze()


def replicates_progress(total: int, label: str) -> tuple[Progress, Callable[[int], None]]:
    """A Rich progress bar over replicates, and the callback that advances it."""
    progress = Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err_console, transient=True, disable=not err_console.is_terminal,
    )
    task = progress.add_task(label, total=total)
    return progress, lambda done: progress.update(task, completed=done)


def check_seed(seed: int) -> None:
    """Refuse a seed outside [0, 2**63 - 1] before anything is run or written."""
    errors.check_seed(seed, "--seed:")


def parse_set(values: list[str] | None) -> dict[str, float]:
    """``--set name=value`` pairs as a dict (values checked later against their ranges)."""
    out: dict[str, float] = {}
    for item in values or []:
        name, sep, value = item.partition("=")
        if not sep:
            raise RevexportError(f"--set: write name=value, got '{item}'")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise RevexportError(f"--set {name}: must be a number, got '{value}'") from None
    return out


@app.command()
@guarded
def run(
    scenario: ScenarioArg = "middle-east-1979",
    doctrine: DoctrineOpt = None,
    replicates: Annotated[int, typer.Option("--replicates", "-r", help="stochastic replicates")
                          ] = 1000,
    seed: SeedOpt = 0,
    out: Annotated[Path, typer.Option("--out", "-o", help="directory for run outputs")
                   ] = Path("runs"),
    workers: WorkersOpt = None,
    block_size: BlockSizeOpt = None,
    article154: Annotated[bool | None, typer.Option(
        "--article154/--no-article154", help="run under the Article 154 switch")] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="override a parameter, name=value (repeatable)")] = None,
    design: Annotated[Path | None, typer.Option(
        help="CSV of parameter sets (a header of parameter names, one set a row); each row "
             "runs --replicates replicates")] = None,
    doctrine_file: Annotated[Path | None, typer.Option(
        help="TOML file with [doctrines.NAME] tables to register")] = None,
    movement: Annotated[bool, typer.Option(
        "--movement/--no-movement", help="store movement strength by state")] = True,
    posterior: Annotated[Path | None, typer.Option(
        help="calibration directory: each replicate runs its own draw from the posterior "
             "(the posterior predictive)")] = None,
) -> None:
    """Run an ensemble, print a summary table and write Parquet files and a manifest."""
    from revexport.doctrines.parametric import load_doctrine_file
    from revexport.experiments.design import read_design
    from revexport.experiments.ensemble import run_ensemble
    from revexport.scenario.load import load_scenario

    check_seed(seed)
    if doctrine_file is not None:
        load_doctrine_file(str(doctrine_file))
    sc = load_scenario(scenario)
    table = read_design(design) if design is not None else None
    if posterior is not None:
        from revexport.experiments.calibration import posterior_run_design

        # replicates draws from the posterior by weight, one replicate each.
        table, doctrine = posterior_run_design(posterior, replicates, seed, sc.name, doctrine,
                                               with_design=design is not None)
        replicates = 1
    if doctrine is not None:
        from revexport.doctrines.parametric import resolve_doctrine

        resolve_doctrine(doctrine, sc.doctrines)
    total = replicates * (len(table) if table is not None else 1)
    load_engine()
    progress, advance = replicates_progress(total, "replicates")
    with progress:
        result = run_ensemble(sc, doctrine=doctrine, replicates=replicates, seed=seed,
                              out_dir=out, parameters=parse_set(set_), design=table,
                              article154=article154, block_size=block_size, workers=workers,
                              record_movement=movement, progress=advance)
    m = result.manifest
    rows = f"{len(table)} parameter sets x " if table is not None else ""
    rows = f"{len(table)} posterior draws x " if posterior is not None and table is not None else rows
    print_summary(result.summary(), f"{m['scenario']} | doctrine {m['doctrine']} | "
                  f"{rows}{replicates} replicates | seed {seed} | {m['wall_time_s']:.2f} s")
    console.print(f"wrote {result.root}", highlight=False)


@app.command()
@guarded
def sweep(
    design: Annotated[Path, typer.Argument(
        help="CSV of parameter sets (a header of parameter names, one set a row)")],
    scenario: ScenarioArg = "middle-east-1979",
    doctrine: DoctrineOpt = None,
    replicates: Annotated[int, typer.Option(
        "--replicates", "-r", help="stochastic replicates per parameter set")] = 100,
    seed: SeedOpt = 0,
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="directory for run outputs (shared by every worker)")] = Path("runs"),
    scheduler: Annotated[str | None, typer.Option(
        help="address of a running Dask scheduler, tcp://HOST:8786 (default: a local cluster)")
    ] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", "-w", help="worker processes of the local cluster (default: one per core)")
    ] = None,
    block_size: BlockSizeOpt = None,
) -> None:
    """Run a design as blocks on a Dask cluster: the same run, files and results as ``run``."""
    from revexport.experiments.design import read_design
    from revexport.experiments.sweep import sweep as run_sweep
    from revexport.scenario.load import load_scenario

    check_seed(seed)
    table = read_design(design)
    sc = load_scenario(scenario)
    if doctrine is not None:
        from revexport.doctrines.parametric import resolve_doctrine

        resolve_doctrine(doctrine, sc.doctrines)
    load_engine()
    progress, advance = replicates_progress(replicates * len(table), "replicates")
    with progress:
        result = run_sweep(table, sc, doctrine=doctrine, replicates=replicates, seed=seed,
                           out_dir=out, scheduler=scheduler, workers=workers,
                           block_size=block_size, progress=advance)
    m = result.manifest
    print_summary(result.summary(), f"{m['scenario']} | doctrine {m['doctrine']} | {len(table)} "
                  f"parameter sets x {replicates} replicates | seed {seed} | Dask {m['scheduler']}, "
                  f"{m['workers']} workers | {m['wall_time_s']:.2f} s")
    console.print(f"wrote {result.root}", highlight=False)


@app.command()
@guarded
def scenarios() -> None:
    """List the built-in scenarios, one line each."""
    from revexport.scenario.load import builtin_names, load_scenario

    for name in builtin_names():
        sc = load_scenario(name)
        console.print(f"{name:<18} {len(sc.states):>5} states  {sc.start}..{sc.end}  "
                      f"{sc.description}", highlight=False, soft_wrap=True)
    console.print(f"{'synthetic:N[:SEED]':<18}     N states  synthetic planar world of any size",
                  highlight=False)


@app.command()
@guarded
def doctrines() -> None:
    """List the registered doctrines, one line each."""
    from revexport.doctrines.registry import doctrine_names, get_doctrine

    for name in doctrine_names():
        console.print(f"{name:<15} {get_doctrine(name).summary}", highlight=False, soft_wrap=True)


@app.command()
@guarded
def params(
    markdown: Annotated[bool, typer.Option(help="print a Markdown table")] = False,
) -> None:
    """List every model parameter with its default, range and source."""
    from revexport.params import Parameters

    if markdown:
        console.print(parameter_markdown(), highlight=False, soft_wrap=True)
        return
    t = Table()
    for c in ("name", "default", "range", "source"):
        t.add_column(c)
    for s in Parameters.specs():
        t.add_row(s.name, f"{s.default:g}", f"[{s.low:g}, {s.high:g}]", s.source)
    console.print(t)


@app.command()
@guarded
def export_scenario(
    scenario: Annotated[str, typer.Argument(help="built-in scenario name or synthetic:N")],
    output: Annotated[Path, typer.Argument(help="TOML file to write")],
) -> None:
    """Write a scenario as an editable TOML file."""
    from revexport.scenario.load import load_scenario, scenario_to_toml

    text = scenario_to_toml(load_scenario(scenario))
    try:
        output.write_text(text)
    except OSError as exc:
        raise RevexportError(f"{output}: cannot write ({exc.strerror})") from None
    console.print(f"wrote {output}", highlight=False)


def _doctrine_list(text: str | None, scenario_doctrines: Any = None) -> list[str]:
    from revexport.doctrines.parametric import resolve_doctrine
    from revexport.doctrines.registry import doctrine_names

    if not text:
        return [n for n in doctrine_names() if n != "factional"] + ["factional"]
    names = list(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    if len(names) < 2:
        raise RevexportError("--doctrines: give at least two distinct doctrines separated by commas, "
                             f"e.g. nationalist,militant; got {text!r}")
    for n in names:
        resolve_doctrine(n, scenario_doctrines or {})
    return names


def _report_name(run_ids: list[str]) -> str:
    import hashlib

    return "report-" + hashlib.sha256("+".join(sorted(run_ids)).encode()).hexdigest()[:10]


def print_comparison(outcomes: Any, differences: Any, baseline: str) -> None:
    """Print the per-doctrine table and the differences from the baseline doctrine."""
    doctrines = list(dict.fromkeys(outcomes["doctrine"]))
    t = Table(title="Outcomes: mean [90% interval of the mean]", title_justify="left")
    t.add_column("outcome", no_wrap=True)
    for d in doctrines:
        t.add_column(d, justify="right")
    for label in dict.fromkeys(outcomes["label"]):
        rows = outcomes[outcomes["label"] == label].set_index("doctrine")
        t.add_row(str(label), *[f"{rows.loc[d, 'mean']:.3g} [{rows.loc[d, 'mean_lo']:.3g}, "
                                f"{rows.loc[d, 'mean_hi']:.3g}]" for d in doctrines])
    console.print(t)
    diffs = differences[differences["a"] == baseline]
    if len(diffs) == 0:
        return
    t = Table(title=f"Differences from {baseline}: {baseline} - other, mean [90% interval], p",
              title_justify="left")
    t.add_column("outcome", no_wrap=True)
    others = list(dict.fromkeys(diffs["b"]))
    for d in others:
        t.add_column(d, justify="right")
    for label in dict.fromkeys(diffs["label"]):
        rows = diffs[diffs["label"] == label].set_index("b")
        t.add_row(str(label), *[f"{rows.loc[d, 'diff']:.3g} [{rows.loc[d, 'diff_lo']:.3g}, "
                                f"{rows.loc[d, 'diff_hi']:.3g}] {_p_text(rows.loc[d, 'p_value'])}"
                                for d in others])
    console.print(t)


@app.command()
@guarded
def compare(
    scenario: Annotated[str, typer.Argument(help="built-in scenario, synthetic:N or a TOML file")
                        ] = "middle-east-1979",
    doctrines: Annotated[str | None, typer.Option(
        "--doctrines", "-d", help="comma-separated doctrines (default: all built-in)")] = None,
    replicates: Annotated[int, typer.Option("--replicates", "-r")] = 1000,
    seed: SeedOpt = 0,
    out: Annotated[Path, typer.Option("--out", "-o", help="directory for runs and reports")
                   ] = Path("runs"),
    workers: WorkersOpt = None,
    map_dates: Annotated[str | None, typer.Option(
        help="comma-separated months YYYY-MM for the maps, within the runs' span "
             "(default: 1980-09,1984-12,1990-12, those within the span)")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="override a parameter, name=value")
                    ] = None,
) -> None:
    """Run every doctrine with common random numbers, print the comparison, write a report."""
    from revexport.experiments.compare import compare as run_compare
    from revexport.experiments.compare import parse_map_dates
    from revexport.report import build_report
    from revexport.scenario.load import load_scenario

    check_seed(seed)
    sc = load_scenario(scenario)
    names = _doctrine_list(doctrines, sc.doctrines)
    dates = parse_map_dates(map_dates, sc.start, sc.end)
    load_engine()
    progress, advance = replicates_progress(replicates * len(names), "replicates")
    done: dict[str, int] = {}

    def tick(name: str, n: int) -> None:
        done[name] = n
        advance(sum(done.values()))

    with progress:
        result = run_compare(sc, names, replicates=replicates, seed=seed, out_dir=out,
                             parameters=parse_set(set_), workers=workers, progress=tick)
    print_comparison(result.outcomes, result.differences, names[0])
    ids = [r.run_id for r in result.runs.values()]
    path = build_report(out / "reports" / _report_name(ids), result,
                        title=f"{sc.name}: {', '.join(names)}", map_dates=dates)
    console.print(f"report: {path}", highlight=False)


@app.command()
@guarded
def hindcast(
    replicates: Annotated[int, typer.Option("--replicates", "-r")] = 1000,
    seed: SeedOpt = 0,
    out: Annotated[Path, typer.Option("--out", "-o")] = Path("runs"),
    workers: WorkersOpt = None,
) -> None:
    """Score the historical posture against 1979-1990 (docs/odd.md, section 1.2) and write a report."""
    from revexport.experiments.hindcast import run_hindcast
    from revexport.report import build_report
    from revexport.report.actors import actors_of

    check_seed(seed)
    if replicates < 2:
        raise RevexportError(f"replicates must be at least 2 for a hindcast, got {replicates}")
    load_engine()
    progress, advance = replicates_progress(3 * replicates, "replicates")
    done: dict[str, int] = {}

    def tick(name: str, n: int) -> None:
        done[name] = n
        advance(sum(done.values()))

    with progress:
        result = run_hindcast(replicates=replicates, seed=seed, out_dir=out, workers=workers,
                              progress=tick)
    print_hindcast(result.scores)
    actors = actors_of(result.runs["historical"])
    print_actors(actors)
    ids = [r.run_id for r in result.runs.values()]
    path = build_report(out / "reports" / _report_name(ids), result.comparison,
                        title="Hindcast: middle-east-1979, 1979-02 to 1990-12", hindcast=result,
                        actors=actors)
    console.print(f"report: {path}", highlight=False)


@app.command()
@guarded
def sensitivity(
    scenario: ScenarioArg = "middle-east-1979",
    doctrine: DoctrineOpt = None,
    method: Annotated[str, typer.Option(help="sobol (first and total order) or morris")] = "sobol",
    params_: Annotated[str, typer.Option(
        "--params", help="parameters to vary, a,b,c or all (each over its declared range)")] = "all",
    n: Annotated[int, typer.Option(
        "-n", help="SALib's N: a power of two for sobol (N(D+2) points), trajectories for morris")
    ] = 64,
    replicates: Annotated[int, typer.Option("--replicates", "-r", help="replicates per point")] = 10,
    seed: SeedOpt = 0,
    out: Annotated[Path, typer.Option("--out", "-o", help="directory for run outputs")
                   ] = Path("runs"),
    outcomes: Annotated[str | None, typer.Option(
        help="outcomes to analyse, x,y (default: the three hindcast checks, "
             f"{', '.join(o.name for o in direction_outcomes())})")] = None,
    workers: WorkersOpt = None,
) -> None:
    """Global sensitivity analysis (SALib): the whole sample as one design run, then indices."""
    from revexport.experiments.sensitivity import (
        INDEX_COLUMNS,
        check_size,
        outcomes_of,
        problem_of,
        run_sensitivity,
        top_parameters,
    )
    from revexport.scenario.load import load_scenario

    check_seed(seed)
    problem = problem_of(params_)
    outcomes_of(outcomes)
    points = check_size(method, n, problem["num_vars"], replicates)
    sc = load_scenario(scenario)
    if doctrine is not None:
        from revexport.doctrines.parametric import resolve_doctrine

        resolve_doctrine(doctrine, sc.doctrines)
    load_engine()
    progress, advance = replicates_progress(points * replicates, "replicates")
    with progress:
        result = run_sensitivity(sc, doctrine=doctrine, method=method, params=problem["names"],
                                 n=n, replicates=replicates, seed=seed, out_dir=out,
                                 outcomes=outcomes, workers=workers, progress=advance)
    m = result.manifest
    t = Table(title=f"{m['scenario']} | doctrine {m['doctrine']} | {method} | {m['num_vars']} "
                    f"parameters | {points} points x {replicates} replicates | seed {seed}",
              title_justify="left")
    cols = INDEX_COLUMNS[method]
    for c in ("outcome", "parameter", *cols):
        t.add_column(c, no_wrap=c in ("outcome", "parameter"),
                     justify="left" if c in ("outcome", "parameter") else "right")
    top = top_parameters(result.indices, method, k=5)
    for d in top.to_dict(orient="records"):
        t.add_row(str(d["outcome"]), str(d["parameter"]), *(f"{d[c]:.3f}" for c in cols))
    console.print(t)
    if m["outcomes_without_indices"]:
        console.print("no indices (constant or undefined over the sample): "
                      f"{', '.join(m['outcomes_without_indices'])}", highlight=False)
    console.print(f"wrote {result.paths['indices'].parent} (run {m['run_id']})", highlight=False)


@app.command()
@guarded
def calibrate(
    scenario: ScenarioArg = "middle-east-1979",
    doctrine: Annotated[str | None, typer.Option(
        "--doctrine", "-d", help="doctrine of the exporter (default: the targets file's)")] = None,
    targets: Annotated[Path | None, typer.Option(
        help="targets file (TOML); default: the scenario's built-in targets")] = None,
    targets_from: Annotated[str | None, typer.Option(
        help="a stored run under --out: its statistics replace the observed values (twin "
             "experiment)")] = None,
    params_: Annotated[str, typer.Option(
        "--params", help="comma-separated parameters to calibrate (uniform priors on their ranges)")
    ] = "strike_hazard,strike_threshold,coalition_join_threshold,coalition_join_rate",
    particles: Annotated[int, typer.Option(help="population size")] = 200,
    generations: Annotated[int, typer.Option(help="generations, the first from the prior")] = 4,
    replicates: Annotated[int, typer.Option("--replicates", "-r", help="replicates per particle")
                          ] = 10,
    seed: SeedOpt = 0,
    out: Annotated[Path, typer.Option("--out", "-o", help="directory for runs and calibrations")
                   ] = Path("runs"),
    workers: WorkersOpt = None,
    oversample: Annotated[float, typer.Option(
        help="proposals per generation, as a multiple of --particles (the closest "
             "1/OVERSAMPLE are kept)")] = 4.0,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="fix another parameter, name=value (repeatable)")] = None,
) -> None:
    """Calibrate parameters to historical patterns by ABC-SMC (docs/calibration.md)."""
    from revexport.experiments.calibration import calibrate as run_calibration
    from revexport.experiments.calibration import load_targets, priors_of
    from revexport.scenario.load import load_scenario

    check_seed(seed)
    sc = load_scenario(scenario)
    tf = load_targets(targets, sc.name)
    names = [n.strip() for n in params_.split(",") if n.strip()]
    priors_of(names)  # names checked before anything runs
    fixed = parse_set(set_)
    load_engine()

    def tick(g: int, gen: Any) -> None:
        err_console.print(f"generation {g}: epsilon {gen.epsilon:.4g}, acceptance "
                          f"{gen.acceptance_rate:.3f}, ESS {gen.ess:.0f}", highlight=False)

    result = run_calibration(sc, doctrine, targets=tf, params=names, particles=particles,
                             generations=generations, replicates=replicates, seed=seed,
                             out_dir=out, workers=workers, oversample=oversample,
                             targets_from=targets_from, parameters=fixed, progress=tick)
    t = Table(title=f"Posterior: weighted 5 %, 50 %, 95 % and medoid ({particles} particles, "
                    f"{generations} generations, {replicates} replicates each)", title_justify="left")
    for c in ("parameter", "prior", "default", "5%", "50%", "95%", "medoid"):
        t.add_column(c, justify="left" if c == "parameter" else "right")
    for r in result.intervals.itertuples():
        t.add_row(str(r.parameter), f"[{r.prior_low:g}, {r.prior_high:g}]", f"{r.default:g}",
                  f"{r.q05:.4g}", f"{r.q50:.4g}", f"{r.q95:.4g}", f"{r.medoid:.4g}")
    console.print(t)
    console.print(f"wrote {result.root}", highlight=False)


def _p_text(p: float) -> str:
    """``p=0.012``, or ``p < 1e-300`` for a p-value that underflows to 0."""
    return "p < 1e-300" if p == 0 else f"p={p:.2g}"


def print_hindcast(scores: Any) -> None:
    """Print the hindcast checks."""
    t = Table(title="Hindcast checks", title_justify="left")
    for c in ("check", "value", "needs", "passed", "detail"):
        t.add_column(c, no_wrap=c == "check")
    for row in scores.itertuples(index=False):
        if row.kind == "p_value":
            value = "< 1e-300" if row.value == 0 else f"{row.value:.3g}"
            needs = f"< {row.threshold:g}"
        elif row.kind == "month":
            value = "never" if math.isnan(row.value) else f"month {row.value:.0f}"
            needs = f"within {row.threshold:g} months"
        else:
            value = f"{row.value:.3g} of replicates"
            needs = f">= {row.threshold:g}"
        t.add_row(row.check, value, needs,
                  Text("yes", style="green") if row.passed else Text("no", style="red"), row.detail)
    console.print(t)


def print_actors(actors: Any) -> None:
    """Print who strikes first, how the first war goes and who fights the exporter at all (the
    report has every actor table)."""
    t = Table(title="Who strikes the exporter first (historical)", title_justify="left")
    for c in ("state", "share of replicates", "median month", "neighbour"):
        t.add_column(c)
    for row in actors.first_strikers.head(5).itertuples(index=False):
        t.add_row(str(row.state), f"{row.share:.3g}", f"{row.median_month:.0f}",
                  "yes" if row.neighbour else "no")
    console.print(t)
    t = Table(title="The first war (historical)", title_justify="left")
    for c in ("opened by", "outcome", "share of replicates", "median start month",
              "median length (months)"):
        t.add_column(c)
    for row in actors.first_war.itertuples(index=False):
        length = "" if math.isnan(row.median_length) else f"{row.median_length:.0f}"
        t.add_row(str(row.opened_by), str(row.outcome), f"{row.share:.3g}",
                  f"{row.median_start_month:.0f}", length)
    console.print(t)
    t = Table(title="Wars with the exporter, by opponent (historical)", title_justify="left")
    for c in ("state", "share of replicates", "wars per replicate", "opened by the exporter",
              "median first month"):
        t.add_column(c)
    for row in actors.wars.head(6).itertuples(index=False):
        t.add_row(str(row.state), f"{row.at_war:.3g}", f"{row.wars_per_replicate:.3g}",
                  f"{row.opened_by_exporter:.0%}", f"{row.median_first_month:.0f}")
    console.print(t)


@app.command()
@guarded
def runs(
    out: Annotated[Path, typer.Option("--out", "-o", help="directory the runs were written to")
                   ] = Path("runs"),
    doctrine: Annotated[str | None, typer.Option("--doctrine", "-d")] = None,
    scenario: Annotated[str | None, typer.Option("--scenario")] = None,
    status: Annotated[str | None, typer.Option(
        "--status", help="running, complete, incomplete or failed")] = None,
    rebuild: Annotated[bool, typer.Option(help="re-index every run directory first")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
) -> None:
    """List (and filter) the runs in the catalog."""
    import json

    from revexport.storage import catalog

    if rebuild:
        catalog.rebuild(out)
        for problem in catalog.scan(out).skipped:
            err_console.print(f"skipped: {problem}", highlight=False, soft_wrap=True)
    df = catalog.list_runs(out, doctrine=doctrine, scenario=scenario, status=status)
    if as_json:
        for r in df.to_dict(orient="records"):
            print(json.dumps({"id": r["run_id"], "status": r["status"], "scenario": r["scenario"],
                              "doctrine": r["doctrine"], "replicates": r["replicates"],
                              "replicates_done": r["replicates_done"], "seed": r["seed"],
                              "created": r["created"]}, default=int))
        return
    df["replicates"] = [str(n) if n == d else f"{d}/{n}"
                        for n, d in zip(df["replicates"], df["replicates_done"], strict=True)]
    t = Table(title=f"{len(df)} runs in {out / catalog.CATALOG}", title_justify="left")
    for c in ("run_id", "created", "scenario", "doctrine", "seed", "replicates", "status", "wall s"):
        t.add_column(c, no_wrap=c in ("run_id", "status"))
    for r in df.to_dict(orient="records"):
        wall = r["wall_time_s"]
        t.add_row(*(str(r[c]) for c in ("run_id", "created", "scenario", "doctrine", "seed",
                                         "replicates", "status")),
                  f"{wall:.2f}" if isinstance(wall, float) and wall == wall else "")
    console.print(t)


@app.command()
@guarded
def resume(
    run_id: Annotated[str, typer.Argument(help="id (or unique prefix) of the run to finish")],
    out: Annotated[Path, typer.Option("--out", "-o", help="directory the run was written to")
                   ] = Path("runs"),
    workers: Annotated[int | None, typer.Option(
        "--workers", "-w", help="parallel workers (default: the run's)")] = None,
    doctrine_file: Annotated[Path | None, typer.Option(
        help="TOML file of the doctrines the run used")] = None,
    scheduler: Annotated[str | None, typer.Option(
        help="run the missing blocks on Dask: a scheduler's address (tcp://HOST:8786), or "
             "'local' for a local cluster of --workers processes")] = None,
) -> None:
    """Finish an interrupted, killed or failed run: compute only its missing blocks."""
    from revexport.doctrines.parametric import load_doctrine_file
    from revexport.experiments.ensemble import resume_run
    from revexport.storage import catalog
    from revexport.storage.manifest import read_manifest

    if doctrine_file is not None:
        load_doctrine_file(str(doctrine_file))
    root = catalog.run_path(out, run_id)
    m = read_manifest(root)
    load_engine()
    progress, advance = replicates_progress(int(m["replicates"]), "replicates")
    with progress:
        if scheduler is None:
            result = resume_run(root, workers=workers, progress=advance)
        else:
            from revexport.experiments.sweep import resume_sweep

            result = resume_sweep(root, None if scheduler == "local" else scheduler,
                                  workers=workers, progress=advance)
    m = result.manifest
    print_summary(result.summary(), f"{m['scenario']} | doctrine {m['doctrine']} | "
                  f"{m['replicates']} replicates | seed {m['seed']} | {m['wall_time_s']:.2f} s")
    console.print(f"complete: {result.root}", highlight=False)


@app.command()
@guarded
def report(
    run_ids: Annotated[list[str], typer.Argument(help="run ids (or unique prefixes) to report on")],
    out: Annotated[Path, typer.Option("--out", "-o", help="directory the runs were written to")
                   ] = Path("runs"),
    to: Annotated[Path | None, typer.Option(help="report directory (default: OUT/reports/...)")
                  ] = None,
    with_hindcast: Annotated[bool, typer.Option(
        "--hindcast", help="score the hindcast (needs historical, militant, nationalist runs)")
    ] = False,
    map_dates: Annotated[str | None, typer.Option(
        help="comma-separated months YYYY-MM for the maps, within the runs' span "
             "(default: 1980-09,1984-12,1990-12, those within the span)")] = None,
    allow_incomplete: Annotated[bool, typer.Option(
        "--allow-incomplete", help="report the stored blocks of an unfinished run")] = False,
) -> None:
    """Rebuild a report from stored runs, without re-running anything."""
    from revexport.experiments.compare import comparison_of, parse_map_dates
    from revexport.experiments.ensemble import Run
    from revexport.experiments.hindcast import hindcast_of
    from revexport.report import build_report, check_complete
    from revexport.storage import catalog

    stored = [Run.open(catalog.run_path(out, rid)) for rid in run_ids]
    check_complete(stored, out, allow_incomplete=allow_incomplete)
    by_doctrine: dict[str, Run] = {}
    for run in stored:
        name = str(run.manifest["doctrine"])
        key = name if name not in by_doctrine else f"{name}:{run.run_id}"
        by_doctrine[key] = run
    ids = [r.run_id for r in stored]
    dates = parse_map_dates(map_dates, min(str(r.manifest["start"]) for r in stored),
                            max(str(r.manifest["end"]) for r in stored))
    target = to or out / "reports" / _report_name(ids)
    if with_hindcast:
        missing = {"historical", "militant", "nationalist"} - set(by_doctrine)
        if missing:
            raise RevexportError(f"--hindcast needs runs of {', '.join(sorted(missing))}")
        result = hindcast_of({k: by_doctrine[k] for k in ("historical", "militant", "nationalist")})
        path = build_report(target, result.comparison,
                            title="Hindcast: middle-east-1979, 1979-02 to 1990-12", hindcast=result)
    else:
        scenarios = {str(r.manifest["scenario"]) for r in stored}
        path = build_report(target, comparison_of(by_doctrine),
                            title=f"{', '.join(sorted(scenarios))}: {', '.join(by_doctrine)}",
                            map_dates=dates)
    console.print(f"report: {path}", highlight=False)


def parameter_markdown() -> str:
    """The parameter table in Markdown (used by docs/odd.md)."""
    from revexport.params import Parameters

    lines = ["| parameter | default | range | meaning | source |", "|---|---|---|---|---|"]
    for s in Parameters.specs():
        lines.append(f"| `{s.name}` | {s.default:g} | [{s.low:g}, {s.high:g}] | "
                     f"{s.description} | {s.source} |")
    return "\n".join(lines)


def main() -> None:
    """Entry point of the ``revexport`` command.

    A malformed command line (an unknown option, a value of the wrong type) is one line too,
    ``error: ...`` with exit status 2, like every other bad input.
    """
    # What the imports made lives until exit: frozen, the garbage collector stops scanning it
    # (the engine's imports are frozen when a command loads it: load_engine).
    gc.freeze()
    try:
        code = app(prog_name="revexport", standalone_mode=False)
    except Exception as exc:
        # Click's usage errors (vendored by Typer) carry a message and an exit code.
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            err_console.print(f"error: {exc.format_message()}", markup=False, highlight=False,
                              soft_wrap=True)
            sys.exit(int(exc.exit_code))
        if type(exc).__name__ == "Abort":  # Ctrl-C outside a run
            err_console.print("interrupted", markup=False, highlight=False)
            sys.exit(130)
        raise
    finally:
        # And what the command made: the collections at exit took ~0.15 s on it.
        gc.freeze()
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
