"""Which calls the team hub can speak for: only those made against the Codat account whose
webhooks it receives.

The hub is fed by the webhook consumer of one Codat account (the team's). A practice call runs on
the embedded sandbox, and a call made with another profile may use another Codat account: no
event of theirs ever reaches the hub, so treating them as live would slow their polling to the
heartbeat with nothing to replace it.
"""

from __future__ import annotations

from collections.abc import Callable

from desktop.core.calls.origin import CallOrigin
from desktop.core.store.records import ApiKind

# company id -> whether the hub receives that company's events
HubScope = Callable[[str], bool]


def served_by_hub(origin_of: Callable[[str], CallOrigin], profile: str) -> HubScope:
    """A ``HubScope`` for the calls ``origin_of`` knows (``CallManager.origin_of``): those made
    against Codat (never the embedded sandbox) with ``profile``, the profile the hub was set up
    with. An origin that cannot be told yet (``RuntimeError``: the API key not read) is not
    served: polling keeps its pace."""

    def serves(company_id: str) -> bool:
        try:
            origin = origin_of(company_id)
        except RuntimeError:
            return False
        return origin.api_kind is ApiKind.CODAT and origin.profile == profile

    return serves
