"""The scenario's dated events, applied at the start of the step of their month (docs/odd.md,
7.1).

An event is data, not a rule: the scenario says that a superpower or another state occupies a
state in a given month, or withdraws from it; this module turns the event into the world's state, the same in
every replicate where it can happen. What an occupation does while it lasts is read by the
phases from ``w.occupied``:

* the occupied state takes the occupier's alignment -- a superpower's bloc, or the alignment
  of an occupying state -- and keeps it after the withdrawal (the regime the occupier held is
  its client);
* it is no independent actor: it does not join or stay in the coalition, sanction, receive
  aid or strike first; its regime neither falls to its movement nor to a coup; the exporters
  do not target it (responses, regime change, decision);
* the occupier's forces defend it in a war with an exporter
  (:func:`revexport.engine.cells.presence_support`);
* its movement is repressed by the occupier: the repression it drifts toward is at least
  ``occupation_repression`` (responses).

An occupation cannot take hold of a state that holds a sitting exporter or an aligned regime
in that replicate (the event describes an occupier holding a regime, not the conquest of the
exporters' own); its withdrawal then changes nothing either.
"""

from __future__ import annotations

from revexport.codes import ALIGNED, OCCUPATION
from revexport.compiled import kernel
from revexport.engine.state import StaticArrays, World


@kernel
def occur(w: World, st: StaticArrays, t: int) -> None:
    """Apply the events dated step ``t`` to every replicate of the block."""
    n_r = w.occupied.shape[0]
    n_e = w.slot_state.shape[1]
    for k in range(st.event_step.shape[0]):
        if st.event_step[k] != t:
            continue
        s = st.event_state[k]
        by = st.event_by[k]
        for r in range(n_r):
            if st.event_kind[k] == OCCUPATION:
                exporting = w.regime[r, s] == ALIGNED
                for e in range(n_e):
                    exporting = exporting or w.slot_state[r, e] == s
                if exporting:
                    continue
                w.occupied[r, s] = by
                w.alignment[r, s] = st.superpower[by] if st.superpower[by] >= 0 else w.alignment[r, by]
            elif w.occupied[r, s] == by:  # a withdrawal
                w.occupied[r, s] = -1
