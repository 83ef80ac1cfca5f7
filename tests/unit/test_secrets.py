from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from desktop.core.paths import default_paths
from desktop.core.secrets import SecretStore, SecretStoreError, resolve_api_key
from desktop.core.settings import Settings
from tests.memkeyring import MemoryKeyring

KEY = "sk_live_0123456789abcdefTESTKEY"


def test_key_round_trips_through_the_keyring(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore()
    store.set("production", KEY)
    assert memory_keyring.store[("LinkDesk", "production")] == KEY
    assert store.get("production") == KEY
    assert store.get("other") is None
    store.delete("production")
    assert store.get("production") is None
    store.delete("production")  # deleting twice is fine


def test_env_var_wins_for_scripts(monkeypatch: pytest.MonkeyPatch) -> None:
    SecretStore().set("default", "from-keyring")
    assert resolve_api_key("default", SecretStore()) == "from-keyring"
    monkeypatch.setenv("LINKDESK_API_KEY", "from-env")
    assert resolve_api_key("default", SecretStore()) == "from-env"


def test_backend_is_reported() -> None:
    info = SecretStore().backend()
    assert info.name == "tests.memkeyring.MemoryKeyring"
    assert info.usable and info.secure


def test_without_a_keyring_the_key_can_live_for_this_session_only() -> None:
    previous = keyring.get_keyring()
    # keyring's KeyringBackend.__init__ carries no annotations.
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    try:
        store = SecretStore()
        info = store.backend()
        assert not info.usable
        assert "session only" in info.description
        with pytest.raises(SecretStoreError, match="this session only"):
            store.set("default", KEY)
        store.set("default", KEY, session_only=True)
        assert store.get("default") == KEY
        assert store.is_session_only("default")
        assert SecretStore().get("default") is None  # another process would not see it
    finally:
        keyring.set_keyring(previous)


def test_key_is_never_written_to_any_file(linkdesk_home: Path) -> None:
    paths = default_paths().ensure()
    store = SecretStore()
    store.set("default", KEY)
    settings = Settings.load(paths)
    settings.set("agent_name", "Ada")
    settings.save()
    for path in linkdesk_home.rglob("*"):
        if path.is_file():
            assert KEY not in path.read_text(errors="replace"), path


def test_empty_key_is_refused() -> None:
    with pytest.raises(SecretStoreError):
        SecretStore().set("default", "   ")
