"""The moments of a call as the agent lives them: starting, copying, the first sync, practice hints,
ending with an outcome (and undoing it), and finding ended calls again."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from desktop.core.calls.outcome import Outcome
from desktop.core.codat.models import Company, Page
from desktop.core.guides.library import GuideLibrary
from desktop.core.journey import Step
from desktop.ui.call.outcome_dialog import OutcomeDialog
from desktop.ui.call.start_panel import EMPTY_ACCOUNT, StartPanel
from desktop.ui.guides.page import GuidesPage
from desktop.ui.guides.viewer import GuideViewer
from tests.ui.call_stages import CONNECTION, bring_to
from tests.ui.call_workspace_kit import Kit, make_kit
from tests.unit.journey_builders import (
    Platform,
    connection,
    conns,
    data_status,
    pull,
    pulls,
    status,
)


def _settle() -> None:
    for _ in range(4):
        QApplication.processEvents()


# -- start -----------------------------------------------------------------------------------------
def test_the_guides_page_offers_start_a_call(qtbot: Any, library: GuideLibrary) -> None:
    page = GuidesPage(library)
    qtbot.addWidget(page)
    page.show()
    assert page.start_call_button.isVisible() and page.start_call_button.isEnabled()
    with qtbot.waitSignal(page.start_call_requested, timeout=1000):
        page.start_call_button.click()


def test_an_empty_company_list_explains_itself_and_create_is_in_view(qtbot: Any) -> None:
    async def search(text: str, page: int) -> Page[Company]:
        return Page((), 1, 20, 0, {})

    async def create(name: str) -> Company:
        raise AssertionError("not in this test")

    ran: list[Any] = []
    panel = StartPanel(search, create, lambda coro, name: ran.append(coro))
    qtbot.addWidget(panel)
    panel.resize(760, 560)
    panel.show()
    assert panel.empty.isVisible() and "Type part of the company" in panel.empty.text()
    assert not panel.open_button.isEnabled()  # nothing chosen yet
    panel.search_now(1)
    asyncio.run(ran.pop())
    assert panel.empty.isVisible() and panel.empty.text() == EMPTY_ACCOUNT
    assert not panel.results.isVisible()
    create_box = panel.name_edit.parentWidget()
    assert create_box is not None and create_box.isVisible()
    # Beside the search, at the top: not pushed below the fold of a small window.
    assert create_box.mapTo(panel, create_box.rect().topLeft()).y() < panel.height() // 3


# -- labels, copy, invitation ----------------------------------------------------------------------
def test_only_practice_calls_say_practice(qtbot: Any, tmp_path: Path) -> None:
    kit = make_kit(qtbot, tmp_path)
    real = kit.open_call("Harbour Bakery Ltd")
    view = kit.workspace.views[real.call_id]
    assert not view.kind.isVisibleTo(view)
    assert "Practice" not in kit.workspace.export_text("markdown")  # type: ignore[operator]
    practice = kit.open_call(
        "Practice cancel", "c0ffee00-0000-4000-8000-000000000009", "cancel-at-selection"
    )
    pview = kit.workspace.views[practice.call_id]
    assert pview.kind.isVisibleTo(pview) and "cancel-at-selection" in pview.kind.text()
    text = kit.workspace.export_text("markdown")
    assert text is not None and "**Practice call:** sandbox scenario cancel-at-selection" in text


def test_copy_says_copied_and_the_invitation_does_not_tell_to_follow_itself(
    qtbot: Any, tmp_path: Path
) -> None:
    kit = make_kit(qtbot, tmp_path)
    kit.workspace._template = lambda: "Hello {company}: {link}\n{checklist}"
    session = kit.open_call("Harbour Bakery Ltd", "c0ffee00-0000-4000-8000-000000000003")
    view = kit.workspace.views[session.call_id]
    view.link.copy_button.click()
    assert view.link.copy_button.text() == "Copied ✓"
    assert QApplication.clipboard().text() == session.link_url
    qtbot.waitUntil(lambda: view.link.copy_button.text() == "Copy link", timeout=4000)
    view.link.invite_button.click()
    assert view.link.invite_button.text() == "Copied ✓"
    invitation = QApplication.clipboard().text()
    assert session.link_url in invitation
    assert "Follow the link" not in invitation and "Have Administrator access" in invitation


# -- first sync ------------------------------------------------------------------------------------
def test_the_first_sync_is_one_bar_in_words_and_one_line_per_change(
    qtbot: Any, tmp_path: Path
) -> None:
    kit = make_kit(qtbot, tmp_path, real_guide=True)
    session = kit.open_call("Harbour Bakery Ltd")
    bring_to(kit, session, "syncing")
    _settle()
    view = kit.workspace.views[session.call_id]
    journey = view.journey
    assert journey.sync_bar.isVisible()
    assert journey.sync_counts.text() == "9 of 13 data types done · 2 fetching · 2 queued"
    assert not journey.sync_details.isVisible()  # per-type bars only on request
    assert not journey.sync_bars  # and not even made until then
    journey.sync_details_button.click()
    formats = [bar.format() for bar in journey.sync_bars.values()]
    assert any(f.startswith("Chart of accounts:") for f in formats)
    assert not any("chartOfAccounts" in f for f in formats)
    lines = [e.message for e in session.timeline]
    assert not any(line.startswith("Sync of") for line in lines)
    sync_lines = [line for line in lines if line.startswith("First sync:")]
    assert sync_lines == ["First sync: 9 of 13 data types done · 2 fetching · 2 queued."]
    exported = kit.workspace.export_text("text")
    assert exported is not None and "chartOfAccounts" not in exported
    assert exported.count("First sync:") == 1
    # The guide has followed the journey to its card about the sync.
    guide = journey.guide
    assert isinstance(guide, GuideViewer) and guide.guide is not None
    assert guide.current_step == len(guide.guide.steps)
    assert "sync" in guide.guide.steps[guide.current_step - 1].title.lower()


# The sandbox's sync-error scenario: these nine data types, billPayments fails part-way.
NINE = (
    "company",
    "chartOfAccounts",
    "taxRates",
    "paymentMethods",
    "suppliers",
    "bills",
    "billPayments",
    "billCreditNotes",
    "directCosts",
)
CODATS_WORDS = "The source platform returned an error while fetching billPayments."


def _linked(kit: Kit, session: Any) -> None:
    qbo: Platform = {"key": "qhyg", "name": "QuickBooks Online"}
    kit.clock.advance(60)
    created = kit.clock.now() - 5
    for state in ("PendingAuth", "Linked"):
        kit.clock.advance(30)
        kit.tracker.observe(
            session.company_id,
            conns(kit.clock.now(), connection(CONNECTION, state, created, **qbo)),
        )


def _sync(kit: Kit, session: Any, states: list[str]) -> None:
    """The data status and pull operations of the nine types, ``states`` in NINE's order; a
    fetching type is 90 % through, a failed one at 100 % as Codat's pull operation says."""
    kit.clock.advance(20)
    now = kit.clock.now()
    kit.tracker.observe(
        session.company_id,
        data_status(
            now,
            *(
                status(t, s, sync_id=f"p{i}", last=now - 2 if s == "Complete" else None)
                for i, (t, s) in enumerate(zip(NINE, states, strict=True))
            ),
        ),
    )
    progress = {"Complete": 100, "Fetching": 90, "FetchError": 100}
    kit.tracker.observe(
        session.company_id,
        pulls(
            now + 1,
            *(
                pull(
                    f"p{i}",
                    CONNECTION,
                    t,
                    s,
                    now - 25,
                    progress=progress[s],
                    message=CODATS_WORDS if s == "FetchError" else None,
                )
                for i, (t, s) in enumerate(zip(NINE, states, strict=True))
            ),
        ),
    )
    _settle()


