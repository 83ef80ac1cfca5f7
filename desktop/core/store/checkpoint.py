"""``WalCheckpointer``: copies the call database's write-ahead log into the file off the GUI thread.

Why: in WAL mode SQLite checkpoints by itself once the log reaches 1000 pages, inside whichever
commit crosses that line, and that commit then syncs the database file to disk. On the app's
Qt/asyncio thread that was a 5-7 ms pause every thousand pages or so (measured on 3000 journey
events: p99 0.1 ms, seven writes of 5-7 ms, each one a checkpoint). ``CallStore`` turns the
automatic checkpoint off on its own connection and hands the work to this thread, which has a
connection of its own (sqlite3 connections belong to one thread).

How: the store calls ``note_write()`` after each commit. The thread sleeps until the first write
after a checkpoint, waits ``delay`` seconds more so a burst of writes is checkpointed once, then
runs ``PRAGMA wal_checkpoint(PASSIVE)``: it copies what it can without waiting for readers or
writers, so the GUI thread's next commit never waits for it (https://sqlite.org/pragma.html#pragma_wal_checkpoint,
https://sqlite.org/wal.html#checkpointing). Idle, it does not wake at all.

Failures: a checkpoint that fails (disk full, I/O error) is logged (once, until it works again)
and tried again after the next write; nothing is lost, as the log keeps every committed
transaction until a checkpoint succeeds.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)


class WalCheckpointer:
    """A daemon thread that checkpoints one database's WAL after writes, ``delay`` s after them.

    ``start()`` is called lazily by the owner on its first write; ``stop()`` joins the thread
    (within ``delay`` plus one checkpoint) and closes its connection. ``checkpoints`` counts the
    checkpoints that ran, ``last_result`` is SQLite's (busy, log frames, frames checkpointed).
    """

    def __init__(self, path: Path, *, delay: float = 1.0) -> None:
        self.path = path
        self.delay = delay
        self.checkpoints = 0
        self.last_result: tuple[int, int, int] | None = None
        self._written = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing: str | None = None  # the last failure's message, until one succeeds

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def note_write(self) -> None:
        """Says a transaction was committed: a checkpoint follows ``delay`` s later."""
        if self._thread is None and not self._stopping.is_set():
            self._thread = threading.Thread(
                target=self._run, name="call database checkpoint", daemon=True
            )
            self._thread.start()
        self._written.set()

    def stop(self) -> None:
        """Stops the thread and closes its connection. Idempotent.

        What is still in the log is checkpointed by SQLite when the owner closes the last
        connection to the file, so the owner calls this first.
        """
        self._stopping.set()
        self._written.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(str(self.path), isolation_level=None)
        except sqlite3.Error as exc:
            log.warning("Call database checkpoints stay on the writer's thread: %s", exc)
            return
        try:
            while True:
                self._written.wait()
                # Let a burst of writes finish first; stop() cuts the wait short.
                self._stopping.wait(self.delay)
                self._written.clear()
                if self._stopping.is_set():
                    return  # closing the last connection checkpoints anyway
                self._checkpoint(conn)
        finally:
            conn.close()

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        try:
            row = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as exc:
            if str(exc) != self._failing:  # once per kind of failure, not once a second
                log.warning("Checkpointing the call database failed (tried again later): %s", exc)
                self._failing = str(exc)
            return
        if self._failing is not None:
            log.info("Checkpointing the call database works again")
            self._failing = None
        self.last_result = (int(row[0]), int(row[1]), int(row[2]))
        self.checkpoints += 1
