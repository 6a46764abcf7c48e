"""The model for the EMA Workbench: uncertainties, the doctrine lever, outcomes per experiment.

`EMA Workbench <https://emaworkbench.readthedocs.io>`_ (``pip install 'revexport[ema]'``)
samples parameter sets ("scenarios") and doctrines ("policies") and collects one row of
outcomes per experiment; its analyses (PRIM, CART, feature scoring, Sobol indices) then work
on those tables. Its own evaluators call a model once per experiment. Here the
:class:`DesignEvaluator` receives all experiments at once, builds one design table of every
parameter set sampled for a doctrine and runs it with a single call of
:func:`revexport.run_ensemble` — all rows in the same batched compiled blocks — then hands
back each experiment's outcomes: means over its replicates.

    >>> from revexport.ema import perform_experiments          # doctest: +SKIP
    >>> experiments, outcomes = perform_experiments(           # doctest: +SKIP
    ...     200, doctrines=["militant", "pragmatic"], replicates=10,
    ...     uncertainties=["strike_hazard", "offensive_power_ratio"], seed=1)
    >>> outcomes["war_by_1982"]                                # doctest: +SKIP

The pieces can be used on their own: :func:`ensemble_model` builds the EMA model (every
parameter's declared range as an uncertainty, the registered doctrines as a categorical
lever, the outcomes of :data:`OUTCOMES`), :func:`design_evaluator` the evaluator, and EMA's
``perform_experiments``, samplers and analyses work with them as with any model. The model
also works with EMA's own evaluators, one engine call per experiment (slowly).

``ema_workbench`` is imported only when this module needs it; the rest of revexport never
does.
"""

from __future__ import annotations

import functools
import math
import tempfile
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from revexport.doctrines.registry import doctrine_names
from revexport.errors import RevexportError
from revexport.experiments.ensemble import run_ensemble
from revexport.outcomes.definitions import outcome
from revexport.params import Parameters, ParamSpec
from revexport.scenario.load import load_scenario
from revexport.scenario.schema import Scenario

__all__ = [
    "OUTCOMES",
    "EnsembleFunction",
    "OutcomeSpec",
    "design_evaluator",
    "ensemble_model",
    "perform_experiments",
    "uncertainties_of",
]

#: Name of the model in EMA's tables (EMA allows letters and digits only).
MODEL_NAME = "revexport"


@dataclass(frozen=True)
class OutcomeSpec:
    """One outcome per experiment, computed over the experiment's replicates.

    Attributes
    ----------
    name : str
        Name of the outcome (EMA's ``ScalarOutcome``).
    column : str
        Column of the per-replicate summaries (``Run.replicates``) it is computed from.
    kind : {"mean", "share_by"}
        ``mean``: mean of ``column`` over the replicates. ``share_by``: share of replicates in
        which the step in ``column`` is at most the step of ``month`` (a step that never came,
        NaN, counts as not by then).
    month : str, optional
        ``YYYY-MM``, for ``share_by``; it must lie in the scenario's months.
    description : str
        What the outcome means.
    """

    name: str
    column: str
    kind: Literal["mean", "share_by"]
    month: str | None = None
    description: str = ""


def _mean_of(name: str) -> OutcomeSpec:
    """The mean over replicates of a declared outcome (name and meaning from the registry)."""
    o = outcome(name)
    return OutcomeSpec(o.name, o.name, "mean", description=f"{o.label} (mean per replicate)")


#: The outcomes of the EMA model (the per-replicate ones declared in
#: :mod:`revexport.outcomes.definitions`).
OUTCOMES: tuple[OutcomeSpec, ...] = (
    _mean_of("wars_started"),
    OutcomeSpec("war_by_1982", outcome("first_war_step").name, "share_by", month="1982-01",
                description="share of replicates with a first war begun by 1982-01"),
    _mean_of("war_months"),
    _mean_of("coalition_mean"),
    _mean_of("sanctions_mean"),
    _mean_of("aligned_final"),
    _mean_of("regime_changes"),
)


