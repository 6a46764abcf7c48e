"""Comparison, catalog and report end to end (the command line in-process); the report opened in
headless Chromium."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import assert_one_line_error
from conftest import invoke as cli
from revexport.errors import RevexportError
from revexport.experiments.compare import compare
from revexport.experiments.ensemble import run_ensemble
from revexport.experiments.hindcast import run_hindcast
from revexport.storage import catalog

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    out = tmp_path_factory.mktemp("compare")
    res = cli("compare", "--doctrines", "nationalist,militant,historical", "--replicates", "40",
              "--seed", "3", "--out", str(out))
    assert res.exit_code == 0, res.output
    report = Path(res.stdout.strip().splitlines()[-1].removeprefix("report: ").strip())
    return out, report, res.stdout


def test_compare_prints_outcomes_and_differences(compared) -> None:
    _, report, stdout = compared
    assert "Outcomes: mean [90% interval of the mean]" in stdout
    assert "Differences from nationalist" in stdout
    data = json.loads((report.parent / "report_data.json").read_text())
    doctrines = {r["doctrine"] for r in data["outcomes"]}
    assert doctrines == {"nationalist", "militant", "historical"}
    pairs = {(r["a"], r["b"]) for r in data["differences"]}
    assert ("nationalist", "militant") in pairs and len(pairs) == 3
    for r in data["differences"]:
        if r["diff"] is not None:
            assert r["diff_lo"] <= r["diff"] <= r["diff_hi"]


def test_catalog_lists_and_report_rebuilds_the_same_data(compared, tmp_path) -> None:
    out, report, _ = compared
    runs = catalog.list_runs(out)
    assert len(runs) == 3 and set(runs["status"]) == {"complete"}
    listed = cli("runs", "--out", str(out), "--doctrine", "militant")
    assert listed.exit_code == 0 and "1 runs" in listed.stdout
    ids = list(runs.sort_values("created", kind="stable")["run_id"])[::-1]
    # Rebuild in the original order (the order the doctrines were compared in).
    order = {"nationalist": 0, "militant": 1, "historical": 2}
    ids = sorted(ids, key=lambda i: order[i.split("-")[2]])
    again = cli("report", *ids, "--out", str(out), "--to", str(tmp_path / "again"))
    assert again.exit_code == 0, again.output
    a = (report.parent / "report_data.json").read_bytes()
    b = (tmp_path / "again" / "report_data.json").read_bytes()
    assert a == b
    # Catalog survives a rebuild from the manifests on disk.
    (out / catalog.CATALOG).unlink()
    assert catalog.rebuild(out) == 3
    assert len(catalog.list_runs(out)) == 3


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_report_renders_in_chromium(compared, tmp_path) -> None:
    _, report, _ = compared
    html = report.read_text()
    assert "http://" not in html and "https://" not in html  # self-contained
    if _chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install chromium and chromium-driver (see .ci/run)")
        pytest.skip("chromium is not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = _chromium() or "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1300,2000",
                 f"--user-data-dir={tmp_path / 'profile'}"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or
                                              "/usr/bin/chromedriver"), options=opts)
    try:
        driver.get(report.as_uri())
        images = driver.execute_script(
            "return Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth])")
        assert len(images) == 5  # fan charts, distributions, one map per doctrine
        for alt, complete, width in images:
            assert complete and width > 0, alt
        shot = report.parent / "screenshot.png"
        driver.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000
    finally:
        driver.quit()


@pytest.mark.parametrize("args, expected", [
    (["compare", "--doctrines", "nationalist,militnat"], "doctrine must be one of {"),
    (["compare", "--doctrines", "nationalist,militant", "--replicates", "0"],
     "replicates must be in [1,"),
    (["compare", "--doctrines", "nationalist"], "--doctrines: give at least two distinct doctrines"),
    (["compare", "--doctrines", "militant,militant"], "give at least two distinct doctrines"),
    (["compare", "--doctrines", "nationalist,militant", "--seed", "-1"],
     "--seed: must be in [0, 2**63 - 1], got -1"),
    (["compare", "--doctrines", "nationalist,militant", "--map-dates", "bogus"],
     "--map-dates: months must be written YYYY-MM"),
    (["compare", "--doctrines", "nationalist,militant", "--map-dates", "1980-09,1995-01"],
     "--map-dates: 1995-01 is outside the runs' span 1979-02 to 1990-12"),
    (["compare", "--doctrines", "nationalist,[/]"], "got '[/]'"),
    (["hindcast", "--replicates", "0"], "replicates must be at least 2"),
    (["hindcast", "--seed", str(2**63)], "--seed: must be in [0, 2**63 - 1]"),
    (["report", "no-such-run"], "no such run"),
])
def test_bad_arguments_give_one_line_errors(tmp_path, args, expected) -> None:
    if args[0] == "report":
        # A catalog exists but holds no such run.
        compare("synthetic:10", ["nationalist", "militant"], replicates=2, out_dir=tmp_path)
    res = cli(*args, "--out", str(tmp_path))
    assert_one_line_error(res, expected)
    if args[0] != "report":
        assert not any(tmp_path.iterdir())  # refused before anything was run or written


def test_report_map_dates_are_checked_against_the_runs(compared, tmp_path) -> None:
    out, _, _ = compared
    ids = list(catalog.list_runs(out)["run_id"])
    res = cli("report", *ids, "--out", str(out), "--to", str(tmp_path / "r"),
              "--map-dates", "1979-01")
    assert_one_line_error(res, "--map-dates: 1979-01 is outside the runs' span 1979-02 to 1990-12")
    assert not (tmp_path / "r").exists()


def test_api_refuses_bad_seeds_and_single_doctrines_before_writing(tmp_path) -> None:
    for call in (lambda: compare("synthetic:10", ["militant"], replicates=2, out_dir=tmp_path),
                 lambda: compare("synthetic:10", ["militant", "militant"], out_dir=tmp_path),
                 lambda: compare("synthetic:10", seed=-1, replicates=2, out_dir=tmp_path),
                 lambda: run_ensemble("synthetic:10", seed=-1, replicates=2, out_dir=tmp_path),
                 lambda: run_ensemble("synthetic:10", seed=2**63, replicates=2, out_dir=tmp_path),
                 lambda: run_hindcast(replicates=2, seed=2**63, out_dir=tmp_path)):
        with pytest.raises(RevexportError) as err:
            call()
        assert "\n" not in str(err.value)
        assert "seed must be in [0, 2**63 - 1]" in str(err.value) or "two distinct" in str(err.value)
    assert not any(tmp_path.iterdir())
    run = run_ensemble("synthetic:10", seed=2**63 - 1, replicates=2, out_dir=tmp_path,
                       record_movement=False)
    assert run.manifest["seed"] == 2**63 - 1
    assert list(catalog.list_runs(tmp_path)["seed"]) == [2**63 - 1]


def test_unwritable_output_directory(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    res = cli("compare", "--doctrines", "nationalist,militant", "--replicates", "2",
              "--out", str(blocker / "x"))
    assert_one_line_error(res, "not writable")


def test_example_script_runs(tmp_path) -> None:
    res = subprocess.run([sys.executable, str(ROOT / "docs" / "examples" / "compare_doctrines.py"),
                          str(tmp_path), "30"], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    assert "first_strike" in res.stdout and "report.html" in res.stdout
