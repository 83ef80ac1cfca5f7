"""``linkdesk calls list`` and ``linkdesk calls export`` in their own process and LINKDESK_HOME."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from desktop.core.paths import default_paths
from desktop.core.store import CallStore

T0 = 1_700_000_000.0


def calls(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["LINKDESK_HOME"] = str(home)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    env.pop("LINKDESK_API_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "desktop", "calls", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )


def seed(home: Path) -> dict[str, int]:
    paths = default_paths({"LINKDESK_HOME": str(home)}).ensure()
    now = [T0]
    with CallStore(paths.database, clock=lambda: now[0]) as store:
        done = store.open_call(
            company_id="co-1",
            company_name="Done Ltd",
            profile="support",
            platform_key="gbol",
            platform_name="Xero",
        )
        store.add_event(done.id, T0 + 30, "step", "Step 2 current.", step=2, status="current")
        store.add_event(
            done.id, T0 + 90, "step", "Step 2 done.", step=2, status="done", provenance="observed"
        )
        store.save_notes(done.id, "Linked on the first try.")
        now[0] = T0 + 600
        store.close_call(done.id, "linked")
        live = store.open_call(
            company_id="co-2",
            company_name="Live Co",
            profile="support",
            api_kind="sandbox",
            scenario="happy_path",
        )
    return {"done": done.id, "live": live.id}


def test_list_without_any_database(linkdesk_home: Path) -> None:
    out = calls("list", home=linkdesk_home)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "No saved calls."
    assert not default_paths().database.exists()  # listing creates nothing
    out = calls("list", "--json", home=linkdesk_home)
    assert json.loads(out.stdout) == []


def test_list_json_open_and_closed(linkdesk_home: Path) -> None:
    ids = seed(linkdesk_home)
    out = calls("list", "--json", home=linkdesk_home)
    assert out.returncode == 0, out.stderr
    listed = json.loads(out.stdout)
    assert [c["id"] for c in listed] == [ids["live"], ids["done"]]
    done = listed[1]
    assert done["companyName"] == "Done Ltd" and done["outcome"] == "linked"
    assert done["openedAt"] == "2023-11-14T22:13:20.000Z"
    assert done["closedAt"] == "2023-11-14T22:23:20.000Z"
    assert listed[0]["apiKind"] == "sandbox" and listed[0]["closedAt"] is None

    only_open = json.loads(calls("list", "--open", "--json", home=linkdesk_home).stdout)
    assert [c["id"] for c in only_open] == [ids["live"]]

    table = calls("list", "--all", home=linkdesk_home).stdout.splitlines()
    assert table[0].split() == ["ID", "OPENED", "STATE", "COMPANY", "PLATFORM", "OUTCOME"]
    assert "Live Co" in table[1] and "open (practice)" in table[1]
    assert "Done Ltd" in table[2] and "Xero" in table[2] and "linked" in table[2]


def test_export_to_stdout_and_to_a_file(linkdesk_home: Path, tmp_path: Path) -> None:
    ids = seed(linkdesk_home)
    out = calls("export", str(ids["done"]), home=linkdesk_home)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("# Call with Done Ltd\n")
    assert "| 2. Choose software | done | seen by the API |" in out.stdout
    assert "1 min 00 s" in out.stdout and "Linked on the first try." in out.stdout

    target = tmp_path / "crm.txt"
    out = calls(
        "export", str(ids["done"]), "--format", "text", "--output", str(target), home=linkdesk_home
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout == ""
    written = target.read_text(encoding="utf-8")
    assert written.startswith("Call with Done Ltd\n") and "Linked on the first try." in written
    assert str(target) in out.stderr


def test_unknown_call_id(linkdesk_home: Path) -> None:
    seed(linkdesk_home)
    out = calls("export", "999", home=linkdesk_home)
    assert out.returncode == 5  # not found: the same code as Codat's 404 in every command
    assert "no saved call number 999" in out.stderr
    assert out.stdout == ""
    fresh = linkdesk_home.parent / "empty-home"
    assert calls("export", "1", home=fresh).returncode == 5


def test_unreadable_database_is_reported_and_left_in_place(linkdesk_home: Path) -> None:
    database = default_paths().ensure().database
    database.write_bytes(b"not a database" * 200)
    for args in (("list",), ("export", "1")):
        out = calls(*args, home=linkdesk_home)
        assert out.returncode == 8, out.stderr
        assert "damaged and cannot be read" in out.stderr
        assert "Traceback" not in out.stderr
    assert database.read_bytes() == b"not a database" * 200
    assert [p.name for p in database.parent.iterdir()] == [database.name]


def test_unwritable_output_file(linkdesk_home: Path, tmp_path: Path) -> None:
    ids = seed(linkdesk_home)
    out = calls(
        "export",
        str(ids["done"]),
        "--output",
        str(tmp_path / "no" / "such" / "dir.md"),
        home=linkdesk_home,
    )
    assert out.returncode == 9
    assert "Could not write" in out.stderr
