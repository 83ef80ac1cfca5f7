"""What the trainee should notice and do on a practice call, scenario by scenario.

A practice call runs one of the embedded sandbox's scripted customers (``linkdesk sandbox
--list-scenarios``). Some scenarios show nothing in Codat's API for minutes (a customer who cancels
on the software list leaves no connection behind), so without a word the trainee sees step 1 and
nothing else. The hint says what the API can and cannot show at that point and what to do.
"""

from __future__ import annotations

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
        "Practice: Xero links and syncs, then the customer's access is revoked. Watch for the "
        "connection turning Deauthorized and read out the fix."
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


def practice_hint(scenario: str | None, state: JourneyState) -> str | None:
    """The hint for ``scenario`` (``NAME`` or ``NAME:platformKey``) at ``state``; None once the journey says it all by itself.

    The hint goes away when the call reaches what the scenario is about: a connection for
    cancel-at-selection (it should not come), a problem shown, or the journey finished.
    """
    if not scenario:
        return None
    # Saved as the sandbox's spec, "NAME" or "NAME:platformKey" (desktop.core.practice).
    text = _WAITING.get(scenario.partition(":")[0])
    if text is None:
        return f"Practice call: scenario {scenario}."
    if state.synced:
        return None
    problem = state.problem
    if problem is not None and problem.key is not ProblemKey.STALLED:
        return None  # the Problem box now says what happened, with its fix
    sync_step = next((s for s in state.steps if s.step is Step.COMPLETE), None)
    if sync_step is not None and sync_step.status is StepStatus.DONE:
        return None
    return text