def _ema() -> Any:
    """The ``ema_workbench`` package, or a one-line error saying how to install it."""
    try:
        with warnings.catch_warnings():
            # It warns at import about optional parallel back-ends it does not find.
            warnings.filterwarnings("ignore", message=".*not installed.*", category=UserWarning)
            import ema_workbench
            import ema_workbench.em_framework.evaluators
            import ema_workbench.em_framework.points
            import ema_workbench.em_framework.samplers
    except ImportError:
        raise RevexportError("revexport.ema needs the EMA Workbench: pip install "
                             "'revexport[ema]' (or ema_workbench)") from None
    return ema_workbench


def _outcome_specs(outcomes: Sequence[str | OutcomeSpec] | None) -> tuple[OutcomeSpec, ...]:
    if outcomes is None:
        return OUTCOMES
    known = {o.name: o for o in OUTCOMES}
    out: list[OutcomeSpec] = []
    for o in outcomes:
        if isinstance(o, OutcomeSpec):
            out.append(o)
        elif o in known:
            out.append(known[o])
        else:
            raise RevexportError(f"unknown outcome '{o}' (one of {', '.join(known)}, or an OutcomeSpec)")
    if not out:
        raise RevexportError("at least one outcome is needed")
    return tuple(out)


def _parameter_specs(names: Sequence[str] | None) -> list[ParamSpec]:
    specs = Parameters.specs()
    if names is None:
        return list(specs)
    by_name = {s.name: s for s in specs}
    out = []
    for name in names:
        if name not in by_name:
            close = sorted(n for n in by_name if n[:6] == name[:6]) or sorted(by_name)[:5]
            raise RevexportError(f"unknown parameter '{name}' (did you mean one of {', '.join(close)}?)")
        out.append(by_name[name])
    if not out:
        raise RevexportError("at least one uncertainty is needed")
    return out


def uncertainties_of(names: Sequence[str] | None = None) -> list[Any]:
    """EMA parameters for model parameters, over their declared ranges.

    Parameters
    ----------
    names : sequence of str, optional
        Parameter names; every parameter by default.

    Returns
    -------
    list
        ``IntegerParameter`` for whole-number parameters, ``RealParameter`` for the others,
        named after the parameter, bounds from :meth:`Parameters.specs`.
    """
    ema = _ema()
    out = []
    for s in _parameter_specs(names):
        if s.integer:
            out.append(ema.IntegerParameter(s.name, int(s.low), int(s.high)))
        else:
            out.append(ema.RealParameter(s.name, s.low, s.high))
    return out


def _step_of(sc: Scenario, month: str) -> int:
    for t in range(sc.n_steps):
        if sc.month_of_step(t) == month:
            return t
    raise RevexportError(f"outcome month {month} is not in scenario {sc.name} "
                         f"({sc.month_of_step(0)} to {sc.month_of_step(sc.n_steps - 1)})")


