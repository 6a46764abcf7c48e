"""The command line end to end: in-process through Typer's ``CliRunner``, plus one smoke test of
the installed command in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import assert_one_line_error, invoke
from revexport.scenario import load_scenario, scenario_to_toml


def test_run_in_a_subprocess_prints_the_table_and_writes_files(tmp_path) -> None:
    out = subprocess.run([sys.executable, "-m", "revexport.cli", "run", "middle-east-1979",
                          "--doctrine", "militant", "--replicates", "30", "--seed", "3",
                          "--out", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "wars begun" in out.stdout and "90% CI of mean" in out.stdout
    (run_dir,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["doctrine"] == "militant" and manifest["seed"] == 3
    assert manifest["replicates"] == 30 and manifest["status"] == "complete"
    assert len(manifest["scenario_hash"]) == 64 and manifest["package_version"]
    assert manifest["wall_time_s"] > 0 and "strike_hazard" in manifest["parameters"]
    assert manifest["engine"] == "numba"
    for table in ("steps", "replicates", "events", "movement"):
        assert list((run_dir / table).glob("block-*.parquet")), table


@pytest.mark.parametrize(("args", "expected"), [
    (["run", "--seed", "abc"], "Invalid value for '--seed'"),
    (["run", "--bogus"], "No such option: --bogus"),
    (["nonexistent"], "No such command 'nonexistent'"),
])
def test_a_malformed_command_line_is_one_line(args: list[str], expected: str) -> None:
    out = subprocess.run([sys.executable, "-m", "revexport.cli", *args], capture_output=True,
                         text=True, timeout=120)
    assert_one_line_error(out, expected)


def test_listing_commands_print_one_line_each() -> None:
    out = invoke("doctrines")
    assert out.exit_code == 0
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 7 and lines[0].startswith("constitutional")
    out = invoke("scenarios")
    assert out.exit_code == 0 and "middle-east-1979" in out.stdout
    assert all(len(line) > 0 for line in out.stdout.splitlines())
    out = invoke("params")
    assert out.exit_code == 0 and "strike_hazard" in out.stdout


def test_the_command_line_loads_no_engine_until_a_command_runs_one() -> None:
    """The package imports its public names on first use: ``revexport --help`` and the listing
    commands start without Numba or pandas; the names still resolve."""
    code = ("import sys, revexport.cli; heavy = {'numba', 'pandas'} & set(sys.modules); "
            "import revexport as rx; print(sorted(heavy), rx.run_ensemble.__name__, "
            "'Parameters' in dir(rx))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True)
    assert out.stdout.split() == ["[]", "run_ensemble", "True"]


@pytest.mark.parametrize("command", ["", "run", "scenarios", "doctrines", "params",
                                     "export-scenario", "compare", "report"])
def test_help_everywhere(command: str) -> None:
    out = invoke(*([command] if command else []), "--help")
    assert out.exit_code == 0
    assert "Usage" in out.stdout


def _bad(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


BASE = scenario_to_toml(load_scenario("middle-east-1979"))
CASES: dict[str, tuple[str | bytes, str]] = {
    "missing": (BASE.replace('name = "Iraq"\n', "", 1), "states[1].name: missing required field"),
    "wrong-type": (BASE.replace("population = 37.24", 'population = "many"', 1),
                   "states[0].population: must be a finite number in (0, 100000], got 'many'"),
    "out-of-range": (BASE.replace("legitimacy = 0.5109", "legitimacy = 1.4", 1),
                     "states[0].legitimacy: must be in [0, 1], got 1.4"),
    "unknown-doctrine": (BASE.replace('doctrine = "historical"', 'doctrine = "militnat"', 1),
                         "exporters[0].doctrine: must be one of {"),
    "unknown-neighbour": (BASE.replace('a = "AFG"', 'a = "XYZ"', 1),
                          "neighbours[0].a: unknown state 'XYZ'"),
    "malformed": (BASE[:300] + "\n[[states\n", "malformed TOML"),
    "unknown-field": (BASE.replace('name = "Iraq"', 'name = "Iraq"\npopulaton = 3', 1),
                      "states[1].populaton: unknown field"),
    "bad-parameter": (BASE.replace("[parameters]\n", "[parameters]\nstrike_hazrd = 0.2\n", 1),
                      "parameters.strike_hazrd: unknown parameter"),
    # Hostile input: non-finite and huge numbers, coercible strings and booleans, the horizon.
    "gdp-inf": (BASE.replace("gdp = 2626.4502", "gdp = inf", 1),
                "states[20].gdp: must be a finite number in (0, 1e+06], got inf"),
    "gdp-nan": (BASE.replace("gdp = 2626.4502", "gdp = nan", 1),
                "states[20].gdp: must be a finite number in (0, 1e+06], got nan"),
    "gdp-1e400": (BASE.replace("gdp = 2626.4502", "gdp = 1e400", 1),
                  "states[20].gdp: must be a finite number in (0, 1e+06], got inf"),
    "gdp-huge": (BASE.replace("gdp = 2626.4502", "gdp = 1e300", 1),
                 "states[20].gdp: must be in (0, 1e+06], got 1e+300"),
    "population-string": (BASE.replace("population = 37.24", 'population = "12"', 1),
                          "states[0].population: must be a finite number in (0, 100000], got '12'"),
    "legitimacy-bool": (BASE.replace("legitimacy = 0.5109", "legitimacy = true", 1),
                        "states[0].legitimacy: must be a finite number in [0, 1], got true"),
    "capability-huge": (BASE.replace("capability = 13.7", "capability = 1e9", 1),
                        "states[20].capability: must be in [0, 100], got 1000000000.0"),
    "article154-string": (BASE.replace("article154 = false", 'article154 = "yes"', 1),
                          "article154: must be true or false, got 'yes'"),
    "name-number": (BASE.replace('name = "Iraq"', "name = 12", 1),
                    "states[1].name: must be a string (in quotes), got 12"),
    "parameter-inf": (BASE.replace("[parameters]\n", "[parameters]\nstrike_hazard = inf\n", 1),
                      "parameters.strike_hazard: must be a finite number in [0.01, 0.5], got inf"),
    "horizon": (BASE.replace('end = "1990-12"', 'end = "4800-01"', 1),
                "end: the run from start (1979-02) must last at most 3600 months"),
    "end-before-start": (BASE.replace('end = "1990-12"', 'end = "1970-01"', 1),
                         "end: must come after start (1979-02), got '1970-01'"),
    # Hostile input: what the TOML parser itself refuses.
    "digits": ("x = " + "9" * 5001 + "\n", "malformed TOML: a value cannot be read"),
    "hex-digits": (BASE.replace("population = 37.24", "population = 0x" + "f" * 3000, 1),
                   "states[0].population: must be a finite number in (0, 100000], "
                   "got an integer of 12000 bits"),
    "nested": ("x = " + "[" * 100_000 + "]" * 100_000 + "\n",
               "malformed TOML: arrays or tables nested too deeply"),
    "binary": (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8,
               "not a text file (contains NUL bytes)"),
    "latin1": ("name = 'Société'\n".encode("latin-1"), "not UTF-8 text (byte 0xe9 at offset 12)"),
    "markup": (BASE.replace('name = "Iraq"', 'name = "Iraq"\n"[/]" = "[bold]"', 1),
               "states[1].[/]: unknown field (got '[bold]')"),
    "escape-sequence": (BASE.replace('name = "Iraq"', 'name = "Iraq\\u001b[2J"', 1),
                        r"states[1].name: must not contain control characters, got 'Iraq\x1b[2J'"),
    "month-newline": (BASE.replace('end = "1990-12"', 'end = "1990-12\\n"', 1),
                      r"end: must be a month written YYYY-MM, got '1990-12\n'"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_scenarios_give_one_line_errors(tmp_path, case: str) -> None:
    text, expected = CASES[case]
    path = _bad(tmp_path, f"{case}.toml", text)
    out = invoke("run", str(path), "--replicates", "2", "--out", str(tmp_path / "runs"))
    line = assert_one_line_error(out, f"error: {case}.toml: ", expected)
    assert line.startswith(f"error: {case}.toml: ")
    assert not (tmp_path / "runs").exists()


def test_a_byte_order_mark_is_accepted(tmp_path) -> None:
    path = _bad(tmp_path, "bom.toml", b"\xef\xbb\xbf" + BASE.replace('end = "1990-12"',
                                                                     'end = "1979-07"').encode())
    out = invoke("run", str(path), "-r", "2", "--no-movement", "-o", str(tmp_path / "runs"))
    assert out.exit_code == 0, out.output


@pytest.mark.parametrize("where", ["scenario", "doctrine-file"])
def test_a_directory_or_missing_file_is_one_line(tmp_path, where: str) -> None:
    (tmp_path / "dir.toml").mkdir()
    for name, expected in (("dir.toml", "is a directory, not a TOML file"),
                           ("none.toml", "no such")):
        target = str(tmp_path / name)
        args = [target] if where == "scenario" else ["--doctrine-file", target]
        out = invoke("run", *args, "-r", "2", "-o", str(tmp_path / "runs"))
        assert_one_line_error(out, name, expected)
    assert not (tmp_path / "runs").exists()


DOCTRINE_FILES = {
    "name": ('[doctrines."[/]"]\nshares = { domestic = 0.5 }\n',
             "doctrines: doctrine name must be 1 to 40 letters, digits, '-' or '_'"),
    "share-string": ('[doctrines.ok]\nshares = { domestic = "0.5" }\n',
                     "doctrines.ok.shares.domestic: must be a finite number, got '0.5'"),
    "share-bool": ("[doctrines.ok]\nshares = { domestic = true }\n",
                   "doctrines.ok.shares.domestic: must be a finite number, got true"),
    "ratio-nan": ("[doctrines.ok]\nshares = { domestic = 0.5 }\nstrike_power_ratio = nan\n",
                  "doctrines.ok.strike_power_ratio: must be a finite number in [0, 10], got nan"),
    "incitement": ("[doctrines.ok]\nshares = { propaganda = 0.5 }\nincitement = 2\n",
                   "doctrines.ok.incitement: must be a finite number in [0, 1], got 2"),
    "not-a-table": ("doctrines = 3\n", "doctrines: must be a table of [doctrines.NAME] tables"),
    "no-table": ("x = 1\n", "doctrines: missing required table [doctrines.NAME]"),
    "digits": ("x = " + "9" * 5001 + "\n", "malformed TOML: a value cannot be read"),
    "nested": ("x = " + "[" * 100_000 + "]" * 100_000 + "\n", "nested too deeply"),
    "binary": (bytes(range(256)), "not a text file"),
}


@pytest.mark.parametrize("case", sorted(DOCTRINE_FILES))
def test_bad_doctrine_files_give_one_line_errors(tmp_path, case: str) -> None:
    text, expected = DOCTRINE_FILES[case]
    path = _bad(tmp_path, f"{case}.toml", text)
    out = invoke("run", "synthetic:8", "--doctrine-file", str(path), "-r", "2",
                 "--out", str(tmp_path / "runs"))
    assert_one_line_error(out, f"error: {case}.toml: ", expected)
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("args, expected", [
    (["run", "--doctrine", "militnat"], "doctrine must be one of {"),
    (["run", "--replicates", "0"], "replicates must be in [1,"),
    (["run", "nofile.toml"], "nofile.toml: no such scenario file"),
    (["run", "--set", "strike_hazard=9"], "strike_hazard: must be in [0.01, 0.5], got 9"),
    (["run", "--set", "strike_hazard"], "--set: write name=value"),
    (["run", "--seed", "-1"], "--seed: must be in [0, 2**63 - 1], got -1"),
    (["run", "--seed", str(2**63)], f"--seed: must be in [0, 2**63 - 1], got {2**63}"),
    (["run", "synthetic:10:-1"], "synthetic: seed must be in [0, 2**63 - 1], got -1"),
    (["run", "--doctrine", "[/]"], "got '[/]'"),
    (["run", "--doctrine", "[bold red]x:smile:"], "got '[bold red]x:smile:'"),
    (["run", "--doctrine", "x\x1b[2J"], r"got 'x\x1b[2J'"),
    (["compare", "--doctrines", "[/],militant"], "got '[/]'"),
])
def test_bad_arguments_give_one_line_errors(tmp_path, args: list[str], expected: str) -> None:
    out = invoke(*args, "--out", str(tmp_path))
    assert_one_line_error(out, expected)
    assert not any(tmp_path.iterdir())


def test_names_and_paths_are_printed_as_they_are(tmp_path) -> None:
    text = BASE.replace('name = "middle-east-1979"', 'name = "[bold]me[/] :smile:"', 1)
    path = _bad(tmp_path, "named.toml", text.replace('end = "1990-12"', 'end = "1979-04"', 1))
    out_dir = tmp_path / "[/]"
    out = invoke("run", str(path), "-r", "2", "--no-movement", "-o", str(out_dir))
    assert out.exit_code == 0, out.output
    assert "[bold]me[/] :smile: | doctrine historical" in out.stdout
    assert f"wrote {out_dir}" in out.stdout


def test_unwritable_output_directory(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    out = invoke("run", "--replicates", "2", "--out", str(blocker / "runs"))
    assert_one_line_error(out, "not writable")


def test_export_scenario_round_trip_runs(tmp_path) -> None:
    path = tmp_path / "me.toml"
    assert invoke("export-scenario", "middle-east-1979", str(path)).exit_code == 0
    out = invoke("run", str(path), "--replicates", "5", "--out", str(tmp_path / "runs"),
                 "--set", "strike_hazard=0.3", "--no-movement")
    assert out.exit_code == 0, out.output
