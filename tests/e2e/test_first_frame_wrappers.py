"""What the first frame makes PySide build: only the wrapper types it draws with.

PySide6 builds a class's Python wrapper, enums included, when the class is first used, and each
enum member costs about 20 µs and 1 KiB. Two slips have cost the first frame most: asking Qt for an
object that only it made and whose class it does not say (a scroll area's ``viewport()``: shiboken
then builds the wrapper of every QtWidgets class to find its type, 0.7 MiB), and anything typed
``QStyle`` (``setStyle()``, a delegate's ``option.state``: QStyle's 566 enum members, 8 ms).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.e2e.gui_process import gui_env

# Runs the smoke (the first frame, then exit) with the rest of the first page (the Guides page's
# side tabs, made right after the frame), and lists the Qt classes whose enums were made.
PROBE = """
import enum, json, sys
sys.argv = ["linkdesk", "gui", "--smoke"]
import desktop.app.root as root
from desktop.cli import main
first_frame = root.show_first_frame
def first_page(app, ctx):
    window, shell = first_frame(app, ctx)
    shell.finish_first_page()
    return window, shell
root.show_first_frame = first_page
try:
    main()
except SystemExit:
    pass
kinds = (enum.Enum, enum.IntEnum, enum.Flag, enum.IntFlag)
made = {
    cls.__qualname__.split(".")[0]
    for kind in kinds
    for cls in kind.__subclasses__()
    if (cls.__module__ or "").startswith("PySide6")
}
print(json.dumps(sorted(made)))
"""

# Classes a first frame never uses: their enums mean a wrapper search through all of QtWidgets.
SEARCHED = {"QWizard", "QFileDialog", "QMessageBox", "QDockWidget", "QGraphicsView"}


def _made_by_first_frame(home: Path) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        timeout=60,
        env=gui_env(home),
    )
    assert out.returncode == 0, out.stderr
    made: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
    return set(made)


def test_the_first_page_builds_only_the_wrappers_it_draws_with(linkdesk_home: Path) -> None:
    made = _made_by_first_frame(linkdesk_home)
    assert "Qt" in made and "QAbstractItemView" in made  # the probe sees what the frame made
    assert not SEARCHED & made, sorted(SEARCHED & made)
    assert "QStyle" not in made
