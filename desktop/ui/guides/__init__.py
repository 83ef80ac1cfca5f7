"""The guide library's widgets: tiles page, viewer, checklist and customer questions."""

from desktop.ui.guides.checklist import ChecklistPane
from desktop.ui.guides.page import GuidesPage
from desktop.ui.guides.questions import QuestionsPane
from desktop.ui.guides.viewer import GuideViewer

__all__ = ["ChecklistPane", "GuideViewer", "GuidesPage", "QuestionsPane"]
