"""export_call: a call as the CRM gets it, with step durations, problems, checklist and notes."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from datetime import UTC, timedelta, timezone
from pathlib import Path

import pytest

from desktop.core.logs import SECRET_FILTER
from desktop.core.store import CallStore, UnknownCallError, export_call

T0 = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CallStore]:
    now = [T0]
    with CallStore(tmp_path / "calls.sqlite3", clock=lambda: now[0]) as s:
        s.now = now  # type: ignore[attr-defined]
        yield s


def journey_call(store: CallStore) -> int:
    call = store.open_call(
        company_id="co-9",
        company_name="Acme Ltd",
        profile="support",
        platform_key="akxx",
        platform_name="NetSuite",
        link_url="https://link.codat.io/company/co-9",
    )
    cid = call.id
    store.add_event(cid, T0 + 20, "agent.copy_link", "Copied the Link URL.")
    # Step 1 never showed as current: it counts from the start of the call.
    store.add_event(
        cid,
        T0 + 60,
        "step",
        "Step 1 done (inferred).",
        step=1,
        status="done",
        provenance="inferred",
    )
    store.add_event(cid, T0 + 60, "step", "Step 2 current.", step=2, status="current")
    store.add_event(
        cid, T0 + 150, "step", "Step 2 done.", step=2, status="done", provenance="observed"
    )
    store.add_event(cid, T0 + 150, "step", "Step 3 current.", step=3, status="current")
    store.add_event(
        cid,
        T0 + 245,
        "agent.confirm_step",
        "Confirmed step 3 from the screen.",
        step=3,
        status="done",
        provenance="agent-confirmed",
    )
    store.add_event(
        cid,
        T0 + 245,
        "step",
        "Step 3 done (confirmed by you).",
        step=3,
        status="done",
        provenance="agent-confirmed",
    )
    store.add_event(cid, T0 + 245, "step", "Step 4 current.", step=4, status="current")
    store.add_event(
        cid,
        T0 + 400,
        "problem",
        "NetSuite refused the connection.",
        step=4,
        problem_key="connection_error",
        data={
            "problem": {
                "key": "connection_error",
                "reason": "tba_disabled",
                "message": "NetSuite refused the connection: Token-based Authentication is off.",
                "detail": "TBA not enabled",
            },
            "correlation_id": "corr-123",
        },
    )
    store.add_event(
        cid,
        T0 + 3725,
        "problem_cleared",
        "Resolved: connection_error.",
        problem_key="connection_error",
    )
    store.add_event(
        cid, T0 + 3725, "step", "Step 4 done.", step=4, status="done", provenance="observed"
    )
    store.set_tick(cid, "admin", True, label="You are an admin of the software")
    store.save_notes(cid, "Customer's IT enabled TBA.\nCall back | Friday")
    store.now[0] = T0 + 3800  # type: ignore[attr-defined]
    store.close_call(cid, "linked")
    return cid


def test_markdown_export_has_header_steps_timeline_problems_checklist_notes(
    store: CallStore,
) -> None:
    cid = journey_call(store)
    text = export_call(
        store,
        cid,
        "markdown",
        tz=UTC,
        checklist_labels={"admin": "Admin access", "share": "Share your screen"},
    )
    assert text.startswith("# Call with Acme Ltd\n")
    assert "- **Company:** Acme Ltd (co-9)" in text
    assert "- **Platform:** NetSuite (akxx)" in text
    assert "- **Profile:** support" in text
    assert "- **Opened:** 2023-11-14 22:13:20 UTC" in text
    assert "- **Closed:** 2023-11-14 23:16:40 UTC (call length 1 h 03 min)" in text
    assert "- **Outcome:** linked" in text
    # How long each step took: from current to done.
    assert "| 1. Open the link | done | inferred | 22:13:20 | 22:14:20 | 1 min 00 s |" in text
    assert (
        "| 2. Choose software | done | seen by the API | 22:14:20 | 22:15:50 | 1 min 30 s |" in text
    )
    assert (
        "| 3. Review and start | done | confirmed by the agent | 22:15:50 | 22:17:25 | 1 min 35 s |"
        in text
    )
    assert (
        "| 4. Sign in and approve | done | seen by the API | 22:17:25 | 23:15:25 | 58 min 00 s |"
        in text
    )
    assert "| 5. Complete and first sync | waiting |  |  |  |  |" in text
    # The timeline with time since the start, agent actions marked.
    assert "| 22:13:40 | +0:20 | Agent: Copied the Link URL. |" in text
    assert "| 23:15:25 | +1:02:05 | Resolved: connection_error. |" in text
    # The problem in plain words, with Codat's words, the correlation id and when it ended.
    assert (
        "- 22:20:00 (+6:40) connection_error: NetSuite refused the connection: Token-based "
        "Authentication is off. Codat said: “TBA not enabled”. Codat correlation id: corr-123. "
        "Resolved at 23:15:25." in text
    )
    assert "- [x] Admin access\n- [ ] Share your screen" in text
    # Notes verbatim, line breaks kept (Markdown hard breaks), the pipe untouched outside tables.
    assert text.rstrip().endswith("Customer's IT enabled TBA.  \nCall back | Friday")
    sections = [line for line in text.splitlines() if line.startswith("## ")]
    assert sections == ["## Steps", "## Timeline", "## Problems", "## Checklist", "## Notes"]


def test_plain_text_export_carries_the_same_facts(store: CallStore) -> None:
    cid = journey_call(store)
    text = export_call(store, cid, "text", tz=timezone(timedelta(hours=2)))
    assert text.startswith("Call with Acme Ltd\n" + "=" * 18 + "\n")
    assert "Opened:   2023-11-15 00:13:20 UTC+02:00" in text
    assert "Agent: Copied the Link URL." in text
    assert "1 min 30 s" in text and "58 min 00 s" in text
    assert "Codat correlation id: corr-123." in text
    assert "[x] You are an admin of the software" in text  # the wording saved with the tick
    assert text.rstrip().endswith("Customer's IT enabled TBA.\nCall back | Friday")
    assert "**" not in text and "| ---" not in text


def test_open_call_with_nothing_recorded(store: CallStore) -> None:
    call = store.open_call(
        company_id="c",
        company_name="Quiet | Co",
        profile="p",
        api_kind="sandbox",
        scenario="happy_path",
    )
    text = export_call(store, call.id, tz=UTC)
    assert "- **Closed:** still open" in text
    assert "- **Platform:** not chosen" in text
    assert "- **Practice call:** sandbox scenario happy_path" in text
    assert "Nothing recorded." in text and "None." in text and "Not used." in text
    assert text.rstrip().endswith("(none)")
    assert "| 1. Open the link | waiting |" in text


def test_step_still_current_has_no_duration(store: CallStore) -> None:
    call = store.open_call(company_id="c", company_name="C", profile="p", opened_at=T0)
    store.add_event(call.id, T0 + 30, "step", "Step 2 current.", step=2, status="current")
    text = export_call(store, call.id, tz=UTC)
    assert "| 2. Choose software | current |  | 22:13:50 |  |  |" in text


def test_no_secret_leaves_in_an_export(store: CallStore, tmp_path: Path) -> None:
    key = "ldk-" + secrets.token_hex(16)
    encoded = base64.b64encode(key.encode()).decode()
    SECRET_FILTER.add_secret(key)
    call = store.open_call(company_id="c", company_name="C", profile="p")
    store.add_event(call.id, T0 + 1, "agent.note", f"Pasted {key} by mistake")
    store.add_event(
        call.id,
        T0 + 2,
        "problem",
        "Codat rejected the API key.",
        problem_key="api_unreachable",
        data={
            "problem": {
                "message": "Codat rejected the API key.",
                "detail": f"sent Authorization: Basic {encoded}",
            }
        },
    )
    store.save_notes(call.id, f"key was {key}, encoded {encoded}")
    for fmt in ("markdown", "text"):
        text = export_call(store, call.id, fmt, tz=UTC)
        assert key not in text and encoded not in text
        assert "[redacted]" in text
    # Timeline entries are scrubbed before they reach the disk, too.
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("calls.sqlite3*"))
    events_only = raw.replace(f"key was {key}, encoded {encoded}".encode(), b"")
    assert key.encode() not in events_only and encoded.encode() not in events_only


def test_unknown_call_and_format(store: CallStore) -> None:
    with pytest.raises(UnknownCallError):
        export_call(store, 99)
    call = store.open_call(company_id="c", company_name="C", profile="p")
    with pytest.raises(ValueError, match="markdown"):
        export_call(store, call.id, "pdf")