class EnsembleFunction:
    """What the EMA model runs: designs of parameter sets under a doctrine, as ensembles.

    :meth:`run_design` runs a whole design with one call of :func:`revexport.run_ensemble`
    (what :class:`DesignEvaluator` uses); calling the object runs one experiment (what EMA's
    own evaluators do). Every call uses the same seed, so experiments share random numbers:
    replicate ``k`` of every parameter set and doctrine starts from the same draws.

    Parameters
    ----------
    scenario : Scenario or str
        The scenario, or a built-in name / TOML path.
    replicates : int
        Replicates per experiment.
    seed : int
        Seed of every ensemble.
    outcomes : sequence of OutcomeSpec
        The outcomes computed per experiment.
    parameters : mapping, optional
        Parameter values fixed for every experiment (on top of the scenario's).
    workers : int, optional
        Worker processes per ensemble; one per core by default.
    out_dir : path, optional
        Where the ensembles are stored; by default in a temporary directory removed afterwards.
    """

    def __init__(self, scenario: Scenario | str, replicates: int, seed: int,
                 outcomes: Sequence[OutcomeSpec], parameters: Mapping[str, float] | None = None,
                 workers: int | None = None, out_dir: Path | str | None = None) -> None:
        self.scenario = load_scenario(scenario) if isinstance(scenario, str) else scenario
        self.replicates = replicates
        self.seed = seed
        self.outcomes = tuple(outcomes)
        self.parameters = dict(parameters or {})
        self.workers = workers
        self.out_dir = None if out_dir is None else Path(out_dir)
        self._steps: dict[str, int] = {}  # the step of each share_by outcome's month
        for o in self.outcomes:
            if o.kind == "share_by":
                if o.month is None:
                    raise RevexportError(f"outcome {o.name}: kind share_by needs a month")
                self._steps[o.name] = _step_of(self.scenario, o.month)

    def run_design(self, doctrine: str | None, design: pd.DataFrame | None, n_rows: int = 1,
                   constants: Mapping[str, float] | None = None) -> pd.DataFrame:
        """Outcomes of every design row: one engine call.

        Parameters
        ----------
        doctrine : str or None
            Doctrine of the exporter; the scenario's if None.
        design : DataFrame or None
            One row per parameter set, columns named after parameters. ``None`` (or no
            columns): ``n_rows`` experiments of the same parameter set.
        n_rows : int
            Rows when ``design`` has none.
        constants : mapping, optional
            Further parameter values fixed for every row.

        Returns
        -------
        DataFrame
            One row per design row (in order), one column per outcome.
        """
        if design is not None and len(design.columns) > 0:
            n_rows = len(design)
            per_run = self.replicates
        else:
            design = None
            per_run = self.replicates * n_rows
        fixed = {**self.parameters, **(constants or {})}
        with self._directory() as out:
            run = run_ensemble(self.scenario, doctrine=doctrine, replicates=per_run, seed=self.seed,
                               out_dir=out, parameters=fixed, design=design, workers=self.workers,
                               record_movement=False)
        reps = run.replicates
        row = (reps["replicate"] // self.replicates).to_numpy()
        table: dict[str, Any] = {}
        for o in self.outcomes:
            values = reps[o.column].astype(float)
            if o.kind == "share_by":
                values = (values <= self._steps[o.name]).astype(float)
            table[o.name] = values.groupby(row).mean().reindex(range(n_rows))
        return pd.DataFrame(table, index=pd.RangeIndex(n_rows))

    @contextmanager
    def _directory(self) -> Iterator[Path]:
        if self.out_dir is not None:
            yield self.out_dir
        else:
            with tempfile.TemporaryDirectory(prefix="revexport-ema-") as tmp:
                yield Path(tmp)

    def __call__(self, **experiment: Any) -> dict[str, float]:
        """One experiment (parameter values and ``doctrine`` as keywords): its outcomes."""
        doctrine = experiment.pop("doctrine", None)
        design = pd.DataFrame([experiment]) if experiment else None
        row = self.run_design(doctrine, design).iloc[0]
        return {str(k): float(v) for k, v in row.items()}


def ensemble_model(
    scenario: Scenario | str = "middle-east-1979",
    *,
    replicates: int = 10,
    seed: int = 0,
    uncertainties: Sequence[str] | None = None,
    outcomes: Sequence[str | OutcomeSpec] | None = None,
    parameters: Mapping[str, float] | None = None,
    workers: int | None = None,
    out_dir: Path | str | None = None,
    name: str = MODEL_NAME,
) -> Any:
    """The model as an EMA Workbench ``Model``.

    Parameters
    ----------
    scenario : Scenario or str
        The scenario, or a built-in name / TOML path.
    replicates : int
        Replicates per experiment; outcomes are means over them.
    seed : int
        Seed of the ensembles.
    uncertainties : sequence of str, optional
        Parameters to vary, over their declared ranges; all parameters by default.
    outcomes : sequence of str or OutcomeSpec, optional
        Names from :data:`OUTCOMES` or specs of your own; all of :data:`OUTCOMES` by default.
    parameters : mapping, optional
        Parameter values fixed for every experiment.
    workers : int, optional
        Worker processes per ensemble.
    out_dir : path, optional
        Keep the ensembles under this directory (a temporary one by default).
    name : str
        The model's name in EMA's tables (letters and digits).

    Returns
    -------
    ema_workbench.Model
        Uncertainties from :func:`uncertainties_of`, one lever ``doctrine`` (a
        ``CategoricalParameter`` over the registered doctrines), a ``ScalarOutcome`` per
        outcome; its ``function`` is an :class:`EnsembleFunction`.
    """
    ema = _ema()
    specs = _outcome_specs(outcomes)
    model = ema.Model(name, function=EnsembleFunction(
        scenario, replicates, seed, specs, parameters=parameters, workers=workers, out_dir=out_dir))
    model.uncertainties = uncertainties_of(uncertainties)
    model.levers = [ema.CategoricalParameter("doctrine", doctrine_names())]
    model.outcomes = [ema.ScalarOutcome(o.name) for o in specs]
    return model


@functools.cache
def _evaluator_class() -> type:
    ema = _ema()
    base = ema.em_framework.evaluators.BaseEvaluator
    experiment_generator = ema.em_framework.points.experiment_generator

    class DesignEvaluator(base):  # type: ignore[misc,valid-type]
        """An EMA evaluator that runs all experiments of a doctrine as one design.

        Experiments are grouped by model and policy (the doctrine); each group's parameter
        sets become the rows of one design, run by a single call of
        :func:`revexport.run_ensemble`. The models must be built by :func:`ensemble_model`.
        """

        def initialize(self) -> None:
            """Nothing to set up: the engine runs in this process and its workers."""

        def finalize(self) -> None:
            """Nothing to tear down."""

        def evaluate_experiments(self, scenarios: Any, policies: Any, callback: Any,
                                 combine: str = "factorial", **kwargs: Any) -> None:
            """Run every experiment, one engine call per model and doctrine; report each."""
            models = {m.name: m for m in self._msis}
            groups: dict[tuple[str, str], list[Any]] = {}
            for experiment in experiment_generator(scenarios, self._msis, policies, combine=combine):
                groups.setdefault((experiment.model_name, experiment.policy.name), []).append(experiment)
            for (model_name, _), experiments in groups.items():
                model = models[model_name]
                function = getattr(model, "function", None)
                if not isinstance(function, EnsembleFunction):
                    raise RevexportError(f"model {model_name}: DesignEvaluator runs models built by "
                                         "revexport.ema.ensemble_model only")
                policy = experiments[0].policy
                doctrine = policy.get("doctrine")
                names = [u.name for u in model.uncertainties]
                design = pd.DataFrame(
                    [{n: e.scenario.get(n, math.nan) for n in names} for e in experiments],
                    columns=names)
                design = design.dropna(axis=1, how="all")
                constants = {c.name: c.value for c in model.constants}
                table = function.run_design(None if doctrine is None else str(doctrine), design,
                                            n_rows=len(experiments), constants=constants)
                for experiment, values in zip(experiments, table.to_dict(orient="records"),
                                              strict=True):
                    callback(experiment, values)

    DesignEvaluator.__module__ = __name__
    DesignEvaluator.__qualname__ = "DesignEvaluator"
    return DesignEvaluator


def design_evaluator(models: Any) -> Any:
    """A :class:`DesignEvaluator` for one model (or a list) built by :func:`ensemble_model`.

    Use it like any EMA evaluator::

        with design_evaluator(model) as evaluator:
            experiments, outcomes = evaluator.perform_experiments(scenarios=100, policies=policies)
    """
    return _evaluator_class()(models)


def __getattr__(name: str) -> Any:
    # ``revexport.ema.DesignEvaluator``: defined on first use, as it subclasses an EMA class.
    if name == "DesignEvaluator":
        return _evaluator_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """EMA's samplers draw from NumPy's global generator: seed it, then restore it."""
    state = np.random.get_state()  # noqa: NPY002 (the generator EMA samples from)
    np.random.seed(seed % 2**32)  # noqa: NPY002
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002


def perform_experiments(
    n_scenarios: int,
    doctrines: Sequence[str] | None = None,
    replicates: int = 10,
    uncertainties: Sequence[str] | None = None,
    seed: int = 0,
    scenario: Scenario | str = "middle-east-1979",
    *,
    outcomes: Sequence[str | OutcomeSpec] | None = None,
    parameters: Mapping[str, float] | None = None,
    sampling: Literal["lhs", "mc"] = "lhs",
    workers: int | None = None,
    out_dir: Path | str | None = None,
) -> tuple[pd.DataFrame, dict[str, np.ndarray[Any, Any]]]:
    """Sample parameter sets, run each under each doctrine; EMA's experiments and outcomes.

    Parameters
    ----------
    n_scenarios : int
        Parameter sets to sample (Latin hypercube by default) over the uncertainties.
    doctrines : sequence of str, optional
        Doctrines to run every parameter set under (the policies); every registered doctrine
        by default.
    replicates : int
        Replicates per experiment.
    uncertainties : sequence of str, optional
        Parameters to vary over their declared ranges; all by default.
    seed : int
        Seed of the sample and of the ensembles.
    scenario : Scenario or str
        The scenario.
    outcomes : sequence of str or OutcomeSpec, optional
        Outcomes per experiment; all of :data:`OUTCOMES` by default.
    parameters : mapping, optional
        Parameter values fixed for every experiment.
    sampling : {"lhs", "mc"}
        Latin hypercube or Monte Carlo sampling.
    workers : int, optional
        Worker processes per ensemble.
    out_dir : path, optional
        Keep the ensembles there (one per doctrine); a temporary directory by default.

    Returns
    -------
    experiments : DataFrame
        One row per experiment (``n_scenarios`` x doctrines): the sampled parameter values,
        ``doctrine``, ``scenario``, ``policy``, ``model``.
    outcomes : dict of str to ndarray
        One array per outcome, aligned with ``experiments``.
    """
    if n_scenarios < 1:
        raise RevexportError(f"n_scenarios must be at least 1, got {n_scenarios}")
    if sampling not in ("lhs", "mc"):
        raise RevexportError(f"sampling must be lhs or mc, got {sampling!r}")
    ema = _ema()
    registered = doctrine_names()
    chosen = list(registered if doctrines is None else doctrines)
    if not chosen:
        raise RevexportError("at least one doctrine is needed")
    for d in chosen:
        if d not in registered:
            raise RevexportError(f"unknown doctrine '{d}' (registered: {', '.join(registered)})")
    model = ensemble_model(scenario, replicates=replicates, seed=seed, uncertainties=uncertainties,
                           outcomes=outcomes, parameters=parameters, workers=workers, out_dir=out_dir)
    samplers = ema.em_framework.samplers
    sampler = samplers.LHSSampler() if sampling == "lhs" else samplers.MonteCarloSampler()
    with _seeded(seed):
        scenarios = samplers.sample_uncertainties(model, n_scenarios, sampler=sampler)
    policies = [ema.Policy(d, doctrine=d) for d in chosen]
    with design_evaluator(model) as evaluator:
        # Progress goes to EMA's logger (silent unless configured), not to a progress bar.
        experiments, results = ema.perform_experiments(model, scenarios=scenarios, policies=policies,
                                                       evaluator=evaluator, log_progress=True)
    return experiments, dict(results)
