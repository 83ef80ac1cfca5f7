"""Pacing of note saves while the agent types, so a crash loses at most a second of typing.

Qt-free: the UI drives it. On every text change it calls ``note_changed(text)``, which answers how
many seconds from now ``save_if_due()`` should run (a single-shot QTimer restarted with that
interval); on focus-out, on switching calls and on close it calls ``flush()``.

A save happens ``delay`` after the last keystroke (the agent paused), but never later than
``max_delay`` after the first keystroke not yet saved, so steady typing is still saved every
second instead of waiting for a pause that never comes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Protocol

from desktop.core.store.errors import StoreError

log = logging.getLogger(__name__)


class NotesSink(Protocol):
    def save_notes(self, call_id: int, text: str) -> None: ...


class NotesAutosaver:
    def __init__(
        self,
        store: NotesSink,
        call_id: int,
        *,
        delay: float = 0.5,
        max_delay: float = 1.0,
        retry_delay: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < delay <= max_delay:
            raise ValueError("need 0 < delay <= max_delay")
        self.store = store
        self.call_id = call_id
        self.delay = delay
        self.max_delay = max_delay
        self.retry_delay = retry_delay
        self._clock = clock
        self._text: str | None = None  # typed but not saved yet
        self._first_change = 0.0
        self._last_change = 0.0
        self._not_before = 0.0  # after a failed save, wait this long before trying again
        self.last_error: StoreError | None = None

    @property
    def dirty(self) -> bool:
        return self._text is not None

    def note_changed(self, text: str) -> float:
        """Records the new text; returns the seconds until ``save_if_due`` should be called."""
        now = self._clock()
        if self._text is None:
            self._first_change = now
        self._text = text
        self._last_change = now
        due = self.due_in()
        assert due is not None
        return due

    def due_in(self) -> float | None:
        """Seconds until the unsaved text should be saved (0 if overdue); None if nothing is unsaved."""
        if self._text is None:
            return None
        due_at = min(self._last_change + self.delay, self._first_change + self.max_delay)
        due_at = max(due_at, self._not_before)
        return max(0.0, due_at - self._clock())

    def save_if_due(self) -> bool:
        """Saves if the time has come; returns whether it saved."""
        due = self.due_in()
        if due is None or due > 0:
            return False
        return self.flush()

    def flush(self) -> bool:
        """Saves now whatever is unsaved; True when nothing typed is left unsaved on disk.

        On failure the store keeps the text in memory (``pending_writes``) and this saver keeps
        trying every ``retry_delay`` seconds; the error is in ``last_error`` for the UI to show.
        """
        if self._text is None:
            return True
        text = self._text
        try:
            self.store.save_notes(self.call_id, text)
        except StoreError as exc:
            self.last_error = exc
            self._not_before = self._clock() + self.retry_delay
            log.warning("Notes of call %d not saved yet: %s", self.call_id, exc.plain_message)
            return False
        self.last_error = None
        self._not_before = 0.0
        if self._text == text:
            self._text = None
        return True