def test_the_first_sync_bar_counts_what_is_done_and_says_what_failed(
    qtbot: Any, tmp_path: Path
) -> None:
    """The sync-error practice call read "7 of 9 done (95%)", then "8 of 9 done (100%)" above
    "... 1 failed": the bar's fill and words now count only the data types done."""
    kit = make_kit(qtbot, tmp_path)
    session = kit.open_call("Practice sync error", practice="sync-error")
    _linked(kit, session)
    journey = kit.workspace.views[session.call_id].journey
    bar = journey.sync_bar
    fetching = ["Complete"] * 5 + ["Fetching", "Fetching", "Complete", "Complete"]
    _sync(kit, session, fetching)
    assert (bar.text(), bar.value()) == ("7 of 9 done", 77)
    assert journey.sync_counts.text() == "7 of 9 data types done · 2 fetching"
    failed = ["Complete"] * 6 + ["FetchError", "Complete", "Complete"]
    _sync(kit, session, failed)
    assert (bar.text(), bar.value()) == ("8 of 9 done · 1 failed", 88)
    assert journey.sync_counts.text() == "8 of 9 data types done · 1 failed"
    assert journey.sync_box.title() == "First sync"  # not "done": one failed
    _sync(kit, session, ["Complete"] * 9)  # a new sync fetched the bill payments
    assert (bar.text(), bar.value()) == ("9 of 9 done", 100)
    assert journey.sync_box.title() == "First sync: done"


def test_a_failed_data_type_is_named_in_words_in_the_problem_box_timeline_and_export(
    qtbot: Any, tmp_path: Path
) -> None:
    """The sync-error practice call's problem box said "could not fetch billPayments"."""
    kit = make_kit(qtbot, tmp_path)
    session = kit.open_call("Practice sync error", practice="sync-error")
    _linked(kit, session)
    _sync(kit, session, ["Complete"] * 6 + ["FetchError", "Complete", "Complete"])
    journey = kit.workspace.views[session.call_id].journey
    assert journey.problem_box.isVisible()
    assert "could not fetch bill payments:" in journey.problem_text.text()
    # Codat's message as Codat sent it, after the data type in words.
    assert journey.detail_text.text() == f"Codat says: Bill payments: {CODATS_WORDS}"
    journey.sync_details_button.click()
    formats = {bar.format(): bar.value() for bar in journey.sync_bars.values()}
    assert formats["Bill payments: failed"] == 0  # not "failed (100%)", as if its data were in
    lines = [e.message for e in session.timeline]
    assert "First sync: 8 of 9 data types done · 1 failed (Bill payments failed)." in lines
    exported = kit.workspace.export_text("text")
    assert exported is not None and "could not fetch bill payments:" in exported
    # billPayments appears only inside Codat's own words, never in LinkDesk's.
    for text in [journey.problem_text.text(), *lines, exported]:
        assert "billPayments" not in text.replace(CODATS_WORDS, "")


