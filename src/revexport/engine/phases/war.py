"""Phase 5 -- war: attrition, cost, rally and weariness, ceasefire, collapse.

For each war under way (exporter e, state s):

* attrition, Lanchester-style: each side loses ``war_attrition x`` the opponent's share of the
  pair's effective power (at most ``attrition_cap`` a month); an exporter's power is split
  over its fronts; a client's power includes the forces its deployed patron lends to its
  defence;
* economic cost to both sides;
* the exporter's rally effect (when attacked) fades while war weariness grows;
* ceasefire with a monthly hazard that rises when both sides' weariness passes what they will
  bear -- the state's ``war_tolerance``, the exporter's set by its doctrine and, for a
  factional doctrine, by the factions' weights -- and with stalemate (balanced power) after
  ``stalemate_months`` (Bennett & Stam 1996);
* collapse: a side whose effective power falls below ``collapse_threshold`` of its level when
  the war began loses the war and a share of its legitimacy (a collapsed state's movement is
  also boosted: the victor's partisans move in), which can bring regime change in phase 6;
* deterrence: a war's end, however it ended, leaves deterrence 1 between the two sides,
  decaying by ``deterrence_decay`` a month; it scales the hazard of a new war between them
  (phase 4);
* what the war showed (Fearon 1995; Werner 1999; Werner & Yuen 2005): a war that ends
  without the state's victory records, for its exporter, the larger of the state's shares of
  the pair's power when it began and when it ended (``w.war_lesson``, the largest so far); no
  state strikes that exporter first at a share no larger (phase 4).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from revexport.codes import CEASEFIRE, EXPORTER_COLLAPSED, STATE_COLLAPSED
from revexport.compiled import kernel
from revexport.engine.cells import live_slots, logistic, power, presence_support
from revexport.engine.state import StaticArrays, World


@kernel
def fight(w: World, st: StaticArrays, par: Any, rng: np.random.Generator) -> None:
    """Advance every war by one month."""
    # The world's and the scenario's arrays as locals: fetched from their records inside
    # the branchy loops below, each use would take and release a reference.
    aid, alignment, attacked, capability = w.aid, w.alignment, w.attacked, w.capability
    cohesion, deterrence, economy = w.cohesion, w.deterrence, w.economy
    economy_without_sanctions, legitimacy = w.economy_without_sanctions, w.legitimacy
    movement, occupied, presence, rally = w.movement, w.occupied, w.presence, w.rally
    slot_state, war, war_cap0_exporter = w.slot_state, w.war, w.war_cap0_exporter
    war_cap0_state, war_end, war_months = w.war_cap0_state, w.war_end, w.war_months
    war_lesson, war_tolerance, weariness = w.war_lesson, w.war_tolerance, w.weariness
    superpower_rows = st.superpower_rows
    n_r, n_e, n_s = war.shape
    share_exp = np.zeros((n_e, n_s))
    share_st = np.zeros((n_e, n_s))
    loss_exp = np.zeros(n_e)
    loss_state = np.zeros(n_s)
    exp_at_war = np.zeros(n_e, dtype=np.bool_)
    state_at_war = np.zeros(n_s, dtype=np.bool_)
    state_down = np.zeros((n_e, n_s), dtype=np.bool_)
    exp_down = np.zeros((n_e, n_s), dtype=np.bool_)
    foreign = np.zeros(n_s)  # capability of foreign forces defending each state
    for r in range(n_r):
        q = par[r]
        for e in range(n_e):
            rally[r, e] = rally[r, e] * (1.0 - q.rally_decay) + q.rally_effect * attacked[r, e]
        # The slots past the last sitting exporter are at war nowhere (their wars ended when
        # they were vacated).
        n_live = live_slots(slot_state, r)
        # Power shares of each pair, before attrition.
        any_war = False  # foreign forces are counted only in a replicate at war
        for e in range(n_live):
            x = slot_state[r, e]
            fronts = 0.0
            for s in range(n_s):
                fronts += war[r, e, s]
            exp_pw = power(capability[r, x], cohesion[r, x], aid[r, x]) / max(fronts, 1.0) if x >= 0 else 0.0
            for s in range(n_s):
                if not war[r, e, s]:
                    continue
                if not any_war:
                    presence_support(q, presence, alignment, occupied, capability,
                                     superpower_rows, r, foreign)
                    any_war = True
                st_pw = power(capability[r, s], cohesion[r, s], aid[r, s]) + foreign[s]
                total = max(exp_pw + st_pw, 1e-12)
                share_exp[e, s] = exp_pw / total
                share_st[e, s] = st_pw / total

        # Attrition, then the economic cost of war, on states and on exporters. A replicate at
        # war nowhere only clears its flags: the rest would multiply by 1 and add 0.
        for s in range(n_s):
            loss_state[s] = 0.0
            state_at_war[s] = False
        for e in range(n_live):
            loss_exp[e] = 0.0
            exp_at_war[e] = False
        if any_war:
            # Each side's losses over its fronts, in one pass over the pairs.
            for e in range(n_live):
                for s in range(n_s):
                    if war[r, e, s]:
                        loss_state[s] += q.war_attrition * share_exp[e, s]
                        loss_exp[e] += q.war_attrition * share_st[e, s]
                        state_at_war[s] = True
                        exp_at_war[e] = True
            for s in range(n_s):
                capability[r, s] *= 1.0 - min(loss_state[s], q.attrition_cap)
            for e in range(n_live):
                x = slot_state[r, e]
                if x >= 0:
                    capability[r, x] *= 1.0 - min(loss_exp[e], q.attrition_cap)
            for s in range(n_s):
                economy[r, s] *= 1.0 - q.war_economic_cost * state_at_war[s]
            for e in range(n_live):
                x = slot_state[r, e]
                if x >= 0 and exp_at_war[e]:
                    economy[r, x] *= 1.0 - q.war_economic_cost
                    # Sanctions' counterfactual bears the war too (its output lost to war and to
                    # sanctions are counted apart, in the home phase).
                    economy_without_sanctions[r, e] *= 1.0 - q.war_economic_cost
            for e in range(n_live):
                for s in range(n_s):
                    war_months[r, e, s] += war[r, e, s]
        # Weariness grows in every state at war (exporters included) and decays elsewhere.
        for e in range(n_live):
            x = slot_state[r, e]
            if x >= 0 and exp_at_war[e]:
                state_at_war[x] = True
        for s in range(n_s):
            if state_at_war[s]:
                weariness[r, s] = min(1.0, weariness[r, s] + q.war_weariness_rate)
            else:
                weariness[r, s] *= 1.0 - q.weariness_recovery

        # A slot vacated last month may still show the wars it ended then (the record read them).
        for e in range(n_live, n_e):
            for s in range(n_s):
                war_end[r, e, s] = 0
        # Collapse against the power each side had when its war began; else ceasefire.
        for e in range(n_live):
            x = slot_state[r, e]
            exp_now = power(capability[r, x], cohesion[r, x], aid[r, x]) if x >= 0 else 0.0
            exp_weary = weariness[r, x] if x >= 0 else 0.0
            for s in range(n_s):
                war_end[r, e, s] = 0
                state_down[e, s] = False
                exp_down[e, s] = False
                if not war[r, e, s]:
                    continue
                state_now = power(capability[r, s], cohesion[r, s], aid[r, s])
                state_down[e, s] = state_now < q.collapse_threshold * war_cap0_state[r, e, s]
                exp_down[e, s] = (not state_down[e, s]
                                  and exp_now < q.collapse_threshold * war_cap0_exporter[r, e, s])
                if exp_down[e, s]:
                    war_end[r, e, s] = EXPORTER_COLLAPSED
                    continue
                if state_down[e, s]:
                    war_end[r, e, s] = STATE_COLLAPSED
                else:
                    stalemate = (1.0 - abs(share_exp[e, s] - share_st[e, s])) * (
                        war_months[r, e, s] > q.stalemate_months)
                    # A war ends when both sides will bear no more: each side's weariness past
                    # its tolerance (the exporter's set by its doctrine and factions).
                    both_tired = (logistic(exp_weary - war_tolerance[r, e],
                                           q.ceasefire_margin_width)
                                  * logistic(weariness[r, s] - q.war_tolerance,
                                             q.ceasefire_margin_width))
                    hazard = (q.ceasefire_base + q.ceasefire_cost_weight * both_tired
                              + q.ceasefire_stalemate_weight * stalemate)
                    if rng.random() < min(hazard, 1.0):
                        war_end[r, e, s] = CEASEFIRE
                if war_end[r, e, s] != 0:
                    # A war the state did not win shows every state what balance does not win.
                    began = war_cap0_state[r, e, s] / max(
                        war_cap0_state[r, e, s] + war_cap0_exporter[r, e, s], 1e-12)
                    ended = state_now / max(state_now + exp_now, 1e-12)
                    war_lesson[r, e] = max(war_lesson[r, e], began, ended)
        # The losers: legitimacy shock (a collapsed state's movement boosted as well).
        for s in range(n_s):
            lost = False
            for e in range(n_live):
                lost = lost or state_down[e, s]
            if lost:
                legitimacy[r, s] = min(max(legitimacy[r, s] - q.collapse_legitimacy_shock, 0.0), 1.0)
                movement[r, s] = min(max(movement[r, s] + q.collapse_movement_boost, 0.0), 1.0)
        for e in range(n_live):
            x = slot_state[r, e]
            if x < 0:
                continue
            lost = False
            for s in range(n_s):
                lost = lost or exp_down[e, s]
            if lost:
                legitimacy[r, x] = min(max(legitimacy[r, x] - q.collapse_legitimacy_shock, 0.0), 1.0)
        # A war's end deters a new one between the same two sides, less as time passes (the
        # slots past the last sitting exporter keep theirs: no one reads it, and it is reset
        # when a new exporter takes the slot).
        for e in range(n_live):
            for s in range(n_s):
                deterrence[r, e, s] *= 1.0 - q.deterrence_decay
                if war_end[r, e, s] != 0:
                    war[r, e, s] = False
                    deterrence[r, e, s] = 1.0
