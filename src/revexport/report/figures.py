"""Figures of a report: fan charts, distributions, maps, hindcast timings (matplotlib, Agg)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display; set here, where figures are made
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from revexport.outcomes.definitions import distribution_outcomes

FAN_METRICS: dict[str, str] = {
    "wars": "wars under way",
    "coalition_size": "coalition size",
    "sanctions": "sanctions",
    "movement_mean": "mean movement strength",
    "aligned_regimes": "aligned regimes",
    "exporter_economy": "exporter economy (start = 1)",
    "exporter_legitimacy": "exporter legitimacy",
    "exporter_capability": "exporter capability (% world)",
}
#: Panels of the distribution figure: column, label (from the outcome registry).
FINAL_OUTCOMES: dict[str, str] = {o.name: o.label for o in distribution_outcomes()}
#: Scenario states drawn from other map features (1979 states that no longer exist).
MAP_FEATURES: dict[str, tuple[str, ...]] = {
    "YAR": ("YEM",), "YPR": ("YEM",), "SDN": ("SDN", "SSD"),
    "SUN": ("RUS", "UKR", "BLR", "KAZ", "UZB", "TKM", "KGZ", "TJK", "AZE", "ARM", "GEO", "MDA",
            "LTU", "LVA", "EST"),
}
#: States with no polygon at 1:110m, drawn as markers (lon, lat).
MAP_MARKERS: dict[str, tuple[float, float]] = {"BHR": (50.55, 26.07)}
REGION = (-10.0, 80.0, 5.0, 50.0)  # lon min, lon max, lat min, lat max
COLORS = plt.get_cmap("tab10")


def _save_kw() -> dict[str, Any]:
    # No timestamps or software versions in the files: same data, same bytes.
    return {"dpi": 90, "metadata": {"Software": None}}


def fan_charts(quantiles: Mapping[str, Mapping[str, pd.DataFrame]], months: Sequence[str]) -> Figure:
    """Median and 5-95 % band over time of the main per-step metrics, one line per doctrine.

    ``quantiles[doctrine][metric]`` has index ``step`` and columns ``0.05, 0.5, 0.95``
    (:func:`revexport.report.queries.step_quantiles`).
    """
    fig, axes = plt.subplots(2, 4, figsize=(16, 7), constrained_layout=True)
    x = np.arange(len(months))
    for ax, (metric, label) in zip(axes.ravel(), FAN_METRICS.items(), strict=True):
        for i, (doctrine, per_metric) in enumerate(quantiles.items()):
            q = per_metric[metric]
            ax.fill_between(x[: len(q)], q[0.05], q[0.95], color=COLORS(i), alpha=0.18, lw=0)
            ax.plot(x[: len(q)], q[0.5], color=COLORS(i), lw=1.6, label=doctrine)
        ax.set_title(label, fontsize=10)
        ticks = x[:: max(1, len(x) // 5)]
        ax.set_xticks(ticks, [months[t][:4] for t in ticks], fontsize=8)
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=8)
    fig.suptitle("Over time: median and 5-95 % of replicates")
    return fig


def distributions(replicates: Mapping[str, pd.DataFrame]) -> Figure:
    """Distributions of final outcomes per doctrine (box plots with means marked)."""
    fig, axes = plt.subplots(2, 3, figsize=(15, 7), constrained_layout=True)
    names = list(replicates)
    for ax, (col, label) in zip(axes.ravel(), FINAL_OUTCOMES.items(), strict=True):
        data = [replicates[n][col].dropna().to_numpy(dtype=float) for n in names]
        ax.boxplot(data, tick_labels=names, showmeans=True, showfliers=False)
        ax.set_title(label, fontsize=10)
        ax.tick_params(axis="x", labelrotation=30, labelsize=8)
        ax.grid(alpha=0.3, axis="y")
    fig.suptitle("Final outcomes per replicate (box: quartiles; whiskers: 1.5 IQR; triangle: mean)")
    return fig


@cache
def _features() -> dict[str, list[np.ndarray]]:
    path = resources.files("revexport.report.data").joinpath("ne_110m_countries.geojson")
    data = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, list[np.ndarray]] = {}
    for f in data["features"]:
        geom = f["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        out.setdefault(f["properties"]["iso_a3"], []).extend(
            np.asarray(p[0], dtype=float) for p in polys)
    return out


def maps(codes: Sequence[str], exporters: Sequence[str], dates: Sequence[tuple[int, str]],
         layers_at: Sequence[Mapping[str, np.ndarray]], title: str) -> Figure:
    """Maps of movement strength, aligned regimes and coalition at chosen dates.

    Parameters
    ----------
    codes : state codes of the scenario
    exporters : codes of the initial exporters (hatched)
    dates : (step, month label) pairs, one row of maps each
    layers_at : per date, the value of each layer per state
        (:func:`revexport.report.queries.map_layers`)
    """
    feats = _features()
    fig, axes = plt.subplots(len(dates), 3, figsize=(15, 3.6 * len(dates)),
                             constrained_layout=True, squeeze=False)
    cmap = plt.get_cmap("YlOrRd")
    for row, ((_, label), layers) in enumerate(zip(dates, layers_at, strict=True)):
        for col, (name, values) in enumerate(layers.items()):
            ax = axes[row, col]
            # Background: every country in view, grey.
            ax.add_collection(PolyCollection([p for ps in feats.values() for p in ps],
                                             facecolor="#eeeeee", edgecolor="#bbbbbb", lw=0.3))
            polys, vals, hatched = [], [], []
            for i, code in enumerate(codes):
                for feature in MAP_FEATURES.get(code, (code,)):
                    for p in feats.get(feature, []):
                        polys.append(p)
                        vals.append(values[i])
                        hatched.append(code in exporters)
            colours = [cmap(0.0 if not np.isfinite(v) else min(1.0, float(v))) for v in vals]
            ax.add_collection(PolyCollection(polys, facecolor=colours, edgecolor="#555555",
                                             lw=0.4))
            ex = [p for p, h in zip(polys, hatched, strict=True) if h]
            if ex:
                ax.add_collection(PolyCollection(ex, facecolor="none", edgecolor="#1f3b73",
                                                 hatch="///", lw=0.8))
            for code, (lon, lat) in MAP_MARKERS.items():
                if code in codes:
                    v = values[list(codes).index(code)]
                    ax.scatter([lon], [lat], s=40, c=[cmap(min(1.0, float(np.nan_to_num(v))))],
                               edgecolors="black", zorder=5)
            ax.set_xlim(REGION[0], REGION[1])
            ax.set_ylim(REGION[2], REGION[3])
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"{name}, {label}", fontsize=9)
    sm = plt.cm.ScalarMappable(cmap=cmap, norm=matplotlib.colors.Normalize(0, 1))
    fig.colorbar(sm, ax=axes, shrink=0.6, label="0 to 1")
    fig.suptitle(title)
    return fig


def hindcast_timings(timings: pd.DataFrame, n_steps: int) -> Figure:
    """Histograms of the simulated timing of checks 1 and 2, with the historical month."""
    checks = list(dict.fromkeys(timings["check"]))
    fig, axes = plt.subplots(1, len(checks), figsize=(6 * len(checks), 3.8),
                             constrained_layout=True, squeeze=False)
    for ax, check in zip(axes[0], checks, strict=True):
        t = timings[timings["check"] == check]
        steps = t["step"].dropna().to_numpy(dtype=float)
        never = int(t["step"].isna().sum())
        ax.hist(steps, bins=np.arange(0, n_steps + 3, 3), color="#4c72b0", alpha=0.8)
        hist = float(t["historical_step"].iloc[0])
        ax.axvline(hist, color="crimson", lw=2, label=f"history: month {hist:.0f}")
        ax.set_title(f"{check}: month of the event ({never} replicates: never)", fontsize=10)
        ax.set_xlabel("months after 1979-02")
        ax.legend()
    return fig


def hindcast_shares(scores: pd.DataFrame) -> Figure:
    """Share of replicates meeting each check scored as a share, each against its threshold."""
    shares = scores[scores["kind"] == "share"]
    fig, ax = plt.subplots(figsize=(7, 3.2), constrained_layout=True)
    ax.barh(shares["check"], shares["value"],
            color=["#55a868" if p else "#c44e52" for p in shares["passed"]])
    ax.scatter(shares["threshold"], shares["check"], marker="|", s=400, color="black",
               zorder=3, label="needed")
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of replicates")
    ax.legend(loc="lower right")
    return fig


def coalition_by_year(coalition: pd.DataFrame) -> Figure:
    """Heat map: share of replicates in which each state is in the coalition at each year's end
    (states that never join left out)."""
    table = coalition.set_index("state")
    table = table[table.max(axis=1) > 0]
    fig, ax = plt.subplots(figsize=(1.0 + 0.55 * max(len(table.columns), 1),
                                    1.0 + 0.32 * max(len(table), 1)), constrained_layout=True)
    image = ax.imshow(table.to_numpy(dtype=float), aspect="auto", cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(table.columns)), [str(c)[:4] for c in table.columns], fontsize=8)
    ax.set_yticks(range(len(table)), list(table.index), fontsize=8)
    ax.set_xlabel("end of year")
    fig.colorbar(image, ax=ax, label="share of replicates in the coalition")
    return fig


def save(fig: Figure, path: Any) -> None:
    """Write a figure as PNG and close it."""
    fig.savefig(path, format="png", **_save_kw())
    plt.close(fig)
