"""The documentation cannot drift from the code.

* the parameter table in ``docs/odd.md`` and the state table in ``docs/data.md``
  are exactly what ``docs/update_params.py`` generates from ``params.py`` and the
  built-in scenario (rerun that script when they fail);
* the Python and spec examples in ``docs/doctrines.md`` run, and the TOML doctrines in
  ``docs/examples/my_doctrines.toml`` load and run a 20-replicate ensemble;
* the ODD names every phase in ``engine/step.py`` order, with the compiled function that
  runs it, and every built-in doctrine; ``docs/data.md`` names every column of the shipped
  data files;
* the docs name no file outside the repository and no engine that is gone.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from importlib import resources
from pathlib import Path
from types import ModuleType

import pytest

import revexport as rx
from revexport.cli import parameter_markdown
from revexport.doctrines import registry
from revexport.doctrines.conformance import check_doctrine
from revexport.doctrines.parametric import load_doctrine_file
from revexport.doctrines.registry import get_doctrine

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(autouse=True)
def _private_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Doctrines registered by the examples stay inside the test that registers them."""
    registry.doctrine_names()  # the built-ins first
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))


def _update_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("update_params", DOCS / "update_params.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _text(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def test_parameter_table_in_odd_matches_params() -> None:
    block = _update_script().read_block(_text("odd.md"), "params")
    assert block == parameter_markdown(), (
        "docs/odd.md parameter table is out of date: run `python docs/update_params.py`"
    )


def test_state_table_in_data_matches_builtin_scenario() -> None:
    update = _update_script()
    block = update.read_block(_text("data.md"), "states")
    assert block == update.states_table(), (
        "docs/data.md state table is out of date: run `python docs/update_params.py`"
    )


def test_update_script_replaces_only_the_block() -> None:
    update = _update_script()
    text = "before\n<!-- params:start -->\nold\n<!-- params:end -->\nafter\n"
    assert update.replace_block(text, "params", "new") == (
        "before\n<!-- params:start -->\nnew\n<!-- params:end -->\nafter\n"
    )
    with pytest.raises(ValueError):
        update.read_block("no markers", "params")


def _example_code() -> str:
    """The fenced Python block that follows ``<!-- example: python -->`` in doctrines.md."""
    m = re.search(r"<!-- example: python -->\s*```python\n(.*?)```", _text("doctrines.md"), re.DOTALL)
    assert m is not None, "docs/doctrines.md: the marked Python example is missing"
    return m.group(1)


def _run_example(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Execute the example as the body of a module (so its doctrine can be pickled, as for workers)."""
    module = ModuleType("doctrines_md_example")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(_example_code(), "docs/doctrines.md", "exec"), module.__dict__)
    return module


def test_python_doctrine_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = _run_example(monkeypatch).run
    assert isinstance(run, rx.Run)
    assert len(run.replicates) == 20
    assert run.manifest["doctrine"] == "cautious-outreach"
    assert get_doctrine("cautious-outreach").summary


def test_python_doctrine_example_passes_conformance(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    example = _run_example(monkeypatch)
    check_doctrine(example.CautiousOutreach())
    check_doctrine(get_doctrine("cautious-outreach"))


def test_spec_doctrine_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The marked spec example in doctrines.md registers a spec that runs and conforms."""
    m = re.search(r"<!-- example: spec -->\s*```python\n(.*?)```", _text("doctrines.md"), re.DOTALL)
    assert m is not None, "docs/doctrines.md: the marked spec example is missing"
    monkeypatch.chdir(tmp_path)
    module = ModuleType("doctrines_md_spec_example")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(m.group(1), "docs/doctrines.md", "exec"), module.__dict__)
    run = module.run
    assert isinstance(run, rx.Run) and len(run.replicates) == 20
    name = run.manifest["doctrine"]
    assert name in registry.doctrine_names()
    check_doctrine(get_doctrine(name))


def test_example_toml_doctrines_load_and_run(tmp_path: Path) -> None:
    names = load_doctrine_file(str(DOCS / "examples" / "my_doctrines.toml"))
    assert names, "docs/examples/my_doctrines.toml declares no doctrine"
    doc = _text("doctrines.md")
    for name in names:
        assert f"-d {name}" in doc or f"doctrine={name!r}" in doc or f'doctrine="{name}"' in doc
        run = rx.run_ensemble("middle-east-1979", doctrine=name, replicates=20, seed=3,
                              out_dir=tmp_path)
        assert len(run.replicates) == 20
        assert run.manifest["doctrine"] == name
        check_doctrine(get_doctrine(name))


def test_odd_describes_every_phase_in_step_order() -> None:
    from revexport.engine.step import PHASES

    odd = _text("odd.md")
    positions = []
    for i, name in enumerate(PHASES, start=1):
        m = re.search(rf"^### 7\.{i} .*\b{name}\b", odd, re.MULTILINE | re.IGNORECASE)
        assert m is not None, f"docs/odd.md: no submodel heading '7.{i} ... {name}'"
        positions.append(m.start())
    assert positions == sorted(positions)
    # Each submodel names the compiled function that step() calls for its phase.
    step_source = Path(importlib.util.find_spec("revexport.engine.step").origin).read_text()
    sections = re.split(r"^### ", odd, flags=re.MULTILINE)
    for i, name in enumerate(PHASES, start=1):
        call = re.search(rf"\b{name}\.(\w+)\(", step_source)
        assert call is not None, f"engine/step.py does not call a function of phases/{name}.py"
        ref = f"revexport.engine.phases.{name}.{call.group(1)}"
        section = next(t for t in sections if t.startswith(f"7.{i} "))
        assert ref in section, f"docs/odd.md 7.{i} does not name `{ref}`"


#: What the docs must not mention: files outside the repository, and the engine that is gone.
GONE = ("MODEL.md", "seed/", "REVEXPORT_BACKEND", "engine/kernels.py", "engine/context.py",
        "phases/common.py", "NumPy twin")


def _doc_files() -> list[Path]:
    return [*sorted(DOCS.glob("*.md")), DOCS.parent / "README.md"]


def test_docs_name_nothing_outside_the_repository_or_gone() -> None:
    # docs/performance.md is written by the benchmark script (benchmarks/run_all.py), not by hand.
    for path in [p for p in _doc_files() if p.name != "performance.md"]:
        text = path.read_text(encoding="utf-8")
        for word in GONE:
            assert word not in text, f"{path.name} mentions {word!r}"


def test_dotted_names_in_the_docs_exist() -> None:
    """Every `revexport.module.name` the docs cite can be imported or looked up."""
    for path in _doc_files():
        for dotted in sorted(set(re.findall(r"`(revexport(?:\.\w+)+)", path.read_text("utf-8")))):
            parts = dotted.split(".")
            for cut in range(len(parts), 0, -1):
                try:
                    if importlib.util.find_spec(".".join(parts[:cut])) is None:
                        continue
                except ModuleNotFoundError:  # a parent is a module, not a package
                    continue
                obj: object = importlib.import_module(".".join(parts[:cut]))
                for attr in parts[cut:]:
                    assert hasattr(obj, attr), f"{path.name}: `{dotted}` does not exist"
                    obj = getattr(obj, attr)
                break
            else:
                raise AssertionError(f"{path.name}: `{dotted}` does not exist")


def test_odd_and_doctrine_guide_name_every_builtin_doctrine() -> None:
    from revexport.doctrines.parametric import _BUILTIN_NAMES

    odd, guide = _text("odd.md"), _text("doctrines.md")
    for name in sorted(_BUILTIN_NAMES):
        assert re.search(rf"^#### .*`{name}`", odd, re.MULTILINE), f"docs/odd.md: no `{name}` submodel"
        assert f"`{name}`" in guide, f"docs/doctrines.md does not mention `{name}`"


def test_data_doc_names_every_shipped_column() -> None:
    data = _text("data.md")
    for filename in ("middle_east_1979_states.csv", "middle_east_1979_borders.csv",
                     "middle_east_1979_codings.csv", "middle_east_1979_events.csv"):
        assert f"`{filename}`" in data
        path = resources.files("revexport.scenario.data").joinpath(filename)
        with path.open(encoding="utf-8") as fh:
            header = next(csv.reader(fh))
        for column in header:
            assert f"`{column}`" in data, f"docs/data.md: column `{column}` of {filename} undocumented"


def test_files_named_in_the_docs_exist() -> None:
    """Every `dir/file.py` the docs cite is in the package (``src/revexport/``, or
    ``src/revexport/engine/`` for `phases/...`) or the repository."""
    root = DOCS.parent
    bases = (root / "src" / "revexport", root / "src" / "revexport" / "engine", root)
    for path in _doc_files():
        for name in sorted(set(re.findall(r"`((?:\w+/)+\w+\.(?:py|toml|csv|md))", path.read_text("utf-8")))):
            assert any((base / name).exists() for base in bases), (
                f"{path.name}: `{name}` does not exist")
