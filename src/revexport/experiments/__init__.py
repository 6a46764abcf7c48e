"""Experiments: ensembles of replicates (and, built on them, comparisons and checks)."""

from revexport.experiments.ensemble import Run, run_ensemble

__all__ = ["Run", "run_ensemble"]
