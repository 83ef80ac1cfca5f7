"""The copy of Codat's Platform spec the tests rely on is the one spec/codat/SOURCE.md describes."""

from __future__ import annotations

import hashlib
import re

from tests.codat_spec import ROOT


def test_the_spec_is_the_unmodified_copy_its_source_file_names() -> None:
    source = (ROOT / "spec" / "codat" / "SOURCE.md").read_text(encoding="utf-8")
    recorded = re.search(r"\| sha256 \| `([0-9a-f]{64})` \|", source)
    assert recorded, "spec/codat/SOURCE.md must record the file's sha256"
    kept = ROOT / "spec" / "codat" / "Codat-Platform.json"
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == recorded.group(1)
