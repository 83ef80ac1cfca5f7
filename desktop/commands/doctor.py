"""``linkdesk doctor``: what this installation would use, checked without opening a window.

Prints the keyring backend (resolving it, as the app does only after its first frame), the folders
and files LinkDesk uses, the profile and its API target. Never prints a key. The frozen-build test
runs it to prove that the bundle's keyring backends resolve.
Exit codes: 0 the keyring backend resolved (even one that cannot store: that is said plainly);
1 the keyring could not be loaded or read.
"""

from __future__ import annotations

import argparse

from desktop.commands import exits


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "doctor",
        help="print the keyring backend, the paths and the API target, then exit",
        description="Print the keyring backend, the folders and files LinkDesk uses, the "
        "profile and its API target, without opening a window. Never prints a key.",
        epilog=exits.epilog(
            extra=f"({exits.INPUT} also: the keyring could not be loaded or read; 0 when it "
            "resolved, even to one that cannot store a key, which is said.)"
        ),
        formatter_class=exits.HelpFormatter,
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import platform
    import sys

    from desktop import __version__
    from desktop.commands._common import load_target
    from desktop.core.env_key import ENV_KEY, env_api_key
    from desktop.core.paths import default_paths
    from desktop.core.secrets import SecretStore

    frozen = "frozen build" if getattr(sys, "frozen", False) else "from source"
    print(f"LinkDesk {__version__} ({frozen}; Python {platform.python_version()})")
    store = SecretStore()
    status = 0
    try:
        backend = store.backend()
        print(f"keyring backend: {backend.name}")
        print(f"  {backend.description}")
    except Exception as exc:  # a broken bundle: say what failed instead of a traceback
        print(f"keyring backend: could not be loaded ({exc.__class__.__name__}: {exc})")
        status = 1
    paths = default_paths()
    for label, path in (
        ("settings", paths.settings_file),
        ("call database", paths.database),
        ("log", paths.log_file),
        ("team guides", paths.team_guides),
        ("cache", paths.cache),
    ):
        print(f"{label + ':':15} {path}{'' if path.exists() else '  (not created yet)'}")
    _settings, profile, base = load_target("doctor", args)
    print(f"profile: {profile}")
    if env_api_key():
        print(f"API target: Codat at {base.rstrip('/')} (key from {ENV_KEY})")
        return status
    try:
        stored = store.get(profile) is not None
    except Exception as exc:
        print(f"API target: unknown, the keyring could not be read ({exc.__class__.__name__})")
        return 1
    if stored:
        print(f"API target: Codat at {base.rstrip('/')} (key in the keyring)")
    else:
        # The window starts its own sandbox; the command line has no sandbox of its own to use.
        print(
            "API target: the embedded sandbox in the app's window (no API key for this profile); "
            "link and track need a key: LINKDESK_API_KEY, or `linkdesk sandbox` and "
            "--api-base (see README, The sandbox)"
        )
    return status
