"""The built-in scenario "middle-east-1979", derived from the shipped 1979 data.

The data files in ``scenario/data/`` are copies of the project's reference data
(see ``docs/data.md`` for every source and uncertainty). This module turns the
measured columns into the model's attributes. Each rule is written once here
and explained in ``docs/data.md``:

* population, GDP: WDI / UN SNAAMA, GDP = population x GDP per capita.
* capability = 100 x CINC (COW NMC v6.0), percent of world capabilities.
* wealth = (log10 GDP per capita - 2) / 2.3, clipped to [0, 1]
  (US$ 100 -> 0, US$ 20,000 -> 1).
* openness = (polity2 + 10) / 20; 0 where a state had collapsed (codings
  file), and 0 where polity2 is undefined for a state that had not (Polity's
  -66, foreign interruption, is read as full autocracy, polity2 = -10).
* legitimacy = 0.25 + 0.35 wealth + 0.25 openness (rentier and performance
  legitimacy plus procedural legitimacy; Gilley 2006 "The meaning and measure of
  state legitimacy"), minus 0.15 for a collapsed state.
* grievance = 0.45 (1 - wealth) + 0.25 (1 - openness) + 0.30 sectarian, with
  sectarian = 4 s (1 - s) for Shia share s (largest where a community is half
  the population; Gurr 1970, relative deprivation, and Minorities at Risk).
* repression = capacity x (0.1 + 0.7 (1 - openness)), with state capacity
  1 for an intact state and 0.4 for a collapsed one: repression takes a
  coercive apparatus that a collapsed state no longer has (an assumption,
  after Fearon & Laitin 2003 "Ethnicity, insurgency, and civil war" on state
  capacity and insurgency).
* affinity = 0.25 Muslim share + 0.75 Shia share x orientation (orientation < 1
  where the Shia counted are not Twelvers; codings file), at least 0.02.
* movement at start = 0.02 + 0.15 affinity x grievance (assumption).

Dated events (a superpower occupies a state, or withdraws) are read from the
events file, and strategic rivalries from the rivalries files (between two states of the
scenario; with a state outside it, whose capability is 100 x its 1979 CINC), as they are
written.
"""

from __future__ import annotations

import csv
import math
from functools import cache
from importlib import resources
from typing import Any

from revexport.scenario.schema import Scenario
from revexport.scenario.validate import validate_scenario

DATA_PACKAGE = "revexport.scenario.data"
STATES_FILE = "middle_east_1979_states.csv"
BORDERS_FILE = "middle_east_1979_borders.csv"
CODINGS_FILE = "middle_east_1979_codings.csv"
EVENTS_FILE = "middle_east_1979_events.csv"
RIVALRIES_FILE = "middle_east_1979_rivalries.csv"
OUTSIDE_RIVALRIES_FILE = "middle_east_1979_outside_rivalries.csv"
CIVIL_WARS_FILE = "middle_east_1979_civil_wars.csv"
#: State capacity of a collapsed state, the factor on its repression (module docstring).
COLLAPSED_CAPACITY = 0.4
SUPERPOWER_ROWS = {"USA": "West", "SUN": "East"}
EXPORTER = "IRN"
#: The six Gulf monarchies that founded the Gulf Cooperation Council (Charter, Abu Dhabi,
#: 25 May 1981): the group whose joint membership of the coalition is check P2. It defines an
#: outcome to measure; nothing in the model reads it.
GULF_MONARCHIES = ("SAU", "KWT", "BHR", "QAT", "ARE", "OMN")


