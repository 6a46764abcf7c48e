"""The one decision kernel: every doctrine written as data decides here, compiled.

:func:`decide` reads an :class:`~revexport.doctrines.base.Observation` and the doctrine
tables of :func:`revexport.doctrines.spec.compile_slots`, and writes each sitting exporter's
allocation. Built-in doctrines and TOML doctrines run through it alike, so a user's TOML
doctrine runs at full speed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from revexport.codes import (
    DEMOCRACY,
    DIPLOMACY,
    DOMESTIC,
    MILITARY,
    MONARCHY,
    N_MEANS,
    NONALIGNED,
    PROPAGANDA,
)
from revexport.compiled import cell, kernel


@cell
def condemnation(regime: int, alignment: int) -> float:
    """1 + how much the message condemns a regime: monarchies double, clients half again,
    democracies half as much (the factors multiply)."""
    h = 1.0 + (regime == MONARCHY) + 0.5 * (alignment != NONALIGNED)
    return h * (1.0 - 0.5 * (regime == DEMOCRACY))


@cell
def _factor(value: float, exponent: float) -> float:
    if exponent == 1.0:
        return value
    return max(value, 1e-9) ** exponent


@cell
def target_score(pol: Any, affinity: float, grievance: float, legitimacy: float,
                 movement: float, proximity: float, regime: int, alignment: int) -> float:
    """A policy's score of a target (before ripeness): the product of its attributes raised
    to the policy's exponents (:data:`revexport.doctrines.spec.ATTRIBUTES`)."""
    score = 1.0
    if pol.t_affinity != 0.0:
        score *= _factor(affinity, pol.t_affinity)
    if pol.t_grievance != 0.0:
        score *= _factor(grievance, pol.t_grievance)
    if pol.t_illegitimacy != 0.0:
        score *= _factor(1.0 - legitimacy, pol.t_illegitimacy)
    if pol.t_movement != 0.0:
        score *= _factor(movement, pol.t_movement)
    if pol.t_proximity != 0.0:
        score *= _factor(proximity, pol.t_proximity)
    if pol.t_condemned != 0.0:
        score *= _factor(condemnation(regime, alignment), pol.t_condemned)
    if pol.t_dependent != 0.0:
        dependent = 1.0 if (alignment != NONALIGNED or regime != DEMOCRACY) else 0.0
        score *= _factor(dependent, pol.t_dependent)
    if pol.t_receptiveness != 0.0:
        score *= _factor(affinity * grievance * (1.0 - legitimacy) + 0.5 * movement,
                         pol.t_receptiveness)
    if pol.t_reach != 0.0:
        score *= _factor(0.5 + proximity, pol.t_reach)
    return score


@cell
def with_defence(shares: Any, at_war: bool, need: float) -> None:
    """At war, raise the military share to at least ``need``, scaling the others down."""
    mil = shares[MILITARY]
    if not at_war or mil >= need:
        return
    rest = 1.0 - mil
    scale = (1.0 - need) / rest if rest > 0 else 1.0
    for m in range(N_MEANS):
        shares[m] *= scale
    shares[MILITARY] = need


@kernel
def defend_all(shares: Any, at_war: Any, need: Any) -> None:
    """:func:`with_defence` over (R, K, 6) ``shares``, ``at_war`` (R, K) and ``need`` (R,)."""
    for r in range(shares.shape[0]):
        for k in range(shares.shape[1]):
            with_defence(shares[r, k], at_war[r, k], need[r])


@kernel
def condemn_all(regime: Any, alignment: Any, out: Any) -> None:
    """:func:`condemnation` of every (R, S) regime and alignment code, into ``out``."""
    for r in range(regime.shape[0]):
        for s in range(regime.shape[1]):
            out[r, s] = condemnation(regime[r, s], alignment[r, s])


