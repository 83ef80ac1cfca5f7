"""Find a guide from a few typed characters: by name, alias, platform key or slug.

Ranked so the agent's two keystrokes land on the right tile: an exact key or alias first, then a
name, alias or key that starts with the text, then a word of the name that does, then any match
inside. The index is built once per library; a search is a scan of short lowered strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from desktop.core.guides.model import Guide, Question

EXACT, PREFIX, WORD, INSIDE = range(4)
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class _Entry:
    guide: Guide
    order: tuple[int, str]
    exact: frozenset[str]
    fields: tuple[str, ...]
    words: tuple[str, ...]
    compact: str


def _entry(guide: Guide) -> _Entry:
    name = guide.name.lower()
    keys = [guide.key.lower(), *(k.lower() for k in guide.platform_keys)]
    aliases = [a.lower() for a in guide.aliases]
    fields = (name, *aliases, *keys)
    words = tuple(w for w in _NOT_ALNUM.split(name) if w)
    compact = " ".join(_NOT_ALNUM.sub("", f) for f in fields)
    # Guides for trainers sit after the customer platforms when nothing is typed.
    order = (1 if "training" in guide.tags else 0, name)
    return _Entry(guide, order, frozenset((*keys, *aliases, name)), fields, words, compact)


class GuideIndex:
    def __init__(self, guides: Iterable[Guide]) -> None:
        self._entries = sorted((_entry(g) for g in guides), key=lambda e: e.order)

    def search(
        self, text: str, regions: Sequence[str] = (), tags: Sequence[str] = ()
    ) -> list[Guide]:
        """Guides matching text (all when empty), in rank order, then filtered.

        A region filter keeps the guides that list one of the regions and those that list none
        (not tied to a region); a tag filter keeps the guides that carry every tag.
        """
        query = text.strip().lower()
        compact_query = _NOT_ALNUM.sub("", query)
        wanted_regions = set(regions)
        wanted_tags = set(tags)
        ranked: list[tuple[int, tuple[int, str], Guide]] = []
        for entry in self._entries:
            guide = entry.guide
            if wanted_regions and guide.regions and wanted_regions.isdisjoint(guide.regions):
                continue
            if wanted_tags and not wanted_tags.issubset(guide.tags):
                continue
            rank = _rank(entry, query, compact_query) if query else EXACT
            if rank is not None:
                ranked.append((rank, entry.order, guide))
        ranked.sort(key=lambda r: (r[0], r[1]))
        return [guide for _, _, guide in ranked]


def _rank(entry: _Entry, query: str, compact_query: str) -> int | None:
    if query in entry.exact:
        return EXACT
    if any(f.startswith(query) for f in entry.fields):
        return PREFIX
    if any(w.startswith(query) for w in entry.words):
        return WORD
    if any(query in f for f in entry.fields):
        return INSIDE
    if compact_query and compact_query in entry.compact:
        return INSIDE
    return None


def search_questions(questions: Sequence[Question], text: str) -> list[Question]:
    """Questions whose wording, keywords or answer hold every typed word; wording hits first."""
    words = [w for w in text.lower().split() if w]
    if not words:
        return list(questions)
    first: list[Question] = []
    later: list[Question] = []
    for question in questions:
        head = " ".join((question.question, *question.keywords)).lower()
        whole = f"{head} {question.answer.lower()}"
        if all(w in head for w in words):
            first.append(question)
        elif all(w in whole for w in words):
            later.append(question)
    return first + later
