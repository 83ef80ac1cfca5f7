"""A tiny LinkDesk for the crash test: the real call page, driven by this script, reporting on stdout.

    python -m tests.e2e.call_driver start API_BASE   # create a company, open a call, type notes
    python -m tests.e2e.call_driver resume API_BASE  # reopen the calls left open

Each line printed is a JSON object; the API key comes from LINKDESK_API_KEY as in the app.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

NOTES = "Customer is Jo, finance lead. Uses QuickBooks Online; admin rights confirmed."


def say(**data: object) -> None:
    print(json.dumps(data), flush=True)


async def main(mode: str, base: str) -> None:
    from PySide6.QtTest import QTest

    from desktop.app.call_assembly import build_call_parts
    from desktop.app.context import AppContext
    from desktop.core.calls.session import CallSession
    from desktop.core.paths import default_paths
    from desktop.core.settings import Settings
    from tests.store_files import saved_notes

    paths = default_paths().ensure()
    ctx = AppContext(paths, Settings.load(paths), api_base_override=base)
    parts = build_call_parts(
        ctx, tracker_overrides={"fast_interval": 0.2, "medium_interval": 0.2, "stagger": 0.0}
    )
    parts.workspace.resize(1400, 900)
    parts.workspace.show()

    def report(session: CallSession) -> None:
        snap = session.snapshot()
        say(
            event="state",
            call_id=session.call_id,
            company_id=session.company_id,
            steps={int(s.step): s.status.value for s in snap.steps},
            timeline=[e.message for e in snap.timeline],
            notes=snap.notes,
        )

    def watch(session: CallSession) -> None:
        session.subscribe(report)
        report(session)

    if mode == "start":
        client = await ctx.codat()
        company = await client.create_company("Crash Test Cafe")
        session = parts.manager.open_call(company.id, company.name, company.redirect)
        parts.workspace.show_call(session.call_id)
        watch(session)
        session.confirm_step(1)
        view = parts.workspace.views[session.call_id]
        view.notes.setFocus()
        QTest.keyClicks(view.notes, NOTES)
        # No explicit save: the autosave stores the notes by itself. Say "typed" once they are on
        # disk (read as another program would), within a generous bound; the test then kills us.
        for _ in range(300):
            if saved_notes(paths.database, session.call_id) == NOTES:
                break
            await asyncio.sleep(0.05)
        say(event="typed", company_id=company.id)
    else:
        for session in parts.manager.resume():
            watch(session)
        say(event="resumed", calls=sorted(parts.manager.sessions))
    await asyncio.Event().wait()


if __name__ == "__main__":
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication([sys.argv[0]])
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        runner.run(main(sys.argv[1], sys.argv[2]))
