"""What is measured: per-step metrics, events and per-replicate summaries (docs/odd.md, section 7.8)."""

from revexport.outcomes.recorder import EVENT_KINDS, STEP_METRICS, BlockRecorder
from revexport.outcomes.summary import MAIN_OUTCOMES, ensemble_table, replicate_summary

__all__ = ["EVENT_KINDS", "MAIN_OUTCOMES", "STEP_METRICS", "BlockRecorder", "ensemble_table",
           "replicate_summary"]
