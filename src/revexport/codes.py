"""Integer codes of the model's categories, declared once, at the bottom of the import graph.

The engine stores categories as small integers (Agents.jl's "kind field" rather than
per-object dispatch); every module that reads or writes a code imports it from here, so the
engine, the doctrines, the outcomes and the Mesa reference agree by construction. The
scenario format uses the names in :data:`REGIME_TYPES` and :data:`ALIGNMENTS`; a code is the
position of its name there.
"""

from __future__ import annotations

from enum import IntEnum


class Regime(IntEnum):
    """Regime types, in the order of :data:`REGIME_TYPES`."""

    MONARCHY = 0
    MILITARY_AUTHORITARIAN = 1
    SINGLE_PARTY = 2
    THEOCRATIC = 3
    DEMOCRACY = 4
    COMMUNIST = 5
    ALIGNED = 6


#: Regime names as written in scenario files, indexed by :class:`Regime`.
REGIME_TYPES: tuple[str, ...] = (
    "monarchy", "military-authoritarian", "single-party", "theocratic", "democracy", "communist",
    "aligned-revolutionary",
)


class Alignment(IntEnum):
    """A state's alignment; the first two are also the superpower blocs."""

    WEST = 0
    EAST = 1
    NONALIGNED = 2


#: Alignment names as written in scenario files, indexed by :class:`Alignment`.
ALIGNMENTS: tuple[str, ...] = ("West", "East", "non-aligned")
#: Superpower blocs (West, East): the first two alignments.
BLOCS: tuple[int, ...] = (Alignment.WEST, Alignment.EAST)


class Means(IntEnum):
    """The exporter's means: the columns of an allocation's shares."""

    DOMESTIC = 0
    DIPLOMACY = 1
    PROPAGANDA = 2
    SUPPORT = 3
    COVERT = 4
    MILITARY = 5


MEANS: tuple[str, ...] = tuple(m.name.lower() for m in Means)


class Spend(IntEnum):
    """Axes of the per-target spending array ``spend`` (R, E, 4, S)."""

    PROPAGANDA = 0
    SUPPORT = 1
    COVERT = 2
    MILITARY = 3


class EventKind(IntEnum):
    """Kinds of the scenario's dated events, in the order of :data:`EVENT_KINDS`."""

    OCCUPATION = 0  # a superpower occupies a state
    WITHDRAWAL = 1  # the occupier withdraws


#: Event kinds as written in scenario files, indexed by :class:`EventKind`.
EVENT_KINDS: tuple[str, ...] = ("occupation", "withdrawal")


class WarStart(IntEnum):
    """Who opened a war."""

    NONE = 0
    STATE = 1
    EXPORTER = 2


class Contact(IntEnum):
    """How near one state is to another, nearest first (the classes of proximity, 7.1)."""

    LAND = 0
    SEA = 1
    TWO_HOP = 2
    FAR = 3


class WarEnd(IntEnum):
    """How a war ended (0: it did not, this step)."""

    NONE = 0
    CEASEFIRE = 1
    STATE_COLLAPSED = 2
    EXPORTER_COLLAPSED = 3
    REGIME_FELL = 4


# Plain integers for compiled code (Numba reads module-level ints as constants).
MONARCHY = int(Regime.MONARCHY)
MILITARY_RULE = int(Regime.MILITARY_AUTHORITARIAN)
DEMOCRACY = int(Regime.DEMOCRACY)
ALIGNED = int(Regime.ALIGNED)
WEST, EAST, NONALIGNED = int(Alignment.WEST), int(Alignment.EAST), int(Alignment.NONALIGNED)
DOMESTIC, DIPLOMACY, PROPAGANDA, SUPPORT, COVERT, MILITARY = (int(m) for m in Means)
N_MEANS = len(Means)
STARTED_BY_STATE, STARTED_BY_EXPORTER = int(WarStart.STATE), int(WarStart.EXPORTER)
OCCUPATION, WITHDRAWAL = int(EventKind.OCCUPATION), int(EventKind.WITHDRAWAL)
CONTACT_LAND, CONTACT_SEA, CONTACT_TWO_HOP, CONTACT_FAR = (int(c) for c in Contact)
#: Contact classes as a scenario names them ("land", "sea", "two-hop", "far").
CONTACT_NAMES = {c.name.lower().replace("_", "-"): int(c) for c in Contact}
CEASEFIRE, STATE_COLLAPSED, EXPORTER_COLLAPSED, REGIME_FELL = (
    int(WarEnd.CEASEFIRE), int(WarEnd.STATE_COLLAPSED), int(WarEnd.EXPORTER_COLLAPSED),
    int(WarEnd.REGIME_FELL))
