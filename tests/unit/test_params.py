from __future__ import annotations

import pytest

from revexport.errors import RevexportError
from revexport.params import Parameters


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
