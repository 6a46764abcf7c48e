"""Scenarios: the world at the start of a run, validated once at the boundary."""

from revexport.scenario.load import builtin_names, load_scenario, scenario_to_toml
from revexport.scenario.schema import ALIGNMENTS, REGIME_TYPES, Scenario

__all__ = ["ALIGNMENTS", "REGIME_TYPES", "Scenario", "builtin_names", "load_scenario",
           "scenario_to_toml"]