# Inlined: called for every policy, slot and replicate, a compiled call passed the
# observation's twenty arrays each time (a quarter of the decision kernel's time).
@cell
def policy_allocation(pol: Any, q: Any, r: int, k: int, obs: Any, shares: Any,
                      targets: Any) -> int:
    """One policy's allocation for slot ``k`` in replicate ``r``.

    Writes ``shares`` (6,) and ``targets`` (S,); returns the state it opens a war on, or -1.
    """
    n_s = targets.shape[0]
    (at_war, sanctions, valid_target, affinity, grievance, target_legitimacy, movement, proximity,
     regime, alignment, protected, power, target_power) = (
        obs.at_war, obs.sanctions, obs.valid_target, obs.affinity, obs.grievance,
        obs.target_legitimacy, obs.movement, obs.proximity, obs.regime, obs.alignment,
        obs.protected, obs.power, obs.target_power)
    n_wars = 0
    for s in range(n_s):
        n_wars += at_war[r, k, s]
    overstretched = sanctions[r, k] > pol.overstretch_sanctions or n_wars > pol.overstretch_wars
    mass = 0.0
    for s in range(n_s):
        score = 0.0
        if valid_target[r, k, s]:
            score = target_score(pol, affinity[s], grievance[s], target_legitimacy[r, s],
                                 movement[r, s], proximity[r, k, s], regime[r, s], alignment[r, s])
            if score <= pol.ripeness:
                score = 0.0
        targets[s] = score
        mass += score
    share = (pol.share_domestic, pol.share_diplomacy, pol.share_propaganda, pol.share_support,
             pol.share_covert, pol.share_military)
    for m in range(N_MEANS):
        shares[m] = share[m]
    if pol.export_gain > 0.0:
        # Opportunity decides the split between home and export, in the proportions given.
        x = 0.0 if overstretched else min(pol.max_export_share, pol.export_gain * mass)
        home = share[DOMESTIC] + share[DIPLOMACY]
        export = 1.0 - home
        for m in range(N_MEANS):
            if m == DOMESTIC or m == DIPLOMACY:
                shares[m] = share[m] / home * (1.0 - x) if home > 0 else 0.0
            else:
                shares[m] = share[m] / export * x if export > 0 else 0.0
    with_defence(shares, n_wars > 0, q.defence_share)
    if mass > 0:
        for s in range(n_s):
            targets[s] /= mass
    # War: the best-scoring state with a strong movement that it far outguns, its power
    # carried over the distance (the loss-of-strength gradient of a first strike).
    best, best_score = -1, 0.0
    if pol.strike_power_ratio > 0 and not overstretched:
        for s in range(n_s):
            if (targets[s] <= best_score or at_war[r, k, s]
                    or movement[r, s] <= pol.strike_min_movement):
                continue
            ratio = pol.strike_power_ratio * q.offensive_power_ratio
            if protected[r, s]:
                ratio *= q.patron_deterrence
            reach = proximity[r, k, s] ** q.strike_proximity_exponent
            if power[r, k] * reach > ratio * target_power[r, s]:
                best, best_score = s, targets[s]
    return best


@cell
def _shift_weights(q: Any, fac: Any, n_f: int, attacked: bool, at_war: bool, successes: float,
                   threat: float, weariness: float, economy: float, weights: Any, seen: Any,
                   expected: Any, r: int, k: int, log_weight0: Any, signal: Any) -> None:
    """Move the factions' influence with this month's signals (log-linear, then normalised),
    and back toward their starting balance (``log_weight0`` (K, 4): the log of each faction's
    starting weight, floored at 1e-9)."""
    new_successes = max(successes - seen[r, k], 0.0)
    seen[r, k] = successes
    # A crisis is a fall below what the factions expected; expectations adapt to what comes.
    crisis = min(max(q.crisis_sensitivity * (1.0 - economy / expected[r, k]), 0.0), 1.0)
    expected[r, k] += q.expectation_rate * (economy - expected[r, k])
    for c in range(n_f):
        f = fac[k, c]
        signal[c] = (f.sig_attacked * attacked + f.sig_mobilised * at_war
                     + f.sig_successes * new_successes
                     + f.sig_threat * threat + f.sig_weariness * weariness + f.sig_crisis * crisis)
    mean = 0.0
    for c in range(n_f):
        mean += signal[c] / n_f
    top = -np.inf
    for c in range(n_f):
        logw = math.log(max(weights[r, k, c], 1e-9))
        signal[c] = (logw + q.faction_learning_rate * (signal[c] - mean)
                     + q.faction_reversion * (log_weight0[k, c] - logw))
        top = max(top, signal[c])
    total = 0.0
    for c in range(n_f):
        signal[c] = math.exp(signal[c] - top)
        total += signal[c]
    for c in range(n_f):
        weights[r, k, c] = signal[c] / total


