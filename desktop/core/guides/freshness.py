"""Is a guide file still known to match Codat's pages? Warnings for ``linkdesk guides check``.

A file that parses can still be out of date: Codat changes its connection flows and help pages.
Each file records the Codat pages it was checked against (``sources``) and the day (``checked``);
these warnings name the files that say neither, or whose check is older than the team's limit (the
``guides_max_age_days`` setting). A warning does not stop a guide from loading.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from desktop.core.guides.model import Provenance
from desktop.core.guides.schema import parse_file, split_front_matter
from desktop.core.guides.toml_lines import KeyLines

# Codat's updates page (https://docs.codat.io/updates) announces changes to its connection flows
# several times a year, so a guide left unchecked for half a year is worth reading against its
# sources again. Teams set their own limit in Settings.
DEFAULT_MAX_AGE_DAYS = 180


@dataclass(frozen=True)
class GuideWarning:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: warning: {self.message}"


def provenance_warnings(
    path: Path, provenance: Provenance, today: date, max_age_days: int
) -> list[GuideWarning]:
    """What is missing or stale in one file's ``sources``/``checked`` (empty: nothing).

    ``max_age_days``: a check older than this many days (counted to ``today``) is stale.
    """
    out: list[GuideWarning] = []
    if not provenance.sources:
        message = "no 'sources': list the Codat pages this file was checked against"
        out.append(GuideWarning(path, _line(path, "sources"), message))
    checked = provenance.checked
    if checked is None:
        message = "no 'checked' date: add the day it was checked, e.g. checked = " + str(today)
        out.append(GuideWarning(path, _line(path, "checked"), message))
    elif checked > today:
        message = f"'checked' is {checked}, a day still to come"
        out.append(GuideWarning(path, _line(path, "checked"), message))
    elif (today - checked).days > max_age_days:
        age = (today - checked).days
        message = (
            f"checked {age} days ago ({checked}), more than the team's limit of {max_age_days} "
            "days (setting guides_max_age_days): check it against its sources again"
        )
        out.append(GuideWarning(path, _line(path, "checked"), message))
    return out


def folder_warnings(paths: Iterable[Path], today: date, max_age_days: int) -> list[GuideWarning]:
    """The warnings of every file that parses; files with errors are left to the error report."""
    out: list[GuideWarning] = []
    for path in paths:
        parsed, _ = parse_file(path)
        if parsed is not None:
            out.extend(provenance_warnings(path, parsed.provenance, today, max_age_days))
    return out


def _line(path: Path, key: str) -> int:
    """The file line of a top-level key; the opening fence's line when the key is not written."""
    try:
        split = split_front_matter(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return 1
    if isinstance(split, str):
        return 1
    front, _, first = split
    found = KeyLines(front).line(key)
    return first + found if found is not None else first
