"""More mechanisms of MODEL.md section 3, each compared across two conditions."""

from __future__ import annotations

import numpy as np

from revexport.codes import ALIGNED, CEASEFIRE, DEMOCRACY, EAST, NONALIGNED, WEST, Spend
from revexport.engine.phases.regime import fall_hazard, resilience


def power(world) -> np.ndarray:
    """(R, S) effective military capability: capability x cohesion + aid."""
    return world.capability * world.cohesion + world.aid


def _regional(static) -> np.ndarray:
    s = np.flatnonzero(static.superpower < 0)
    return s[~np.isin(s, static.initial_exporters)]


def test_material_support_grows_a_movement_more_where_the_target_is_weaker(make_world):
    gains = []
    for economy in (2.0, 0.3):  # a rich state has more capacity to resist support
        static, world, block = make_world("synthetic:30:1", n=200, movement_noise=0.0)
        targets = _regional(static)
        world.movement[:] = 0.1
        world.economy[:, targets] = economy
        world.spend[:, 0, Spend.SUPPORT, targets] = 0.02  # material support everywhere
        before = world.movement[:, targets].copy()
        block.phase("movements")
        gains.append(world.movement[:, targets] - before)
    assert (gains[1] > gains[0]).all()


def test_a_more_attractive_exporter_makes_propaganda_work_better(make_world):
    gains = []
    for legitimacy in (0.1, 0.9):  # the demonstration effect
        static, world, block = make_world("synthetic:30:1", n=200, movement_noise=0.0)
        targets = _regional(static)
        world.legitimacy[:, static.initial_exporters[0]] = legitimacy
        world.movement[:] = 0.1
        world.spend[:, 0, Spend.PROPAGANDA, targets] = 0.02
        block.phase("movements")
        gains.append(world.movement[:, targets].mean())
    assert gains[1] > gains[0]


def _strike_rate_against(make_world, alignment: int, exporter_power_ratio: float,
                         patron_weight: float, front_commitment: float = 0.5,
                         army_next_door: bool = False) -> float:
    """Share of replicates in which IRQ strikes an exporter ``exporter_power_ratio`` times as
    strong as itself, threat high, under ``alignment``; with ``army_next_door``, the Soviet
    Union occupies its neighbour Jordan."""
    static, world, block = make_world(n=2000, strike_hazard=0.5,
                                      strike_patron_weight=patron_weight,
                                      strike_front_commitment=front_commitment,
                                      strike_window_threshold=0.5, strike_margin_width=0.005)
    if army_next_door:
        world.occupied[:, static.codes.index("JOR")] = static.superpower_rows[EAST]
    s = static.codes.index("IRQ")
    e_state = static.initial_exporters[0]
    world.intent[:, 0, :] = 1.0
    world.movement[:, s] = 0.3
    world.aid[:, [s, e_state]] = 0.0
    own = world.capability[0, s] * world.cohesion[0, s]
    world.capability[:, e_state] = exporter_power_ratio * own / world.cohesion[:, e_state]
    world.alignment[:, s] = alignment
    block.phase("responses")
    return float(world.war[:, 0, s].mean())


def test_a_patron_opens_the_window_of_opportunity(make_world):
    """Near parity, backing tips the balance: a client facing an exporter a quarter stronger
    strikes, a non-aligned state does not."""
    assert _strike_rate_against(make_world, WEST, 1.25, 0.8) > 0.2
    assert _strike_rate_against(make_world, NONALIGNED, 1.25, 0.8) == 0.0


def test_an_army_on_another_front_narrows_the_window(make_world):
    """A state that must hold a front against an army it is not allied with brings only the
    rest of its power to its window: facing an exporter a little weaker than itself it strikes,
    unless a foreign army stands on another border; a client of that army's bloc is not held."""
    free = _strike_rate_against(make_world, NONALIGNED, 0.8, 0.0, front_commitment=0.6)
    held = _strike_rate_against(make_world, NONALIGNED, 0.8, 0.0, front_commitment=0.6,
                                army_next_door=True)
    client = _strike_rate_against(make_world, EAST, 0.8, 0.0, front_commitment=0.6)
    allied = _strike_rate_against(make_world, EAST, 0.8, 0.0, front_commitment=0.6,
                                  army_next_door=True)
    assert free > 0.2
    assert held == 0.0
    assert client > 0.2
    assert abs(allied - client) < 0.05  # draws differ (the occupied neighbour acts no more)


