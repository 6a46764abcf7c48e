"""Small quantities several phases compute, each defined once (compiled, inlined).

They take the arrays they read, never the world's whole record: a call that carries dozens of
arrays costs far more than the formula. ``q`` is one replicate's record of the parameter
table.
"""

from __future__ import annotations

import math
from typing import Any

from revexport.codes import ALIGNED, CONTACT_LAND, CONTACT_SEA, CONTACT_TWO_HOP, MONARCHY, NONALIGNED
from revexport.compiled import cell

A = Any  # an array argument
#: Below this monthly probability an event is not drawn for (it would happen about once in a
#: billion months); it spares a random draw for every pair a smooth hazard leaves all but shut.
NEGLIGIBLE_HAZARD = 1e-9


@cell
def power(capability: float, cohesion: float, aid: float) -> float:
    """Effective military capability of a state: capability x cohesion + superpower aid."""
    return capability * cohesion + aid


@cell
def logistic(margin: float, width: float) -> float:
    """Smooth step in ``margin``: 1/2 at 0, toward 1 above and 0 below, over a few ``width``.

    Hazards are scaled by it instead of switched on at a threshold, so no outcome hangs on
    one number (the exponent is bounded: no overflow, whatever the margin).
    """
    z = min(max(margin / width, -50.0), 50.0)
    return 1.0 / (1.0 + math.exp(-z))


@cell
def odds_logistic(share: float, threshold: float, width: float) -> float:
    """Smooth step in a ``share`` of a pair's power, judged on its odds (Hirshleifer 1989).

    ``logistic(logit(share) - logit(threshold), width / (threshold (1 - threshold)))``: the
    same slope as ``logistic(share - threshold, width)`` at the threshold, but the odds of the
    balance, not its difference, set how fast it closes away from it -- a ratio form of the
    contest success function, ``o^k / (o^k + o_t^k)`` in the odds ``o``, ``k`` = 1 / that width.
    A state with a tenth of its opponent's power is far from any window, not a few widths.
    """
    x = min(max(share, 1e-9), 1.0 - 1e-9)
    margin = math.log(x / (1.0 - x)) - math.log(threshold / (1.0 - threshold))
    return logistic(margin, width / (threshold * (1.0 - threshold)))


@cell
def live_slots(slot_state: A, r: int) -> int:
    """The exporter slots of replicate ``r`` a phase visits: one past the highest that holds a
    sitting exporter (0 if none).

    The slots past it are empty, and a loop over them would change nothing a later step reads:
    their intent, shares, spending and planned wars are cleared when the regime phase vacates
    them, their wars end there, and the wars they began or ended that month, once recorded,
    are cleared the month after (responses, war). A slot can be vacated below a sitting one:
    the highest index, not a count, bounds the loops, which still test the slots below it.
    """
    for e in range(slot_state.shape[1] - 1, -1, -1):
        if slot_state[r, e] >= 0:
            return e + 1
    return 0


@cell
def mark_eligible(slot_state: A, superpower: A, regime: A, r: int, exporter: A, ok: A) -> None:
    """Set ``exporter`` and ``ok`` (S,): the states movements, coalitions and strikes concern
    are not exporters, not superpowers and not aligned regimes."""
    # Written state by state, then cleared at the exporters: a loop reading ``exporter`` right
    # after its bytes were set one by one is compiled to wide loads that wait for those stores
    # (a stall that cost 3 % of a step).
    for s in range(ok.shape[0]):
        exporter[s] = False
        ok[s] = superpower[s] < 0 and regime[r, s] != ALIGNED
    for e in range(slot_state.shape[1]):
        x = slot_state[r, e]
        if x >= 0:
            exporter[x] = True
            ok[x] = False


@cell
def vulnerability(q: Any, regime: int, movement: float, affinity: float, grievance: float) -> float:
    """Ideological vulnerability of a state to the exporters' message, in [0, 1].

    ``vulnerability_base + affinity x (grievance + vulnerability_movement_weight x movement)``,
    plus ``threat_regime_delegitimised`` for a monarchy (the regime type the message condemns
    by name), capped at 1.
    """
    condemned = q.threat_regime_delegitimised * (regime == MONARCHY)
    return min(1.0, q.vulnerability_base + condemned + affinity * (
        grievance + q.vulnerability_movement_weight * movement))


