"""The loaded guide library: built-in guides, merged with a team's own folder."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.core.assets import app_root
from desktop.core.guides.model import (
    Checklist,
    Guide,
    GuideError,
    Origin,
    Question,
    TroubleEntry,
)
from desktop.core.guides.search import GuideIndex

if TYPE_CHECKING:
    from desktop.core.guides.schema import Parsed

# The parser (schema, reading, toml_lines and tomllib behind them) is imported by the functions
# that parse: a start whose guides come from the cache (desktop.app.guide_cache) never needs it.

# Files in a guide folder that are documentation for editors, not guides.
_SKIP = {"readme.md"}


def builtin_guides_dir() -> Path:
    """guides/ at the root of a source checkout, or inside a PyInstaller bundle."""
    return app_root() / "guides"


def guide_files(folder: Path) -> list[Path]:
    """The ``*.md`` entries of a folder that should be guides, sorted (or ``[folder]`` itself).

    Entries that are not regular files (a folder named ``x.md``, a FIFO, a symbolic link loop)
    are listed too, so that loading reports and skips them instead of passing over them silently.
    """
    if not folder.is_dir():
        return [folder] if os.path.lexists(folder) else []
    try:
        entries = list(folder.glob("*.md"))
    except OSError:
        return []
    return sorted(
        p for p in entries if p.name.lower() not in _SKIP and not p.name.startswith(("_", "."))
    )


@dataclass
class _Folder:
    guides: list[Guide] = field(default_factory=list)
    checklist: Checklist | None = None
    questions: tuple[Question, ...] | None = None
    problems: dict[str, TroubleEntry] | None = None
    errors: list[GuideError] = field(default_factory=list)


def _load_folder(folder: Path, origin: Origin) -> _Folder:
    from desktop.core.guides.reading import MAX_FOLDER_BYTES, read_guide_text
    from desktop.core.guides.schema import parse_file

    out = _Folder()
    if not folder.exists():
        out.errors.append(GuideError(folder, 0, "no such file or folder"))
        return out
    slugs: dict[str, Path] = {}
    keys: dict[str, Path] = {}
    budget = MAX_FOLDER_BYTES  # bounds the work done before the window appears
    for path in guide_files(folder):
        if budget <= 0:
            message = f"skipped: the guides before it already total {MAX_FOLDER_BYTES // 2**20} MB"
            out.errors.append(GuideError(path, 1, message))
            continue
        text = read_guide_text(path)
        if isinstance(text, GuideError):
            out.errors.append(text)
            continue
        budget -= len(text.encode("utf-8"))
        parsed, errors = parse_file(path, text)
        out.errors.extend(errors)
        if parsed is None:
            continue
        _add(out, parsed, origin, slugs, keys)
    return out


def _add(
    out: _Folder, parsed: Parsed, origin: Origin, slugs: dict[str, Path], keys: dict[str, Path]
) -> None:
    if parsed.guide is not None:
        guide = replace(parsed.guide, origin=origin)
        clash = slugs.get(guide.key)
        taken = [k for k in guide.platform_keys if k in keys]
        if clash is not None:
            message = f"slug {guide.key!r} is already used by {clash.name}"
            out.errors.append(GuideError(guide.source, _key_line(guide.source, "slug"), message))
            return
        if taken:
            message = f"platform key {taken[0]!r} is already in {keys[taken[0]].name}"
            line = _key_line(guide.source, "platform_keys")
            out.errors.append(GuideError(guide.source, line, message))
            return
        slugs[guide.key] = guide.source
        keys.update(dict.fromkeys(guide.platform_keys, guide.source))
        out.guides.append(guide)
    elif parsed.checklist is not None:
        out.checklist = replace(parsed.checklist, origin=origin)
    elif parsed.questions is not None:
        out.questions = parsed.questions
    elif parsed.problems is not None:
        out.problems = parsed.problems


def _key_line(path: Path, key: str) -> int:
    """Line of a top-level key in a file that already parsed (1 if it is not written)."""
    from desktop.core.guides.reading import read_guide_text
    from desktop.core.guides.schema import split_front_matter
    from desktop.core.guides.toml_lines import KeyLines

    text = read_guide_text(path)
    split = split_front_matter(text) if isinstance(text, str) else "unreadable"
    if isinstance(split, str):
        return 1
    front, _, first = split
    found = KeyLines(front).line(key)
    return first + found if found is not None else first


class GuideLibrary:
    def __init__(
        self,
        guides: Sequence[Guide],
        errors: Sequence[GuideError] = (),
        checklist: Checklist | None = None,
        questions: Sequence[Question] = (),
        common_problems: dict[str, TroubleEntry] | None = None,
    ) -> None:
        self._index = GuideIndex(guides)
        self.guides: tuple[Guide, ...] = tuple(self._index.search(""))
        self.errors: list[GuideError] = list(errors)
        self.checklist = checklist
        self.questions: tuple[Question, ...] = tuple(questions)
        self.common_problems: dict[str, TroubleEntry] = dict(common_problems or {})
        self._by_slug = {g.key: g for g in guides}
        self._by_platform = {k: g for g in guides for k in g.platform_keys}

    def get(self, slug: str) -> Guide | None:
        return self._by_slug.get(slug)

    def by_platform_key(self, key: str) -> Guide | None:
        return self._by_platform.get(key.strip().lower())

    def search(
        self, text: str, regions: Sequence[str] = (), tags: Sequence[str] = ()
    ) -> list[Guide]:
        return self._index.search(text, regions, tags)

    def regions(self) -> list[str]:
        return sorted({r for g in self.guides for r in g.regions})

    def tags(self) -> list[str]:
        return sorted({t for g in self.guides for t in g.tags})

    def problem(self, guide: Guide | None, key: str) -> TroubleEntry | None:
        """The guide's own fix for a problem, else the common one (None if neither has it)."""
        if guide is not None and key in guide.troubleshooting:
            return guide.troubleshooting[key]
        return self.common_problems.get(key)

    def fix_for(self, platform_key: str | None, guide_keys: Sequence[str]) -> TroubleEntry | None:
        """The fix to show for a journey problem: the first of its troubleshooting keys (the most
        specific first, see ``Problem.guide_keys``) that the platform's guide or the common
        problems cover; None if none does."""
        guide = self.by_platform_key(platform_key) if platform_key else None
        for key in guide_keys:
            entry = self.problem(guide, key)
            if entry is not None:
                return entry
        return None


def load_library(builtin_dir: Path, team_dir: Path | None = None) -> GuideLibrary:
    """Load every guide; broken files go to ``errors`` and the rest still load.

    A team guide replaces the built-in guide with the same slug or any shared platform key, and is
    marked ``origin="team"``, ``overrides=True``. A missing team folder is not an error: the
    setting has a default that nobody may have created yet.
    """
    builtin = _load_folder(builtin_dir, "built-in")
    guides = list(builtin.guides)
    errors = list(builtin.errors)
    checklist, questions, problems = builtin.checklist, builtin.questions, builtin.problems
    if team_dir is not None and team_dir.exists():
        team = _load_folder(team_dir, "team")
        errors.extend(team.errors)
        for guide in team.guides:
            keys = set(guide.platform_keys)
            replaced = [
                g for g in guides if g.key == guide.key or keys.intersection(g.platform_keys)
            ]
            guides = [g for g in guides if g not in replaced]
            guides.append(replace(guide, overrides=bool(replaced)))
        checklist = team.checklist or checklist
        questions = team.questions if team.questions is not None else questions
        if team.problems:
            problems = {**(problems or {}), **team.problems}
    return GuideLibrary(guides, errors, checklist, questions or (), problems)