def test_a_state_holding_another_front_balances_less(make_world):
    """Balancing against the greatest threat: with a foreign army on another border a state
    discounts the exporters' threat and joins their coalition far less often; a client of that
    army's bloc holds no front there and joins as before."""

    def joined(alignment: int, army_next_door: bool) -> float:
        static, world, block = make_world(n=2000, coalition_front_restraint=0.9,
                                          coalition_margin_width=0.005, coalition_join_rate=0.5)
        s = static.codes.index("IRQ")
        if army_next_door:
            world.occupied[:, static.codes.index("JOR")] = static.superpower_rows[EAST]
        world.alignment[:, s] = alignment
        world.intent[:, 0, :] = 1.0
        for _ in range(6):
            block.phase("responses")
        return float(world.coalition[:, s].mean())

    free = joined(NONALIGNED, army_next_door=False)
    assert free > 0.5
    assert joined(NONALIGNED, army_next_door=True) < 0.1 * free
    assert joined(EAST, army_next_door=True) > 0.5


def test_backing_gives_a_weak_client_no_window(make_world):
    """Backing multiplies what a client brings; against an exporter twenty times as strong
    even full backing leaves the window shut."""
    assert _strike_rate_against(make_world, WEST, 20.0, 1.0) == 0.0


def test_nearer_states_strike_more_often(make_world):
    def strike_rate(proximity: float) -> float:
        static, world, block = make_world(n=3000, strike_hazard=0.5)
        s = static.codes.index("IRQ")
        world.intent[:, 0, :] = 1.0
        world.movement[:, s] = 0.3
        world.cohesion[:, static.initial_exporters[0]] = 0.2
        world.proximity[:, 0, s] = proximity
        block.phase("responses")
        return float(world.war[:, 0, s].mean())

    assert strike_rate(1.0) > strike_rate(0.6) > 0.0


def test_democracies_repress_less_than_autocracies(make_world):
    levels = []
    for is_democracy in (False, True):
        static, world, block = make_world(n=50)
        s = static.codes.index("IRQ")
        world.movement[:, s] = 0.6
        world.repression[:, s] = 0.1
        world.anchor_repression[:, s] = 0.1
        if is_democracy:
            world.regime[:, s] = DEMOCRACY
        block.phase("responses")
        levels.append(world.repression[:, s].mean())
    assert levels[1] < levels[0]


def test_coalition_members_leave_when_threat_falls(make_world):
    static, world, block = make_world(n=2000)
    members = _regional(static)
    world.coalition[:, members] = True
    world.intent[:] = 0.0  # no threat at all
    for _ in range(24):
        block.phase("responses")
    left_without_threat = 1.0 - world.coalition[:, members].mean()
    _, kept, kctx = make_world(n=2000)
    kept.coalition[:, members] = True
    kept.intent[:] = 1.0
    for _ in range(24):
        kctx.phase("responses")
    left_under_threat = 1.0 - kept.coalition[:, members].mean()
    assert left_without_threat > 0.9
    assert left_without_threat > left_under_threat


def test_superpowers_aid_threatened_clients_only(make_world):
    static, world, block = make_world(n=200)
    s = static.codes.index("SAU")
    world.alignment[:, s] = WEST
    world.intent[:, 0, :] = 1.0
    block.phase("responses")
    threatened_client = world.aid[:, s].copy()
    _, calm, cctx = make_world(n=200)
    calm.alignment[:, s] = WEST
    cctx.phase("responses")  # no intent, no threat
    _, alone, actx = make_world(n=200)
    alone.alignment[:, s] = NONALIGNED
    alone.intent[:, 0, :] = 1.0
    actx.phase("responses")  # threatened, but nobody's client and at peace
    assert (threatened_client > 0).all()
    assert (threatened_client > calm.aid[:, s]).all()
    assert (alone.aid[:, s] == 0).all()


