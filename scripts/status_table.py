"""Write docs/statuses.md from desktop/core/codat/statuses.py (``--check`` only compares)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop.core.codat.statuses import markdown_table  # noqa: E402

TARGET = ROOT / "docs" / "statuses.md"


def main(argv: list[str]) -> int:
    text = markdown_table()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is out of date: run python scripts/status_table.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
