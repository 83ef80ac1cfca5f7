"""NotesAutosaver: steady typing is saved within a second, a pause within half a second."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.core.store import CallStore, NotesAutosaver, StoreError, StoreErrorKind


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Sink:
    """Records every save with the time it happened; can be told to refuse."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.saves: list[tuple[float, int, str]] = []
        self.refuse = False

    def save_notes(self, call_id: int, text: str) -> None:
        if self.refuse:
            raise StoreError(StoreErrorKind.FULL, "database or disk is full", queued=True)
        self.saves.append((self.clock.now, call_id, text))


def type_with_a_single_shot_timer(
    saver: NotesAutosaver, clock: Clock, keystrokes: list[float]
) -> list[tuple[float, str]]:
    """Drives the saver as the UI does: restart one timer on every change, save when it fires.

    Returns each keystroke's time and the text right after it.
    """
    typed: list[tuple[float, str]] = []
    text = ""
    timer: float | None = None
    pending = list(keystrokes)
    while pending or timer is not None:
        if pending and (timer is None or pending[0] <= timer):
            clock.now = pending.pop(0)
            text += "a"
            typed.append((clock.now, text))
            timer = clock.now + saver.note_changed(text)
        else:
            assert timer is not None
            clock.now = timer
            timer = None
            saver.save_if_due()
            again = saver.due_in()
            if again is not None:
                timer = clock.now + again
    return typed


def test_steady_typing_is_saved_within_a_second_of_every_keystroke() -> None:
    clock = Clock()
    sink = Sink(clock)
    saver = NotesAutosaver(sink, 7, clock=clock)
    keystrokes = [round(i * 0.12, 2) for i in range(60)]  # never a pause of half a second
    typed = type_with_a_single_shot_timer(saver, clock, keystrokes)
    for when, text in typed:
        saved_by = [t for t, _, saved in sink.saves if saved.startswith(text) and t >= when]
        assert saved_by, f"keystroke at {when} never saved"
        assert min(saved_by) - when <= 1.0 + 1e-9
    assert len(sink.saves) < len(typed) / 4  # paced, not one write per keystroke
    assert sink.saves[-1][2] == typed[-1][1]
    assert not saver.dirty and {c for _, c, _ in sink.saves} == {7}


def test_a_pause_saves_half_a_second_after_the_last_keystroke() -> None:
    clock = Clock()
    sink = Sink(clock)
    saver = NotesAutosaver(sink, 1, clock=clock)
    assert saver.note_changed("hi") == pytest.approx(0.5)
    clock.now = 0.3
    assert saver.note_changed("hi!") == pytest.approx(0.5)
    clock.now = 0.79
    assert not saver.save_if_due()
    clock.now = 0.8
    assert saver.save_if_due()
    assert sink.saves == [(0.8, 1, "hi!")]
    assert saver.due_in() is None and not saver.save_if_due()


def test_flush_saves_at_once_and_only_when_something_changed() -> None:
    clock = Clock()
    sink = Sink(clock)
    saver = NotesAutosaver(sink, 1, clock=clock)
    assert saver.flush() and sink.saves == []
    saver.note_changed("focus left mid-word")
    assert saver.flush()
    assert sink.saves == [(0.0, 1, "focus left mid-word")]
    assert saver.flush() and len(sink.saves) == 1


@pytest.mark.expected_logs(r"not saved yet")
def test_a_refused_save_is_reported_and_retried_later() -> None:
    clock = Clock()
    sink = Sink(clock)
    saver = NotesAutosaver(sink, 1, clock=clock, retry_delay=5.0)
    sink.refuse = True
    saver.note_changed("typed on a full disk")
    clock.now = 0.5
    assert not saver.save_if_due()
    assert saver.last_error is not None and saver.last_error.kind is StoreErrorKind.FULL
    assert saver.dirty and saver.due_in() == pytest.approx(5.0)
    sink.refuse = False
    clock.now = 5.5
    assert saver.save_if_due()
    assert sink.saves == [(5.5, 1, "typed on a full disk")] and saver.last_error is None


def test_with_the_real_store(tmp_path: Path) -> None:
    with CallStore(tmp_path / "calls.sqlite3") as store:
        call = store.open_call(company_id="c", company_name="C", profile="p")
        saver = NotesAutosaver(store, call.id)
        saver.note_changed("Customer uses Xero.")
        saver.flush()
        assert store.notes(call.id) == "Customer uses Xero."


def test_delays_must_make_sense() -> None:
    with pytest.raises(ValueError):
        NotesAutosaver(Sink(Clock()), 1, delay=2.0, max_delay=1.0)
