"""The command line as a user runs it: a separate process, its own LINKDESK_HOME."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from desktop import __version__
from tests.e2e.gui_process import gui_env


def _run(*args: str, home: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=gui_env(home),
    )


def test_help_lists_the_commands(linkdesk_home: Path) -> None:
    out = _run("--help", home=linkdesk_home)
    assert out.returncode == 0
    for word in ("gui", "doctor", "--api-base", "--profile", "--version"):
        assert word in out.stdout


def test_version(linkdesk_home: Path) -> None:
    out = _run("--version", home=linkdesk_home)
    assert out.returncode == 0
    assert out.stdout.strip() == f"LinkDesk {__version__}"


def test_gui_smoke_paints_and_exits_zero(linkdesk_home: Path) -> None:
    out = _run("gui", "--smoke", home=linkdesk_home)
    assert out.returncode == 0, out.stderr
    assert "smoke: window painted" in out.stdout
    # The keyring is read after the first frame, so the smoke, which stops there, never asks it.
    assert "API target: Checking the key…" in out.stdout
    assert (linkdesk_home / "logs" / "linkdesk.log").exists()


def test_doctor_resolves_the_keyring_and_says_what_it_would_use(linkdesk_home: Path) -> None:
    out = _run("doctor", home=linkdesk_home)
    assert out.returncode == 0, out.stderr
    assert "keyring backend: keyring.backends.null.Keyring" in out.stdout
    assert str(linkdesk_home / "config" / "settings.json") in out.stdout
    assert (
        "API target: the embedded sandbox in the app's window (no API key for this profile); "
        "link and track need a key" in out.stdout
    )


def test_doctor_with_a_key_names_codat_and_never_prints_the_key(linkdesk_home: Path) -> None:
    env = {**gui_env(linkdesk_home), "LINKDESK_API_KEY": "sk_doctor_key"}
    out = subprocess.run(
        [sys.executable, "-m", "desktop", "--api-base", "http://127.0.0.1:9/", "doctor"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    assert "API target: Codat at http://127.0.0.1:9 (key from LINKDESK_API_KEY)" in out.stdout
    assert "sk_doctor_key" not in out.stdout + out.stderr


def test_gui_smoke_with_a_key_targets_codat(linkdesk_home: Path) -> None:
    env_home = linkdesk_home
    out = subprocess.run(
        [sys.executable, "-m", "desktop", "--api-base", "http://127.0.0.1:9", "gui", "--smoke"],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "LINKDESK_HOME": str(env_home),
            "QT_QPA_PLATFORM": "offscreen",
            "LINKDESK_API_KEY": "sk_cli_smoke_key",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        },
    )
    assert out.returncode == 0, out.stderr
    assert "Codat at http://127.0.0.1:9" in out.stdout
    for path in env_home.rglob("*"):
        if path.is_file():
            assert "sk_cli_smoke_key" not in path.read_text(errors="replace")


def test_bad_profile_name_is_refused(linkdesk_home: Path) -> None:
    out = _run("--profile", "bad/name", "gui", "--smoke", home=linkdesk_home)
    assert out.returncode == 1  # unusable input, as in every command
    assert "profile name" in out.stderr


def test_gui_loads_the_guides_before_qt_and_no_keyring_before_its_frame(
    linkdesk_home: Path,
) -> None:
    """Start-up memory: shiboken keeps the source of every module imported after PySide6, and
    the keyring (with urllib, http.client, email, OpenSSL behind it) waits for the first frame."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "desktop", "gui", "--smoke"],
        capture_output=True,
        text=True,
        timeout=60,
        env=gui_env(linkdesk_home),
    )
    assert out.returncode == 0, out.stderr
    # -X importtime prints a line as each import finishes, innermost first.
    names = [line.rsplit("|", 1)[1].strip() for line in out.stderr.splitlines() if "|" in line]
    first_qt = min(i for i, name in enumerate(names) if name.startswith(("PySide6", "shiboken6")))
    for module in ("desktop.core.guides.library", "tomllib"):
        assert names.index(module) < first_qt, module
    assert not [name for name in names if name.startswith("keyring")]
    # Nor the call layer, the store (sqlite3) or the Codat client: the pages after the frame do.
    later = ("desktop.core.calls", "desktop.core.store", "desktop.core.codat", "sqlite3", "httpx")
    assert not [name for name in names if name.startswith(later)]
    # The next start reads the parsed guides from the cache: the parser is not even imported.
    again = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "desktop", "gui", "--smoke"],
        capture_output=True,
        text=True,
        timeout=60,
        env=gui_env(linkdesk_home),
    )
    assert again.returncode == 0, again.stderr
    names = [line.rsplit("|", 1)[1].strip() for line in again.stderr.splitlines() if "|" in line]
    assert "desktop.core.guides.library" in names
    assert not {"tomllib", "desktop.core.guides.schema"} & set(names)
