"""desktop.core, desktop.sandbox and desktop.hub must never import Qt: they run headless, in the CLI,
on a server and in CI."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import desktop.core
import desktop.hub
import desktop.sandbox


def _all_modules(package: object) -> list[str]:
    path = package.__path__  # type: ignore[attr-defined]
    prefix = package.__name__ + "."  # type: ignore[attr-defined]
    return [package.__name__] + [m.name for m in pkgutil.walk_packages(path, prefix)]  # type: ignore[attr-defined]


def test_core_and_sandbox_import_without_qt() -> None:
    modules = _all_modules(desktop.core) + _all_modules(desktop.sandbox) + _all_modules(desktop.hub)
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'qasync'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"Qt imported by core/sandbox/hub: {out.stdout.strip()}"
    assert len(modules) >= 2
