"""How a call ended, as the agent records it when ending the call (saved with the call, exported)."""

from __future__ import annotations

from dataclasses import dataclass

# Key -> the words in the export and the Recent calls list. "other" takes the agent's own words.
OUTCOMES: dict[str, str] = {
    "linked": "Linked",
    "synced": "Linked and first sync done",
    "retry": "Customer will retry",
    "escalated": "Escalated to Codat",
    "other": "Other",
}


class OutcomeError(ValueError):
    """An unknown outcome, or "other" without words."""


@dataclass(frozen=True)
class Outcome:
    key: str  # one of OUTCOMES
    text: str = ""  # the agent's words: required for "other", optional otherwise

    def __post_init__(self) -> None:
        if self.key not in OUTCOMES:
            raise OutcomeError(f"unknown outcome {self.key!r}; use one of {', '.join(OUTCOMES)}")
        if self.key == "other" and not self.text.strip():
            raise OutcomeError("Say in a few words how the call ended.")

    def words(self) -> str:
        """E.g. "Escalated to Codat: ticket 4411" or "Other: customer on holiday"."""
        text = " ".join(self.text.split())
        return f"{OUTCOMES[self.key]}: {text}" if text else OUTCOMES[self.key]


def suggested_outcome(linked: bool, synced: bool) -> str:
    """The outcome the End call dialog offers first, from what the journey reached."""
    if synced:
        return "synced"
    return "linked" if linked else "retry"


@dataclass(frozen=True)
class RecentCall:
    """An ended call, for the Recent calls list."""

    call_id: int
    company_name: str
    opened_at: float  # epoch seconds
    closed_at: float
    outcome: str | None  # the outcome's words, as saved
    practice: str | None  # the scenario of a practice call
