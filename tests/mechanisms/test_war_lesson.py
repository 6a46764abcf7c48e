"""What a war shows: the balance at which a state fought the exporter and did not win.

A war that ends without the state's victory (a ceasefire, the state's collapse) records the
larger of the state's shares of the pair's effective power when it began and when it ended,
against that exporter (``World.war_lesson``, the largest such share so far). No state strikes
the exporter first while its own share is no larger: fighting revealed that such a balance does
not win (Fearon 1995; Werner 1999; Werner & Yuen 2005; Walt 1996). A war the exporter lost
teaches no such lesson.
"""

from __future__ import annotations

import numpy as np

from revexport.codes import CEASEFIRE, EXPORTER_COLLAPSED, WarStart
from revexport.engine import cells


def _at_war(make_world, n: int, **overrides: float):
    """A world of ``n`` replicates in which the exporter fights IRQ, begun with IRQ holding
    0.4 of the pair's power."""
    static, world, block = make_world(n=n, **overrides)
    s, x = static.codes.index("IRQ"), static.initial_exporters[0]
    world.war[:] = False
    world.war[:, 0, s] = True
    world.war_initiator[:, 0, s] = WarStart.STATE
    world.war_cap0_state[:, 0, s] = 2.0
    world.war_cap0_exporter[:, 0, s] = 3.0
    return static, world, block, s, x


def _share(world, r: int, s: int, x: int) -> float:
    own = cells.power(world.capability[r, s], world.cohesion[r, s], world.aid[r, s])
    other = cells.power(world.capability[r, x], world.cohesion[r, x], world.aid[r, x])
    return float(own / (own + other))


def test_a_war_the_state_did_not_win_records_the_balance_it_showed(make_world) -> None:
    """A ceasefire records the larger of the shares at the start and at the end, and a lesson
    already learnt stays if it was larger."""
    _, world, block, s, x = _at_war(make_world, 3)
    block.par["ceasefire_base"] = 1.0  # the war ends this month (beyond the declared range)
    world.war_cap0_state[:, 0, s] = 0.4 * world.capability[0, s]  # nobody collapses
    world.war_cap0_exporter[:, 0, s] = 0.6 * world.capability[0, s]
    world.war_lesson[2, 0] = 0.95
    block.phase("war")
    assert (world.war_end[:, 0, s] == CEASEFIRE).all() and not world.war[:, 0, s].any()
    began = world.war_cap0_state[0, 0, s] / (world.war_cap0_state[0, 0, s]
                                             + world.war_cap0_exporter[0, 0, s])
    for r in range(2):
        assert world.war_lesson[r, 0] == max(began, _share(world, r, s, x))
    assert world.war_lesson[2, 0] == 0.95


def test_a_war_the_exporter_lost_teaches_nothing(make_world) -> None:
    _, world, block, s, _ = _at_war(make_world, 2, ceasefire_base=0.0,
                                    ceasefire_cost_weight=0.0, ceasefire_stalemate_weight=0.0)
    world.war_cap0_state[:, 0, s] = 0.0
    world.war_cap0_exporter[:, 0, s] = 1e6  # the exporter has fallen far below its pre-war power
    block.phase("war")
    assert (world.war_end[:, 0, s] == EXPORTER_COLLAPSED).all()
    np.testing.assert_array_equal(world.war_lesson[:, 0], 0.0)


def test_no_state_strikes_at_a_balance_a_war_showed_not_enough(make_world) -> None:
    """Threat and window wide open, every state strikes where its share passes the lesson and
    none where it does not -- whichever state fought the war that taught it."""
    n = 400
    static, world, block = make_world(n=n, strike_hazard=0.5, strike_threshold=0.1,
                                      strike_window_threshold=0.2, strike_margin_width=0.005,
                                      weariness_deterrence=0.0, superpower_aid_rate=0.0)
    s, x = static.codes.index("IRQ"), static.initial_exporters[0]
    world.war[:] = False
    world.intent[:, 0, :] = 0.0
    world.intent[:, 0, s] = 1.0
    world.strike_misjudgment[:] = 0.0
    world.aid[:] = 0.0  # no aid before or during the phase: the share is the one struck at
    share = _share(world, 0, s, x)
    taught = np.arange(n) < n // 2
    world.war_lesson[:, 0] = np.where(taught, share + 0.01, share - 0.01)
    block.phase("responses")
    struck = world.new_war[:, 0, s]
    assert not struck[taught].any()
    assert struck[~taught].mean() > 0.35  # a hazard of strike_hazard = 0.5 a month
    assert (world.war_initiator[struck, 0, s] == WarStart.STATE).all()
