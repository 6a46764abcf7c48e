"""Every model parameter, declared once: default, range, source.

A step is one month. Rates are per month; shares and levels are in [0, 1]
unless the description says otherwise. The declaration is the single source
for the defaults used by the engine, for validation of overrides, for the
parameter table in ``docs/odd.md`` and for the strategies of the property
tests (and, later, for sensitivity analysis and calibration).

References cited by short name:

* Walt 1987 -- S. M. Walt, *The Origins of Alliances*, Cornell UP.
* Walt 1996 -- S. M. Walt, *Revolution and War*, Cornell UP.
* Jervis 1976 -- R. Jervis, *Perception and Misperception in International Politics*.
* Ramazani 1986 -- R. K. Ramazani, *Revolutionary Iran: Challenge and Response in the Middle East*.
* Cordesman & Wagner 1990 -- *The Lessons of Modern War, vol. II: The Iran-Iraq War*.
* Gurr 1970 -- T. R. Gurr, *Why Men Rebel*.
* Goldstone et al. 2010 -- "A Global Model for Forecasting Political Instability", AJPS 54(1).
* Bennett & Stam 1996 -- "The Duration of Interstate Wars, 1816-1985", APSR 90(2).
* Hufbauer et al. 2007 -- *Economic Sanctions Reconsidered*, 3rd ed.
* Mueller 1970 -- "Presidential Popularity from Truman to Johnson", APSR 64(1).
* Kalyvas 2006 -- S. N. Kalyvas, *The Logic of Violence in Civil War*, Cambridge UP.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from revexport.errors import RevexportError


@dataclass(frozen=True)
class ParamSpec:
    """The declaration of one parameter."""

    name: str
    default: float
    low: float
    high: float
    source: str
    description: str
    integer: bool = False


def _p(
    default: float, low: float, high: float, source: str, description: str, integer: bool = False
) -> Any:
    return field(
        default=default,
        metadata={
            "low": low,
            "high": high,
            "source": source,
            "description": description,
            "integer": integer,
        },
    )


#: The end of the source line of a parameter whose default comes from a calibration against the
#: historical patterns: the posterior's weighted medoid or, for parameters calibrated before the
#: medoid was reported, its marginal median (docs/calibration.md says which).
CALIBRATED = "default: calibrated, a central value of the posterior (docs/calibration.md)"


@dataclass(frozen=True)
class Parameters:
    """All model parameters with their defaults.

    Build a variant with :meth:`with_overrides`, which checks names and ranges.
    ``Parameters.specs()`` lists every declaration.
    """

    # -- 1. perception (Walt's balance of threat) --------------------------------
    perception_rate: float = _p(
        0.091, 0.02, 0.5, "assumption; " + CALIBRATED,
        "monthly weight of this month's evidence in a state's estimate of an exporter's intent")
    misperception_bias: float = _p(
        0.3, 0.0, 1.0, "Jervis 1976 (hostility over-estimated); magnitude an assumption",
        "relative over-estimation of hostile signals")
    perception_noise: float = _p(
        0.03, 0.0, 0.15, "assumption", "s.d. of monthly noise on perceived intent")
    signal_propaganda: float = _p(
        0.5, 0.1, 1.0, "assumption",
        "hostility read from propaganda that calls for a government's overthrow, at full "
        "intensity (moral support and outreach: signal_outreach of it)")
    signal_outreach: float = _p(
        0.2, 0.0, 0.6, "Article 154 of the constitution (support of movements 'accompanied by "
        "complete abstention from any interference in the internal affairs of other nations'); "
        "Walt 1996 (a revolution threatens by its example even where it does not incite); "
        "level an assumption",
        "hostility read from propaganda that is moral support and outreach, as a fraction of "
        "what is read from propaganda that calls for a government's overthrow")
    signal_support: float = _p(
        0.8, 0.2, 1.0, "assumption", "hostility read from material support found going to the movement")
    signal_posture: float = _p(
        0.61, 0.0, 1.0, "Walt 1987 (intent is read from what is aimed at a state); Walt 1996 (a "
        "creed that condemns a regime declares the intent); weight an assumption; " + CALIBRATED,
        "hostility read from the share of means the exporter puts into export, by each state in "
        "proportion to what is aimed at it (relative to the exporter's main target), in full by "
        "a regime the message condemns by name (a monarchy)")
    signal_spillover: float = _p(
        0.56, 0.0, 1.0, "Walt 1987 (a threat to an ally or to the patron's other clients is read as "
        "a threat to oneself); weight an assumption; " + CALIBRATED,
        "hostility read from what is aimed at a state's partners: the largest of the mean "
        "direct signals to the other clients of its patron, to the other coalition members "
        "(for a member) and to its neighbours")
    detection_support: float = _p(
        0.35, 0.05, 0.9, "assumption", "monthly probability that material support is found")
    detection_covert: float = _p(
        0.2, 0.02, 0.6, "assumption", "monthly probability that covert action is found")
    reassurance_diplomacy: float = _p(
        0.3, 0.0, 0.8, "Walt 1987 (perceived intentions); assumption",
        "reduction of read hostility per unit diplomacy share")
    threat_ideological_weight: float = _p(
        0.6, 0.2, 0.9, "Walt 1996 (revolutions threaten by example more than by arms)",
        "weight of ideological vulnerability, against military power x proximity, in threat")
    threat_regime_delegitimised: float = _p(
        0.2, 0.0, 0.5, "Walt 1996 (a revolutionary creed that denies a regime's legitimacy threatens it)",
        "extra ideological vulnerability of a regime type the message condemns (monarchy)")
    vulnerability_base: float = _p(
        0.2, 0.0, 0.5, "assumption",
        "ideological vulnerability of any state before affinity, grievance and movement")
    vulnerability_movement_weight: float = _p(
        2.0, 0.5, 4.0, "assumption (an organised movement weighs more than diffuse grievance)",
        "weight of movement strength, against grievance, in ideological vulnerability (x affinity)")
    proximity_sea: float = _p(
        0.6, 0.3, 0.9, "COW Direct Contiguity classes (sea <= 400 mi); weight an assumption",
        "proximity of a sea neighbour (land neighbour = 1)")
    proximity_two_hop: float = _p(
        0.25, 0.05, 0.5, "assumption", "proximity of a neighbour's neighbour")
    proximity_far: float = _p(
        0.05, 0.0, 0.2, "assumption", "proximity of any other state")

    # -- 2. decision --------------------------------------------------------------
    budget_fraction: float = _p(
        0.08, 0.02, 0.2, "SIPRI/COW milex as share of GDP in the region, 1979 (5-15 %)",
        "share of GDP the exporter spends on its external programme")
    propaganda_half_saturation: float = _p(
        0.01, 0.0002, 0.02, "range: GAO 1992, GAO/NSIAD-92-150 (the Voice of America spent "
        "about US$ 300 m a year on 47 language services: US$ 0.013-0.025 bn a month in all, in "
        "1979 or 1992 dollars, some US$ 0.0005 bn per service): from under half of one national "
        "service to about all of it at one target; value an assumption",
        "monthly spending (US$ bn) on one means at one target that has half its full effect: "
        "propaganda's pull on the movement, and the hostility the target reads from propaganda "
        "and from support or covert action found")
    offensive_power_ratio: float = _p(
        1.3, 1.0, 3.0, "assumption",
        "exporter-to-target power ratio a doctrine needs before it opens a war")
    patron_deterrence: float = _p(
        3.0, 1.0, 10.0, "Walt 1987 (superpower backing deters); factor an assumption",
        "extra factor on that ratio when the target is a superpower's client")
    superpower_sanction_weight: float = _p(
        0.25, 0.1, 0.5, "Hufbauer et al. 2007 (superpower sanctions as large as a region's); assumption",
        "weight of one superpower's sanctions, in units of the share of GDP sanctioning the exporter")

    # -- 3. movements -------------------------------------------------------------
    movement_propaganda_growth: float = _p(
        0.05, 0.005, 0.2, "Gurr 1970 (mobilisation from grievance); rate an assumption",
        "monthly growth at full propaganda x affinity x grievance x attractiveness")
    movement_support_growth: float = _p(
        0.08, 0.005, 0.2, "assumption",
        "monthly growth at material support far above the target's capacity, x affinity x grievance")
    support_reach_exponent: float = _p(
        1.0, 0.0, 2.0, "Boulding 1962 (loss-of-strength gradient); Salehyan 2009, Rebels without "
        "Borders (material support to rebels flows across land borders and through friendly "
        "neighbouring states); exponent an assumption",
        "share of material support and covert action that reaches a movement: the exporter's "
        "proximity to the state to this power, in full across a land border with an exporter or "
        "an aligned regime; at 0 it reaches every state in full")
    support_capacity_scale: float = _p(
        0.05, 0.005, 0.5, "assumption",
        "target capacity = this x the target's monthly security budget (US$ bn)")
    security_budget_fraction: float = _p(
        0.08, 0.02, 0.2, "SIPRI/COW milex as share of GDP in the region, 1979 (5-15 %)",
        "share of GDP a target state spends on security, the base of its capacity against support")
    movement_endogenous_growth: float = _p(
        0.004, 0.0, 0.03, "Gurr 1970; rate an assumption",
        "monthly growth from affinity x grievance alone")
    contagion_weight: float = _p(
        0.5, 0.0, 1.0, "Walt 1996 (contagion); assumption",
        "growth from aligned neighbours, relative to propaganda")
    movement_decay: float = _p(
        0.015, 0.002, 0.08, "assumption", "monthly decay of a movement")
    movement_repression_effect: float = _p(
        0.06, 0.01, 0.3, "assumption", "monthly shrinkage per unit repression")
    movement_noise: float = _p(
        0.004, 0.0, 0.03, "assumption", "s.d. of monthly noise on movement strength")
    attractiveness_success_weight: float = _p(
        0.3, 0.0, 1.0, "seed: the Iranian experience as a guide; assumption",
        "attractiveness gained per aligned regime abroad (saturating)")
    attractiveness_legitimacy_weight: float = _p(
        0.5, 0.2, 0.8, "seed: the Iranian experience as a guide; assumption",
        "weight of the exporter's legitimacy in the attractiveness of its example")
    attractiveness_economy_weight: float = _p(
        0.3, 0.0, 0.6, "assumption", "weight of the exporter's economic performance in attractiveness")
    attractiveness_cohesion_weight: float = _p(
        0.2, 0.0, 0.5, "assumption", "weight of the exporter's military cohesion in attractiveness")
    attractiveness_economy_cap: float = _p(
        1.5, 1.1, 3.0, "assumption", "relative GDP at which the economic example stops adding attraction")

    # -- 4. responses -------------------------------------------------------------
    repression_trigger: float = _p(
        0.12, 0.02, 0.5, "assumption", "movement strength above which a state represses more")
    repression_gain: float = _p(
        2.0, 0.5, 4.0, "assumption",
        "rise of a state's target repression per unit of movement strength above the trigger")
    repression_response: float = _p(
        0.1, 0.01, 0.5, "assumption", "monthly adjustment of repression toward its target level")
    repression_legitimacy_cost: float = _p(
        0.05, 0.005, 0.2, "assumption", "legitimacy lost per unit of added repression")
    democracy_repression_restraint: float = _p(
        0.6, 0.0, 1.0, "assumption (democratic peace literature)",
        "fraction by which democracies repress less")
    coalition_join_threshold: float = _p(
        0.27, 0.1, 0.7, "Walt 1987 (balancing); threshold an assumption; " + CALIBRATED,
        "threat above which a state may join the coalition against the exporter")
    coalition_hysteresis: float = _p(
        0.43, 0.1, 0.9, "Walt 1997, Why Alliances Endure or Collapse (alliances outlast the "
        "threat that formed them); fraction an assumption",
        "a member may leave when its threat falls below this fraction of the join threshold")
    coalition_join_rate: float = _p(
        0.23, 0.01, 0.5, "assumption; " + CALIBRATED,
        "monthly hazard of joining well above the join threshold")
    coalition_leave_rate: float = _p(
        0.12, 0.01, 0.5, "assumption", "monthly hazard of leaving well below the leave threshold")
    coalition_bandwagon: float = _p(
        1.1, 0.0, 2.0, "assumption; " + CALIBRATED,
        "extra joining hazard per share of the neighbours' effective power already in")
    coalition_leadership: float = _p(
        0.49, 0.0, 1.0, "Olson & Zeckhauser 1966 (the largest member bears a coalition's "
        "burden); Walt 1987 (regional powers lead balancing); weight an assumption; " + CALIBRATED,
        "share of the mean threat to its weaker neighbours of its own bloc that a client weighs "
        "as its own when it joins or leaves the coalition")
    coalition_bloc_restraint: float = _p(
        0.5, 0.0, 1.0, "Walt 1987; Snyder 1984 (the alliance security dilemma: patrons restrain "
        "their clients); assumption",
        "reduction of a superpower client's joining hazard while its patron does not itself "
        "oppose (sanction) the exporters")
    coalition_front_restraint: float = _p(
        0.5, 0.0, 1.0, "Walt 1987 (a state balances against the greatest threat: a foreign army "
        "on its border before a neighbour's message); Kux 2001 (Pakistan kept its ties with Iran "
        "while the Soviet army stood in Afghanistan); assumption, not calibrated",
        "share by which a state discounts the exporters' threat in balancing (joining and "
        "leaving the coalition) while a greater threat holds it elsewhere: a front against an "
        "army it is not allied with on a land border (the second front of the first-strike "
        "rule), or a rival whose threat exceeds the exporters' (smoothly, by "
        "coalition_margin_width)")
    rival_hostility: float = _p(
        0.5, 0.2, 1.0, "Thompson 2001 (strategic rivals regard each other as enemies, a source "
        "of actual or latent threat); Walt 1987 (the enemy of my enemy); level an assumption",
        "the intent a state reads from a strategic rival in Walt's threat (against an "
        "exporter's perceived intent, 0 to 1): a rival threatens by its power x proximity, "
        "with no ideological part")
    coalition_margin_width: float = _p(
        0.05, 0.005, 0.2, "assumption (threat is estimated with error, so a threshold is crossed "
        "gradually; Jervis 1976)",
        "width of the logistic in the margin of threat over the join (or under the leave) "
        "threshold that scales the joining (leaving) hazard; toward 0 a hard threshold")
    sanction_threshold: float = _p(
        0.5, 0.1, 0.8, "Hufbauer et al. 2007; threshold an assumption",
        "threat above which a state sanctions the exporter")
    response_hysteresis: float = _p(
        0.5, 0.2, 0.9, "assumption (sanctions and deployments outlast the threat that began them)",
        "sanctions and deployed forces end when threat falls below this fraction of their threshold")
    sanction_drag: float = _p(
        0.02, 0.002, 0.08, "Hufbauer et al. 2007 (GDP costs of sanctions); assumption",
        "monthly economy loss if every trading partner sanctioned (scaled by GDP share)")
    superpower_sanction_threshold: float = _p(
        0.3, 0.1, 0.8, "assumption",
        "mean perceived intent toward a superpower's clients at which it sanctions")
    superpower_sanction_drag: float = _p(
        0.0015, 0.0, 0.006, "Hufbauer et al. 2007; assumption",
        "monthly economy loss from one superpower's sanctions")
    superpower_aid_rate: float = _p(
        0.03, 0.0, 0.1, "assumption", "monthly aid to a threatened client, per unit threat")
    nonaligned_war_aid: float = _p(
        0.5, 0.0, 1.0, "assumption (both superpowers armed Iraq, a non-aligned state, in the 1980s)",
        "aid to a non-aligned state at war with an exporter, relative to a client's")
    presence_threshold: float = _p(
        0.45, 0.2, 0.9, "assumption (naval deployments follow threats to clients, e.g. tanker escorts)",
        "highest threat to a superpower's clients at which it deploys forces to the region")
    presence_strength: float = _p(
        0.05, 0.0, 0.2, "assumption",
        "share of a deployed superpower's capability that defends each client at war with an exporter")
    occupation_repression: float = _p(
        0.9, 0.5, 1.0, "assumption (an occupying army's counter-insurgency; Kalyvas 2006, The Logic "
        "of Violence in Civil War)",
        "lowest level toward which an occupied state's repression of its movement drifts while the "
        "occupation lasts")
    aid_decay: float = _p(
        0.03, 0.005, 0.2, "assumption", "monthly decay of accumulated aid")
    strike_threshold: float = _p(
        0.47, 0.1, 0.8, "Walt 1996 (threat and window of opportunity); assumption; " + CALIBRATED,
        "threat above which a neighbour considers a first strike")
    strike_window_threshold: float = _p(
        0.5, 0.2, 0.9, "Walt 1996; assumption; " + CALIBRATED,
        "window (attacker's share of effective power, patron-backed) above which it may strike")
    strike_hazard: float = _p(
        0.3, 0.01, 0.5, "assumption; " + CALIBRATED,
        "monthly hazard of a first strike when threat and window are both well open")
    strike_patron_weight: float = _p(
        0.15, 0.0, 1.0, "assumption",
        "patron backing: a superpower's client brings its power x (1 + this) to its window")
    strike_front_commitment: float = _p(
        0.5, 0.0, 0.9, "Walt 1987 (proximate offensive power threatens most); Kux 2001, The "
        "United States and Pakistan 1947-2000 (a front-line state after the Soviet invasion of "
        "Afghanistan); share an assumption, not calibrated",
        "share of its power a state keeps on another front -- an army it is not allied with on "
        "a land border (a superpower's own, or one occupying a neighbour), or a rival that "
        "threatens it more than the exporters (smoothly) -- and so cannot bring to its window "
        "against an exporter; also the share a rival at war with an exporter holds there")
    strike_outside_rivalry: float = _p(
        0.1, 0.02, 0.5, "Colaresi, Rasler & Thompson 2007, Strategic Rivalries in World Politics "
        "(strategic rivals fight most interstate wars: about three in four since 1816, a small "
        "share of the pairs of states); Vasquez 1993, The War Puzzle; factor an assumption",
        "a first strike on an exporter whose state is not the striker's strategic rival (the "
        "scenario's rivalries) has this fraction of a rival's hazard")
    strike_proximity_exponent: float = _p(
        2.0, 1.0, 3.0, "Boulding 1962 (loss-of-strength gradient); exponent an assumption",
        "the first-strike hazard scales with proximity to this power")
    strike_margin_width: float = _p(
        0.05, 0.005, 0.2, "assumption (threat and windows are estimated with error; Jervis 1976: "
        "a government's beliefs filter signals the same way month after month); " + CALIBRATED,
        "scale of the logistic error with which a state's government misreads the threat against "
        "its strike threshold (drawn once a replicate and state) and width of the logistic in "
        "the window's margin over its threshold; toward 0 hard thresholds")
    revolutionary_disruption: float = _p(
        0.5, 0.2, 0.9, "Cordesman & Wagner 1990 (purges and desertion in a revolutionary army)",
        "initial military cohesion of a revolutionary exporter (1 = intact)")
    rearm_rate: float = _p(
        0.02, 0.005, 0.1, "assumption", "monthly pull of capability toward its economy-backed level")
    mobilisation_gain: float = _p(
        1.0, 0.0, 3.0, "assumption (wartime mobilisation raises force levels)",
        "rise of an exporter's economy-backed capability per unit of military share")
    cohesion_recovery: float = _p(
        0.01, 0.002, 0.05, "assumption", "monthly recovery of military cohesion")
    rearm_economy_cap: float = _p(
        2.0, 1.2, 4.0, "assumption", "relative GDP above which the economy backs no more capability")

    # -- 5. war -------------------------------------------------------------------
    war_attrition: float = _p(
        0.02, 0.005, 0.08, "assumption; Lanchester-style attrition",
        "monthly capability loss per unit of the opponent's power share")
    attrition_cap: float = _p(
        0.9, 0.5, 0.99, "assumption", "largest share of its capability a side can lose in one month")
    war_economic_cost: float = _p(
        0.004, 0.001, 0.02, "assumption", "monthly economy loss while at war")
    defence_share: float = _p(
        0.4, 0.1, 0.8, "assumption (wartime military budgets in the region)",
        "least share of means any doctrine gives to the military while at war")
    rally_effect: float = _p(
        0.12, 0.0, 0.3, "Mueller 1970 (rally round the flag)", "legitimacy boost when attacked")
    rally_decay: float = _p(
        0.06, 0.01, 0.2, "assumption", "monthly decay of the rally effect")
    war_weariness_rate: float = _p(
        0.006, 0.001, 0.03, "assumption", "monthly growth of war weariness (capped at 1)")
    weariness_recovery: float = _p(
        0.02, 0.005, 0.1, "assumption", "monthly decay of war weariness in peace")
    weariness_legitimacy: float = _p(
        0.3, 0.0, 1.0, "Mueller 1970 (support erodes with casualties); assumption",
        "legitimacy lost per unit of war weariness")
    weariness_deterrence: float = _p(
        2.0, 0.0, 5.0, "assumption",
        "a war-weary state's first-strike hazard is scaled by max(0, 1 - this x weariness)")
    ceasefire_base: float = _p(
        0.0017, 0.0, 0.03, "Bennett & Stam 1996 (hazard of war ending); " + CALIBRATED,
        "monthly ceasefire hazard")
    ceasefire_cost_weight: float = _p(
        0.16, 0.0, 0.3, "Bennett & Stam 1996 (a war ends when both sides' costs pass what they "
        "will bear); assumption; " + CALIBRATED,
        "extra monthly ceasefire hazard when both sides' war weariness is past their war "
        "tolerance (scaled by a logistic in each margin)")
    war_tolerance: float = _p(
        0.47, 0.2, 0.9, "Bennett & Stam 1996; assumption; " + CALIBRATED,
        "war weariness a state at war with an exporter bears before it seeks a ceasefire (an "
        "exporter's comes from its doctrine)")
    ceasefire_margin_width: float = _p(
        0.05, 0.005, 0.2, "assumption (costs are weighed with error, so tolerance is passed "
        "gradually)",
        "width of the logistics in the margins of weariness over war tolerance")
    deterrence_decay: float = _p(
        0.056, 0.005, 0.1, "Fortna 2004, Peace Time (cited for deterrence after a ceasefire; "
        "its finding, a hazard that falls as peace lasts, runs the other way: docs/odd.md 10.1, "
        "item 9); assumption; " + CALIBRATED,
        "monthly decay of the deterrence a war's end leaves between its two sides (1 at the "
        "end, scaling the hazard of a new war between them by 1 - deterrence)")
    ceasefire_stalemate_weight: float = _p(
        0.0055, 0.0, 0.05, "assumption; " + CALIBRATED,
        "extra hazard per unit of stalemate (balanced power)")
    stalemate_months: float = _p(
        12, 6, 24, "Bennett & Stam 1996 (war-ending hazard changes after the first year); assumption",
        "months of war after which balanced power counts as stalemate", integer=True)
    collapse_threshold: float = _p(
        0.35, 0.1, 0.6, "assumption", "share of pre-war capability below which a side collapses")
    collapse_legitimacy_shock: float = _p(
        0.3, 0.0, 0.6, "assumption", "legitimacy lost by a side that collapses")
    collapse_movement_boost: float = _p(
        0.2, 0.0, 0.5, "assumption (the victor's partisans move in)",
        "movement strength gained in a state whose army collapses")

    # -- 6. regime change ---------------------------------------------------------
    regime_hazard: float = _p(
        0.02, 0.002, 0.2, "Goldstone et al. 2010 (instability base rates); assumption",
        "monthly hazard of a fall when the movement equals resilience")
    regime_hazard_width: float = _p(
        0.05, 0.02, 0.3, "assumption",
        "scale of the threshold hazard: it grows e-fold per this much movement above resilience")
    resilience_legitimacy: float = _p(
        0.45, 0.1, 0.8, "Goldstone et al. 2010; assumption", "weight of legitimacy in resilience")
    resilience_repression: float = _p(
        0.25, 0.0, 0.5, "assumption", "weight of repression in resilience")
    resilience_capability: float = _p(
        0.15, 0.0, 0.5, "assumption", "weight of military capability in resilience")
    resilience_patron: float = _p(
        0.2, 0.0, 0.5, "assumption", "weight of superpower patronage in resilience")
    resilience_capability_scale: float = _p(
        0.5, 0.1, 2.0, "assumption",
        "effective power (% world) at which capability gives 63 % of its share of resilience")
    patron_client_weight: float = _p(
        0.5, 0.2, 1.0, "assumption", "patronage of a superpower client before aid and deployed forces")
    new_regime_legitimacy: float = _p(
        0.5, 0.3, 0.7, "assumption", "legitimacy a new regime starts with and drifts back to")
    aligned_probability: float = _p(
        0.5, 0.1, 0.9, "Skocpol 1979; Nepstad 2011 (a movement takes power where the coercive "
        "apparatus breaks or defects; otherwise the army fills the vacuum); chance an assumption",
        "chance that a regime fallen to its movement is replaced by an aligned one when the "
        "movement was at least as strong as the regime's resilience; in proportion below it")
    exporter_collapse_legitimacy: float = _p(
        0.12, 0.05, 0.3, "assumption",
        "legitimacy at which an exporter's regime falls with hazard exporter_collapse_hazard")
    exporter_collapse_hazard: float = _p(
        0.02, 0.005, 0.05, "assumption (a regime at the end of its legitimacy falls within two "
        "to sixteen years); the movements' regime_hazard's default",
        "monthly hazard of an exporter's fall at exporter_collapse_legitimacy (the exporter's "
        "own, not the movements' regime_hazard)")
    exporter_collapse_width: float = _p(
        0.05, 0.02, 0.2, "Levitsky & Way 2013, The Durability of Revolutionary Regimes "
        "(revolutionary regimes outlast other autocracies through war and economic crisis); "
        "Geddes 1999 (single-party regimes last 24.7 years on average): at the top of the range an "
        "exporter of middling legitimacy (0.5) falls about as fast as that average at the default "
        "collapse level and hazard; the default an assumption",
        "scale of an exporter's collapse hazard: it grows e-fold per this much legitimacy below "
        "exporter_collapse_legitimacy (the exporter's own, not a movement's margin)")
    coup_hazard: float = _p(
        0.0008, 0.0, 0.005, "Powell & Thyne 2011 coup base rates; assumption",
        "monthly hazard of a coup at zero legitimacy (scaled by 1 - legitimacy)")
    new_exporter_slots: float = _p(
        2, 0, 6, "assumption", "how many newly aligned regimes can become exporters", integer=True)

    # -- 7. home ------------------------------------------------------------------
    base_growth: float = _p(
        0.002, -0.003, 0.006, "WDI regional GDP growth 1970s (~2-4 %/yr)", "monthly growth")
    domestic_growth_bonus: float = _p(
        0.003, 0.0, 0.01, "assumption", "extra monthly growth per unit domestic share")
    trade_growth_bonus: float = _p(
        0.002, 0.0, 0.01, "assumption", "extra monthly growth per unit diplomacy and trade share")
    export_spending_drag: float = _p(
        0.002, 0.0, 0.01, "assumption", "monthly growth lost per unit of export share")
    economy_noise: float = _p(
        0.01, 0.0, 0.04, "WDI volatility of oil economies; assumption", "s.d. of monthly economy shocks")
    economy_recovery: float = _p(
        0.01, 0.0, 0.05, "assumption", "monthly pull of economy toward trend after shocks")
    economy_floor: float = _p(
        0.05, 0.01, 0.2, "assumption", "lowest GDP relative to the start")
    legitimacy_economy_weight: float = _p(
        0.3, 0.0, 1.0, "assumption", "weight of economic performance in target legitimacy")
    performance_cap: float = _p(
        0.5, 0.2, 1.0, "assumption",
        "largest economic over- or under-performance (relative to trend) that moves legitimacy")
    legitimacy_adjustment: float = _p(
        0.03, 0.005, 0.2, "assumption", "monthly pull of legitimacy toward its target")
    hostility_rally: float = _p(
        0.08, 0.0, 0.3, "seed: disorder attributed to colonial conspiracy; assumption",
        "legitimacy gained from external hostility (coalition, sanctions)")
    hostility_coalition_weight: float = _p(
        3.0, 1.0, 6.0, "assumption", "hostility the exporter reads per share of states in the coalition")

    # -- factional doctrine -------------------------------------------------------
    faction_learning_rate: float = _p(
        0.08, 0.01, 0.5, "assumption", "monthly speed of shifts in faction influence")
    crisis_sensitivity: float = _p(
        5.0, 1.0, 10.0, "assumption",
        "a faction's crisis signal per unit of GDP below what the exporter expected (capped at 1)")
    expectation_rate: float = _p(
        0.05, 0.01, 0.3, "Cagan 1956 (adaptive expectations); rate an assumption",
        "monthly weight of this month's economy in the level the exporter's factions expect: a "
        "crisis is a fall below expectations, and a lasting loss stops being one")
    faction_reversion: float = _p(
        0.02, 0.0, 0.1, "assumption (factions keep their institutional bases: clergy, Guards, "
        "bazaar, bureaucracy)",
        "monthly pull of each faction's log-influence back toward its starting balance")
    faction_war_majority: float = _p(
        0.5, 0.5, 0.75, "Hermann 2001 (a coalition of autonomous actors acts on what a "
        "majority of it backs); from a bare majority to three quarters an assumption",
        "share of the factions' influence that must back a war before a factional exporter "
        "opens it")

    @classmethod
    def specs(cls) -> tuple[ParamSpec, ...]:
        """Every parameter's declaration, in declaration order."""
        out = []
        for f in dataclasses.fields(cls):
            m = f.metadata
            out.append(
                ParamSpec(
                    name=f.name,
                    default=float(f.default),  # type: ignore[arg-type]
                    low=float(m["low"]),
                    high=float(m["high"]),
                    source=str(m["source"]),
                    description=str(m["description"]),
                    integer=bool(m["integer"]),
                )
            )
        return tuple(out)

    @classmethod
    def spec(cls, name: str) -> ParamSpec:
        """The declaration of one parameter by name."""
        for s in cls.specs():
            if s.name == name:
                return s
        raise RevexportError(f"unknown parameter '{name}'")

    def with_overrides(self, overrides: Mapping[str, Any], origin: str = "parameters") -> Parameters:
        """Return a copy with some values replaced, each checked against its range.

        Parameters
        ----------
        overrides : mapping of str to number
            Parameter names and their new values.
        origin : str
            Where the overrides came from, used as the prefix of error messages
            (e.g. ``"scenario.toml: parameters"``).

        Raises
        ------
        RevexportError
            If a name is unknown, a value is not a number, or lies outside its range.
        """
        specs = {s.name: s for s in self.specs()}
        clean: dict[str, float] = {}
        for name, value in overrides.items():
            if name not in specs:
                close = sorted(n for n in specs if n[:6] == name[:6]) or sorted(specs)[:5]
                raise RevexportError(
                    f"{origin}.{name}: unknown parameter (did you mean one of {', '.join(close)}?)"
                )
            s = specs[name]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise RevexportError(
                    f"{origin}.{name}: must be a number in [{s.low:g}, {s.high:g}], got {value!r}"
                )
            if not (s.low <= float(value) <= s.high):
                raise RevexportError(
                    f"{origin}.{name}: must be in [{s.low:g}, {s.high:g}], got {value!r}"
                )
            if s.integer and float(value) != int(value):
                raise RevexportError(f"{origin}.{name}: must be a whole number, got {value!r}")
            clean[name] = float(value)
        return dataclasses.replace(self, **clean)

    def to_dict(self) -> dict[str, float]:
        """The parameter values by name."""
        return {f.name: float(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def table(self, n_replicates: int = 1) -> np.recarray:
        """The parameter table of ``n_replicates`` replicates that all take these values."""
        return parameter_table([self], np.zeros(n_replicates, dtype=np.int64))


#: Every parameter's name, in declaration order.
PARAMETER_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Parameters))
#: A row of the parameter table: one float64 field per parameter.
PARAMETER_DTYPE = np.dtype([(name, np.float64) for name in PARAMETER_NAMES])


