"""Rewrite the generated tables of the documentation.

Two blocks in ``docs/`` are generated, never typed:

* ``docs/odd.md``, between ``<!-- params:start -->`` and ``<!-- params:end -->``:
  every model parameter with its default, range, meaning and source, from
  :func:`revexport.cli.parameter_markdown` (that is, from ``params.py``);
* ``docs/data.md``, between ``<!-- states:start -->`` and ``<!-- states:end -->``:
  the model attributes of each state of the built-in scenario, from
  ``load_scenario("middle-east-1979")`` (that is, from ``scenario/builtin.py``
  and the shipped CSV files).

Run it after changing either source::

    python docs/update_params.py           # rewrite both blocks in place
    python docs/update_params.py --check   # exit 1 if a block is out of date

``tests/docs/test_docs.py`` fails while a block is out of date.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

DOCS = Path(__file__).resolve().parent


def params_table() -> str:
    """The parameter table (Markdown), exactly as ``revexport params --markdown`` prints it."""
    from revexport.cli import parameter_markdown

    return parameter_markdown()


def states_table() -> str:
    """The model attributes of every state of the built-in scenario (Markdown)."""
    from revexport.scenario import load_scenario

    sc = load_scenario("middle-east-1979")
    lines = [
        "| code | state | population (m) | GDP (US$ bn) | capability (% world) | legitimacy "
        "| grievance | repression | affinity | movement | regime | alignment | superpower |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|---|",
    ]
    for s in sc.states:
        lines.append(
            f"| {s.iso3} | {s.name} | {s.population:g} | {s.gdp:.1f} | {s.capability:g} "
            f"| {s.legitimacy:.3f} | {s.grievance:.3f} | {s.repression:.3f} | {s.affinity:.3f} "
            f"| {s.movement:.3f} | {s.regime} | {s.alignment} | {s.superpower or ''} |"
        )
    exporters = ", ".join(f"{e.state} ({e.doctrine})" for e in sc.exporters)
    lines += [
        "",
        f"Exporter at the start: {exporters}; a newly aligned regime exports under "
        f"`{sc.new_exporter_doctrine}`. Run from {sc.start} to {sc.end} ({sc.n_steps} monthly steps); "
        f"{len(sc.neighbours)} neighbour pairs "
        f"({sum(n.type == 'land' for n in sc.neighbours)} land, "
        f"{sum(n.type == 'sea' for n in sc.neighbours)} sea).",
    ]
    return "\n".join(lines)


#: block name -> (file in docs/, generator)
BLOCKS: dict[str, tuple[str, Callable[[], str]]] = {
    "params": ("odd.md", params_table),
    "states": ("data.md", states_table),
}


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"<!-- {name}:start -->\n?(.*?)\n?<!-- {name}:end -->", re.DOTALL)


def read_block(text: str, name: str) -> str:
    """The content between a block's markers (ValueError if the markers are missing)."""
    m = _pattern(name).search(text)
    if m is None:
        raise ValueError(f"markers <!-- {name}:start --> / <!-- {name}:end --> not found")
    return m.group(1)


def replace_block(text: str, name: str, content: str) -> str:
    """``text`` with the content between a block's markers replaced by ``content``."""
    read_block(text, name)
    block = f"<!-- {name}:start -->\n{content}\n<!-- {name}:end -->"
    return _pattern(name).sub(lambda _m: block, text, count=1)


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with ``--check`` only compare) every generated block; 0 if all up to date."""
    args = sys.argv[1:] if argv is None else argv
    check = "--check" in args
    stale = []
    for name, (filename, generate) in BLOCKS.items():
        path = DOCS / filename
        text = path.read_text(encoding="utf-8")
        content = generate()
        if read_block(text, name) == content:
            continue
        stale.append(f"{filename} ({name})")
        if not check:
            path.write_text(replace_block(text, name, content), encoding="utf-8")
    if stale:
        print(("out of date: " if check else "rewrote: ") + ", ".join(stale))
    return 1 if (check and stale) else 0


if __name__ == "__main__":
    raise SystemExit(main())
