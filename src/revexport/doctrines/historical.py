"""The historical posture: ``factional`` with the 1979 balance of factions.

Starting weights (nationalist, militant, pragmatic, gradualist) = (0.30, 0.35, 0.25, 0.10). An
assumption informed by:

* nationalists held the Provisional Government (Bazargan, Liberation Movement of Iran,
  February-November 1979) but not the street or the Revolutionary Council (Bakhash 1984,
  *The Reign of the Ayatollahs*, ch. 3-4);
* militants: the clerical radicals and the Revolutionary Guards' office of liberation
  movements (Mohammad Montazeri, Mehdi Hashemi) pressed export by arms from 1979
  (Ramazani 1986, ch. 2; Menashri 1990, *Iran: A Decade of War and Revolution*);
* pragmatists around Rafsanjani and Beheshti in the Islamic Republican Party, rising through
  the 1980s (Ramazani 1986; Moslem 2002, *Factional Politics in Post-Khomeini Iran*, ch. 2);
* the gradualist combination was the least organised view in 1979 (Moslem 2002).

The weights then evolve as in ``factional``; nothing names a country or a date.
"""

from __future__ import annotations

from revexport.doctrines.factional import factional
from revexport.doctrines.registry import register_spec

WEIGHTS_1979: tuple[float, float, float, float] = (0.30, 0.35, 0.25, 0.10)

register_spec("historical", factional(
    WEIGHTS_1979, "factional, starting from the balance of factions at the revolution"))
