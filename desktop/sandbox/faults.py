"""Fault injection for the Codat API paths (never /_sandbox or /link), seeded and reproducible.

Spec syntax (CLI ``--faults`` and ``PUT /_sandbox/faults`` ``{"spec": ...}``): comma-separated
``name=value`` pairs. Probabilities per API request: ``5xx``, ``429``, ``timeout``, ``drop``,
``malformed`` (their sum at most 1). Seconds: ``latency`` (added to every API answer),
``timeout_hold`` (how long a timeout holds the request, default 30), ``retry_after`` (the
``Retry-After`` of an injected 429, default 2). Count: ``quota`` (daily request quota; when spent
every API call gets 429 until 00:00 UTC). Example: ``5xx=0.1,429=0.05,timeout=0.05,latency=0.2``.
Webhook delivery (see webhooks.py): probabilities per message ``webhook_drop``,
``webhook_duplicate``, ``webhook_reorder``, and ``webhook_delay`` in seconds (0..S before the first
try), e.g. ``webhook_duplicate=0.3,webhook_reorder=0.3,webhook_delay=0.5``.

One seeded draw per API request picks at most one fault, so the same seed and the same sequence of
requests give the same faults.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field, fields
from typing import Any

KINDS = ("5xx", "429", "timeout", "drop", "malformed")
_SECONDS = ("latency", "timeout_hold", "retry_after")
WEBHOOK_RATES = ("webhook_drop", "webhook_duplicate", "webhook_reorder")
WEBHOOK_SECONDS = ("webhook_delay",)


@dataclass
class FaultConfig:
    rates: dict[str, float] = field(default_factory=lambda: dict.fromkeys(KINDS, 0.0))
    latency: float = 0.0
    timeout_hold: float = 30.0
    retry_after: float = 2.0
    quota: int | None = None
    webhook: dict[str, float] = field(default_factory=dict)  # webhook delivery faults

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.rates)
        out.update(
            latency=self.latency, timeout_hold=self.timeout_hold, retry_after=self.retry_after
        )
        out["quota"] = self.quota
        out.update(self.webhook)
        out["spec"] = self.spec()
        return out

    def spec(self) -> str:
        parts = [f"{k}={v:g}" for k, v in self.rates.items() if v]
        if self.latency:
            parts.append(f"latency={self.latency:g}")
        if self.timeout_hold != 30.0:
            parts.append(f"timeout_hold={self.timeout_hold:g}")
        if self.retry_after != 2.0:
            parts.append(f"retry_after={self.retry_after:g}")
        if self.quota is not None:
            parts.append(f"quota={self.quota}")
        parts.extend(f"{k}={v:g}" for k, v in self.webhook.items() if v)
        return ",".join(parts)


def _set(config: FaultConfig, name: str, raw: Any) -> None:
    name = name.strip()
    try:
        if name in KINDS:
            value = float(raw)
            if not 0.0 <= value <= 1.0:
                raise ValueError
            config.rates[name] = value
        elif name in _SECONDS:
            value = float(raw)
            if value < 0:
                raise ValueError
            setattr(config, name, value)
        elif name in WEBHOOK_RATES or name in WEBHOOK_SECONDS:
            value = float(raw)
            if value < 0 or (name in WEBHOOK_RATES and value > 1.0):
                raise ValueError
            config.webhook[name] = value
        elif name == "quota":
            config.quota = None if raw in (None, "", "none") else int(raw)
            if config.quota is not None and config.quota < 0:
                raise ValueError
        else:
            known = ", ".join((*KINDS, *_SECONDS, "quota", *WEBHOOK_RATES, *WEBHOOK_SECONDS))
            raise KeyError(f"unknown fault {name!r} (known: {known})")
    except (TypeError, ValueError):
        raise ValueError(f"bad value for {name}: {raw!r}") from None


def _check(config: FaultConfig) -> FaultConfig:
    if sum(config.rates.values()) > 1.0 + 1e-9:
        raise ValueError("the fault probabilities add up to more than 1")
    return config


def parse_spec(spec: str | None, base: FaultConfig | None = None) -> FaultConfig:
    """Parse ``5xx=0.1,latency=0.2``; unknown names or bad values raise ValueError."""
    config = FaultConfig() if base is None else _copy(base)
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        name, sep, raw = part.partition("=")
        if not sep:
            raise ValueError(f"expected name=value, got {part.strip()!r}")
        try:
            _set(config, name, raw.strip())
        except KeyError as exc:
            raise ValueError(exc.args[0]) from None
    return _check(config)


def from_json(data: dict[str, Any], base: FaultConfig) -> FaultConfig:
    """A PUT body: ``{"spec": "..."}`` and/or individual fields; ``{"reset": true}`` starts clean."""
    config = FaultConfig() if data.get("reset") else _copy(base)
    if "spec" in data:
        config = parse_spec(str(data["spec"] or ""), config)
    for name, raw in data.items():
        if name in ("spec", "reset", "seed"):
            continue
        try:
            _set(config, name, raw)
        except KeyError as exc:
            raise ValueError(exc.args[0]) from None
    return _check(config)


def _copy(config: FaultConfig) -> FaultConfig:
    values = {f.name: getattr(config, f.name) for f in fields(config)}
    values["rates"] = dict(config.rates)
    values["webhook"] = dict(config.webhook)
    return FaultConfig(**values)


class FaultInjector:
    """Holds the live config and the seeded generator; ``draw()`` picks this request's fault."""

    def __init__(self, config: FaultConfig | None = None, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self.config = config or FaultConfig()
        self.seed = seed
        self._rng = random.Random(seed)

    def replace(self, config: FaultConfig, seed: int | None = None) -> None:
        with self._lock:
            self.config = config
            if seed is not None:
                self.seed = seed
                self._rng = random.Random(seed)

    def draw(self) -> tuple[str | None, float]:
        """(fault kind or None, a second uniform number for the fault's own choices)."""
        with self._lock:
            roll, extra = self._rng.random(), self._rng.random()
            edge = 0.0
            for kind in KINDS:
                edge += self.config.rates.get(kind, 0.0)
                if roll < edge:
                    return kind, extra
            return None, extra

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            out = self.config.to_json()
            out["seed"] = self.seed
            return out
