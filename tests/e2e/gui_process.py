"""The environment a LinkDesk process gets in these tests."""

from __future__ import annotations

import os
from pathlib import Path


def gui_env(home: Path) -> dict[str, str]:
    """Its own LINKDESK_HOME, no display, no API key, and a keyring that stores nothing.

    The null keyring exists everywhere, so a test never touches a real one.
    """
    env = {
        **os.environ,
        "LINKDESK_HOME": str(home),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    env.pop("LINKDESK_API_KEY", None)
    return env
