"""Turn one guide file into a Guide, Checklist, question list or common problems, or precise errors.

A file is Markdown with TOML front matter between two ``+++`` lines. ``kind`` says what it holds
(``guide`` when absent). Every problem is reported with the file's line of the offending key, so a
support team can fix a file without a programmer; nothing is loaded from a file with an error.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from desktop.core.guides.model import (
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
    Provenance,
    Question,
    TroubleEntry,
)
from desktop.core.guides.toml_lines import KeyLines, PathPart, toml_error_line

FENCE = "+++"
KINDS = ("guide", "checklist", "questions", "problems")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_PLATFORM_KEY = re.compile(r"^[a-z]{4}$")
_TAG = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# Every kind of file may say where its facts come from (see Provenance).
_PROVENANCE_KEYS = {"sources": False, "checked": False, "unverified": False}

_GUIDE_KEYS = {
    "kind": False,
    "slug": False,
    "name": True,
    "platform_keys": True,
    "aliases": False,
    "regions": False,
    "tags": False,
    "role": True,
    "prerequisites": False,
    "agent_notes": False,
    "monogram": False,
    "steps": True,
    "troubleshooting": True,
    "links": False,
    **_PROVENANCE_KEYS,
}
_STEP_KEYS = {"stage": True, "title": True, "body": True, "sees": True}
_TROUBLE_KEYS = {"title": True, "body": True}
_LINK_KEYS = {"title": True, "url": True}
_CHECKLIST_KEYS = {
    "kind": True,
    "title": True,
    "closing": False,
    "items": True,
    **_PROVENANCE_KEYS,
}
_ITEM_KEYS = {"key": True, "text": True, "detail": False}
_QUESTIONS_KEYS = {"kind": True, "title": False, "questions": True, **_PROVENANCE_KEYS}
_QUESTION_KEYS = {"key": True, "question": True, "answer": True, "keywords": False}
_PROBLEMS_KEYS = {"kind": True, "troubleshooting": True, **_PROVENANCE_KEYS}


@dataclass(frozen=True)
class Parsed:
    """What one file held: exactly one of the content fields is set when there are no errors."""

    kind: str
    provenance: Provenance
    guide: Guide | None = None
    checklist: Checklist | None = None
    questions: tuple[Question, ...] | None = None
    problems: dict[str, TroubleEntry] | None = None


class _Checker:
    def __init__(self, path: Path, front: str, first_line: int) -> None:
        self.path = path
        self.errors: list[GuideError] = []
        self._front = front
        self._lines: KeyLines | None = None  # scanned only when there is an error to place
        self._first = first_line  # file line of the opening fence

    def line(self, *key: PathPart) -> int:
        if self._lines is None:
            self._lines = KeyLines(self._front)
        found = self._lines.line(*key)
        return self._first + found if found is not None else self._first

    def error(self, message: str, *key: PathPart) -> None:
        self.errors.append(GuideError(self.path, self.line(*key), message))

    def known_keys(self, data: dict[str, Any], spec: dict[str, bool], *at: PathPart) -> None:
        where = f" in {_show(at)}" if at else ""
        for name in data:
            if name not in spec:
                known = ", ".join(sorted(spec))
                self.error(f"unknown key '{name}'{where} (known: {known})", *at, name)
        for name, required in spec.items():
            if required and name not in data:
                self.error(f"missing required key '{name}'{where}", *at)

    def text(self, data: dict[str, Any], name: str, *at: PathPart, default: str = "") -> str:
        value = data.get(name, default)
        if not isinstance(value, str):
            self.error(f"'{name}' must be text, not {_type(value)}", *at, name)
            return default
        if name in data and not value.strip():
            self.error(f"'{name}' must not be empty", *at, name)
        return value.strip()

    def text_list(self, data: dict[str, Any], name: str, *at: PathPart) -> tuple[str, ...]:
        value = data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(f'\'{name}\' must be a list of text, e.g. {name} = ["a", "b"]', *at, name)
            return ()
        return tuple(v.strip() for v in value if v.strip())

    def tables(self, data: dict[str, Any], name: str, *at: PathPart) -> list[dict[str, Any]]:
        value = data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.error(f"'{name}' must be written as [[{name}]] tables", *at, name)
            return []
        return value


def _type(value: object) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", list: "a list"}
    names[dict] = "a table"
    return names.get(type(value), type(value).__name__)


def _show(at: tuple[PathPart, ...]) -> str:
    out = ""
    for part in at:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def split_front_matter(text: str) -> tuple[str, str, int] | str:
    """(front matter, body, line of the opening fence) or an error message."""
    lines = text.lstrip("\ufeff").splitlines()
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start >= len(lines) or lines[start].strip() != FENCE:
        return f"the file must start with a '{FENCE}' line that opens the TOML front matter"
    for end in range(start + 1, len(lines)):
        if lines[end].strip() == FENCE:
            front = "\n".join(lines[start + 1 : end])
            body = "\n".join(lines[end + 1 :]).strip()
            return front, body, start + 1
    return f"the front matter opened on line {start + 1} is never closed with a '{FENCE}' line"


def parse_file(path: Path, text: str | None = None) -> tuple[Parsed | None, list[GuideError]]:
    try:
        source = path.read_text(encoding="utf-8") if text is None else text
    except (OSError, UnicodeDecodeError) as exc:
        return None, [GuideError(path, 1, f"cannot read the file: {exc}")]
    split = split_front_matter(source)
    if isinstance(split, str):
        return None, [GuideError(path, 1, split)]
    front, body, first = split
    try:
        data = tomllib.loads(front)
    except tomllib.TOMLDecodeError as exc:
        line = toml_error_line(str(exc))
        where = first + line if line is not None else first
        return None, [GuideError(path, where, f"invalid TOML: {exc}")]
    check = _Checker(path, front, first)
    kind = data.get("kind", "guide")
    if kind not in KINDS:
        check.error(f"unknown kind {kind!r} (known: {', '.join(KINDS)})", "kind")
        return None, check.errors
    parsed: Parsed
    origin = _provenance(check, data)
    if kind == "guide":
        guide = _guide(check, data, body, path)
        parsed = Parsed(kind, origin, guide=replace(guide, provenance=origin))
    elif kind == "checklist":
        parsed = Parsed(kind, origin, checklist=_checklist(check, data, body, path))
    elif kind == "questions":
        parsed = Parsed(kind, origin, questions=_questions(check, data))
    else:
        check.known_keys(data, _PROBLEMS_KEYS)
        parsed = Parsed(kind, origin, problems=_troubleshooting(check, data, required=()))
    if check.errors:
        return None, check.errors
    return parsed, []


def _provenance(check: _Checker, data: dict[str, Any]) -> Provenance:
    sources = check.text_list(data, "sources")
    for source in sources:
        if not source.startswith("https://"):
            check.error(
                f"source {source!r} must be a page address starting with https://", "sources"
            )
    unverified = data.get("unverified", False)
    if not isinstance(unverified, bool):
        check.error(f"'unverified' must be true or false, not {_type(unverified)}", "unverified")
        unverified = False
    return Provenance(sources, _checked(check, data), unverified)


def _checked(check: _Checker, data: dict[str, Any]) -> date | None:
    """The ``checked`` day: a TOML date (checked = 2026-11-30) or the same written as text."""
    value = data.get("checked")
    if value is None:
        return None
    if isinstance(value, datetime):  # a date with a time: the day is what counts
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    check.error(
        f"'checked' must be a date written as YYYY-MM-DD, e.g. checked = 2026-11-30, not {value!r}",
        "checked",
    )
    return None


def _guide(check: _Checker, data: dict[str, Any], body: str, path: Path) -> Guide:
    check.known_keys(data, _GUIDE_KEYS)
    slug = check.text(data, "slug", default=path.stem)
    if not _SLUG.match(slug):
        check.error(f"slug {slug!r} must be lowercase letters, digits and '-'", "slug")
    name = check.text(data, "name")
    keys = check.text_list(data, "platform_keys")
    if "platform_keys" in data and not keys:
        check.error("'platform_keys' needs at least one Codat platform key", "platform_keys")
    for key in keys:
        if not _PLATFORM_KEY.match(key):
            check.error(f"platform key {key!r} must be four lowercase letters", "platform_keys")
    regions = check.text_list(data, "regions")
    for region in regions:
        if region not in REGION_NAMES:
            known = ", ".join(REGION_NAMES)
            check.error(f"unknown region {region!r} (known: {known})", "regions")
    tags = check.text_list(data, "tags")
    for tag in tags:
        if not _TAG.match(tag):
            check.error(f"tag {tag!r} must be lowercase letters, digits and '-'", "tags")
    monogram = check.text(data, "monogram")
    if len(monogram) > 3:
        check.error("'monogram' must be at most 3 characters", "monogram")
    return Guide(
        key=slug,
        name=name,
        platform_keys=keys,
        aliases=check.text_list(data, "aliases"),
        regions=regions,
        tags=tags,
        role=check.text(data, "role"),
        prerequisites=check.text_list(data, "prerequisites"),
        steps=_steps(check, data),
        troubleshooting=_troubleshooting(check, data, required=REQUIRED_PROBLEMS),
        links=_links(check, data),
        source=path,
        summary=body,
        agent_notes=check.text(data, "agent_notes"),
        monogram=monogram,
    )


def _steps(check: _Checker, data: dict[str, Any]) -> tuple[GuideStep, ...]:
    steps: list[GuideStep] = []
    if "steps" not in data:
        return ()
    tables = check.tables(data, "steps")
    if not tables and "steps" in data:
        check.error("a guide needs at least one [[steps]] table", "steps")
    previous = 0
    for i, table in enumerate(tables):
        check.known_keys(table, _STEP_KEYS, "steps", i)
        stage = table.get("stage")
        if isinstance(stage, bool) or not isinstance(stage, int) or stage not in STAGES:
            names = "; ".join(f"{n} {s}" for n, s in STAGES.items())
            message = f"unknown stage {stage!r}: use a journey stage 1-5 ({names})"
            check.error(message, "steps", i, "stage")
            stage = 0
        elif stage < previous:
            check.error(
                f"stage {stage} comes after a step of stage {previous}: keep journey order",
                "steps",
                i,
                "stage",
            )
        previous = max(previous, stage)
        steps.append(
            GuideStep(
                stage=stage,
                title=check.text(table, "title", "steps", i),
                body=check.text(table, "body", "steps", i),
                customer_sees=check.text(table, "sees", "steps", i),
            )
        )
    seen = {s.stage for s in steps}
    for stage, stage_name in STAGES.items():
        if tables and stage not in seen:
            check.error(f"no step for journey stage {stage} ({stage_name})", "steps")
    return tuple(steps)


def _troubleshooting(
    check: _Checker, data: dict[str, Any], required: tuple[str, ...]
) -> dict[str, TroubleEntry]:
    value = data.get("troubleshooting", {})
    if not isinstance(value, dict):
        message = "'troubleshooting' must be written as [troubleshooting.KEY] tables"
        check.error(message, "troubleshooting")
        return {}
    entries: dict[str, TroubleEntry] = {}
    for key, table in value.items():
        at: tuple[PathPart, ...] = ("troubleshooting", key)
        if key not in PROBLEM_KEYS:
            check.error(f"unknown problem key {key!r} (known: {', '.join(PROBLEM_KEYS)})", *at)
            continue
        if not isinstance(table, dict):
            check.error(f"troubleshooting.{key} must be a table with title and body", *at)
            continue
        check.known_keys(table, _TROUBLE_KEYS, *at)
        entries[key] = TroubleEntry(check.text(table, "title", *at), check.text(table, "body", *at))
    for key in required:
        if key not in entries and "troubleshooting" in data:
            check.error(f"missing troubleshooting entry '{key}'", "troubleshooting")
    return entries


def _links(check: _Checker, data: dict[str, Any]) -> tuple[Link, ...]:
    links: list[Link] = []
    for i, table in enumerate(check.tables(data, "links")):
        check.known_keys(table, _LINK_KEYS, "links", i)
        url = check.text(table, "url", "links", i)
        if url and not url.startswith("https://"):
            check.error(f"link {url!r} must start with https://", "links", i, "url")
        links.append(Link(check.text(table, "title", "links", i), url))
    return tuple(links)


def _checklist(check: _Checker, data: dict[str, Any], body: str, path: Path) -> Checklist:
    check.known_keys(data, _CHECKLIST_KEYS)
    items: list[ChecklistItem] = []
    for i, table in enumerate(check.tables(data, "items")):
        check.known_keys(table, _ITEM_KEYS, "items", i)
        items.append(
            ChecklistItem(
                key=check.text(table, "key", "items", i),
                text=check.text(table, "text", "items", i),
                detail=check.text(table, "detail", "items", i),
            )
        )
    if "items" in data and not items:
        check.error("the checklist needs at least one [[items]] table", "items")
    return Checklist(
        title=check.text(data, "title"),
        intro=body,
        items=tuple(items),
        source=path,
        closing=check.text(data, "closing"),
    )


def _questions(check: _Checker, data: dict[str, Any]) -> tuple[Question, ...]:
    check.known_keys(data, _QUESTIONS_KEYS)
    out: list[Question] = []
    seen: set[str] = set()
    for i, table in enumerate(check.tables(data, "questions")):
        check.known_keys(table, _QUESTION_KEYS, "questions", i)
        key = check.text(table, "key", "questions", i)
        if key in seen:
            check.error(f"question key {key!r} is used twice", "questions", i, "key")
        seen.add(key)
        out.append(
            Question(
                key=key,
                question=check.text(table, "question", "questions", i),
                answer=check.text(table, "answer", "questions", i),
                keywords=check.text_list(table, "keywords", "questions", i),
            )
        )
    return tuple(out)
