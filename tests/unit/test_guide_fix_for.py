"""The fix shown for a journey problem comes from the guide library, most specific key first."""

from __future__ import annotations

from desktop.core.guides import builtin_guides_dir, load_library


def test_the_platform_guide_answers_first_then_the_common_problems() -> None:
    library = load_library(builtin_guides_dir())
    xero = library.by_platform_key("gbol")
    assert xero is not None
    fix = library.fix_for("gbol", ("firewall", "connection_error"))
    assert fix is xero.troubleshooting["firewall"]
    # Dynamics 365 has no "unlinked" entry of its own: the common one is shown.
    assert library.fix_for("trji", ("unlinked",)) is library.common_problems["unlinked"]
    assert library.fix_for(None, ("stalled",)) is library.common_problems["stalled"]
    assert library.fix_for("gbol", ("no_such_problem",)) is None
