"""Secrets: after a full scripted session with a real API key, the key is in no file and no log record.

The key is stored as a user would store it (the keyring entry of the profile), and the app talks to a
sandbox that demands exactly that key, so every request really carries it. The session goes through
the main window and the call page: create the company, follow the customer's journey to the end of
the first sync, tick the checklist, type notes, export the call to a file. Then the app shuts down,
and every file under LINKDESK_HOME (settings, database with its -wal/-shm, logs, exports) is read
byte by byte, as is every log record of the session, including httpx's and httpcore's at DEBUG.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtWidgets import QFileDialog

from desktop.app.call_assembly import build_call_parts
from desktop.app.context import AppContext
from desktop.app.shell_wiring import ShellWiring
from desktop.core.journey import Step, StepStatus
from desktop.core.logs import close_logging, setup_logging
from desktop.core.paths import default_paths
from desktop.core.secrets import SecretStore
from desktop.core.settings import Settings
from desktop.sandbox.server import SandboxServer
from desktop.ui.main_window import MainWindow
from tests.conftest import run_in_qloop

KEY = "ldk-Secret-7Qv3XwZp9RtYb2Mn6Hs4Jd8Kf"
FORMS = {
    "key": KEY,
    "base64": base64.b64encode(KEY.encode()).decode(),
    "base64 unpadded": base64.b64encode(KEY.encode()).decode().rstrip("="),
}
FAST = {"fast_interval": 0.2, "medium_interval": 0.2, "stagger": 0.0, "first_backoff": 0.2}
NOTES = "Jo (finance lead) approved QuickBooks Online. Follow up on the invoices sync tomorrow."


class Capture(logging.Handler):
    """Every record as emitted, before any handler's secret filter rewrites it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.names: set[str] = set()
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.names.add(record.name)
        self.lines.append(self.format(record))


@pytest.fixture
def capture() -> Iterator[Capture]:
    root = logging.getLogger()
    handler = Capture()
    saved = {name: logging.getLogger(name).level for name in ("", "httpx", "httpcore")}
    root.addHandler(handler)  # first, so it sees each record before the app's filtered handler
    yield handler
    root.removeHandler(handler)
    close_logging()
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def drive(server: SandboxServer, company_id: str, action: str, **extra: Any) -> None:
    with httpx.Client(trust_env=False, headers=server.control_headers()) as http:
        answer = http.post(
            f"{server.base_url}/_sandbox/companies/{company_id}/journey",
            json={"action": action, **extra},
        )
    assert answer.status_code == 200, answer.text


def assert_clean(files: list[Path]) -> None:
    for path in files:
        content = path.read_bytes()
        for what, form in FORMS.items():
            assert form.encode() not in content, f"the API {what} is in {path}"


def status(view: Any, step: Step) -> str:
    return str(view.journey.rows[step]["title"].accessibleDescription())


def test_full_session_leaves_the_key_nowhere(
    qtbot: Any, qapp: Any, qloop: Any, capture: Capture, linkdesk_home: Path
) -> None:
    paths = default_paths().ensure()
    setup_logging(paths.log_file, level=logging.DEBUG)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.DEBUG)  # request headers would show if leaking

    settings = Settings.load(paths)
    SecretStore().set(settings.current_profile, KEY)
    with SandboxServer(api_key=KEY) as sandbox:
        ctx = AppContext(paths, settings, api_base_override=sandbox.base_url)
        run_in_qloop(qtbot, ctx.load_api_key())  # as the app does after its first frame
        assert not ctx.uses_sandbox()  # the key is used as a real Codat key would be
        window = MainWindow()
        qtbot.addWidget(window)
        shell = ShellWiring(qapp, ctx, window)
        shell.refresh_target()
        parts = build_call_parts(ctx, library=shell.guide_library, tracker_overrides=FAST)
        window.set_page("call", parts.workspace)
        window.show_page("call")
        window.resize(1400, 900)
        window.show()
        workspace = parts.workspace

        panel = workspace.start_panel
        panel.name_edit.setText("Harbour Bakery Ltd")
        panel.create_company()
        qtbot.waitUntil(lambda: workspace.current_view() is not None, timeout=10000)
        view = workspace.current_view()
        assert view is not None
        company = view.session.company_id

        for box in view.checklist.boxes.values():
            box.setChecked(True)
        drive(sandbox, company, "open_link")
        view.journey.rows[Step.OPEN_LINK]["confirm"].click()  # type: ignore[attr-defined]
        drive(sandbox, company, "select_platform", platformKey="qhyg")
        qtbot.waitUntil(
            lambda: status(view, Step.CHOOSE_SOFTWARE) == StepStatus.DONE, timeout=10000
        )
        drive(sandbox, company, "consent")
        drive(sandbox, company, "approve")
        qtbot.waitUntil(lambda: status(view, Step.SIGN_IN) == StepStatus.DONE, timeout=10000)
        drive(sandbox, company, "complete_sync")
        qtbot.waitUntil(lambda: view.session.state.synced, timeout=15000)

        view.notes.setFocus()
        qtbot.keyClicks(view.notes, NOTES)
        qtbot.keyClicks(view.notes, f" She pasted our key {KEY} in the chat by mistake.")
        workspace.export_button.click()
        dialog = workspace.export_dialog
        assert isinstance(dialog, QFileDialog)
        exported = linkdesk_home / "exports" / "harbour-bakery.md"
        exported.parent.mkdir()
        dialog.selectFile(str(exported))
        with qtbot.waitSignal(dialog.fileSelected, timeout=3000):
            dialog.accept()
        # While the app runs the database has its write-ahead log beside it: search that too.
        running = sorted(p for p in linkdesk_home.rglob("*") if p.is_file())
        assert any(p.name.endswith("-wal") for p in running)
        assert_clean(running)
        workspace.close_current()

        workspace.save_all_notes()
        run_in_qloop(qtbot, parts.tracker.aclose())
        parts.store.close()
        run_in_qloop(qtbot, ctx.aclose())
        window.close()
    close_logging()

    # The session really happened: these are the files and records searched below.
    text = exported.read_text(encoding="utf-8")
    assert "Harbour Bakery Ltd" in text and NOTES in text and "QuickBooks Online" in text
    assert "She pasted our key [redacted] in the chat" in text
    files = sorted(p for p in linkdesk_home.rglob("*") if p.is_file())
    names = {p.name for p in files}
    assert paths.database.name in names and paths.log_file.name in names
    assert paths.settings_file.name in names
    assert paths.log_file.stat().st_size > 0
    assert {"httpx", "httpcore.http11"} <= capture.names  # the HTTP libraries logged at DEBUG
    assert any("/companies" in line for line in capture.lines)

    assert_clean(files)
    for line in capture.lines:
        for what, form in FORMS.items():
            assert form not in line, f"the API {what} is in a log record: {line}"
