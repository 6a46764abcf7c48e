"""Phase 4 -- responses: targets repress, balance, sanction or strike first; superpowers act.

* Repression rises toward a level set by the movement's strength above a trigger
  (democracies restrained); every increase costs legitimacy.
* Balancing (Walt 1987): a state joins the coalition against the exporters with a monthly
  hazard, higher the larger the share of its neighbours' power already in (a coalition
  gathers around its strongest members), lower for a superpower's client whose patron does
  not itself oppose the exporters (sanction them), and scaled by a logistic in the margin of
  its threat over the join threshold; a member leaves with its own hazard, scaled by a
  logistic in the margin of its threat under a lower threshold (hysteresis). The threat a
  state balances is its highest threat or, if larger, ``coalition_leadership`` x the mean
  threat to its weaker neighbours of its own bloc (a regional power leads its partners),
  discounted by ``coalition_front_restraint`` while a greater threat holds it elsewhere (it
  balances against the greatest threat): a front against an army it is not allied with on a
  land border (the second front of the first-strike rule, below), or, smoothly (a logistic in
  the margin, ``coalition_margin_width``), a strategic rival whose threat exceeds the
  exporters' -- Walt's threat with the rival's hostility ``rival_hostility`` for intent and no
  ideological part, the rival's power less the share it holds on a front against an exporter
  (a rival outside the scenario: its fixed power). So the enemy of an exporter's enemy need
  not balance the exporter.
* Sanctions: a state sanctions while its threat exceeds the sanction threshold; a superpower
  sanctions when the mean perceived hostility toward its clients (and itself) passes its
  threshold. Both stop only below ``response_hysteresis`` x their threshold.
* Superpower aid: clients receive aid in proportion to their threat (and non-aligned states
  at war with an exporter from both superpowers), raising their capability and resilience;
  aid decays.
* Superpower presence: when the threat to any of its clients passes ``presence_threshold`` a
  superpower deploys forces. Deployed forces defend, they do not embolden: they count in a
  client's power only in a war an exporter fights against it
  (:func:`~revexport.engine.cells.presence_support`) and in its regime's resilience.
* First strike (Walt 1996): a state strikes an exporter when its threat is high *and* a
  window of opportunity is open -- its share of the pair's effective power (the exporter
  weakened), its own power less the share ``strike_front_commitment`` it keeps on another front
  when an army it is not allied with stands on a land border
  (:func:`~revexport.engine.cells.other_front`) or, smoothly, a rival threatens it more than
  the exporters do (the same measure as in balancing), raised by ``strike_patron_weight`` if a
  superpower backs it (backing multiplies what a client brings; it gives a state with no power
  no window): the hazard runs only while the threat passes its threshold as the state's
  government misreads it -- by ``strike_margin_width`` times a standard logistic draw fixed for
  the run (``w.strike_misjudgment``; Jervis 1976: beliefs filter signals the same way month
  after month), so over replicates the share in which it passes is the logistic of the margin,
  but a state far below its threshold does not strike by chance in some month -- and is scaled
  by a logistic in the window's margin over its threshold, on the odds of the balance
  (:func:`~revexport.engine.cells.odds_logistic`, so a far weaker state is far from any
  window); it falls with distance, is scaled by ``strike_outside_rivalry`` unless the
  exporter's state is the striker's strategic rival in the scenario's rivalries (rivals fight
  most interstate wars: Colaresi, Rasler & Thompson 2007), and by ``1 - deterrence`` after an
  earlier war between the two ended (the war phase). No state strikes an exporter at a share
  of the pair's power no larger than one with which a state already fought it and did not win
  (``w.war_lesson``, the war phase: fighting showed that balance is not enough).
* Wars the exporters open (``w.strike``, from their doctrines) begin here too.
* A state under occupation (``w.occupied``, docs/odd.md 7.1) is no independent actor: it
  represses its movement toward at least ``occupation_repression`` (the occupier's), and does
  not balance, sanction, receive aid, strike or get struck.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from revexport.codes import DEMOCRACY, NONALIGNED, STARTED_BY_EXPORTER, STARTED_BY_STATE
from revexport.compiled import kernel
from revexport.engine.cells import (
    NEGLIGIBLE_HAZARD,
    contact_proximity,
    live_slots,
    logistic,
    mark_eligible,
    odds_logistic,
    other_front,
    power,
    rivals,
    threat,
    vulnerability,
)
from revexport.engine.state import StaticArrays, World


@kernel
def respond(w: World, st: StaticArrays, par: Any, rng: np.random.Generator, step: int) -> None:
    """Update repression, legitimacy, coalition, sanctions, aid, presence; start new wars
    (``step``: this month's, for the rivalries it finds in force)."""
    # The world's and the scenario's arrays as locals: fetched from their records inside
    # the branchy loops below, each use would take and release a reference.
    aid, alignment, anchor_repression = w.aid, w.alignment, w.anchor_repression
    attacked, capability, coalition = w.attacked, w.capability, w.coalition
    coalition_before, cohesion, deterrence = w.coalition_before, w.cohesion, w.deterrence
    intent, legitimacy, movement, new_war = w.intent, w.legitimacy, w.movement, w.new_war
    occupied, presence, proximity, regime = w.occupied, w.presence, w.proximity, w.regime
    repression, sanctioning, slot_state = w.repression, w.sanctioning, w.slot_state
    strike, superpower_sanction, war = w.strike, w.superpower_sanction, w.war
    war_cap0_exporter, war_cap0_state = w.war_cap0_exporter, w.war_cap0_state
    war_initiator, war_months, weariness = w.war_initiator, w.war_months, w.weariness
    strike_misjudgment, war_lesson = w.strike_misjudgment, w.war_lesson
    adj_idx, adj_ptr, adj_weight, affinity = st.adj_idx, st.adj_ptr, st.adj_weight, st.affinity
    capability0, grievance, land_idx, land_ptr = st.capability0, st.grievance, st.land_idx, st.land_ptr
    protected_alignment, superpower = st.protected_alignment, st.superpower
    rival_contact, rival_first, rival_idx = st.rival_contact, st.rival_first, st.rival_idx
    rival_last, rival_power, rival_ptr = st.rival_last, st.rival_power, st.rival_ptr
    superpower_rows = st.superpower_rows
    civil_war = st.civil_war[min(step, st.civil_war.shape[0] - 1)]  # this month's row
    n_r, n_e, n_s = intent.shape
    ok = np.zeros(n_s, dtype=np.bool_)
    free = np.zeros(n_s, dtype=np.bool_)
    front = np.zeros(n_s, dtype=np.bool_)  # an army it is not allied with on a land border
    held = np.zeros(n_s)  # how far a greater threat than the exporters' holds it elsewhere
    exporter = np.zeros(n_s, dtype=np.bool_)
    t = np.zeros((n_e, n_s))
    t_max = np.zeros(n_s)
    t_join = np.zeros(n_s)
    pw_now = np.zeros(n_s)  # effective power before this month's aid
    exp_pw = np.zeros(n_e)
    bloc_total = np.zeros(2)  # clients' hostility toward the exporters, by bloc
    bloc_n = np.zeros(2, dtype=np.int64)
    bloc_worst = np.zeros(2)  # the highest threat to a free client, by bloc
    for r in range(n_r):
        q = par[r]
        # The slots past the last sitting exporter are skipped where they would change
        # nothing: no intent, no war, no strike (cleared when the slot was vacated).
        n_live = live_slots(slot_state, r)
        # Eligibility and threat, from the world as the phase found it.
        mark_eligible(slot_state, superpower, regime, r, exporter, ok)
        for s in range(n_s):  # eligible and sovereign: it acts for itself
            free[s] = ok[s] and occupied[r, s] < 0
        other_front(alignment, occupied, superpower, land_ptr, land_idx, civil_war, r, front)
        for e in range(n_live):
            x = slot_state[r, e]
            exp_pw[e] = power(capability[r, x], cohesion[r, x], aid[r, x]) if x >= 0 else 0.0
        for s in range(n_s):
            pw = power(capability[r, s], cohesion[r, s], aid[r, s])
            pw_now[s] = pw
            vuln = vulnerability(q, regime[r, s], movement[r, s], affinity[s], grievance[s])
            best = 0.0
            for e in range(n_live):
                t[e, s] = threat(q, intent[r, e, s], proximity[r, e, s], exp_pw[e], pw, vuln
                                 ) if slot_state[r, e] >= 0 else 0.0
                best = t[e, s] if e == 0 else max(best, t[e, s])
            t_max[s] = best

        # Repression, and its cost in legitimacy.
        for s in range(n_s):
            coalition_before[r, s] = coalition[r, s]
            if not ok[s]:
                continue
            excess = max(movement[r, s] - q.repression_trigger, 0.0)
            restraint = 1.0 - q.democracy_repression_restraint if regime[r, s] == DEMOCRACY else 1.0
            anchor = anchor_repression[r, s]
            if occupied[r, s] >= 0:
                anchor = max(anchor, q.occupation_repression)
            target = min(max(anchor + q.repression_gain * excess * restraint, 0.0), 1.0)
            delta = q.repression_response * (target - repression[r, s])
            repression[r, s] = min(max(repression[r, s] + delta, 0.0), 1.0)
            legitimacy[r, s] = min(max(
                legitimacy[r, s] - q.repression_legitimacy_cost * max(delta, 0.0), 0.0), 1.0)

        # A state weighs the threat to its weaker neighbours of the same bloc as its own in
        # part: a regional power leads its partners' balancing. It balances against the
        # greatest threat: holding another front, or facing a rival that threatens it more
        # than the exporters do, it weighs the exporters' threat less.
        for s in range(n_s):
            t_join[s] = t_max[s]
            a = alignment[r, s]
            if free[s] and a != NONALIGNED:
                led = 0.0
                n_led = 0.0
                for k in range(adj_ptr[s], adj_ptr[s + 1]):
                    nb = adj_idx[k]
                    if free[nb] and alignment[r, nb] == a and pw_now[nb] < pw_now[s]:
                        led += adj_weight[k] * t_max[nb]
                        n_led += adj_weight[k]
                if n_led > 0.0:
                    t_join[s] = max(t_max[s], q.coalition_leadership * led / n_led)
            elsewhere = 1.0 if front[s] else 0.0
            # Held by a front, it is held elsewhere in full: no rival's logistic (at most 1)
            # could raise that.
            if free[s] and not front[s]:
                rival = 0.0
                for k in range(rival_ptr[s], rival_ptr[s + 1]):
                    j = rival_idx[k]
                    if step < rival_first[k] or step > rival_last[k]:
                        continue
                    if j < 0:
                        pw_rival = rival_power[k]  # a state outside the scenario
                    elif exporter[j]:
                        continue  # an exporter's threat is the exporters'
                    else:
                        # A rival at war with an exporter holds part of its power on that front.
                        fighting = False
                        for e in range(n_live):
                            fighting = fighting or war[r, e, j]
                        pw_rival = pw_now[j] * (1.0 - q.strike_front_commitment * fighting)
                    rival = max(rival, threat(q, q.rival_hostility,
                                              contact_proximity(q, rival_contact[k]),
                                              pw_rival, pw_now[s], 0.0))
                if rival > 0.0:
                    elsewhere = max(elsewhere, logistic(rival - t_max[s], q.coalition_margin_width))
            held[s] = elsewhere
            t_join[s] *= 1.0 - q.coalition_front_restraint * elsewhere

        # Balancing (against membership before this month), sanctions by states, aid.
        for s in range(n_s):
            member = coalition_before[r, s]
            join = False
            leave = False
            if free[s] and not member:
                # Who is in already, by power: a coalition gathers around its strongest members.
                nb_in = 0.0
                nb_all = 0.0
                for k in range(adj_ptr[s], adj_ptr[s + 1]):
                    nb = adj_idx[k]
                    pw_nb = adj_weight[k] * pw_now[nb]
                    nb_all += pw_nb
                    nb_in += pw_nb * coalition_before[r, nb]
                a = alignment[r, s]
                # A patron that does not itself oppose the exporters restrains its clients.
                restrained = (a != NONALIGNED and superpower_rows[a] >= 0
                              and not superpower_sanction[r, a])
                join_p = (q.coalition_join_rate
                          * (1.0 + q.coalition_bandwagon * (nb_in / max(nb_all, 1e-12)))
                          * (1.0 - q.coalition_bloc_restraint * restrained)
                          * logistic(t_join[s] - q.coalition_join_threshold, q.coalition_margin_width))
                join = join_p > NEGLIGIBLE_HAZARD and rng.random() < min(join_p, 1.0)
            elif member and free[s]:
                leave_p = q.coalition_leave_rate * logistic(
                    q.coalition_hysteresis * q.coalition_join_threshold - t_join[s],
                    q.coalition_margin_width)
                leave = leave_p > NEGLIGIBLE_HAZARD and rng.random() < leave_p
            coalition[r, s] = ((member and not leave) or join) and free[s]
            sanctioning[r, s] = (t_max[s] > q.sanction_threshold or (
                sanctioning[r, s] and t_max[s] > q.response_hysteresis * q.sanction_threshold)) and free[s]
            if not free[s]:
                aid[r, s] = 0.0
                continue
            at_war = False
            for e in range(n_live):
                at_war = at_war or war[r, e, s]
            a = alignment[r, s]
            if a == NONALIGNED:
                backed = q.nonaligned_war_aid * at_war
            else:
                backed = 1.0 if protected_alignment[a] else 0.0
            need = max(t_max[s], 1.0 * at_war)
            gain = q.superpower_aid_rate * need * backed * capability0[s]
            aid[r, s] = aid[r, s] * (1.0 - q.aid_decay) + gain

        # Superpowers: sanctions on mean hostility toward their clients; forces deployed.
        # One pass over the states for both blocs: a client's (or the superpower's own)
        # hostility, read once, and the threat to the free clients.
        for bloc in range(2):
            bloc_total[bloc] = 0.0
            bloc_n[bloc] = 0
            bloc_worst[bloc] = 0.0
        for s in range(n_s):
            a = alignment[r, s]
            if not exporter[s] and (a != NONALIGNED or superpower[s] >= 0):
                hostility = 0.0
                for e in range(n_live):  # an empty slot's intent is 0
                    hostility = max(hostility, intent[r, e, s])
                for bloc in range(2):
                    if a == bloc or superpower[s] == bloc:
                        bloc_total[bloc] += hostility
                        bloc_n[bloc] += 1
            if free[s] and a != NONALIGNED:
                bloc_worst[a] = max(bloc_worst[a], t_max[s])
        for bloc in range(2):
            if superpower_rows[bloc] < 0:
                superpower_sanction[r, bloc] = False
                continue
            mean_hostility = bloc_total[bloc] / max(bloc_n[bloc], 1)
            worst = bloc_worst[bloc]
            threshold = q.superpower_sanction_threshold
            superpower_sanction[r, bloc] = mean_hostility > threshold or (
                superpower_sanction[r, bloc] and mean_hostility > q.response_hysteresis * threshold)
            presence[r, bloc] = worst > q.presence_threshold or (
                presence[r, bloc] and worst > q.response_hysteresis * q.presence_threshold)

        # First strikes (at most one a month per state, on its most threatening exporter) and
        # the wars the exporters open; power now includes this month's aid.
        for e in range(n_e):
            x = slot_state[r, e]
            exp_pw[e] = power(capability[r, x], cohesion[r, x], aid[r, x]) if x >= 0 else 0.0
            attacked[r, e] = False
        # A slot vacated last month may still show the wars begun then (the record read them).
        for e in range(n_live, n_e):
            for s in range(n_s):
                new_war[r, e, s] = False
        for s in range(n_s):
            pw = power(capability[r, s], cohesion[r, s], aid[r, s])
            committed = 1.0 - q.strike_front_commitment * held[s]  # the share free to strike
            # The threat passes its threshold as this state's government misreads it, the
            # same way month after month.
            misjudged = q.strike_margin_width * strike_misjudgment[r, s]
            weary = max(0.0, 1.0 - q.weariness_deterrence * weariness[r, s])
            patron = 1.0 * (alignment[r, s] != NONALIGNED)
            chosen = -1
            best = -1.0
            for e in range(n_live):
                # Below its threshold as misread, a state does not weigh a window at all.
                if (not free[s] or slot_state[r, e] < 0 or war[r, e, s]
                        or not t[e, s] - q.strike_threshold > misjudged
                        or pw / max(pw + exp_pw[e], 1e-12) <= war_lesson[r, e]):
                    continue
                backed = pw * committed * (1.0 + q.strike_patron_weight * patron)
                window = backed / max(backed + exp_pw[e], 1e-12)
                # Strategic rivals fight most wars: a state that is not the exporter's rival
                # strikes it at a fraction of the hazard.
                rival = rivals(rival_ptr, rival_idx, rival_first, rival_last, s, slot_state[r, e],
                               step)
                hazard = (q.strike_hazard * proximity[r, e, s] ** q.strike_proximity_exponent * weary
                          * (1.0 if rival else q.strike_outside_rivalry)
                          * (1.0 - deterrence[r, e, s])
                          * odds_logistic(window, q.strike_window_threshold, q.strike_margin_width))
                if hazard > NEGLIGIBLE_HAZARD and rng.random() < hazard and t[e, s] > best:
                    chosen, best = e, t[e, s]
            for e in range(n_live):
                struck = e == chosen
                # The exporter is deterred as its opponent is, after a war between them ends.
                by_exporter = (strike[r, e, s] and free[s] and not war[r, e, s] and not struck
                               and (deterrence[r, e, s] <= 0.0
                                    or rng.random() >= deterrence[r, e, s]))
                new_war[r, e, s] = struck or by_exporter
                if not (struck or by_exporter):
                    continue
                war[r, e, s] = True
                war_months[r, e, s] = 0
                war_initiator[r, e, s] = STARTED_BY_STATE if struck else STARTED_BY_EXPORTER
                war_cap0_state[r, e, s] = pw
                war_cap0_exporter[r, e, s] = exp_pw[e]
                if struck:
                    attacked[r, e] = True
