"""Which API a call is made against: the profile whose key it uses, and Codat or the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from desktop.core.store.records import ApiKind


@dataclass(frozen=True)
class CallOrigin:
    """The API target of one call, saved with it and used again when it resumes.

    ``profile`` names the settings profile whose API key and base URL the call uses;
    ``api_kind`` is ``ApiKind.CODAT`` for a real call and ``ApiKind.SANDBOX`` for a practice call
    on the embedded sandbox.
    """

    profile: str
    api_kind: ApiKind = ApiKind.CODAT

    @property
    def label(self) -> str:
        """Plain words for the agent: "Codat (profile default)"."""
        where = "the embedded sandbox" if self.api_kind is ApiKind.SANDBOX else "Codat"
        return f"{where} (profile {self.profile})"


# Asked each time a call is opened: the agent may switch profile or add a key at any time.
OriginSource = Callable[[], CallOrigin]


def fixed_origin(profile: str, api_kind: ApiKind = ApiKind.CODAT) -> OriginSource:
    """An ``OriginSource`` that never changes (tests, the command line)."""
    origin = CallOrigin(profile, api_kind)
    return lambda: origin
