"""The local store of calls: SQLite via the standard library, WAL, versioned schema.

``CallStore`` keeps calls, their timelines (journey events and agent actions), checklist ticks and
notes; ``NotesAutosaver`` paces note saving while the agent types; ``export_call`` turns a call into
Markdown or plain text for the CRM, with every secret removed.
"""

from desktop.core.store.autosave import NotesAutosaver
from desktop.core.store.callstore import CallStore, PendingWrite
from desktop.core.store.errors import StoreError, StoreErrorKind, UnknownCallError
from desktop.core.store.export import EXPORT_FORMATS, export_call
from desktop.core.store.journal import record_journey_event
from desktop.core.store.records import AGENT_PREFIX, ApiKind, Call, Event
from desktop.core.store.schema import MIGRATIONS, Migration, sql_migration

__all__ = [
    "AGENT_PREFIX",
    "EXPORT_FORMATS",
    "MIGRATIONS",
    "ApiKind",
    "Call",
    "CallStore",
    "Event",
    "Migration",
    "NotesAutosaver",
    "PendingWrite",
    "StoreError",
    "StoreErrorKind",
    "UnknownCallError",
    "export_call",
    "record_journey_event",
    "sql_migration",
]
