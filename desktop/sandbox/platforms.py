"""The integrations the sandbox offers: the Spend Insights accounting platforms plus Codat's own Sandbox.

Keys and names follow Codat's docs. The sandbox invents stable ``sourceId``/``integrationId`` values
(derived from the key, so they survive restarts) because Codat's real ones are not all public.
"""

from __future__ import annotations

import html
import uuid
from dataclasses import dataclass

_NAMESPACE = uuid.UUID("6f1c7d2e-5b0a-4c1e-9a43-2d7b1f0c9e55")


@dataclass(frozen=True)
class Platform:
    key: str
    name: str
    offline: bool = False
    sandbox: bool = False

    @property
    def source_id(self) -> str:
        return str(uuid.uuid5(_NAMESPACE, f"source:{self.key}"))

    @property
    def integration_id(self) -> str:
        return str(uuid.uuid5(_NAMESPACE, f"integration:{self.key}"))

    @property
    def monogram(self) -> str:
        return _MONOGRAMS.get(self.key, self.key[:2].upper())


_MONOGRAMS = {
    "trji": "BC", "rqwd": "FO", "pbbf": "EX", "qudb": "EX", "fbrh": "FA", "vxvy": "FB",
    "pdvj": "MY", "akxx": "NS", "pqsw": "QB", "qhyg": "QB", "jcrp": "S2", "hbql": "S5",
    "tgff": "SA", "knfz": "SI", "rvam": "WD", "gbol": "X", "mqjo": "SB",
}  # fmt: skip

PLATFORMS: tuple[Platform, ...] = (
    Platform("trji", "Dynamics 365 Business Central"),
    Platform("rqwd", "Dynamics 365 Finance & Operations"),
    Platform("pbbf", "Exact Online (UK)"),
    Platform("qudb", "Exact Online (NL)"),
    Platform("fbrh", "FreeAgent"),
    Platform("vxvy", "FreshBooks"),
    Platform("pdvj", "MYOB Business"),
    Platform("akxx", "Oracle NetSuite"),
    Platform("pqsw", "QuickBooks Desktop", offline=True),
    Platform("qhyg", "QuickBooks Online"),
    Platform("jcrp", "Sage 200 Standard"),
    Platform("hbql", "Sage 50 (UK)", offline=True),
    Platform("tgff", "Sage Accounting"),
    Platform("knfz", "Sage Intacct"),
    Platform("rvam", "Workday"),
    Platform("gbol", "Xero"),
    Platform("mqjo", "Codat Sandbox", sandbox=True),
)

BY_KEY: dict[str, Platform] = {p.key: p for p in PLATFORMS}

# Tile colours for the generated logos; picked per key so each tile looks the same every run.
_PALETTE = ("#13b5ea", "#2ca01c", "#00a1e0", "#e5502b", "#6b4fbb", "#0a7a5a", "#d4145a", "#1f5fa8")


def tile_colour(key: str) -> str:
    return _PALETTE[sum(map(ord, key)) % len(_PALETTE)]


def logo_svg(platform: Platform) -> str:
    """A small square monogram tile, drawn here so the sandbox needs no external asset."""
    colour = tile_colour(platform.key)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">'
        f"<title>{html.escape(platform.name)}</title>"
        f'<rect width="64" height="64" rx="12" fill="{colour}"/>'
        '<text x="32" y="41" font-family="DejaVu Sans, Arial, sans-serif" font-size="24" '
        f'font-weight="bold" fill="#ffffff" text-anchor="middle">{platform.monogram}</text>'
        "</svg>"
    )
