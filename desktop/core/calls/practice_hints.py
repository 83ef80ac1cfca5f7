"""What the trainee should notice and do on a practice call, scenario by scenario.

A practice call runs one of the embedded sandbox's scripted customers (``linkdesk sandbox
--list-scenarios``). Some scenarios show nothing in Codat's API for minutes (a customer who cancels
on the software list leaves no connection behind), so without a word the trainee sees step 1 and
nothing else. The hint says what the API can and cannot show at that point and what to do.

Some scenarios' lesson comes after the first sync (access revoked half a minute later, a one-time
sync's connector removing itself): such a call is followed past its first sync until the lesson
has shown (``lesson_after_first_sync``, given to the tracker by the call manager), and its hint
stays until then, saying that the call is not over.
"""

from __future__ import annotations

from collections.abc import Callable

from desktop.core.journey import JourneyState, ProblemKey, Step, StepStatus

# Said while the scenario's telling moment has not come yet (the API shows nothing of it).
_WAITING: dict[str, str] = {
    "cancel-at-selection": (
        "Practice: this customer opens the link and then closes it on the list of accounting "
        "software. Codat's API sees nothing of that: no connection is made, so step 2 never "
        "turns green. Notice that nothing moves; confirm step 1 when they say they see the list, "
        "and when the stall prompt appears ask what they see and offer to send the link again."
    ),
    "stall-at-consent": (
        "Practice: this customer picks their software and then stops on the page that explains "
        "what will be shared. The API only sees the connection waiting (PendingAuth). Wait for "
        "the stall prompt, then ask whether they are on that page and what holds them back."
    ),
    "wrong-password": (
        "Practice: this customer types a wrong password once. The API does not see failed "
        "sign-ins: if step 4 takes long, ask whether the sign-in page said anything."
    ),
    "netsuite-no-tba": (
        "Practice: NetSuite without Token-based Authentication. Linking fails with a data "
        "connection error: read the Problem box and walk the customer through its fix."
    ),
    "xero-deauthorized": (
        "Practice: Xero links and syncs; about half a minute after the first sync the customer's "
        "access is revoked. Keep the call open when the first sync is done: watch for the "
        "connection turning Deauthorized, then read out the fix in the Problem box."
    ),
    "one-time-sync": (
        "Practice: software on the customer's computer (QuickBooks Desktop or Sage 50) set to "
        "sync once. Right after the first sync the connector removes itself and the timeline "
        "shows the connection turning Deauthorized: that is expected, not lost access, so no "
        "problem appears. Keep the call open until then, and explain that for ongoing syncs the "
        "connector must stay installed."
    ),
    "slow-sync": (
        "Practice: the first sync runs slowly. Nothing is needed from the customer once they are "
        "linked: tell them they can close the page, and keep the call short."
    ),
    "sync-error": (
        "Practice: one data type fails to sync while the rest completes. Read which one failed "
        "in the First sync box and what Codat says about it."
    ),
    "happy-path": (
        "Practice: a customer who goes straight through. Confirm the steps the API cannot see "
        "(1 and 3) as they happen on their screen, and follow the guide."
    ),
}


def _access_lost(state: JourneyState) -> bool:
    return state.problem is not None and state.problem.key is ProblemKey.DEAUTHORIZED


def _connector_removed(state: JourneyState) -> bool:
    return state.one_time_sync


# The scenarios whose lesson comes after the first sync (the sandbox's steps ``after_sync``), each
# with what shows once it has come.
_AFTER_FIRST_SYNC: dict[str, Callable[[JourneyState], bool]] = {
    "xero-deauthorized": _access_lost,
    "one-time-sync": _connector_removed,
}
LESSONS_AFTER_FIRST_SYNC = frozenset(_AFTER_FIRST_SYNC)

# Said once the first sync is done while such a lesson has not shown yet.
_AFTER_SYNC_WAITING: dict[str, str] = {
    "xero-deauthorized": (
        "Practice: the first sync is done, but this call is not over. In about half a minute the "
        "customer's access is revoked: keep the call open and watch for the connection turning "
        "Deauthorized, then read out the fix in the Problem box."
    ),
    "one-time-sync": (
        "Practice: the first sync is done; the connector removes itself right after it. Keep "
        "the call open: the timeline shows the connection turning Deauthorized, which here is "
        "expected, not lost access."
    ),
}


def lesson_after_first_sync(scenario: str | None) -> Callable[[JourneyState], bool] | None:
    """For a practice call whose lesson comes after the first sync, what says it has shown;
    None for every other scenario and every real call (their first sync is their end)."""
    if not scenario:
        return None
    return _AFTER_FIRST_SYNC.get(scenario.partition(":")[0])


def practice_hint(
    scenario: str | None, state: JourneyState, lesson_shown: bool = False
) -> str | None:
    """The hint for ``scenario`` (``NAME`` or ``NAME:platformKey``) at ``state``; None once the journey says it all by itself.

    The hint goes away when the call reaches what the scenario is about: a connection for
    cancel-at-selection (it should not come), a problem shown, or the journey finished; for a
    scenario whose lesson comes after the first sync, once that lesson has shown (now, or
    earlier in the call: ``lesson_shown``).
    """
    if not scenario:
        return None
    # Saved as the sandbox's spec, "NAME" or "NAME:platformKey" (desktop.core.practice).
    name = scenario.partition(":")[0]
    text = _WAITING.get(name)
    if text is None:
        return f"Practice call: scenario {scenario}."
    problem = state.problem
    if problem is not None and problem.key is not ProblemKey.STALLED:
        return None  # the Problem box now says what happened, with its fix
    lesson = _AFTER_FIRST_SYNC.get(name)
    if lesson is not None and state.first_sync_done:
        return None if lesson_shown or lesson(state) else _AFTER_SYNC_WAITING[name]
    if state.synced:
        return None
    sync_step = next((s for s in state.steps if s.step is Step.COMPLETE), None)
    if sync_step is not None and sync_step.status is StepStatus.DONE:
        return None
    return text
