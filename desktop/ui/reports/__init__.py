"""The Reports page; its charts (desktop.ui.reports.charts) load when the page is first shown."""

from desktop.ui.reports.page import ReportsPage, ReportsSource, TeamReportsSource

__all__ = ["ReportsPage", "ReportsSource", "TeamReportsSource"]
