"""Company names as Codat will store them, and as LinkDesk sends them.

Codat's create-company rule is ``^[A-Za-z0-9\\s\\-',&@.,?!\\s]+$``, and characters outside it are
silently removed ("Company (Codat[1])" is saved as "Company Codat1") (Codat-Platform spec,
``CompanyRequestBody.name`` and the ``create-company`` description). The rule lets any whitespace
through, line breaks included, and the spec gives no maximum length (only ``minLength: 1``). So
LinkDesk also turns line breaks, tabs and runs of spaces into one space (a name is one line in
Link, in exports and in ``track``'s output), and refuses names longer than MAX_NAME_CHARS, its own
bound, rather than send a 10,000-character name. What is sent is ``cleaned``; checking first lets
the agent tell the customer what the name in Link will really look like.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Everything Codat keeps: ASCII letters and digits, whitespace, and - ' , & @ . ? !
_ALLOWED = re.compile(r"[A-Za-z0-9\s\-',&@.?!]")
# LinkDesk's bound (Codat documents none): longer than any real trading name.
MAX_NAME_CHARS = 200


@dataclass(frozen=True)
class NameCheck:
    original: str
    cleaned: str
    removed: tuple[str, ...]  # each removed character once, in order of first appearance
    ok: bool
    message: str


def _shown(char: str) -> str:
    """A removed character as an agent can read it; invisible ones by code point."""
    category = unicodedata.category(char)
    if category[0] in ("C", "Z"):
        return f"U+{ord(char):04X}"
    return char


def check_company_name(name: str) -> NameCheck:
    """What Codat would store for ``name``: ``cleaned`` is what LinkDesk sends when ``ok``."""
    kept: list[str] = []
    removed: list[str] = []
    for char in name:
        if _ALLOWED.fullmatch(char):
            kept.append(char)
        elif char not in removed:
            removed.append(char)
    stripped = "".join(kept)
    # Line breaks, tabs and runs of spaces become one space, at neither end.
    cleaned = " ".join(stripped.split())
    spaced = cleaned != stripped

    if not name.strip():
        return NameCheck(name, cleaned, tuple(removed), False, "Enter a company name.")
    listed = " ".join(_shown(c) for c in removed)
    if not cleaned:
        return NameCheck(
            name,
            cleaned,
            tuple(removed),
            False,
            f"Codat would strip every character of this name ({listed}), leaving nothing. "
            "Use English letters, digits, spaces and - ' , & @ . ? !",
        )
    if len(cleaned) > MAX_NAME_CHARS:
        return NameCheck(
            name,
            cleaned,
            tuple(removed),
            False,
            f"A company name may be at most {MAX_NAME_CHARS} characters; this one has "
            f"{len(cleaned):,}. Use the name the customer knows their business by.",
        )
    changes: list[str] = []
    if removed:
        noun = "this character" if len(removed) == 1 else "these characters"
        changes.append(f"Codat will strip {noun} from the name: {listed}.")
    if spaced:
        changes.append("Line breaks, tabs and repeated spaces become one space.")
    if changes:
        changes.append(f'It will be saved as "{cleaned}".')
    return NameCheck(name, cleaned, tuple(removed), True, " ".join(changes))
