from __future__ import annotations

import numpy as np
import pytest

from revexport.errors import RevexportError
from revexport.params import PARAMETER_NAMES, Parameters, parameter_table


def test_every_parameter_has_a_default_inside_its_range_and_a_source() -> None:
    specs = Parameters.specs()
    assert len(specs) > 40
    for s in specs:
        assert s.low <= s.default <= s.high, s.name
        assert s.low < s.high, s.name
        assert s.source.strip(), s.name
        assert s.description.strip(), s.name
        if s.integer:
            assert float(s.default).is_integer(), s.name


def test_overrides_are_checked() -> None:
    p = Parameters().with_overrides({"strike_hazard": 0.2})
    assert p.strike_hazard == 0.2
    expected = r"x.toml: parameters.strike_hazard: must be in \[0.01, 0.5\], got 0.9"
    with pytest.raises(RevexportError, match=expected):
        Parameters().with_overrides({"strike_hazard": 0.9}, origin="x.toml: parameters")
    with pytest.raises(RevexportError, match="unknown parameter"):
        Parameters().with_overrides({"strike_hazrd": 0.2})
    with pytest.raises(RevexportError, match="must be a number"):
        Parameters().with_overrides({"strike_hazard": "high"})
    with pytest.raises(RevexportError, match="whole number"):
        Parameters().with_overrides({"new_exporter_slots": 1.5})


def test_the_parameter_table_gives_each_replicate_its_own_row() -> None:
    rows = [Parameters(), Parameters().with_overrides({"strike_hazard": 0.3, "stalemate_months": 20})]
    table = parameter_table(rows, np.array([1, 0, 1]))
    assert table.shape == (3,) and table.dtype.names == PARAMETER_NAMES
    np.testing.assert_array_equal(table.strike_hazard, [0.3, Parameters().strike_hazard, 0.3])
    assert table[0].stalemate_months == 20.0 and table[1].stalemate_months == 12.0
    assert len(parameter_table(rows)) == 2  # one replicate per row by default
    same = Parameters().table(4)
    for name in PARAMETER_NAMES:
        assert np.all(getattr(same, name) == getattr(Parameters(), name)), name


def test_rates_once_hard_coded_are_parameters_of_their_own() -> None:
    names = set(PARAMETER_NAMES)
    for name in ("coalition_join_rate", "coalition_leave_rate", "response_hysteresis",
                 "repression_gain", "attrition_cap", "stalemate_months"):
        assert name in names, name
    assert Parameters.spec("stalemate_months").integer
