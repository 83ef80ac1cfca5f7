"""Start-up: `linkdesk gui --smoke` against a bare PySide6 window, alternating, in one run.

Prints the median wall time and peak RSS of each, and the two ratios beside the goals
(at most 2.5x the bare window's time and 1.5x its memory). Both run with their bytecode cached, as
on a user's machine after the first start (pip compiles the libraries when it installs them; our own
package is compiled here), even where PYTHONDONTWRITEBYTECODE is set.
Usage: python bench/startup.py [N]   (default N=10)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def measure(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd} exited {proc.returncode}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    home = tempfile.mkdtemp(prefix="linkdesk-bench-")
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "LINKDESK_HOME": home,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    env.pop("LINKDESK_API_KEY", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    package = Path(__file__).resolve().parents[1] / "desktop"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True, env=env)
    bare_cmd = [sys.executable, "-c", BARE]
    app_cmd = [sys.executable, "-m", "desktop", "gui", "--smoke"]
    measure(bare_cmd, env)  # warm the file cache for both before counting
    measure(app_cmd, env)
    bare: list[tuple[float, float]] = []
    app: list[tuple[float, float]] = []
    for _ in range(n):
        bare.append(measure(bare_cmd, env))
        app.append(measure(app_cmd, env))
    bare_t = statistics.median(t for t, _ in bare)
    bare_m = statistics.median(m for _, m in bare)
    app_t = statistics.median(t for t, _ in app)
    app_m = statistics.median(m for _, m in app)
    print(f"startup (n={n}, alternating, median)")
    print(f"  bare PySide6 window   {bare_t * 1000:7.1f} ms  {bare_m:6.1f} MiB peak RSS")
    print(f"  linkdesk gui --smoke  {app_t * 1000:7.1f} ms  {app_m:6.1f} MiB peak RSS")
    print(f"  time ratio   {app_t / bare_t:4.2f}x   (goal <= 2.50x)")
    print(f"  memory ratio {app_m / bare_m:4.2f}x   (goal <= 1.50x)")


if __name__ == "__main__":
    main()
