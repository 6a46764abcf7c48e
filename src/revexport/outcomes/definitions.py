"""The outcomes of a run, declared once: name, label, kind and meaning.

Every per-replicate column of :func:`revexport.outcomes.summary.replicate_summary` is declared
here, in the order of the table, after the hindcast checks (0/1 per replicate, computed by
:func:`revexport.experiments.hindcast.pattern_checks`). The summary table, the comparison of
doctrines, the hindcast, the sensitivity analysis, the EMA adapter, the report and the command
line take names and labels from :data:`OUTCOMES`, so a label reads the same everywhere.

Kinds:

* ``check``: a hindcast check, met or not in a replicate.
* ``count``: a count over the run (or at its end).
* ``mean``: a per-step quantity averaged over the run's steps.
* ``share``: a share, or a yes/no whose mean over replicates is a share.
* ``step``: a month index from the scenario's start (or a length in months); NaN in a
  replicate where the event never happens.
* ``money``: US$ bn over the run.
* ``level``: the level of a quantity at the end.
* ``text``: a text column (codes or names), not a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["check", "count", "mean", "share", "step", "money", "level", "text"]
KINDS: tuple[str, ...] = ("check", "count", "mean", "share", "step", "money", "level", "text")


@dataclass(frozen=True)
class Outcome:
    """One outcome.

    Attributes
    ----------
    name : str
        Column of the per-replicate table, or the name of a hindcast check.
    label : str
        Short label shown in tables and figures.
    kind : str
        One of :data:`KINDS`.
    description : str
        What it measures, in one line.
    """

    name: str
    label: str
    kind: Kind
    description: str

    @property
    def numeric(self) -> bool:
        """Whether its values are numbers (every kind but ``text``)."""
        return self.kind != "text"


_DECLARED: tuple[Outcome, ...] = (
    # The hindcast checks (docs/odd.md, section 1.2).
    Outcome("first_strike", "first strike by a neighbour within 24 months", "check",
            "a neighbour of the exporter strikes it first within 24 months"),
    Outcome("monarchy_coalition", "Gulf monarchies' coalition within 36 months", "check",
            "the six Gulf monarchies are all in the coalition against the exporter within 36 "
            "months"),
    Outcome("no_aligned_regime", "no aligned regime at end", "check",
            "no state in the region has become an aligned regime by the end"),
    # Columns of replicate_summary, in its order.
    Outcome("aligned_final", "aligned regimes at end", "count",
            "states whose regime is aligned with the exporter at the end"),
    Outcome("aligned_population_final", "population under aligned regimes at end (m)", "level",
            "population under aligned regimes at the end, millions"),
    Outcome("first_aligned_step", "first aligned regime (month)", "step",
            "month the first regime turned aligned"),
    Outcome("wars_mean", "mean wars under way", "mean",
            "wars under way between exporters and states, averaged over the months"),
    Outcome("war_months", "war-months", "count",
            "wars under way summed over the months"),
    Outcome("coalition_max", "largest coalition", "count",
            "most states in the coalition against the exporters at any month"),
    Outcome("coalition_mean", "mean coalition size", "mean",
            "mean size of the coalition against the exporter"),
    Outcome("coalition_formed_step", "coalition formed (month)", "step",
            "month the coalition first counted as formed (three or more states)"),
    Outcome("monarchy_coalition_step", "monarchies' coalition (month)", "step",
            "month the coalition first held three or more monarchies"),
    Outcome("group_coalition_step", "named group's coalition (month)", "step",
            "month all states of the scenario's named coalition group (the six Gulf "
            "monarchies in middle-east-1979) were first in the coalition at once"),
    Outcome("sanctions_mean", "mean sanctions", "mean",
            "states and superpowers sanctioning the exporters, averaged over the months"),
    Outcome("sanctions_max", "most sanctions", "count",
            "most states and superpowers sanctioning the exporters at any month"),
    Outcome("presence_months", "superpower presence (months)", "count",
            "superpowers with forces in the region, summed over the months"),
    Outcome("exporter_economy_final", "exporter economy at end", "level",
            "the original exporter's GDP at the end relative to the start"),
    Outcome("exporter_legitimacy_final", "exporter legitimacy at end", "level",
            "the original exporter's legitimacy at the end"),
    Outcome("export_spend", "export spending (US$ bn)", "money",
            "spending on exporting the revolution over the run"),
    Outcome("war_cost", "war cost (US$ bn)", "money", "cost of the exporters' wars over the run"),
    Outcome("sanction_loss", "sanction loss (US$ bn)", "money",
            "output lost to sanctions over the run"),
    Outcome("regime_changes", "regime changes", "count", "regime changes in the region"),
    Outcome("aligned_changes", "changes to an aligned regime", "count",
            "regime changes that brought an aligned regime"),
    Outcome("wars_started", "wars begun", "count", "wars begun between exporters and states"),
    Outcome("wars_opened", "wars the exporters opened", "count",
            "wars begun by an exporter's decision (not by a state's first strike)"),
    Outcome("first_war_step", "first war (month)", "step", "month the first war began"),
    Outcome("first_war_initiator", "first war begun by", "text",
            "who began the first war: state or exporter"),
    Outcome("first_war_opponent", "first war opponent", "text",
            "the state in the first war"),
    Outcome("first_war_exporter", "first war exporter", "text",
            "the exporter in the first war"),
    Outcome("first_war_outcome", "first war outcome", "text",
            "how the first war ended (ongoing, ceasefire, a collapse, the regime fell)"),
    Outcome("first_war_length", "first war length (months)", "step",
            "months the first war lasted, if it ended"),
    Outcome("first_war_renewed", "first war renewed", "share",
            "whether the first war's two sides went to war again after it ended"),
    Outcome("first_strike_step", "first strike by a state (month)", "step",
            "month a state first began a war against an exporter"),
    Outcome("first_strike_by", "first strike by", "text",
            "the state that first began a war against an exporter"),
    Outcome("first_strike_neighbour", "first strike by a neighbour", "share",
            "whether that state neighbours the exporter"),
    Outcome("coalition_members", "coalition members when formed", "text",
            "members of the coalition when it first counted as formed, codes joined by '+'"),
)

#: Every outcome by name, in the order above.
OUTCOMES: dict[str, Outcome] = {o.name: o for o in _DECLARED}

#: Rows of the summary table, in order.
_MAIN: tuple[str, ...] = (
    "aligned_final", "regime_changes", "wars_started", "war_months", "first_war_step",
    "coalition_max", "coalition_mean", "sanctions_mean", "exporter_economy_final",
    "exporter_legitimacy_final", "export_spend", "war_cost",
)
#: Outcomes of the hindcast's fourth check (militant against nationalist).
_DIRECTION: tuple[str, ...] = ("wars_started", "wars_opened", "coalition_mean", "sanctions_mean")
#: Outcomes of the report's distribution figure, in panel order.
_DISTRIBUTIONS: tuple[str, ...] = (
    "wars_started", "war_months", "coalition_mean", "sanctions_mean", "aligned_final",
    "exporter_economy_final",
)


def outcome(name: str) -> Outcome:
    """The declared outcome ``name``.

    Raises
    ------
    KeyError
        ``name`` is not declared.
    """
    try:
        return OUTCOMES[name]
    except KeyError:
        raise KeyError(f"outcome '{name}' is not declared in revexport.outcomes.definitions"
                       ) from None


def label(name: str) -> str:
    """The label of outcome ``name``."""
    return outcome(name).label


def labels(names: tuple[str, ...] | list[str]) -> dict[str, str]:
    """Name to label, for ``names`` in their order."""
    return {n: label(n) for n in names}


def of_kind(*kinds: str) -> list[Outcome]:
    """The outcomes of the given kinds, in declaration order."""
    return [o for o in OUTCOMES.values() if o.kind in kinds]


def checks() -> list[Outcome]:
    """The hindcast checks."""
    return of_kind("check")


def replicate_outcomes(numeric: bool | None = None) -> list[Outcome]:
    """The per-replicate columns (every outcome but the checks).

    Parameters
    ----------
    numeric : bool, optional
        Only the numeric columns (True), only the text ones (False), or all (None).
    """
    return [o for o in OUTCOMES.values() if o.kind != "check"
            and (numeric is None or o.numeric == numeric)]


def main_outcomes() -> list[Outcome]:
    """The rows of the summary table, in order."""
    return [outcome(n) for n in _MAIN]


def direction_outcomes() -> list[Outcome]:
    """The outcomes of the hindcast's fourth check: militant export brings more of them."""
    return [outcome(n) for n in _DIRECTION]


def distribution_outcomes() -> list[Outcome]:
    """The outcomes of the report's distribution figure, in panel order."""
    return [outcome(n) for n in _DISTRIBUTIONS]


__all__ = [
    "KINDS",
    "OUTCOMES",
    "Outcome",
    "checks",
    "direction_outcomes",
    "distribution_outcomes",
    "label",
    "labels",
    "main_outcomes",
    "of_kind",
    "outcome",
    "replicate_outcomes",
]
