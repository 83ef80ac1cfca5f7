"""What a benchmark ran on, printed beside its figures: the machine, the versions, and whatever in
its environment a user's LinkDesk would not have."""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Mapping

# Variables a user does not normally set for LinkDesk, with what each changes.
UNUSUAL = {
    "QT_QPA_PLATFORM": "Qt platform plugin (a user's desktop has a real display)",
    "LINKDESK_HOME": "all of LinkDesk's files under one folder",
    "LINKDESK_API_KEY": "the API key from the environment instead of the keyring",
    "PYTHON_KEYRING_BACKEND": "a keyring backend forced instead of the OS's own",
    "PYTHONDONTWRITEBYTECODE": "no bytecode cache (every start compiles)",
    "PYTHONPATH": "extra import paths",
    "PYTHONMALLOC": "a different memory allocator",
    "MALLOC_ARENA_MAX": "glibc's arena count changed",
}


def machine() -> str:
    """CPUs (usable by this process), load average, OS, Python, PySide6 and Qt versions."""
    try:
        import PySide6
        from PySide6.QtCore import qVersion

        qt = f"PySide6 {PySide6.__version__} (Qt {qVersion()})"
    except ImportError:
        qt = "no PySide6"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs ({usable} usable), load average {load} at start; "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}; {qt}"
    )


def unusual(environ: Mapping[str, str], *, told: Mapping[str, str] | None = None) -> list[str]:
    """One line per variable a user would not have, with its value (keys masked) and its effect.

    ``told``: what this benchmark set itself and why, so a reader sees it was deliberate.
    """
    lines = []
    for name, effect in UNUSUAL.items():
        if name not in environ:
            continue
        value = "(set)" if "KEY" in name and "BACKEND" not in name else environ[name]
        why = f"; {told[name]}" if told and name in told else ""
        lines.append(f"{name}={value}: {effect}{why}")
    return lines


def report(environ: Mapping[str, str], *, told: Mapping[str, str] | None = None) -> None:
    """Print where the benchmark ran and what in its environment a user would not have."""
    print(f"  ran on: {machine()}")
    print(f"  python: {sys.executable}")
    extra = unusual(environ, told=told)
    if extra:
        print("  environment a user would not have:")
        for line in extra:
            print(f"    {line}")
    else:
        print("  environment: nothing a user would not have")
