"""Guide library: time to load and validate, and search time per keystroke.

Runs with the built-in guides and with N generated guides (default 500) written to a temp folder.
Typing is simulated character by character on a name, as an agent types into the search box; each
keystroke runs the library search (and, with --ui, also refills the Qt tiles model offscreen).
Prints medians and worst cases beside the goals: search at most 50 ms per keystroke at 500 guides;
loading should stay small: the first frame shows the tiles, so it waits for the built-in guides.
Usage: python bench/guides.py [N] [--ui]
"""

from __future__ import annotations

import random
import statistics
import string
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop.core.guides import GuideLibrary, builtin_guides_dir, load_library

SEARCH_GOAL_MS = 50.0
_PAGES: list[object] = []  # the Qt pages made for --ui, torn down before the interpreter exits
LOAD_GOAL_MS = 500.0  # our own bound for "small": well under a second even at 500 guides
WORDS = (
    "ledger",
    "books",
    "cloud",
    "office",
    "prime",
    "north",
    "delta",
    "ocean",
    "summit",
    "swift",
)


def generate(folder: Path, count: int, seed: int = 7) -> list[str]:
    """Write count guides derived from the Xero guide, with distinct names, slugs and keys."""
    rnd = random.Random(seed)
    template = (builtin_guides_dir() / "xero.md").read_text(encoding="utf-8")
    used: set[str] = set()
    names = []
    for i in range(count):
        key = "".join(rnd.choices(string.ascii_lowercase, k=4))
        while key in used:
            key = "".join(rnd.choices(string.ascii_lowercase, k=4))
        used.add(key)
        name = f"{rnd.choice(WORDS).title()} {rnd.choice(WORDS).title()} {i}"
        names.append(name)
        text = template.replace('name = "Xero"', f'name = "{name}"')
        text = text.replace('platform_keys = ["gbol"]', f'platform_keys = ["{key}"]')
        text = text.replace('aliases = ["Xero Accounting"]', f'aliases = ["{key.upper()}X"]')
        (folder / f"generated-{i:04d}.md").write_text(text, encoding="utf-8")
    return names


def time_ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def load_times(folder: Path, runs: int = 5) -> tuple[float, GuideLibrary]:
    library = load_library(folder)
    times = [time_ms(lambda: load_library(folder)) for _ in range(runs)]
    return statistics.median(times), library


def keystroke_times(search: Callable[[str], object], words: list[str]) -> list[float]:
    times: list[float] = []
    for word in words:
        for end in range(1, len(word) + 1):
            times.append(time_ms(lambda w=word[:end]: search(w)))  # type: ignore[misc]
    return times


def ui_search(library: GuideLibrary) -> Callable[[str], object]:
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from desktop.ui.guides.page import GuidesPage

    app = QApplication.instance() or QApplication([])
    page = GuidesPage(library)
    _PAGES.append(page)
    page.resize(1200, 800)
    page.show()

    def run(text: str) -> object:
        page.search_field.setText(text)  # the page filters on every textChanged
        app.processEvents()  # let the view lay out and paint the new tiles
        return page.tiles_model.rowCount()

    return run


def report(label: str, folder: Path, words: list[str], ui: bool) -> None:
    load_ms, library = load_times(folder)
    if library.errors:
        raise SystemExit(f"{label}: {len(library.errors)} errors, first: {library.errors[0]}")
    core = keystroke_times(lambda t: library.search(t), words)
    print(f"{label}: {len(library.guides)} guides")
    print(
        f"  load + validate   median {load_ms:8.2f} ms   goal <= {LOAD_GOAL_MS:.0f} ms (the first frame waits for it)"
    )
    print_keystrokes("search/keystroke", core)
    if ui:
        print_keystrokes("tiles/keystroke", keystroke_times(ui_search(library), words))


def print_keystrokes(label: str, times: list[float]) -> None:
    verdict = "OK" if max(times) <= SEARCH_GOAL_MS else "OVER"
    median, worst = statistics.median(times), max(times)
    print(
        f"  {label:17} median {median:8.3f} ms   worst {worst:8.3f} ms"
        f"   goal <= {SEARCH_GOAL_MS:.0f} ms   {verdict}"
    )


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    count = int(args[0]) if args else 500
    ui = "--ui" in sys.argv
    report("built-in", builtin_guides_dir(), ["QuickBooks Online", "netsuite", "Sage Intacct"], ui)
    with tempfile.TemporaryDirectory(prefix="linkdesk-bench-guides-") as tmp:
        names = generate(Path(tmp), count)
        report(f"generated ({count})", Path(tmp), [names[-1], names[count // 2], "xero"], ui)
    if _PAGES:
        _close_qt()
    return 0


def _close_qt() -> None:
    # Qt objects left to the interpreter's final garbage collection can crash it: delete them here.
    from PySide6.QtWidgets import QApplication

    for page in _PAGES:
        page.close()  # type: ignore[attr-defined]
        page.deleteLater()  # type: ignore[attr-defined]
    _PAGES.clear()
    app = QApplication.instance()
    if app is not None:
        app.processEvents()
        app.shutdown()


if __name__ == "__main__":
    raise SystemExit(main())
