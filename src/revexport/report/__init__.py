"""Reports: figures (matplotlib) and a self-contained HTML page."""

from revexport.report.build import build_report, check_complete

__all__ = ["build_report", "check_complete"]
