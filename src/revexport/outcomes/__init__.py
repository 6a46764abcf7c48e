"""What is measured: per-step metrics, events and per-replicate summaries (docs/odd.md, section 7.8)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from revexport.outcomes.recorder import EVENT_KINDS, STEP_METRICS, BlockRecorder
    from revexport.outcomes.summary import MAIN_OUTCOMES, ensemble_table, replicate_summary

#: Where each public name lives, imported on first use (PEP 562): the outcomes' definitions
#: (``revexport.outcomes.definitions``) are read without loading the engine.
_PUBLIC = {
    "EVENT_KINDS": "revexport.outcomes.recorder",
    "STEP_METRICS": "revexport.outcomes.recorder",
    "BlockRecorder": "revexport.outcomes.recorder",
    "MAIN_OUTCOMES": "revexport.outcomes.summary",
    "ensemble_table": "revexport.outcomes.summary",
    "replicate_summary": "revexport.outcomes.summary",
}


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'revexport.outcomes' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC])


__all__ = ["EVENT_KINDS", "MAIN_OUTCOMES", "STEP_METRICS", "BlockRecorder", "ensemble_table",
           "replicate_summary"]
