"""Comparison, catalog and report end to end; the report opened in headless Chromium."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from revexport.experiments.compare import compare
from revexport.storage import catalog

EXE = [sys.executable, "-m", "revexport.cli"]
ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*EXE, *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    out = tmp_path_factory.mktemp("compare")
    res = cli("compare", "--doctrines", "nationalist,militant,historical", "--replicates", "40",
              "--seed", "3", "--out", str(out))
    assert res.returncode == 0, res.stderr
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
    assert listed.returncode == 0 and "1 runs" in listed.stdout
    ids = list(runs.sort_values("created", kind="stable")["run_id"])[::-1]
    # Rebuild in the original order (the order the doctrines were compared in).
    order = {"nationalist": 0, "militant": 1, "historical": 2}
    ids = sorted(ids, key=lambda i: order[i.split("-")[2]])
    again = cli("report", *ids, "--out", str(out), "--to", str(tmp_path / "again"))
    assert again.returncode == 0, again.stderr
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
    (["compare", "--replicates", "0"], "replicates must be in [1,"),
    (["hindcast", "--replicates", "0"], "replicates must be at least 2"),
    (["report", "no-such-run"], "no such run"),
])
def test_bad_arguments_give_one_line_errors(tmp_path, args, expected) -> None:
    if args[0] == "report":
        # A catalog exists but holds no such run.
        compare("synthetic:10", ["nationalist"], replicates=2, out_dir=tmp_path)
    res = cli(*args, "--out", str(tmp_path))
    assert res.returncode == 2, res.stdout
    assert "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert expected in res.stderr


def test_unwritable_output_directory(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    res = cli("compare", "--doctrines", "nationalist", "--replicates", "2",
              "--out", str(blocker / "x"))
    assert res.returncode == 2 and "not writable" in res.stderr


def test_example_script_runs(tmp_path) -> None:
    res = subprocess.run([sys.executable, str(ROOT / "docs" / "examples" / "compare_doctrines.py"),
                          str(tmp_path), "30"], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    assert "first_strike" in res.stdout and "report.html" in res.stdout
