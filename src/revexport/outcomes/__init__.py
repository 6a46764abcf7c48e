"""What is measured: per-step metrics, events and per-replicate summaries (docs/odd.md, section 7.8)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from revexport.lazy import lazy_names

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

__getattr__, __dir__ = lazy_names(__name__, _PUBLIC)

__all__ = ["EVENT_KINDS", "MAIN_OUTCOMES", "STEP_METRICS", "BlockRecorder", "ensemble_table",
           "replicate_summary"]
