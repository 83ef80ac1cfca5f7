"""``LINKDESK_API_KEY``: read once, then taken out of the environment so no child inherits it.

Every child process inherits the environment: the browser that "Open" starts (through xdg-open
or the OS), a link opened from a guide, any helper. ``withhold()`` runs first in every command
(desktop/cli.py), so the key stays usable in this process and reaches no other program.
Imports only ``os``: it runs before ``--help`` is printed.
"""

from __future__ import annotations

import os

ENV_KEY = "LINKDESK_API_KEY"
_withheld = ""


def withhold() -> None:
    """Move the key from the environment into this process's memory (idempotent)."""
    global _withheld
    value = os.environ.pop(ENV_KEY, None)
    if value is not None and value.strip():
        _withheld = value.strip()


def env_api_key() -> str:
    """The key from the environment, or the one withheld from it ("" when neither is set)."""
    return os.environ.get(ENV_KEY, "").strip() or _withheld
