"""Guides as plain text (to paste into chat or email) and as Markdown (to export).

What is copied goes to the customer, so the agent-only notes and platform keys stay out unless
``internal`` is asked for.
"""

from __future__ import annotations

from desktop.core.guides.model import (
    REGION_NAMES,
    STAGES,
    Checklist,
    Guide,
    GuideStep,
    Question,
    TroubleEntry,
)


def step_text(guide: Guide, index: int) -> str:
    step = guide.steps[index]
    lines = [f"{guide.name}, step {index + 1} of {len(guide.steps)}: {step.title}", "", step.body]
    if step.customer_sees:
        lines += ["", f"What you will see: {step.customer_sees}"]
    return "\n".join(lines)


def guide_text(guide: Guide, *, internal: bool = False) -> str:
    out = [f"Connecting {guide.name}", ""]
    if guide.summary:
        out += [guide.summary, ""]
    out += [f"Who can connect: {guide.role}", ""]
    if guide.prerequisites:
        out.append("Before you start:")
        out += [f"- {p}" for p in guide.prerequisites]
        out.append("")
    out.append("Steps:")
    for i, step in enumerate(guide.steps, start=1):
        out += _step_lines(i, step, prefix="")
    if internal:
        out += _internal_lines(guide)
    return "\n".join(out).rstrip() + "\n"


def _step_lines(number: int, step: GuideStep, prefix: str) -> list[str]:
    lines = [f"{prefix}{number}. {step.title}", f"   {step.body}"]
    if step.customer_sees:
        lines.append(f"   What you will see: {step.customer_sees}")
    lines.append("")
    return lines


def _internal_lines(guide: Guide) -> list[str]:
    out = [f"Platform keys: {', '.join(guide.platform_keys)}"]
    if guide.agent_notes:
        out.append(f"Agent notes: {guide.agent_notes}")
    return out


def regions_text(guide: Guide) -> str:
    if not guide.regions:
        return "No regional limit stated"
    return ", ".join(REGION_NAMES.get(r, r) for r in guide.regions)


def guide_markdown(guide: Guide, *, internal: bool = False) -> str:
    out = [f"# Connecting {guide.name}", ""]
    if guide.summary:
        out += [guide.summary, ""]
    out += [f"**Who can connect:** {guide.role}", ""]
    out += [f"**Regions:** {regions_text(guide)}", ""]
    if guide.prerequisites:
        out += ["## Before you start", ""]
        out += [f"- {p}" for p in guide.prerequisites]
        out.append("")
    out += ["## Steps", ""]
    for i, step in enumerate(guide.steps, start=1):
        out += [f"### {i}. {step.title}", "", f"*Journey step {step.stage}: {STAGES[step.stage]}*"]
        out += ["", step.body, ""]
        if step.customer_sees:
            out += [f"> **What you will see:** {step.customer_sees}", ""]
    if guide.troubleshooting:
        out += ["## If something goes wrong", ""]
        for entry in guide.troubleshooting.values():
            out += [f"### {entry.title}", "", entry.body, ""]
    if guide.links:
        out += ["## More from Codat", ""]
        out += [f"- [{link.title}]({link.url})" for link in guide.links]
        out.append("")
    if internal:
        out += ["## For agents", "", *(f"{line}  " for line in _internal_lines(guide)), ""]
    return "\n".join(out).rstrip() + "\n"


def trouble_text(guide: Guide | None, entry: TroubleEntry) -> str:
    head = f"{guide.name}: {entry.title}" if guide else entry.title
    return f"{head}\n\n{entry.body}\n"


def checklist_message(checklist: Checklist) -> str:
    """The checklist as one chat message: intro, a bullet per item, closing line."""
    out = []
    if checklist.intro:
        out += [checklist.intro, ""]
    for item in checklist.items:
        out.append(f"• {item.text}" + (f" {item.detail}" if item.detail else ""))
    if checklist.closing:
        out += ["", checklist.closing]
    return "\n".join(out).strip() + "\n"


# The checklist item about opening the link: the invitation carries the link itself, so telling the
# customer to "follow the link we sent you" inside that very message reads oddly; it is left out.
LINK_ITEM_KEY = "link"


def invitation_checklist(checklist: Checklist) -> str:
    """The checklist items as "- " lines for the invitation, without the item about the link."""
    return "\n".join(f"- {item.text}" for item in checklist.items if item.key != LINK_ITEM_KEY)


def question_text(question: Question) -> str:
    return f"{question.question}\n\n{question.answer}\n"