def _read_csv(name: str) -> list[dict[str, str]]:
    with resources.files(DATA_PACKAGE).joinpath(name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def wealth_index(gdp_per_capita: float) -> float:
    """Log GDP per capita mapped to [0, 1] (US$ 100 -> 0, US$ 20,000 -> 1)."""
    return min(1.0, max(0.0, (math.log10(gdp_per_capita) - 2.0) / 2.3))


def derive_state(row: dict[str, str], coding: dict[str, str] | None) -> dict[str, Any]:
    """Model attributes of one state from one data row (see module docstring)."""
    pop = float(row["population_millions_1979"])
    gdppc = float(row["gdp_per_capita_usd_1979"])
    muslim = float(row["muslim_share"])
    shia = float(row["shia_share_of_population"])
    collapsed = coding is not None and coding["state_collapse"] == "true"
    orientation = float(coding["shia_orientation"]) if coding else 1.0
    polity = row["polity2_1979"].strip()
    # An undefined polity2 (Polity's -66 or -77) says nothing about openness: full autocracy.
    openness = 0.0 if (collapsed or polity == "") else (float(polity) + 10.0) / 20.0
    capacity = COLLAPSED_CAPACITY if collapsed else 1.0
    wealth = wealth_index(gdppc)
    sectarian = 4.0 * shia * (1.0 - shia)
    legitimacy = 0.25 + 0.35 * wealth + 0.25 * openness - (0.15 if collapsed else 0.0)
    grievance = 0.45 * (1 - wealth) + 0.25 * (1 - openness) + 0.30 * sectarian
    affinity = max(0.02, 0.25 * muslim + 0.75 * shia * orientation)
    return {
        "iso3": row["iso3"],
        "name": row["name"],
        "population": pop,
        "gdp": round(pop * gdppc / 1000.0, 4),
        "capability": round(100.0 * float(row["cinc_1979"]), 5),
        "legitimacy": round(legitimacy, 4),
        "grievance": round(grievance, 4),
        "repression": round(capacity * (0.1 + 0.7 * (1 - openness)), 4),
        "regime": row["regime_type"],
        "alignment": row["alignment_1979"],
        "affinity": round(affinity, 4),
        "movement": round(0.02 + 0.15 * affinity * grievance, 4),
        "superpower": SUPERPOWER_ROWS.get(row["iso3"]),
        "source": row["source"],
    }


@cache
def middle_east_1979() -> Scenario:
    """The Middle East, February 1979 to December 1990, with revolutionary Iran exporting.

    Returns
    -------
    Scenario
        20 regional states plus the United States (West) and the Soviet Union
        (East); 63 land and sea neighbour pairs; the dated events of the events
        file; the exporter runs the ``historical`` doctrine.
    """
    codings = {r["iso3"]: r for r in _read_csv(CODINGS_FILE)}
    states = [derive_state(r, codings.get(r["iso3"])) for r in _read_csv(STATES_FILE)]
    neighbours = [
        {"a": r["iso3_a"], "b": r["iso3_b"], "type": "land" if r["type"] == "land" else "sea"}
        for r in _read_csv(BORDERS_FILE)
    ]
    data = {
        "name": "middle-east-1979",
        "description": (
            "Revolutionary Iran and the Middle East, 1979-02 to 1990-12: 20 regional states, "
            "the United States and the Soviet Union, from COW NMC v6.0, Polity5, WDI and UN "
            "SNAAMA 1979 figures (see docs/data.md)."
        ),
        "start": "1979-02",
        "end": "1990-12",
        "states": states,
        "neighbours": neighbours,
        "exporters": [{"state": EXPORTER, "doctrine": "historical"}],
        "new_exporter_doctrine": "militant",
        "coalition_group": list(GULF_MONARCHIES),
        "events": [{k: r[k] for k in ("month", "state", "kind", "by", "source")}
                   for r in _read_csv(EVENTS_FILE)],
        "rivalries": [{"a": r["iso3_a"], "b": r["iso3_b"], "start": r["start"],
                       "end": r["end"] or None, "source": r["source"]}
                      for r in _read_csv(RIVALRIES_FILE)],
        "outside_rivalries": [{"state": r["iso3"], "rival": r["rival"],
                               "capability": float(r["capability_1979"]),
                               "contact": r["contact"], "start": r["start"],
                               "end": r["end"] or None, "source": r["source"]}
                              for r in _read_csv(OUTSIDE_RIVALRIES_FILE)],
        "civil_wars": [{"state": r["state"], "start": r["start"], "end": r["end"] or None,
                        "source": r["source"]} for r in _read_csv(CIVIL_WARS_FILE)],
    }
    return validate_scenario(data, "middle-east-1979")
