"""What the commands that talk to Codat share: a message on stderr, the profile, its API base and key.

Like the command modules, this imports only argparse at module level.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.core.settings import Settings


def say(command: str, message: str) -> None:
    import sys

    print(f"linkdesk {command}: {message}", file=sys.stderr, flush=True)


def load_target(command: str, args: argparse.Namespace) -> tuple[Settings, str, str]:
    """The settings, the profile (``--profile`` or the last used) and its API base URL.

    An API base the key must not be sent to (http:// off this computer without
    ``--insecure-http`` or the profile's ``allow_insecure_http``) is said on stderr and ends the
    command with SystemExit(1), "unusable input". ``args.insecure_http`` is left holding the
    choice in effect, for the command's CodatClient.
    """
    from desktop.core.codat.urls import RefusedUrl, check_api_base
    from desktop.core.paths import default_paths
    from desktop.core.settings import CODAT_API_BASE, Settings

    settings = Settings.load(default_paths())
    if settings.warning:
        say(command, settings.warning)
    profile: str = args.profile or settings.current_profile
    base = str(args.api_base or settings.get("api_base", profile) or CODAT_API_BASE)
    insecure = bool(getattr(args, "insecure_http", False))
    insecure = insecure or bool(settings.get("allow_insecure_http", profile))
    try:
        check_api_base(base, allow_insecure_http=insecure)
    except RefusedUrl as exc:
        say(command, str(exc))
        raise SystemExit(1) from None
    args.insecure_http = insecure
    return settings, profile, base


def api_key_or_say(command: str, profile: str) -> str | None:
    """The profile's API key; without one, says where to set it and returns None."""
    from desktop.core.secrets import resolve_api_key

    api_key = resolve_api_key(profile)
    if not api_key:
        say(
            command,
            f"No Codat API key for profile {profile!r}. Set LINKDESK_API_KEY, or save the key "
            "in LinkDesk under Settings.",
        )
        return None
    return api_key
