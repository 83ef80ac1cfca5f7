"""The call page on a laptop: at 1366×768, the default window and 1024×700, at each stage of a call,
everything the agent needs is shown whole, with nothing cut off and no sideways scrolling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from desktop.core.journey import Step
from desktop.ui.call.call_view import CallView
from desktop.ui.guides.viewer import GuideViewer
from desktop.ui.main_window import MainWindow
from tests.ui.call_stages import STAGES, bring_to
from tests.ui.call_workspace_kit import Kit, make_kit
from tests.ui.layout_checks import hidden_part

# A maximised window on a 1366×768 laptop, the default window there (90% of the screen), the
# default window on a larger screen, and the smallest window the page promises to stay whole in.
SIZES = ((1366, 768), (1229, 691), (1180, 760), (1024, 700))
LONG_NAME = ("Harbour Bakery and Cafe Holdings International " * 7)[:300]


def _page(
    qtbot: Any, tmp_path: Path, size: tuple[int, int], name: str, stage: str
) -> tuple[MainWindow, Kit, CallView]:
    kit = make_kit(qtbot, tmp_path, real_guide=True)
    window = MainWindow()
    qtbot.addWidget(window)
    window.set_page("call", kit.workspace)
    window.show_page("call")
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    session = kit.open_call(name)
    bring_to(kit, session, stage)
    view = kit.workspace.current_view()
    assert view is not None
    _settle()
    return window, kit, view


def _settle() -> None:
    for _ in range(6):  # layout requests and the guide's scroll-to-card run on the next turns
        QApplication.processEvents()


def _essential(view: CallView, stage: str) -> list[QWidget]:
    journey = view.journey
    widgets: list[QWidget] = [view.title, view.link.url_edit, view.link.copy_button]
    widgets += [view.link.invite_button, view.link.qr_button, view.link.open_button]
    for step in Step:
        cells = journey.rows[step]
        widgets += [cells["mark"], cells["title"]]
        widgets += [
            cells[k]
            for k in ("badge", "when", "took", "confirm")
            if k in cells and cells[k].isVisibleTo(view)
        ]
    if stage == "link_sent":
        widgets += list(view.checklist.boxes.values()) + list(view.checklist.item_labels.values())
    guide = view.journey.guide
    if stage in ("guide_open", "syncing"):
        assert isinstance(guide, GuideViewer)
        assert guide.current_step is not None
        widgets.append(guide.step_cards[guide.current_step - 1])
    if stage == "problem":
        widgets += [
            journey.problem_box,
            journey.problem_text,
            journey.fix_text,
            journey.detail_text,
        ]
        assert isinstance(guide, GuideViewer) and guide.current_problem is not None
        widgets.append(guide.trouble_cards[guide.current_problem])
    if stage == "syncing":
        widgets += [journey.sync_bar, journey.sync_counts]
    return widgets


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_essential_widget_is_shown_whole(
    qtbot: Any, tmp_path: Path, size: tuple[int, int], stage: str
) -> None:
    window, _kit, view = _page(qtbot, tmp_path, size, "Harbour Bakery Ltd", stage)
    assert (window.width(), window.height()) == size  # nothing forced the window larger
    problems = [p for w in _essential(view, stage) if (p := hidden_part(w))]
    assert not problems, "\n".join(problems)
    assert view.column.horizontalScrollBar().maximum() == 0


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_300_character_company_name_is_elided_and_never_widens_the_window(
    qtbot: Any, tmp_path: Path, size: tuple[int, int]
) -> None:
    window, kit, view = _page(qtbot, tmp_path, size, LONG_NAME, "problem")
    assert (window.width(), window.height()) == size
    assert view.title.is_elided() and view.title.full_text() == LONG_NAME
    assert LONG_NAME in view.title.toolTip()
    item = kit.workspace.calls.item(0)
    assert LONG_NAME in item.toolTip()
    assert window.minimumSizeHint().width() <= size[0]
    problems = [p for w in _essential(view, "problem") if (p := hidden_part(w))]
    assert not problems, "\n".join(problems)
    kit.workspace.close_current()  # End call names the company too
    dialog = kit.workspace.outcome_dialog
    assert dialog is not None and LONG_NAME in dialog.company.toolTip()
    assert dialog.sizeHint().width() < 800
    dialog.reject()


def test_the_guide_opens_in_its_own_tab_when_the_customer_picks_their_software(
    qtbot: Any, tmp_path: Path
) -> None:
    _window, kit, view = _page(qtbot, tmp_path, (1180, 760), "Harbour Bakery Ltd", "link_sent")
    assert view.tabs.currentIndex() == view.checklist_tab
    bring_to(kit, view.session, "guide_open")
    _settle()
    assert view.tabs.currentIndex() == view.guide_tab
    assert view.journey.guide_box.isVisibleTo(view)


def test_the_splitters_remember_their_place(qtbot: Any, tmp_path: Path) -> None:
    saved: dict[str, str] = {}

    class Memory:
        def load(self) -> dict[str, str]:
            return dict(saved)

        def save(self, states: Any) -> None:
            saved.clear()
            saved.update(states)

    kit = make_kit(qtbot, tmp_path, layout_memory=Memory())
    session = kit.open_call("Harbour Bakery Ltd")
    view = kit.workspace.views[session.call_id]
    _settle()
    kit.workspace.splitter.moveSplitter(kit.workspace.splitter.sizes()[0] + 30, 1)  # as a drag
    assert "workspace" in saved
    _settle()
    left = view.splitter.sizes()[0]
    view.splitter.moveSplitter(left + 60, 1)
    moved = view.splitter.sizes()
    assert moved[0] == left + 60 and "call" in saved

    again = make_kit(qtbot, tmp_path / "again", layout_memory=Memory())
    session = again.open_call("Harbour Bakery Ltd")
    _settle()
    assert again.workspace.views[session.call_id].splitter.sizes()[0] == moved[0]
    assert again.workspace.splitter.sizes()[0] == kit.workspace.splitter.sizes()[0]


def test_the_splitter_places_are_kept_in_the_settings_file(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from desktop.app.call_assembly import SettingsLayoutMemory
    from desktop.core.paths import default_paths
    from desktop.core.settings import Settings

    paths = default_paths({"LINKDESK_HOME": str(tmp_path)}).ensure()
    settings = Settings.load(paths)
    memory = SettingsLayoutMemory(SimpleNamespace(settings=settings))  # type: ignore[arg-type]
    assert memory.load() == {}
    memory.save({"call": "AAAA", "workspace": "BBBB"})
    settings.save()
    again = SettingsLayoutMemory(SimpleNamespace(settings=Settings.load(paths)))  # type: ignore[arg-type]
    assert again.load() == {"call": "AAAA", "workspace": "BBBB"}
