"""Where Codat's official Platform spec is, for the tests that check us against it.

The spec is kept in the project, unmodified (`spec/codat/`, with its source, commit and licence in
`spec/codat/SOURCE.md`), so every conformance test runs wherever the project is cloned.
CODAT_PLATFORM_SPEC names another copy, for trying a newer spec before it replaces ours.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEC_PATH = Path(
    os.environ.get("CODAT_PLATFORM_SPEC", ROOT / "spec" / "codat" / "Codat-Platform.json")
)


def require_spec() -> Path:
    if not SPEC_PATH.is_file():
        pytest.fail(f"Codat's Platform spec is not at {SPEC_PATH} (CODAT_PLATFORM_SPEC names it)")
    return SPEC_PATH
