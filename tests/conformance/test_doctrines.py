"""Every registered doctrine, and a user's own, passes the conformance checks."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

from conftest import Quietist
from revexport.doctrines import Allocation, Doctrine, doctrine_names, get_doctrine
from revexport.doctrines.conformance import CHECKS, check_doctrine, names_country_or_date
from revexport.doctrines.parametric import register_from_toml


@pytest.mark.parametrize("name", doctrine_names())
@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_builtin_doctrines_conform(name, check) -> None:
    check(get_doctrine(name))


class Cheater(Quietist):
    """Targets everything, valid or not: must fail."""

    def decide(self, obs, memory, rng):
        alloc = super().decide(obs, memory, rng)
        return Allocation(shares=alloc.shares, targets=np.ones(obs.proximity.shape),
                          strike=alloc.strike)


def test_user_doctrines_can_run_the_suite() -> None:
    Quietist.name = "quietist"
    check_doctrine(Quietist())
    Cheater.name = "cheater"
    with pytest.raises(AssertionError, match="check_allocation_is_valid"):
        check_doctrine(Cheater())


def test_toml_doctrine_conforms() -> None:
    (name,) = register_from_toml(
        {"cautious-test": {"shares": {"domestic": 0.6, "diplomacy": 0.3, "propaganda": 0.1},
                           "targeting": {"affinity": 1.0, "condemned": 1.0},
                           "strike_power_ratio": 2.0}}, origin="test")
    check_doctrine(get_doctrine(name))


def test_no_doctrine_or_engine_rule_names_a_country_or_a_date() -> None:
    root = pathlib.Path(__file__).resolve().parents[2] / "src" / "revexport"
    # params.py is left out: its source lines cite dated literature, they are not rules.
    paths = [*(root / "doctrines").rglob("*.py"), *(root / "engine").rglob("*.py")]
    paths = [p for p in paths if p.name != "conformance.py"]  # the checker quotes the scenario
    assert len(paths) > 15
    for path in paths:
        assert names_country_or_date(path.read_text()) is None, path.name


def test_the_check_catches_a_rule_that_names_a_country_or_a_year() -> None:
    assert names_country_or_date("x = obs.regime == 'IRQ'") == "'IRQ'"
    assert names_country_or_date("if step > 1980: pass") == "the year 1980"
    assert names_country_or_date('"""Cites Walt 1996."""\nx = 1') is None


def test_an_empty_slot_keeps_its_doctrine_memory(make_world) -> None:
    """Memory of a slot with no sitting exporter does not drift (replicates stay independent)."""
    for name in ("factional", "gradualist"):
        _static, world, block = make_world(n=50, doctrine=name)
        world.slot_state[:25, 0] = -1  # half the replicates: the exporter has fallen
        world.legitimacy[:] = 0.9  # home stable: a gradualist's stage would rise
        world.cohesion[:] = 1.0
        before = {"weights": world.faction_weight.copy(), "stage": world.stage.copy()}
        for t in range(5):
            world.attacked[:, 0] = True
            block.phase("decision", t)
        key, memory = ("weights", world.faction_weight) if name == "factional" else ("stage", world.stage)
        assert np.array_equal(memory[:25, 0], before[key][:25, 0])
        # The sitting exporters' memory moved: the check above could have failed.
        assert not np.array_equal(memory[25:, 0], before[key][25:, 0])


class Counter(Doctrine):
    """A Python doctrine that counts the months it decided, per replicate and slot."""

    name = "counter-test"

    def init_memory(self, n_replicates, n_slots):
        return {"months": np.zeros((n_replicates, n_slots))}

    def decide(self, obs, memory, rng):
        memory["months"] += obs.active
        return Quietist.decide(self, obs, memory, rng)


def test_an_empty_slot_keeps_a_python_doctrines_memory() -> None:
    from revexport.engine.run import Block
    from revexport.engine.state import Static
    from revexport.params import Parameters
    from revexport.scenario import load_scenario

    sc = load_scenario("middle-east-1979")
    static = Static.from_scenario(sc, 0, doctrine=Counter.name)
    block = Block.of(static, Parameters().table(10), {Counter.name: Counter()},
                     np.random.default_rng(0))
    block.world.slot_state[:4, 0] = -1
    for t in range(3):
        block.phase("decision", t)
    (_, _, memory), = [g for g in block.python_groups]
    assert np.array_equal(memory["months"][:4, 0], np.zeros(4))
    assert np.array_equal(memory["months"][4:, 0], np.full(6, 3.0))
    # The Python doctrine's answer reached the world (normalised shares, valid targets).
    assert np.allclose(block.world.shares[4:, 0].sum(axis=-1), 1.0)
    assert np.all(block.world.shares[:4, 0] == 0)


class Delegate(Doctrine):
    """A Python doctrine that decides as a built-in spec does, through the Python boundary."""

    name = "delegate-test"

    def __init__(self, inner: str) -> None:
        self.inner = get_doctrine(inner)

    def init_memory(self, n_replicates, n_slots):
        return self.inner.init_memory(n_replicates, n_slots)

    def decide(self, obs, memory, rng):
        return self.inner.decide(obs, memory, rng)


@pytest.mark.parametrize("inner", ["militant", "factional", "gradualist"])
def test_a_python_doctrine_runs_like_the_compiled_spec_it_delegates_to(inner) -> None:
    """The extension point and the compiled kernel make the same decisions, memory included:
    the same world after two years."""
    from revexport.engine.run import Block
    from revexport.engine.state import Static
    from revexport.params import Parameters
    from revexport.scenario import load_scenario

    sc = load_scenario("middle-east-1979")
    blocks = []
    for doctrine in (get_doctrine(inner), Delegate(inner)):
        static = Static.from_scenario(sc, 0, doctrine=doctrine.name)
        block = Block.of(static, Parameters().table(30), {doctrine.name: doctrine},
                         np.random.default_rng(8))
        assert bool(block.python_groups) == isinstance(doctrine, Delegate)
        for t in range(24):
            block.step(t)
        blocks.append(block)
    compiled, python = (b.world for b in blocks)
    assert compiled.export_spend.sum() > 0
    # A Python doctrine keeps its memory itself; the world's doctrine arrays are the compiled
    # doctrines' memory.
    (_, _, memory), = blocks[1].python_groups
    own = {"faction_weight": "weights", "stage": "stage", "successes_seen": "successes_seen",
           "economy_expected": "economy_expected"}
    for name in compiled._fields:
        if name == "faction_weight0":  # the compiled doctrines' starting weights, per slot
            continue
        kept = memory[own[name]] if name in own else getattr(python, name)
        np.testing.assert_allclose(kept, getattr(compiled, name), rtol=1e-9, atol=1e-12, err_msg=name)
