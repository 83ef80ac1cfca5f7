"""The call workspace against the sandbox over loopback: the journey as the agent sees it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from desktop.app.call_assembly import CallParts, build_call_parts
from desktop.app.context import AppContext
from desktop.core.journey import Step, StepStatus
from desktop.core.paths import default_paths
from desktop.core.settings import Settings
from desktop.core.store import export_call
from desktop.sandbox.server import SandboxServer
from desktop.ui.call.call_view import CallView
from tests.conftest import run_in_qloop

API_KEY = "e2e-call-key"
FAST = {"fast_interval": 0.2, "medium_interval": 0.2, "stagger": 0.0, "first_backoff": 0.2}


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(api_key=API_KEY)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def parts(
    qtbot: Any, qloop: Any, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CallParts]:
    monkeypatch.setenv("LINKDESK_API_KEY", API_KEY)
    paths = default_paths().ensure()
    ctx = AppContext(paths, Settings.load(paths), api_base_override=sandbox.base_url)
    built = build_call_parts(ctx, tracker_overrides=FAST)
    qtbot.addWidget(built.workspace)
    built.workspace.resize(1400, 900)
    built.workspace.show()
    yield built
    run_in_qloop(qtbot, built.tracker.aclose())
    run_in_qloop(qtbot, ctx.aclose())
    built.store.close()


def drive(server: SandboxServer, company_id: str, action: str, **extra: Any) -> dict[str, Any]:
    with httpx.Client(trust_env=False, headers=server.control_headers()) as http:
        answer = http.post(
            f"{server.base_url}/_sandbox/companies/{company_id}/journey",
            json={"action": action, **extra},
        )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def start_call(qtbot: Any, parts: CallParts, name: str) -> CallView:
    panel = parts.workspace.start_panel
    panel.name_edit.setText(name)
    assert panel.create_button.isEnabled()
    panel.create_company()
    qtbot.waitUntil(lambda: parts.workspace.current_view() is not None, timeout=10000)
    view = parts.workspace.current_view()
    assert view is not None
    return view


def status(view: CallView, step: Step) -> str:
    return view.journey.rows[step]["title"].accessibleDescription()


def badge(view: CallView, step: Step) -> str:
    label = view.journey.rows[step]["badge"]
    return label.text()  # type: ignore[attr-defined,no-any-return]


def test_name_warning_lists_what_codat_strips(parts: CallParts) -> None:
    panel = parts.workspace.start_panel
    panel.name_edit.setText("Acme (UK) [North] Ltd")
    warning = panel.name_warning.text()
    for char in "()[]":
        assert char in warning
    assert panel.create_button.isEnabled()


def test_successful_journey(qtbot: Any, parts: CallParts, sandbox: SandboxServer) -> None:
    view = start_call(qtbot, parts, "Harbour Bakery Ltd")
    session = view.session
    assert view.link.url_edit.text() == session.link_url
    assert session.link_url.startswith("http")
    assert not view.link.qr.pixmap().isNull()
    assert view.link.qr.pixmap().width() >= 200
    assert session.link_url in view.link.invitation
    assert "Harbour Bakery Ltd" in view.link.invitation

    company = session.company_id
    drive(sandbox, company, "open_link")
    view.journey.rows[Step.OPEN_LINK]["confirm"].click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: status(view, Step.OPEN_LINK) == StepStatus.DONE, timeout=5000)
    assert badge(view, Step.OPEN_LINK) == "confirmed by you"

    drive(sandbox, company, "select_platform", platformKey="qhyg")
    qtbot.waitUntil(lambda: status(view, Step.CHOOSE_SOFTWARE) == StepStatus.DONE, timeout=10000)
    assert badge(view, Step.CHOOSE_SOFTWARE) == "seen by the API"
    qtbot.waitUntil(lambda: view.journey.guide_box.isVisibleTo(view), timeout=2000)
    assert view.tabs.currentIndex() == view.guide_tab  # the guide's tab comes to the front
    assert view.journey.guide_shown == ("qhyg", int(Step.REVIEW_AND_START))

    drive(sandbox, company, "consent")
    drive(sandbox, company, "approve")
    qtbot.waitUntil(lambda: status(view, Step.SIGN_IN) == StepStatus.DONE, timeout=10000)
    assert badge(view, Step.REVIEW_AND_START) == "inferred"
    assert badge(view, Step.SIGN_IN) == "seen by the API"
    qtbot.waitUntil(lambda: view.journey.sync_box.isVisibleTo(view), timeout=10000)
    assert view.journey.guide_shown == ("qhyg", int(Step.COMPLETE))
    view.journey.sync_details_button.click()  # each data type's bar, made when asked for
    assert view.journey.sync_bars

    drive(sandbox, company, "complete_sync")
    qtbot.waitUntil(lambda: status(view, Step.COMPLETE) == StepStatus.DONE, timeout=15000)
    assert all(bar.value() == 100 for bar in view.journey.sync_bars.values())
    assert not view.journey.problem_box.isVisibleTo(view)

    lines = [view.timeline.item(i).text() for i in range(view.timeline.count())]
    assert any("You confirmed step 1" in line for line in lines)
    assert any("QuickBooks Online" in line for line in lines)
    exported = export_call(parts.store, session.call_id, "markdown")
    assert "Harbour Bakery Ltd" in exported
    assert "You confirmed step 1" in exported
    assert API_KEY not in exported


def test_failed_netsuite_journey_shows_the_fix(
    qtbot: Any, parts: CallParts, sandbox: SandboxServer
) -> None:
    view = start_call(qtbot, parts, "Northwind Traders")
    company = view.session.company_id
    drive(sandbox, company, "open_link")
    drive(sandbox, company, "select_platform", platformKey="akxx")
    qtbot.waitUntil(lambda: status(view, Step.CHOOSE_SOFTWARE) == StepStatus.DONE, timeout=10000)
    drive(sandbox, company, "consent")
    drive(sandbox, company, "fail", reason="Token-based Authentication is not enabled")
    qtbot.waitUntil(lambda: view.journey.problem_box.isVisibleTo(view), timeout=10000)
    problem = view.session.problem
    assert problem is not None and problem.reason is not None
    assert problem.reason.value == "tba_disabled"
    assert "Token-based Authentication" in view.journey.problem_text.text()
    assert view.journey.fix_text.isVisibleTo(view)
    assert view.journey.fix_text.text().strip()
    assert view.journey.guide_shown is not None and view.journey.guide_shown[0] == "akxx"
    summary = parts.workspace.calls.item(0).text()
    assert "connection error" in summary
