"""Start-up: `linkdesk gui --smoke` against a bare PySide6 window, alternating, in one run.

Measured as ../shared/tools/startup-check measures it, in a user's situation: the bytecode cached
(the package is compiled first, as after a first start; pip compiles the libraries when it installs
them), no keyring backend forced, and no LinkDesk variable but a throw-away LINKDESK_HOME. Prints
the median wall time and peak RSS (from wait4) of each, the two ratios beside the goals (at most
2.0x the bare window's time and 1.3x its memory), where it ran, and what in its environment a user
would not have; then how long after the first frame the rest of the first page (the Guides page's
side tabs, which the smoke leaves out) was painted. Exits 1 when a ratio is over its goal.
Usage: python bench/startup.py [N]   (default N=9)
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import where_it_ran

GOAL_TIME, GOAL_MEMORY = 2.0, 1.3
BARE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
app = QApplication(sys.argv)
w = QMainWindow()
w.setCentralWidget(QLabel("hello"))
w.resize(300, 100)
w.show()
QTimer.singleShot(0, app.quit)
sys.exit(app.exec())
"""
ROOT = Path(__file__).resolve().parents[1]
# The rest of the first page: `gui --smoke` stops at the first frame, which leaves the Guides
# page's side tabs out (they come right after it). This child runs the same start, then makes
# them as the app does (ShellWiring.finish_first_page) and prints how long after the first frame
# they were painted (ms).
REST_OF_PAGE = """
import sys, time
sys.argv = ["linkdesk", "gui", "--smoke"]
import desktop.app.root as root
from desktop.ui.guides import page as guides_page
from PySide6.QtCore import QEvent, QObject

painted = []

class Seen(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and not painted:
            painted.append(time.perf_counter())
        return False

first_frame = root.show_first_frame

def first_page(app, ctx):
    window, shell = first_frame(app, ctx)
    shown = time.perf_counter()
    seen = Seen()
    made = guides_page._SidePane.__init__

    def watch(self, library):
        made(self, library)
        self.tabs.installEventFilter(seen)

    guides_page._SidePane.__init__ = watch
    shell.finish_first_page()
    print(f"rest-of-page {(painted[0] - shown) * 1000:.1f}", file=sys.stderr)
    return window, shell

root.show_first_frame = first_page
from desktop.cli import main
sys.exit(main())
"""


def measure(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        assert proc.stderr is not None
        raise SystemExit(f"{cmd[-2:]} failed: {proc.stderr.read().decode()[-300:]}")
    return wall, usage.ru_maxrss / 1024


def rest_of_page(env: dict[str, str]) -> float:
    """Milliseconds from the first frame to the side tabs painted, in one child process."""
    out = subprocess.run(
        [sys.executable, "-c", REST_OF_PAGE],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in out.stderr.splitlines() if x.startswith("rest-of-page "))
    return float(line.split()[1])


def user_environment(home: str) -> dict[str, str]:
    """This environment as a user's: no keyring backend forced, no LinkDesk variable, bytecode
    written; only the display (offscreen: this machine has none) and a throw-away home set."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LINKDESK_", "PYTHON_KEYRING")) and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(QT_QPA_PLATFORM="offscreen", LINKDESK_HOME=home)
    return env


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    home = tempfile.mkdtemp(prefix="linkdesk-bench-startup-")
    env = user_environment(home)
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "desktop"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    bare_cmd = [sys.executable, "-c", BARE]
    app_cmd = [sys.executable, "-m", "desktop", "gui", "--smoke"]
    try:
        measure(bare_cmd, env)  # warm the file cache for both before counting
        measure(app_cmd, env)
        bare: list[tuple[float, float]] = []
        app: list[tuple[float, float]] = []
        for _ in range(n):
            bare.append(measure(bare_cmd, env))
            app.append(measure(app_cmd, env))
        rest = [rest_of_page(env) for _ in range(n)]
    finally:
        shutil.rmtree(home, ignore_errors=True)
    bare_t = statistics.median(t for t, _ in bare)
    bare_m = statistics.median(m for _, m in bare)
    app_t = statistics.median(t for t, _ in app)
    app_m = statistics.median(m for _, m in app)
    time_ok, memory_ok = app_t / bare_t <= GOAL_TIME, app_m / bare_m <= GOAL_MEMORY
    print(f"startup (n={n}, alternating, median; as ../shared/tools/startup-check measures)")
    print(
        where_it_ran(
            "QT_QPA_PLATFORM=offscreen: no display on the benchmark machine",
            "LINKDESK_HOME: a throw-away folder, so the run touches no one's settings",
            environ=env,
        )
    )
    print(f"  bare PySide6 window   {bare_t * 1000:7.1f} ms  {bare_m:6.1f} MiB peak RSS")
    print(f"  linkdesk gui --smoke  {app_t * 1000:7.1f} ms  {app_m:6.1f} MiB peak RSS")
    print(
        f"  time ratio   {app_t / bare_t:4.2f}x   (goal <= {GOAL_TIME:.2f}x)  "
        f"{'OK' if time_ok else 'MISSED'}"
    )
    print(
        f"  memory ratio {app_m / bare_m:4.2f}x   (goal <= {GOAL_MEMORY:.2f}x)  "
        f"{'OK' if memory_ok else 'MISSED'}"
    )
    print(
        f"  the Guides page's side tabs painted {statistics.median(rest):.0f} ms after the first "
        "frame (median; the smoke stops at the first frame)"
    )
    return 0 if time_ok and memory_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
