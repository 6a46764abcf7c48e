from __future__ import annotations

import numpy as np
import pytest

from revexport.engine.state import Static
from revexport.errors import RevexportError
from revexport.scenario import load_scenario, scenario_to_toml
from revexport.scenario.load import load_toml


def test_builtin_scenario_has_the_data_rows_and_borders() -> None:
    sc = load_scenario("middle-east-1979")
    assert len(sc.states) == 22
    assert len(sc.neighbours) == 63
    assert sc.n_steps == 143  # 1979-02 .. 1990-12
    assert sc.month_of_step(0) == "1979-02" and sc.month_of_step(142) == "1990-12"
    by = {s.iso3: s for s in sc.states}
    assert by["USA"].superpower == "West" and by["SUN"].superpower == "East"
    # Affinity follows Muslim and (oriented) Shia shares and never vanishes.
    assert by["IRQ"].affinity > by["SAU"].affinity > by["ISR"].affinity >= 0.02
    assert by["BHR"].affinity > by["KWT"].affinity
    assert min(s.affinity for s in sc.states) >= 0.02
    # Capability is 100 x CINC.
    assert by["IRN"].capability == pytest.approx(0.949)
    # A collapsed state and an undefined Polity score weaken legitimacy.
    assert by["LBN"].legitimacy < by["JOR"].legitimacy
    assert by["AFG"].legitimacy < 0.35


def test_scenario_round_trips_through_toml(tmp_path) -> None:
    sc = load_scenario("middle-east-1979")
    path = tmp_path / "me.toml"
    path.write_text(scenario_to_toml(sc))
    assert load_toml(path) == sc


def test_synthetic_world_is_planar_and_reproducible() -> None:
    a = load_scenario("synthetic:300:5")
    b = load_scenario("synthetic:300:5")
    assert a == b
    assert len(a.states) == 300
    static = Static.from_scenario(a, new_exporter_slots=2)
    deg = static.degree[static.superpower < 0]
    # A planar triangulation has fewer than 3n edges: mean degree below 6.
    assert 2.0 < deg.mean() < 6.0
    assert static.adjacency.nnz == 2 * len(a.neighbours)
    assert not np.any(static.adjacency.diagonal())
    # The CSR arrays the compiled phases read are the same graph.
    assert np.array_equal(static.adj_ptr, static.adjacency.indptr)
    assert np.array_equal(static.adj_idx, static.adjacency.indices)
    with pytest.raises(RevexportError, match="n_states"):
        load_scenario("synthetic:3")
    with pytest.raises(RevexportError, match="synthetic:N"):
        load_scenario("synthetic:many")
