"""The live-call workspace: start a call, share the Link URL, follow the journey, take notes."""

from desktop.ui.call.workspace import CallWorkspace

__all__ = ["CallWorkspace"]
