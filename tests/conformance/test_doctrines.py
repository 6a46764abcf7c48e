"""Every registered doctrine, and a user's own, passes the conformance checks."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

from revexport.doctrines import Allocation, Doctrine, doctrine_names, get_doctrine
from revexport.doctrines.base import fixed_shares, normalise_targets
from revexport.doctrines.conformance import CHECKS, check_doctrine, names_country_or_date
from revexport.doctrines.parametric import register_from_toml


@pytest.mark.parametrize("name", doctrine_names())
@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_builtin_doctrines_conform(name, check) -> None:
    check(get_doctrine(name))


class Quietist(Doctrine):
    """A user doctrine: outreach to the most receptive, nothing else."""

    summary = "test doctrine"

    def decide(self, obs, memory, rng):
        shares = fixed_shares(obs, domestic=0.7, diplomacy=0.2, propaganda=0.1)
        return Allocation(shares=shares,
                          targets=normalise_targets(np.broadcast_to(obs.affinity, obs.proximity.shape),
                                                    obs.valid_target),
                          strike=np.zeros(obs.proximity.shape, dtype=bool))


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
    from revexport.engine.phases.decision import observe

    for name in ("factional", "gradualist"):
        _static, world, ctx = make_world(n=50, doctrine=name)
        group = ctx.groups[0]
        world.slot_state[:25, 0] = -1  # half the replicates: the exporter has fallen
        memory = world.doctrine_memory[group.key]
        before = {k: v.copy() for k, v in memory.items()}
        for _ in range(5):
            world.attacked[:, 0] = True
            get_doctrine(name).decide(observe(world, ctx, group), memory, ctx.rng)
        key = "weights" if name == "factional" else "stage"
        assert np.array_equal(memory[key][:25], before[key][:25])
        if name == "factional":
            assert not np.array_equal(memory[key][25:], before[key][25:])
