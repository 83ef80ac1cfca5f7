"""The team calls' stream and subjects (NATS), and an agent's name as one subject token.

A NATS subject token cannot hold ``.``, ``*``, ``>`` or whitespace (NATS docs, "Subject-Based
Messaging"), and an agent's name may hold any of them. So the token keeps ASCII letters, digits,
``-`` and ``_`` as they are and writes every other character as ``~`` and the hex of its UTF-8
bytes: deterministic, reversible, and two names never share a token. The real name travels in the
payload; a reader checks that the subject's token is the payload agent's.
"""

from __future__ import annotations

import hashlib
import re

from desktop.team_calls_stream import STREAM, STREAM_SUBJECTS, SUBJECT_PREFIX

__all__ = [
    "STREAM",
    "STREAM_SUBJECTS",
    "SUBJECT_PREFIX",
    "agent_token",
    "call_subject",
    "token_of",
]

MAX_TOKEN = 120  # characters; longer tokens end in a hash of the whole name

_KEPT = re.compile(r"[A-Za-z0-9_-]")


def agent_token(name: str | None) -> str:
    """The subject token for an agent's name: ``"Ana Lee"`` -> ``"Ana~20Lee"``, none -> ``"~"``."""
    if not name:
        return "~"
    parts = [
        ch if _KEPT.fullmatch(ch) else "".join(f"~{b:02X}" for b in ch.encode()) for ch in name
    ]
    token = "".join(parts)
    if len(token) > MAX_TOKEN:
        digest = hashlib.sha256(name.encode()).hexdigest()[:16]
        token = f"{token[: MAX_TOKEN - 18]}~~{digest}"
    return token


def call_subject(agent: str | None) -> str:
    """``linkdesk.calls.<agent token>``: where one agent's finished calls are published."""
    return f"{SUBJECT_PREFIX}.{agent_token(agent)}"


def token_of(subject: str) -> str:
    """The agent token of a subject under ``linkdesk.calls.`` ("" for any other subject)."""
    prefix = SUBJECT_PREFIX + "."
    return subject[len(prefix) :] if subject.startswith(prefix) else ""