def test_war_weariness_makes_a_ceasefire_more_likely(make_world):
    def ceasefire_rate(weariness: float) -> float:
        static, world, block = make_world(n=4000, ceasefire_cost_weight=0.1,
                                        collapse_threshold=0.1)
        s, e = static.codes.index("IRQ"), static.initial_exporters[0]
        world.war[:, 0, s] = True
        world.war_cap0_state[:, 0, s] = power(world)[:, s]
        world.war_cap0_exporter[:, 0, s] = power(world)[:, e]
        world.weariness[:, [s, e]] = weariness
        block.phase("war")
        return float((world.war_end[:, 0, s] == CEASEFIRE).mean())

    assert ceasefire_rate(0.9) > ceasefire_rate(0.0)


def test_an_attacked_exporter_rallies(make_world):
    legit = []
    for attacked in (False, True):
        static, world, block = make_world(n=500, economy_noise=0.0)
        world.attacked[:, 0] = attacked
        block.phase("war")  # the rally is set here...
        block.phase("home")  # ...and lifts legitimacy here
        legit.append(world.legitimacy[:, static.initial_exporters[0]].mean())
    assert legit[1] > legit[0]


def test_a_fallen_regime_is_aligned_more_often_when_alignment_is_likelier(make_world):
    shares = []
    for prob in (0.2, 0.8):
        static, world, block = make_world(n=3000, aligned_probability=prob)
        s = static.codes.index("YAR")
        world.movement[:, s] = 0.95
        block.phase("regime")
        fell = world.fell[:, s]
        assert fell.sum() > 500
        shares.append((world.regime[fell, s] == ALIGNED).mean())
        # A newly aligned state becomes an exporter and leaves the coalition.
        new = world.regime[:, s] == ALIGNED
        assert world.exporter_mask()[new, s].all()
        assert not world.coalition[new, s].any()
    assert shares[0] < shares[1]


def test_patronage_makes_a_regime_more_resilient(make_world):
    static, world, block = make_world(n=1)
    s = static.codes.index("YAR")
    q = block.par[0]
    hazards = []
    for client in (False, True):
        res = resilience(q, world.legitimacy[0, s], world.repression[0, s], power(world)[0, s],
                         client, 0.0, False)
        hazards.append(fall_hazard(q, 0.5, res))
    assert 0.0 < hazards[1] < hazards[0]
    # The same, measured: the regime phase's empirical fall rates over many replicates.
    rates = []
    for alignment in (NONALIGNED, WEST):
        static, world, block = make_world(n=4000, seed=3, coup_hazard=0.0)
        world.movement[:, s] = 0.5
        world.alignment[:, s] = alignment
        block.phase("regime")
        rates.append(world.fell[:, s].mean())
    assert rates[1] < rates[0]


def test_a_new_exporter_in_a_vacated_slot_starts_afresh_but_the_slot_keeps_its_costs(make_world):
    """A newly aligned state that takes the slot of a fallen exporter inherits none of its
    successes or doctrine memory; the slot's cumulative costs are the run's totals and stay."""
    static, world, block = make_world(n=500, regime_hazard_width=0.02,
                                      exporter_collapse_width=0.02,
                                      aligned_probability=0.9, coup_hazard=0.0)
    fallen, rising = static.codes.index("YAR"), static.codes.index("OMN")
    world.slot_state[:, 1] = fallen  # a newly aligned exporter in the first new slot...
    world.regime[:, fallen] = ALIGNED
    world.successes[:, 1] = 3.0
    world.successes_seen[:, 1] = 3.0
    world.stage[:, 1] = 0.7
    start = world.faction_weight[0, 1].copy()
    world.faction_weight[:, 1] = (0.1, 0.2, 0.3, 0.4)  # the predecessor's factions had moved
    world.export_spend[:, 1] = 50.0
    world.legitimacy[:, fallen] = 0.0  # ...whose regime collapses this month
    world.movement[:, rising] = 0.99  # while another regime falls, most often aligned
    block.phase("regime")
    took = world.slot_state[:, 1] == rising
    assert took.sum() > 300
    assert np.all(world.successes[took, 1] == 0.0)
    assert np.all(world.successes_seen[took, 1] == 0.0)
    assert np.all(world.stage[took, 1] == 0.0)
    assert np.all(world.faction_weight[took, 1] == start)  # the slot doctrine's own start
    assert np.all(world.export_spend[took, 1] == 50.0)
