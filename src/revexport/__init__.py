"""revexport: an agent-based model of the policy of exporting the Islamic Revolution of 1979.

Run doctrines side by side, thousands of stochastic replicates at a time::

    >>> import revexport as rx
    >>> run = rx.run_ensemble("middle-east-1979", doctrine="militant", replicates=200)  # doctest: +SKIP
    >>> run.summary()                                                                  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from revexport.lazy import lazy_names

__version__ = "0.1.0"

if TYPE_CHECKING:
    from revexport.errors import RevexportError
    from revexport.experiments.ensemble import Run, run_ensemble
    from revexport.params import Parameters
    from revexport.scenario import load_scenario

#: Where each public name lives. Imported on first use (PEP 562), so a command that needs no
#: engine (``revexport --help``, ``scenarios``, ``params``) does not load Numba and pandas.
_PUBLIC = {
    "Parameters": "revexport.params",
    "RevexportError": "revexport.errors",
    "Run": "revexport.experiments.ensemble",
    "load_scenario": "revexport.scenario",
    "run_ensemble": "revexport.experiments.ensemble",
}

__getattr__, __dir__ = lazy_names(__name__, _PUBLIC)

__all__ = ["Parameters", "RevexportError", "Run", "load_scenario", "run_ensemble"]