@cell
def threat(q: Any, intent: float, proximity: float, exporter_power: float, state_power: float,
           vuln: float) -> float:
    """Threat a state feels from an exporter (Walt's balance of threat).

    ``intent x (w x vulnerability + (1 - w) x proximity x power share)``, ``w`` =
    ``threat_ideological_weight``, power share = exporter power / (exporter + state power).
    """
    share = exporter_power / max(exporter_power + state_power, 1e-12)
    wt = q.threat_ideological_weight
    return intent * (wt * vuln + (1.0 - wt) * proximity * share)


@cell
def rivals(rival_ptr: A, rival_idx: A, rival_first: A, rival_last: A, s: int, j: int,
           step: int) -> bool:
    """Whether states ``s`` and ``j`` are strategic rivals in ``step`` (the scenario's
    rivalries, in force from their first to their last step)."""
    for k in range(rival_ptr[s], rival_ptr[s + 1]):
        if rival_idx[k] == j and rival_first[k] <= step <= rival_last[k]:
            return True
    return False


@cell
def contact_proximity(q: Any, contact: int) -> float:
    """Proximity of a state in a contact class (:class:`revexport.codes.Contact`): 1 by land,
    ``proximity_sea``, ``proximity_two_hop`` or ``proximity_far``, as an exporter's (7.1)."""
    if contact == CONTACT_LAND:
        return 1.0
    if contact == CONTACT_SEA:
        return q.proximity_sea
    return q.proximity_two_hop if contact == CONTACT_TWO_HOP else q.proximity_far


@cell
def presence_support(q: Any, presence: A, alignment: A, occupied: A, capability: A,
                     superpower_rows: A, r: int, out: A) -> None:
    """Set ``out[s]`` (S,) to the capability foreign forces add to the defence of each state
    ``s`` in replicate ``r``: ``presence_strength`` x the capability of a superpower that has
    forces deployed and ``s`` is its client, or of the state (a superpower or another) that
    occupies ``s`` (its army is there); 0 for others.

    Filled for every state at once, once per replicate: called inside the loop over states,
    the arrays it reads would be reference-counted at every call.
    """
    for s in range(out.shape[0]):
        support = 0.0
        occupier = occupied[r, s]
        for bloc in range(2):
            row = superpower_rows[bloc]
            if row >= 0 and ((presence[r, bloc] and alignment[r, s] == bloc) or occupier == row):
                support += q.presence_strength * capability[r, row]
        if occupier >= 0 and occupier != superpower_rows[0] and occupier != superpower_rows[1]:
            support += q.presence_strength * capability[r, occupier]
        out[s] = support


@cell
def other_front(alignment: A, occupied: A, superpower: A, land_ptr: A, land_idx: A,
                civil_war: A, r: int, out: A) -> None:
    """Set ``out[s]`` (S,) to whether state ``s`` holds another front in replicate ``r``: a
    civil war at home (``civil_war`` (S,), this step's row of the scenario's table), or an army
    it is not allied with on a land border -- a superpower's own territory, or a neighbour
    occupied by another state (a superpower or not). Allied: the army's bloc is the state's
    own (a non-aligned state has no allies). Filled once per replicate, like
    :func:`presence_support`.
    """
    for s in range(out.shape[0]):
        out[s] = civil_war[s]
        if out[s]:
            continue
        a = alignment[r, s]
        for k in range(land_ptr[s], land_ptr[s + 1]):
            nb = land_idx[k]
            owner = nb if superpower[nb] >= 0 else occupied[r, nb]
            if owner < 0 or owner == s:
                continue
            if a == NONALIGNED or alignment[r, owner] != a:
                out[s] = True
                break


@cell
def monthly_budget(q: Any, gdp0: float, economy: float) -> float:
    """Monthly external budget of an exporter with GDP ``gdp0 x economy``, US$ bn."""
    return q.budget_fraction * gdp0 * economy / 12.0


@cell
def sanctions_felt(sanctioning: A, superpower_sanction: A, gdp_share: A, r: int) -> tuple[float, float]:
    """Share of the scenario's GDP sanctioning the exporters, and the number of superpowers
    that do."""
    sanctioned = 0.0
    for s in range(sanctioning.shape[1]):
        sanctioned += sanctioning[r, s] * gdp_share[s]
    return sanctioned, 1.0 * superpower_sanction[r, 0] + 1.0 * superpower_sanction[r, 1]
