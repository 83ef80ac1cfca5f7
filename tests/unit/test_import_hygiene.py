"""The layers' rules, checked on what each package really imports (in a fresh interpreter).

``desktop.core``, ``desktop.sandbox`` and ``desktop.hub`` run headless (the CLI, CI): never Qt.
The core imports none of the layers above it or beside it; the widgets never import the app.
"""

from __future__ import annotations

import importlib.util
import pkgutil
import subprocess
import sys

import pytest

QT = ("PySide6", "shiboken6", "qasync")
# Modules beside the layers that more than one of them uses (core, sandbox, hub): they import no
# part of LinkDesk, so using one never brings another layer in.
NEUTRAL = ("desktop.serving", "desktop.nats_options", "desktop.team_calls_stream")
LAYERS = ("desktop.core", "desktop.sandbox", "desktop.hub", "desktop.app", "desktop.ui")


def _all_modules(name: str) -> list[str]:
    package = importlib.import_module(name)
    prefix = name + "."
    return [name] + [m.name for m in pkgutil.walk_packages(package.__path__, prefix)]


def _loaded_after_importing(modules: list[str]) -> set[str]:
    """Every module in sys.modules after importing ``modules`` in a fresh interpreter."""
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def _within(loaded: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in loaded if any(m == p or m.startswith(p + ".") for p in packages))


def _headless_packages() -> list[str]:
    names = ["desktop.core", "desktop.sandbox"]
    if importlib.util.find_spec("desktop.hub") is not None:
        names.append("desktop.hub")
    return names


def test_core_sandbox_and_hub_import_without_qt() -> None:
    modules = [m for name in _headless_packages() for m in _all_modules(name)]
    bad = _within(_loaded_after_importing(modules), QT)
    assert bad == [], f"Qt imported by {', '.join(_headless_packages())}: {bad}"
    assert len(modules) >= 2


def test_core_imports_no_app_ui_sandbox_or_hub() -> None:
    loaded = _loaded_after_importing(_all_modules("desktop.core"))
    bad = _within(loaded, ("desktop.app", "desktop.ui", "desktop.sandbox", "desktop.hub"))
    assert bad == [], f"desktop.core imports {bad}"


@pytest.mark.parametrize("forbidden", ["desktop.app", "desktop.context"])
def test_widgets_never_import_the_app(forbidden: str) -> None:
    loaded = _loaded_after_importing(_all_modules("desktop.ui"))
    assert _within(loaded, (forbidden,)) == [], f"desktop.ui imports {forbidden}"


@pytest.mark.parametrize("neutral", NEUTRAL)
def test_neutral_modules_import_no_layer_and_no_qt(neutral: str) -> None:
    loaded = _loaded_after_importing([neutral])
    bad = _within(loaded, LAYERS + QT)
    assert bad == [], f"{neutral} imports {bad}"
