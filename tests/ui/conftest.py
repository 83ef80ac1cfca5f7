"""Fixtures shared by the widget tests."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.core.guides import GuideLibrary, builtin_guides_dir, load_library
from desktop.core.tasks import BackgroundTasks
from tests.ui.call_workspace_kit import Kit, make_kit

Spawn = Callable[[Coroutine[Any, Any, None], str], object]


@pytest.fixture(scope="module")
def library() -> GuideLibrary:
    """The built-in guides, loaded once per module (the widgets never change them)."""
    return load_library(builtin_guides_dir())


@pytest.fixture
def spawn(qloop: Any) -> Iterator[Spawn]:
    """A widget's ``spawn`` on the qloop, as the app's BackgroundTasks; a task's error fails."""
    errors: list[tuple[str, BaseException]] = []
    tasks = BackgroundTasks(on_error=lambda exc, name: errors.append((name, exc)))
    yield lambda coro, name: tasks.spawn(coro, name=name)
    assert not errors, errors


@pytest.fixture
def kit(qtbot: Any, tmp_path: Path) -> Iterator[Kit]:
    """The call workspace over a hand-driven tracker (``make_kit``'s defaults); its store is
    closed after the test. A module needing other options defines its own ``kit``."""
    built = make_kit(qtbot, tmp_path)
    yield built
    built.store.close()
