"""Company names as Codat will store them.

Codat's create-company rule is ``^[A-Za-z0-9\\s\\-',&@.,?!\\s]+$``, and characters outside it are
silently removed ("Company (Codat[1])" is saved as "Company Codat1"). Checking first lets the agent
tell the customer what the name in Link will really look like.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Everything Codat keeps: ASCII letters and digits, whitespace, and - ' , & @ . ? !
_ALLOWED = re.compile(r"[A-Za-z0-9\s\-',&@.?!]")


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
    kept: list[str] = []
    removed: list[str] = []
    for char in name:
        if _ALLOWED.fullmatch(char):
            kept.append(char)
        elif char not in removed:
            removed.append(char)
    cleaned = "".join(kept)

    if not name.strip():
        return NameCheck(name, cleaned, tuple(removed), False, "Enter a company name.")
    listed = " ".join(_shown(c) for c in removed)
    if not cleaned.strip():
        return NameCheck(
            name,
            cleaned,
            tuple(removed),
            False,
            f"Codat would strip every character of this name ({listed}), leaving nothing. "
            "Use English letters, digits, spaces and - ' , & @ . ? !",
        )
    if removed:
        noun = "this character" if len(removed) == 1 else "these characters"
        return NameCheck(
            name,
            cleaned,
            tuple(removed),
            True,
            f'Codat will strip {noun} from the name: {listed}. It will be saved as "{cleaned}".',
        )
    return NameCheck(name, cleaned, (), True, "")
