"""The guide library: platform guides, the customer checklist and questions (no Qt here).

Guides are Markdown files with TOML front matter in ``guides/`` (built in) and in a team folder
whose guides override the built-in ones. See ``guides/README.md`` for the format.
"""

from typing import TYPE_CHECKING, Any

from desktop.core.guides.library import (
    GuideLibrary,
    builtin_guides_dir,
    guide_files,
    load_library,
)
from desktop.core.guides.model import (
    ERROR_REASONS,
    JOURNEY_PROBLEMS,
    PROBLEM_KEYS,
    REGION_NAMES,
    REQUIRED_PROBLEMS,
    STAGES,
    Checklist,
    ChecklistItem,
    Guide,
    GuideError,
    GuideStep,
    Link,
    Question,
    TroubleEntry,
)
from desktop.core.guides.render import (
    checklist_message,
    guide_markdown,
    guide_text,
    question_text,
    regions_text,
    step_text,
    trouble_text,
)
from desktop.core.guides.search import search_questions

if TYPE_CHECKING:
    from desktop.core.guides.schema import parse_file


def __getattr__(name: str) -> Any:
    # The parser loads on first use: a start whose guides come from the cache never needs it.
    if name == "parse_file":
        from desktop.core.guides.schema import parse_file

        return parse_file
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ERROR_REASONS",
    "JOURNEY_PROBLEMS",
    "PROBLEM_KEYS",
    "REGION_NAMES",
    "REQUIRED_PROBLEMS",
    "STAGES",
    "Checklist",
    "ChecklistItem",
    "Guide",
    "GuideError",
    "GuideLibrary",
    "GuideStep",
    "Link",
    "Question",
    "TroubleEntry",
    "builtin_guides_dir",
    "checklist_message",
    "guide_files",
    "guide_markdown",
    "guide_text",
    "load_library",
    "parse_file",
    "question_text",
    "regions_text",
    "search_questions",
    "step_text",
    "trouble_text",
]