@cell
def mixed_incitement(weight: Any, propaganda: Any, incitement: Any, n: int) -> float:
    """The incitement of the first ``n`` allocations mixed with ``weight``: the share of their
    propaganda that incites, each weighed by the propaganda it spends (by weight alone if none
    spends any)."""
    spent, inciting, total, by_weight = 0.0, 0.0, 0.0, 0.0
    for i in range(n):
        spent += weight[i] * propaganda[i]
        inciting += weight[i] * propaganda[i] * incitement[i]
        total += weight[i]
        by_weight += weight[i] * incitement[i]
    if spent > 0.0:
        return inciting / spent
    return by_weight / total if total > 0.0 else 1.0


@kernel
def decide(obs: Any, policy: Any, n_policies: Any, faction: Any, n_factions: Any,
           stage: Any, weights: Any, seen: Any, expected: Any, shares_out: Any, targets_out: Any,
           strike_out: Any, tolerance_out: Any, incitement_out: Any) -> None:
    """Allocations of every sitting exporter whose slot runs a doctrine written as data.

    Parameters
    ----------
    obs : :class:`~revexport.doctrines.base.Observation` over R replicates and K slots
    policy, n_policies, faction, n_factions : the slots'
        :class:`~revexport.doctrines.spec.DoctrineTables`
    stage, weights : (R, K, 4) each faction's stage and influence (doctrine memory, updated)
    seen : (R, K) successes already credited to the factions (doctrine memory, updated)
    expected : (R, K) the economy the factions expect (doctrine memory, updated)
    shares_out, targets_out, strike_out, tolerance_out, incitement_out : (R, K, 6), (R, K, S),
        (R, K, S), (R, K), (R, K) written for the sitting exporters of those slots, left alone
        elsewhere
    """
    n_r, n_k, n_s = obs.proximity.shape
    n_p = policy.shape[1]
    psh = np.zeros((n_p, N_MEANS))  # each distinct policy's allocation, computed once
    ptg = np.zeros((n_p, n_s))
    pstrike = np.full(n_p, -1)
    sh = np.zeros((4, N_MEANS))  # each faction's allocation
    tg = np.zeros((4, n_s))
    strike = np.full(4, -1)
    tolerance = np.zeros(4)
    incitement = np.zeros(4)
    pair_weight, pair_propaganda, pair_incitement = np.zeros(2), np.zeros(2), np.zeros(2)
    signal = np.zeros(4)
    backing = np.zeros(n_s)  # the factions' influence behind a war on each state
    export_weight = np.zeros(4)  # each faction's influence x the share it spends on export
    # The factions' starting weights are the run's: their logs are taken once, not per replicate.
    log_weight0 = np.zeros((n_k, 4))
    for k in range(n_k):
        for c in range(n_factions[k]):
            log_weight0[k, c] = math.log(max(faction[k, c].weight, 1e-9))
    par, active, at_war_all = obs.params, obs.active, obs.at_war
    own_legit, own_economy, cohesion = obs.legitimacy, obs.economy, obs.cohesion
    attacked, successes, threat_felt, weariness = (obs.attacked, obs.successes, obs.threat_felt,
                                                   obs.weariness)
    for r in range(n_r):
        q = par[r]
        for k in range(n_k):
            n_f = n_factions[k]
            if n_f == 0 or not active[r, k]:
                continue
            at_war = False
            for s in range(n_s):
                at_war = at_war or at_war_all[r, k, s]
            if n_f > 1:
                _shift_weights(q, faction, n_f, attacked[r, k], at_war, successes[r, k],
                               threat_felt[r, k], weariness[r, k], own_economy[r, k], weights, seen,
                               expected, r, k, log_weight0, signal)
            for j in range(n_policies[k]):
                pstrike[j] = policy_allocation(policy[k, j], q, r, k, obs, psh[j], ptg[j])
            for c in range(n_f):
                f = faction[k, c]
                calm, bold = f.calm, f.bold
                if f.staged == 0.0:
                    for m in range(N_MEANS):
                        sh[c, m] = psh[calm, m]
                    for s in range(n_s):
                        tg[c, s] = ptg[calm, s]
                    strike[c] = pstrike[calm]
                    tolerance[c] = policy[k, calm].war_tolerance
                    incitement[c] = policy[k, calm].incitement
                    continue
                # Gradualism: the stage rises while home is stable, falls when it is not.
                stable = (own_legit[r, k] >= f.stable_legitimacy
                          and own_economy[r, k] >= f.stable_economy
                          and cohesion[r, k] >= f.stable_cohesion and not at_war)
                st = stage[r, k, c] + (f.ramp if stable else -0.5 * f.ramp)
                st = min(max(st, 0.0), 1.0)
                stage[r, k, c] = st
                for m in range(N_MEANS):
                    sh[c, m] = (1.0 - st) * psh[calm, m] + st * psh[bold, m]
                for s in range(n_s):
                    tg[c, s] = (1.0 - st) * ptg[calm, s] + st * ptg[bold, s]
                strike[c] = pstrike[bold] if st > f.strike_stage else -1
                tolerance[c] = ((1.0 - st) * policy[k, calm].war_tolerance
                                + st * policy[k, bold].war_tolerance)
                pair_weight[0], pair_weight[1] = 1.0 - st, st
                pair_propaganda[0], pair_propaganda[1] = psh[calm, PROPAGANDA], psh[bold, PROPAGANDA]
                pair_incitement[0] = policy[k, calm].incitement
                pair_incitement[1] = policy[k, bold].incitement
                incitement[c] = mixed_incitement(pair_weight, pair_propaganda, pair_incitement, 2)
            for s in range(n_s):
                strike_out[r, k, s] = False
            if n_f == 1:
                for m in range(N_MEANS):
                    shares_out[r, k, m] = sh[0, m]
                for s in range(n_s):
                    targets_out[r, k, s] = tg[0, s]
                if strike[0] >= 0:
                    strike_out[r, k, strike[0]] = True
                tolerance_out[r, k] = tolerance[0]
                incitement_out[r, k] = incitement[0]
                continue
            # Factions: weight-average shares and war tolerance; targets mixed by what each
            # spends on export; a war only where factions holding a majority back it.
            tol = 0.0
            for c in range(n_f):
                tol += weights[r, k, c] * tolerance[c]
            tolerance_out[r, k] = tol
            incitement_out[r, k] = mixed_incitement(weights[r, k], sh[:, PROPAGANDA], incitement,
                                                    n_f)
            for m in range(N_MEANS):
                total = 0.0
                for c in range(n_f):
                    total += weights[r, k, c] * sh[c, m]
                shares_out[r, k, m] = total
            for c in range(n_f):
                export_weight[c] = weights[r, k, c] * (1.0 - sh[c, DOMESTIC] - sh[c, DIPLOMACY])
            mass = 0.0
            for s in range(n_s):
                mix = 0.0
                for c in range(n_f):
                    mix += export_weight[c] * tg[c, s]
                targets_out[r, k, s] = mix
                mass += mix
            for s in range(n_s):
                targets_out[r, k, s] = targets_out[r, k, s] / mass if mass > 0 else 0.0
            for s in range(n_s):
                backing[s] = 0.0
            for c in range(n_f):
                if strike[c] >= 0:
                    backing[strike[c]] += weights[r, k, c]
            for s in range(n_s):
                if backing[s] > q.faction_war_majority:
                    strike_out[r, k, s] = True
                    break
