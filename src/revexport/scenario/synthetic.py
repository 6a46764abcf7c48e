"""Synthetic worlds of any size, for tests and for scale.

``synthetic(n, seed)`` places ``n - 2`` regional states uniformly in the unit
square and joins them by their Delaunay triangulation (a planar graph, mean
degree just under 6); edges shorter than the median edge are land borders, the
rest sea. Two superpowers (West, East) are added without neighbours. The
exporter is the state nearest the centre.

Attribute distributions (independent draws; documented in ``docs/data.md``):

=============  ===========================================  ==========================
attribute      distribution                                 why
=============  ===========================================  ==========================
population     lognormal(log 10, 1) millions                spread of 1979 region
gdp/capita     lognormal(log 2500, 1) US$                   WDI 1979 region spread
capability     100 x 0.001 x lognormal(0, 0.8)              CINC of regional states
legitimacy     Beta(5, 5)                                   centred, moderate spread
grievance      Beta(3, 4)                                   slightly below one half
repression     Beta(3, 3)
affinity       Beta(2, 4)                                   most states far from message
movement       0.02 + 0.1 Beta(2, 8)                        weak at start
regime         monarchy .2, mil.-auth. .3, single-party .15,
               democracy .2, communist .15
alignment      West .4, East .25, non-aligned .35
=============  ===========================================  ==========================
"""

from __future__ import annotations

from typing import Any

import numpy as np

from revexport.errors import RevexportError, check_seed
from revexport.scenario.schema import MAX_STATES, Scenario
from revexport.scenario.validate import validate_scenario

_REGIMES = ("monarchy", "military-authoritarian", "single-party", "democracy", "communist")
_REGIME_P = (0.2, 0.3, 0.15, 0.2, 0.15)
_ALIGN = ("West", "East", "non-aligned")
_ALIGN_P = (0.4, 0.25, 0.35)


def synthetic(n_states: int, seed: int = 0) -> Scenario:
    """Generate a synthetic scenario.

    Parameters
    ----------
    n_states : int
        Total number of states including the two superpowers, 5 to 17,000.
    seed : int
        Seed of the generator, in [0, 2**63 - 1]; the same seed gives the same world.

    Returns
    -------
    Scenario
    """
    if not 5 <= n_states <= MAX_STATES:
        raise RevexportError(f"synthetic: n_states must be in [5, {MAX_STATES}], got {n_states}")
    check_seed(seed, "synthetic: seed")
    # scipy.spatial takes about half a second to import: only a synthetic world pays it.
    from scipy.spatial import Delaunay

    rng = np.random.default_rng(np.random.SeedSequence([seed, n_states]))
    n = n_states - 2
    xy = rng.random((n, 2))
    tri = Delaunay(xy)
    simplices = tri.simplices
    edges = np.concatenate([simplices[:, [0, 1]], simplices[:, [1, 2]], simplices[:, [0, 2]]])
    edges = np.unique(np.sort(edges, axis=1), axis=0)
    length = np.linalg.norm(xy[edges[:, 0]] - xy[edges[:, 1]], axis=1)
    land = length <= np.median(length)

    pop = rng.lognormal(np.log(10.0), 1.0, n)
    gdppc = rng.lognormal(np.log(2500.0), 1.0, n)
    cap = 0.1 * rng.lognormal(0.0, 0.8, n)
    legit = rng.beta(5, 5, n)
    griev = rng.beta(3, 4, n)
    repr_ = rng.beta(3, 3, n)
    aff = np.maximum(0.02, rng.beta(2, 4, n))
    mov = 0.02 + 0.1 * rng.beta(2, 8, n)
    regime = rng.choice(len(_REGIMES), size=n, p=_REGIME_P)
    align = rng.choice(len(_ALIGN), size=n, p=_ALIGN_P)
    exporter = int(np.argmin(np.linalg.norm(xy - 0.5, axis=1)))

    width = len(str(n_states))
    codes = [_code(i) for i in range(n)]
    states: list[dict[str, Any]] = []
    for i in range(n):
        is_exp = i == exporter
        states.append(
            {
                "iso3": codes[i],
                "name": f"State {i:0{width}d}",
                "population": float(pop[i]),
                "gdp": float(pop[i] * gdppc[i] / 1000.0),
                "capability": float(cap[i]),
                "legitimacy": float(legit[i]),
                "grievance": float(griev[i]),
                "repression": float(repr_[i]),
                "regime": "theocratic" if is_exp else _REGIMES[regime[i]],
                "alignment": "non-aligned" if is_exp else _ALIGN[align[i]],
                "affinity": 0.9 if is_exp else float(aff[i]),
                "movement": float(mov[i]),
                "source": "synthetic",
            }
        )
    for code, name, bloc in (("WWW", "West superpower", "West"), ("EEE", "East superpower", "East")):
        states.append(
            {
                "iso3": code, "name": name, "population": 250.0, "gdp": 2000.0,
                "capability": 15.0, "legitimacy": 0.8, "grievance": 0.1, "repression": 0.2,
                "regime": "democracy" if bloc == "West" else "communist", "alignment": bloc,
                "affinity": 0.02, "movement": 0.0, "superpower": bloc, "source": "synthetic",
            }
        )
    neighbours = [
        {"a": codes[a], "b": codes[b], "type": "land" if is_land else "sea"}
        for (a, b), is_land in zip(edges.tolist(), land.tolist(), strict=True)
    ]
    data = {
        "name": f"synthetic:{n_states}:{seed}",
        "description": f"synthetic planar world of {n_states} states (seed {seed})",
        "start": "1979-02",
        "end": "1990-12",
        "states": states,
        "neighbours": neighbours,
        "exporters": [{"state": codes[exporter], "doctrine": "historical"}],
        "new_exporter_doctrine": "militant",
    }
    return validate_scenario(data, f"synthetic:{n_states}")


def _code(i: int) -> str:
    # Three capital letters, skipping the superpowers' codes; 17,576 codes in all.
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if i >= 26**3 - 2:
        raise RevexportError("synthetic: too many states for three-letter codes")
    j = i + (1 if i >= _index("EEE") else 0)
    j = j + (1 if j >= _index("WWW") else 0)
    return letters[j // 676] + letters[(j // 26) % 26] + letters[j % 26]


def _index(code: str) -> int:
    a = ord("A")
    return (ord(code[0]) - a) * 676 + (ord(code[1]) - a) * 26 + (ord(code[2]) - a)
