"""Reports: figures (matplotlib) and a self-contained HTML page."""

from revexport.report.build import build_report

__all__ = ["build_report"]
