"""Where Codat's official Platform spec is, for the tests that check us against it.

The spec is not vendored (codatio/oas carries no licence). It sits in the shared reference folder
beside the checkout (`../shared/codat/`), as on every developer machine and in CI;
CODAT_PLATFORM_SPEC names another copy. Without it (a bare clone, as `fresh-machine` makes) the
conformance tests skip and say why; everything else still runs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEC_PATH = Path(
    os.environ.get("CODAT_PLATFORM_SPEC", ROOT.parent / "shared" / "codat" / "Codat-Platform.json")
)


def require_spec() -> Path:
    if not SPEC_PATH.is_file():
        pytest.skip(f"Codat's Platform spec is not at {SPEC_PATH} (set CODAT_PLATFORM_SPEC)")
    return SPEC_PATH
