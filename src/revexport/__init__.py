"""revexport: an agent-based model of the policy of exporting the Islamic Revolution of 1979.

Run doctrines side by side, thousands of stochastic replicates at a time::

    >>> import revexport as rx
    >>> run = rx.run_ensemble("middle-east-1979", doctrine="militant", replicates=200)  # doctest: +SKIP
    >>> run.summary()                                                                  # doctest: +SKIP
"""

__version__ = "0.1.0"

from revexport.errors import RevexportError
from revexport.experiments.ensemble import Run, run_ensemble
from revexport.params import Parameters
from revexport.scenario import load_scenario

__all__ = ["Parameters", "RevexportError", "Run", "load_scenario", "run_ensemble"]