def parameter_table(rows: Sequence[Parameters], index: Any = None) -> np.recarray:
    """Parameters per replicate: replicate ``i`` takes the values of ``rows[index[i]]``.

    Parameters
    ----------
    rows : sequence of Parameters
        The distinct parameter sets (e.g. the rows of a design).
    index : array of int, optional
        The row of each replicate; one replicate per row, in order, by default.

    Returns
    -------
    numpy.recarray of shape (len(index),)
        One record per replicate with a float64 field per parameter
        (``table.strike_hazard`` is an array over replicates, ``table[r].strike_hazard`` one
        replicate's value). Compiled phases read it row by row.
    """
    values = np.array([[getattr(p, name) for name in PARAMETER_NAMES] for p in rows],
                      dtype=np.float64)
    return table_from_values(values, index)


def table_from_values(values: Any, index: Any = None) -> np.recarray:
    """The parameter table of :func:`parameter_table` from a matrix of parameter sets.

    ``values`` has one row per parameter set and one column per parameter, in the order of
    :data:`PARAMETER_NAMES`; replicate ``i`` takes row ``index[i]``.
    """
    values = np.asarray(values, dtype=np.float64)
    index = np.arange(len(values)) if index is None else np.asarray(index, dtype=np.int64)
    out = np.empty(len(index), dtype=PARAMETER_DTYPE)
    for j, name in enumerate(PARAMETER_NAMES):
        out[name] = values[index, j]
    return out.view(np.recarray)
