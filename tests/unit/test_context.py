"""The services the GUI shares (AppContext), without Qt."""

from __future__ import annotations

from pathlib import Path

from desktop.app.context import AppContext
from desktop.core.guides import builtin_guides_dir
from desktop.core.paths import default_paths
from desktop.core.settings import Settings


def test_the_context_loads_the_guide_library_once_with_the_team_folder(tmp_path: Path) -> None:
    team = tmp_path / "team"
    team.mkdir()
    xero = (builtin_guides_dir() / "xero.md").read_text(encoding="utf-8")
    (team / "xero.md").write_text(xero.replace('name = "Xero"', 'name = "Xero (our way)"'))
    paths = default_paths({"LINKDESK_HOME": str(tmp_path / "home")}).ensure()
    settings = Settings.load(paths)
    settings.set("team_guides_dir", str(team))
    ctx = AppContext(paths, settings)
    library = ctx.guide_library()
    assert ctx.guide_library() is library
    xero_guide = library.get("xero")
    assert xero_guide is not None and xero_guide.name == "Xero (our way)"
    assert xero_guide.origin == "team"
