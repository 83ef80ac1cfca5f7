"""Fixtures shared by the widget tests."""

from __future__ import annotations

import pytest

from desktop.core.guides import GuideLibrary, builtin_guides_dir, load_library


@pytest.fixture(scope="module")
def library() -> GuideLibrary:
    """The built-in guides, loaded once per module (the widgets never change them)."""
    return load_library(builtin_guides_dir())
