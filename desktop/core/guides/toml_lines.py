"""Find the line of a key in TOML text, so schema errors can point at it.

tomllib gives values without positions. This scanner follows table headers (``[a.b]``,
``[[steps]]``) and ``key =`` lines, skipping multi-line strings, which is enough for the flat
front matter our guides use. Lines are 1-based and relative to the text given.
"""

from __future__ import annotations

import re

PathPart = str | int
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_\-.]+)\s*=""")
_TOML_ERROR_LINE = re.compile(r"at line (\d+)")


def _split_dotted(text: str) -> list[str]:
    return [part.strip().strip("\"'") for part in text.split(".")]


class KeyLines:
    """Maps key paths such as ``("steps", 2, "stage")`` to the line where they are written."""

    def __init__(self, text: str) -> None:
        self._lines: dict[tuple[PathPart, ...], int] = {}
        self._scan(text)

    def _scan(self, text: str) -> None:
        table: tuple[PathPart, ...] = ()
        array_counts: dict[tuple[PathPart, ...], int] = {}
        in_string: str | None = None
        for number, raw in enumerate(text.splitlines(), start=1):
            if in_string is not None:
                if raw.count(in_string) % 2 == 1:
                    in_string = None
                continue
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            header = _HEADER.match(line)
            if header and "=" not in line.split("]")[0]:
                names: tuple[PathPart, ...] = tuple(_split_dotted(header.group(2)))
                if header.group(1) == "[[":
                    index = array_counts.get(names, 0)
                    array_counts[names] = index + 1
                    table = (*names, index)
                else:
                    table = names
                # A parent table written only through its children sits at its first child.
                for end in range(1, len(table) + 1):
                    self._lines.setdefault(table[:end], number)
                continue
            key = _KEY.match(line)
            if key:
                path = (*table, *_split_dotted(key.group(1)))
                self._lines.setdefault(path, number)
                rest = line[key.end() :]
                for quote in ('"""', "'''"):
                    if rest.count(quote) % 2 == 1:
                        in_string = quote
                        break

    def line(self, *path: PathPart) -> int | None:
        """The line of the path, else of its nearest written parent, else None."""
        parts = tuple(path)
        while parts:
            found = self._lines.get(parts)
            if found is not None:
                return found
            parts = parts[:-1]
        return None


def toml_error_line(message: str) -> int | None:
    match = _TOML_ERROR_LINE.search(message)
    return int(match.group(1)) if match else None
