"""Load a scenario by name or from a TOML file, checked once
(:mod:`revexport.scenario.validate`).

Every problem becomes a :class:`~revexport.errors.RevexportError` whose one-line
message names the file, the field and what is allowed, e.g.
``my.toml: states[3].legitimacy: must be in [0, 1], got 1.4``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from revexport.errors import RevexportError
from revexport.scenario.schema import Scenario
from revexport.scenario.validate import read_toml_file, validate_scenario


def load_toml(path: Path) -> Scenario:
    """Read and validate a scenario TOML file.

    Parameters
    ----------
    path : Path
        A UTF-8 TOML file (a byte-order mark is accepted).

    Returns
    -------
    Scenario

    Raises
    ------
    RevexportError
        One line starting with the file name, for any problem with the file or its contents.
    """
    origin = path.name or str(path)
    data = read_toml_file(path, "no such scenario file or built-in scenario "
                                f"(built-ins: {', '.join(builtin_names())})")
    from revexport.doctrines.parametric import check_doctrine_tables, parse_doctrine_tables

    # A scenario file may declare its own doctrines: they belong to the scenario, checked here
    # and resolved when it runs; the process-wide registry is left alone.
    doctrines = data.get("doctrines")
    if doctrines is not None:
        check_doctrine_tables(doctrines, origin=f"{origin}: doctrines")
        parse_doctrine_tables(doctrines, origin=f"{origin}: doctrines")
    return validate_scenario(data, origin)


def _builtins() -> dict[str, Callable[[], Scenario]]:
    from revexport.scenario.builtin import middle_east_1979
    from revexport.scenario.synthetic import synthetic

    return {"middle-east-1979": middle_east_1979, "synthetic": lambda: synthetic(50, seed=0)}


def builtin_names() -> list[str]:
    """Names of the built-in scenarios."""
    return list(_builtins())


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a built-in scenario by name or a TOML scenario file.

    Parameters
    ----------
    name_or_path : str or Path
        ``"middle-east-1979"``, ``"synthetic"`` (50 states), ``"synthetic:N"``
        (N states, seed 0), ``"synthetic:N:SEED"``, or a path to a ``.toml`` file.

    Returns
    -------
    Scenario
    """
    key = str(name_or_path)
    builtins = _builtins()
    if key in builtins:
        return builtins[key]()
    if key.startswith("synthetic:"):
        from revexport.scenario.synthetic import synthetic

        parts = key.split(":")[1:]
        try:
            n = int(parts[0])
            seed = int(parts[1]) if len(parts) > 1 else 0
        except (ValueError, IndexError):
            raise RevexportError(
                f"scenario '{key}': write synthetic:N or synthetic:N:SEED with whole numbers"
            ) from None
        return synthetic(n, seed=seed)
    return load_toml(Path(key))


def scenario_to_toml(sc: Scenario) -> str:
    """Write a scenario as TOML text that :func:`load_toml` reads back."""
    import tomli_w

    data = sc.model_dump(exclude_none=True)
    return tomli_w.dumps(data)
