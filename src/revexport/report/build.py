"""Build a self-contained HTML report (figures embedded) plus the PNGs and the data.

A report directory holds ``report.html`` (no external assets: images are
base64 data URIs, styles inline), one PNG per figure, and ``report_data.json``
with every table shown, so a rebuilt report can be checked against the
original without reading pictures.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from revexport.errors import RevexportError
from revexport.experiments.compare import DEFAULT_MAP_DATES, Comparison
from revexport.experiments.ensemble import Run
from revexport.experiments.hindcast import Hindcast
from revexport.report import figures, queries
from revexport.report.actors import Actors, actors_of

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1250px; color: #222; }
h1 { font-size: 1.6em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.6em 0; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
img { max-width: 100%; border: 1px solid #eee; margin: 0.5em 0; }
.pass { color: #1b7a35; font-weight: bold; } .fail { color: #b02a2a; font-weight: bold; }
.meta { color: #666; font-size: 0.85em; }
"""


def _table(df: pd.DataFrame, digits: int = 3) -> str:
    def cell(v: Any, column: str) -> str:
        if isinstance(v, bool | np.bool_):
            return f'<span class="{"pass" if v else "fail"}">{"yes" if v else "no"}</span>'
        if isinstance(v, float | np.floating):
            if column.startswith("p_value") and v == 0:
                return "&lt; 1e-300"  # underflow: far below any threshold, never exactly 0
            return "" if not np.isfinite(v) else f"{v:.{digits}g}"
        return html.escape(str(v))

    columns = [str(c) for c in df.columns]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{cell(v, c)}</td>" for v, c in zip(row, columns, strict=True))
                   + "</tr>" for row in df.itertuples(index=False))
    return f"<table><tr>{head}</tr>{body}</table>"


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain Python values at full precision (tiny p-values stay non-zero); NaN -> None."""
    def plain(v: Any) -> Any:
        if isinstance(v, np.bool_ | bool):
            return bool(v)
        if isinstance(v, np.integer):
            return int(v)
        if isinstance(v, float | np.floating):
            return float(v) if np.isfinite(v) else None
        return v

    return [{str(k): plain(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


def _map_steps(months: Sequence[str], dates: Sequence[str]) -> list[tuple[int, str]]:
    out = []
    for d in dates:
        later = [i for i, m in enumerate(months) if m >= d]
        if later:
            out.append((later[0], months[later[0]]))
    return out or [(len(months) - 1, months[-1])]


def check_complete(runs: Sequence[Run], out_dir: Path | str, *, allow_incomplete: bool = False
                   ) -> None:
    """Refuse runs that are not complete, unless ``allow_incomplete``.

    Raises
    ------
    RevexportError
        Naming the first unfinished run, how many replicates it holds and how to finish it.
    """
    for run in runs:
        status = run.status
        if status == "complete" or allow_incomplete:
            continue
        if status == "running":
            raise RevexportError(
                f"run {run.run_id} is still running: {run.replicates_done} of "
                f"{run.manifest['replicates']} replicates stored so far; wait for it or report "
                "what is stored with --allow-incomplete")
        raise RevexportError(
            f"run {run.run_id} is {status}: {run.replicates_done} of {run.manifest['replicates']} "
            f"replicates stored; finish it with 'revexport resume {run.run_id} -o {out_dir}' "
            "or report what is stored with --allow-incomplete")


def _counts(runs: Mapping[str, Run]) -> str:
    """The replicates behind the report, true counts (an unfinished run says so)."""
    done = {n: len(r.replicates) for n, r in runs.items()}
    planned = {n: int(r.manifest["replicates"]) for n, r in runs.items()}
    if done == planned and len(set(done.values())) == 1:
        return f"{next(iter(done.values()))} replicates per doctrine"
    return "replicates: " + ", ".join(
        f"{n} {done[n]}" + ("" if done[n] == planned[n]
                            else f" (incomplete run: {done[n]} of {planned[n]} planned)")
        for n in runs)


#: Captions of the who-does-what tables.
ACTOR_CAPTIONS: dict[str, str] = {
    "first_strikers": "Which state strikes the exporter first: share of replicates, median month "
                      "of the strike (months after the start), and whether it borders the exporter.",
    "first_war": "The first war: who opened it, how it ended (ongoing: still fought at the end), "
                 "share of replicates, median start month and median length in months.",
    "wars": "Every war with the exporter, by opponent: share of replicates with at least one, "
            "wars per replicate, share of them the exporter opened, and the median month the "
            "first began.",
    "coalition": "Share of replicates in which each state is in the coalition against the "
                 "exporter at the end of each year.",
    "regime_falls": "Regime falls by state: share of replicates in which the regime fell at least "
                    "once, median month of the first fall, share ending with an aligned regime.",
    "movements": "The strongest movements at the end of each year (mean strength over replicates).",
    "factions": "Mean influence of each faction of the original exporter at the end of each year.",
}


def _actors_html(actors: Actors) -> list[str]:
    parts = []
    for name, table in actors.tables().items():
        if table.empty:
            continue
        if name == "coalition":
            table = table[table.drop(columns="state").max(axis=1) > 0]
        if name == "movements":  # one row a year: the strongest first
            table = table.assign(value=[f"{s} ({m:.2f})" for s, m in
                                        zip(table["state"], table["movement"], strict=True)]
                                 ).pivot(index="month", columns="rank", values="value")
            table = table.rename(columns=lambda k: f"rank {k}").reset_index()
        parts += [f"<h3>{html.escape(name.replace('_', ' '))}</h3>",
                  f"<p>{html.escape(ACTOR_CAPTIONS[name])}</p>", _table(table)]
    return parts


def build_report(
    out: Path | str,
    comparison: Comparison,
    *,
    title: str,
    hindcast: Hindcast | None = None,
    actors: Actors | None = None,
    map_dates: Sequence[str] = DEFAULT_MAP_DATES,
) -> Path:
    """Write a report directory and return the path of its HTML file.

    Parameters
    ----------
    out : path
        Directory to write (created if needed).
    comparison : Comparison
        The runs and their tables.
    title : str
    hindcast : Hindcast, optional
        Adds the hindcast scores and timing figures, and who does what in its historical run.
    actors : Actors, optional
        Who does what in the hindcast's historical run, if already computed.
    map_dates : sequence of str
        Months (``YYYY-MM``) at which to draw the maps.
    """
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RevexportError(f"{out}: cannot create the report directory ({exc.strerror})") from None
    runs: Mapping[str, Run] = comparison.runs
    first = next(iter(runs.values()))
    # Aggregated in DuckDB over the Parquet files: memory does not grow with replicates.
    fans = {name: queries.step_quantiles(run.root, list(figures.FAN_METRICS), len(run.replicates))
            for name, run in runs.items()}
    months = queries.months(first.root)
    pngs: list[tuple[str, str]] = []

    def add(fig: Any, name: str, caption: str) -> None:
        figures.save(fig, out / name)
        pngs.append((name, caption))

    if hindcast is not None:
        add(figures.hindcast_shares(hindcast.scores), "hindcast_shares.png",
            "Share of replicates of the historical posture meeting each check.")
        add(figures.hindcast_timings(hindcast.timings, len(months)), "hindcast_timings.png",
            "When the events happen in the model, against the historical month.")
        if actors is None:
            actors = actors_of(hindcast.runs["historical"])
        add(figures.coalition_by_year(actors.coalition), "coalition_by_state.png",
            "historical: share of replicates in which each state is in the coalition against "
            "the exporter at the end of each year.")
    add(figures.fan_charts(fans, months), "fan_charts.png",
        "Fan charts: median and 5-95 % band over replicates, per doctrine.")
    add(figures.distributions({n: r.replicates for n, r in runs.items()}), "distributions.png",
        "Distributions of final outcomes per doctrine.")
    dates = _map_steps(months, map_dates)
    for name, run in runs.items():
        codes = list(run.manifest["states"])
        layers = [queries.map_layers(run.root, codes, step, len(run.replicates),
                                     bool(run.manifest["record_movement"])) for step, _ in dates]
        add(figures.maps(codes, run.manifest["exporters"], dates, layers, f"{name}: maps"),
            f"maps_{name}.png",
            f"{name}: movement strength, aligned regimes and coalition membership "
            f"(share of replicates) at {', '.join(m for _, m in dates)}; the exporter hatched; "
            "a state with no polygon at this scale is a dot.")

    data: dict[str, Any] = {
        "title": title,
        "runs": {n: r.run_id for n, r in runs.items()},
        "replicates": {n: len(r.replicates) for n, r in runs.items()},
        "outcomes": _records(comparison.outcomes),
        "differences": _records(comparison.differences),
    }
    if hindcast is not None:
        data["hindcast"] = _records(hindcast.scores)
    if actors is not None:
        data["actors"] = {name: _records(table) for name, table in actors.tables().items()}
    (out / "report_data.json").write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")

    parts = [f"<h1>{html.escape(title)}</h1>", '<p class="meta">',
             html.escape(f"scenario {first.manifest['scenario']} ({first.manifest['start']} to "
                         f"{first.manifest['end']}), {_counts(runs)}, seed {first.manifest['seed']}, "
                         f"revexport {first.manifest['package_version']}"), "<br>runs: ",
             html.escape(", ".join(f"{n}: {r.run_id}" for n, r in runs.items())), "</p>"]
    if hindcast is not None:
        parts += ["<h2>Hindcast 1979-1990</h2>",
                  "<p>Share of replicates meeting each check (kind <code>share</code>: at "
                  "least its threshold, 0.8 or 0.6, to pass), one-sided tests of militant "
                  "against nationalist (<code>p_value</code>: below 0.05), and the median month "
                  "of the first strike and of the coalition (<code>month</code>: within "
                  "six months of history).</p>",
                  _table(hindcast.scores)]
    if actors is not None:
        parts += ["<h2>Who does what (historical posture)</h2>", *_actors_html(actors)]
    wide = comparison.outcomes.assign(
        value=lambda d: [f"{m:.3g} [{lo:.3g}, {hi:.3g}]" for m, lo, hi in
                         zip(d["mean"], d["mean_lo"], d["mean_hi"], strict=True)]
    ).pivot(index="label", columns="doctrine", values="value")
    wide = wide.reindex(list(dict.fromkeys(comparison.outcomes["label"])))
    parts += ["<h2>Outcomes per doctrine</h2>",
              "<p>Mean over replicates with its 90 % bootstrap interval.</p>",
              _table(wide.reset_index())]
    if len(comparison.differences):
        diffs = comparison.differences.drop(columns=["outcome"])
        parts += ["<h2>Differences between doctrines</h2>",
                  "<p>Mean of paired differences a - b (replicates paired by common random "
                  "numbers), 90 % bootstrap interval, and the two-sided Mann-Whitney p-value.</p>",
                  _table(diffs)]
    parts.append("<h2>Figures</h2>")
    for name, caption in pngs:
        encoded = base64.b64encode((out / name).read_bytes()).decode("ascii")
        parts.append(f'<figure><img alt="{html.escape(name)}" src="data:image/png;base64,'
                     f'{encoded}"><figcaption>{html.escape(caption)}</figcaption></figure>')
    page = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
            + "\n".join(parts) + "</body></html>\n")
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path