# -- practice --------------------------------------------------------------------------------------
def test_a_practice_cancel_at_selection_says_what_to_notice_then_the_stall_prompt_comes(
    qtbot: Any, tmp_path: Path
) -> None:
    kit = make_kit(qtbot, tmp_path)
    session = kit.open_call("Practice cancel", practice="cancel-at-selection")
    view = kit.workspace.views[session.call_id]
    journey = view.journey
    assert journey.hint.isVisibleTo(view) and "no connection is made" in journey.hint.text()
    assert not journey.stall.isVisibleTo(view)
    threshold = session.config.stall_seconds[int(Step.OPEN_LINK)]
    kit.clock.advance(threshold - 20)
    kit.tracker.observe(session.company_id, conns(kit.clock.now()))  # the API: still nothing
    assert not journey.stall.isVisibleTo(view)
    kit.clock.advance(30)
    kit.tracker.observe(session.company_id, conns(kit.clock.now()))
    assert journey.stall.isVisibleTo(view)
    assert "Ask whether the link opened" in journey.stall.text()
    assert journey.hint.isVisibleTo(view)  # still true: nothing else will show


# -- ending a call ---------------------------------------------------------------------------------
def test_end_call_asks_the_outcome_can_be_undone_and_records_it(qtbot: Any, tmp_path: Path) -> None:
    kit = make_kit(qtbot, tmp_path)
    ws = kit.workspace
    assert not ws.close_button.isEnabled()  # no call chosen
    assert ws.calls_empty.isVisible() and "Start one" in ws.calls_empty.text()
    session = kit.open_call("Harbour Bakery Ltd")
    assert not ws.calls_empty.isVisible()
    bring_to(kit, session, "guide_open")
    assert ws.close_button.isEnabled()
    ws.close_button.click()
    dialog = ws.outcome_dialog
    assert isinstance(dialog, OutcomeDialog) and dialog.isVisible()
    assert dialog.selected() == "retry"  # not linked yet: the likely outcome is offered first
    dialog.choices["other"].setChecked(True)
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and "few words" in dialog.error.text()  # nothing lost, still open
    dialog.text.setText("Customer's admin is on holiday")
    dialog.buttons.accepted.emit()
    assert not dialog.isVisible()
    # Gone from the list, undoable.
    assert (
        ws.undo_bar.isVisible()
        and "Other: Customer's admin is on holiday" in ws.undo_bar.message.text()
    )
    assert ws.calls.item(0).isHidden() and ws.current_view() is None
    ws.undo_bar.undo_button.click()
    assert not ws.undo_bar.isVisible() and not ws.calls.item(0).isHidden()
    assert ws.current_view() is not None and kit.store.get_call(session.call_id).is_open
    # Ended for good once the undo time has run out.
    ws.end_call(session.call_id, Outcome("escalated", "ticket 4411"))
    assert ws._end_timer.isActive()
    ws.finish_ending()
    call = kit.store.get_call(session.call_id)
    assert not call.is_open and call.outcome == "Escalated to Codat: ticket 4411"
    assert ws.calls.count() == 0
    # Recent calls: the ended call can be read, copied and exported.
    assert ws.recent.count() == 1 and "Escalated to Codat" in ws.recent.item(0).text()
    ws.recent.setCurrentRow(0)
    assert ws.stack.currentWidget() is ws.past
    assert "Call with Harbour Bakery Ltd" in ws.past.text.toPlainText()
    outcome_line = next(
        line for line in ws.past.text.toPlainText().splitlines() if line.startswith("Outcome:")
    )
    assert outcome_line.split(":", 1)[1].strip() == "Escalated to Codat: ticket 4411"
    assert "Call ended: Escalated to Codat: ticket 4411." in ws.past.text.toPlainText()
    assert ws.copy_md_button.isEnabled() and not ws.close_button.isEnabled()
    ws.copy_md_button.click()
    assert "**Outcome:** Escalated to Codat: ticket 4411" in QApplication.clipboard().text()
    ws.show_start()
    assert not ws.copy_md_button.isEnabled()


def test_quitting_during_the_undo_time_ends_the_call(qtbot: Any, tmp_path: Path) -> None:
    kit = make_kit(qtbot, tmp_path)
    session = kit.open_call("Harbour Bakery Ltd")
    kit.workspace.end_call(session.call_id, Outcome("linked"))
    kit.workspace.save_all_notes()  # what the shell does on quit
    assert kit.store.get_call(session.call_id).outcome == "Linked"
