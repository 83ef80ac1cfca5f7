"""``linkdesk track --hub`` with a keyring that fails when the team hub's credential is read: one
line on stderr and exit 1 (``exits.INPUT``, as ``track --help`` says), never a traceback, and
never tracking on as if there were no credential."""

from __future__ import annotations

import keyring
import keyring.errors
import pytest

from desktop.cli import main
from desktop.commands import exits
from tests.memkeyring import MemoryKeyring


class DBusError(Exception):
    """Stands for a platform library's own error (secretstorage, jeepney), not a KeyringError."""


class FailingKeyring(MemoryKeyring):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error


@pytest.mark.parametrize(
    "error",
    [
        keyring.errors.KeyringLocked("Failed to unlock the collection!"),
        keyring.errors.InitError("the backend could not be initialised"),
        DBusError("org.freedesktop.DBus.Error.ServiceUnknown"),
    ],
    ids=["locked", "backend not initialised", "backend library"],
)
def test_a_keyring_that_fails_is_one_line_and_exit_1(
    error: Exception,
    linkdesk_home: object,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LINKDESK_API_KEY", "key-from-the-environment")  # the key is not asked for
    keyring.set_keyring(FailingKeyring(error))  # the autouse fixture puts the previous one back
    code = main(
        [
            "--api-base",
            "http://127.0.0.1:9",  # never reached: the keyring is read before tracking starts
            "track",
            "co-1",
            "--hub",
            "nats://127.0.0.1:4222",
            "--timeout",
            "1",
        ]
    )
    out = capsys.readouterr()
    assert code == exits.INPUT == 1
    assert out.out == ""
    (line,) = out.err.splitlines()
    assert line == (
        "linkdesk track: the system keyring could not be read for the team hub's credential "
        f"({type(error).__name__}): unlock it, or leave out --hub to follow by polling only."
    )
    assert "Traceback" not in out.err


def test_with_no_keyring_at_all_the_hub_is_used_without_a_credential(
    linkdesk_home: object,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """keyring's fail backend (no backend on this computer) cannot have been given a credential:
    one line says so and tracking goes on (here until --timeout, Codat being unreachable)."""
    monkeypatch.setenv("LINKDESK_API_KEY", "key-from-the-environment")
    keyring.set_keyring(FailingKeyring(keyring.errors.NoKeyringError("No recommended backend")))
    code = main(
        [
            "--api-base",
            "http://127.0.0.1:9",
            "track",
            "co-1",
            "--hub",
            "nats://127.0.0.1:9",
            "--timeout",
            "0.5",
        ]
    )
    err = capsys.readouterr().err
    assert code == exits.TIMEOUT
    assert err.splitlines()[0] == (
        "linkdesk track: no system keyring on this computer: the team hub is used without a "
        "credential."
    )
    assert "Traceback" not in err


def test_the_help_says_what_exit_1_also_means(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["track", "--help"])
    assert (
        "with --hub, the keyring holding the team hub's credential cannot be read, e.g. locked"
        in (" ".join(capsys.readouterr().out.split()))
    )
