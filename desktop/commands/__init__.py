"""Sub-commands of ``linkdesk``; see ``desktop.cli``."""
