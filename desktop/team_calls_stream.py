"""The team calls' JetStream stream: its name, subjects and the limits the team hub makes it with.

Beside the layers: the hub makes the stream (``desktop.hub.publisher``) and each desktop publishes
to it and reads it (``desktop.core.team``); neither layer imports the other, so both take the
stream's shape from here. It imports nothing of LinkDesk.
"""

from __future__ import annotations

STREAM = "LINKDESK_CALLS"
SUBJECT_PREFIX = "linkdesk.calls"
STREAM_SUBJECTS = f"{SUBJECT_PREFIX}.*"  # one token: the agent

DAY = 86400.0
MAX_AGE = 400 * DAY  # seconds: a year of calls and a little more, then JetStream forgets the oldest
MAX_BYTES = 1 << 30  # bytes, the stream's size limit
MAX_MSG_SIZE = 64 * 1024  # bytes: a summary is about 1 KiB; anything bigger is refused
DUPLICATE_WINDOW = DAY  # seconds a Nats-Msg-Id (the call id) is remembered by JetStream
