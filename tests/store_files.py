"""Reading a call database the way another program would, bypassing the store's memory."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def saved_notes(path: Path, call_id: int) -> str | None:
    """The notes of a call as they are on disk, or None if none were written."""
    conn = sqlite3.connect(path)
    try:
        row = conn.execute("SELECT text FROM notes WHERE call_id = ?", (call_id,)).fetchone()
    finally:
        conn.close()
    return None if row is None else str(row[0])
