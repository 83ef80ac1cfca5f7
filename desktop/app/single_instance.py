"""A second start on the same home brings the first window to the front instead (Qt part).

The first window holds the home's lock (desktop/core/instance_lock.py) and listens on a
QLocalServer named after the home. A second ``linkdesk gui`` finds the lock taken, connects with
a QLocalSocket, asks the window to come forward, waits for its answer and exits 0. If the home is
held by a command, or the window does not answer, it says so and exits EXIT_HOME_IN_USE.
"""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

from desktop.commands.exits import HOME_IN_USE as EXIT_HOME_IN_USE
from desktop.core.instance_lock import HomeInUse, HomeLock

log = logging.getLogger(__name__)
_ASK = b"front\n"
_DONE = b"ok\n"
_WAIT_MS = 3000


class FrontDoor(QObject):
    """Listens for later starts on this home and raises ``window`` when one knocks."""

    knocked = Signal()

    def __init__(self, name: str, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._server = QLocalServer(self)
        # Only the process holding the home's lock gets here, so a socket file left by a
        # crashed window is stale and safe to remove.
        QLocalServer.removeServer(name)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self._server.listen(name):
            log.warning("A second start cannot reach this window: %s", self._server.errorString())
        self._server.newConnection.connect(self._accept)

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.setParent(self)
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(_ASK.strip()):
            self.bring_to_front()
            socket.write(_DONE)
            socket.flush()
            socket.disconnectFromServer()

    def bring_to_front(self) -> None:
        window = self._window
        if window.isMinimized():
            window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
        window.show()
        window.raise_()
        window.activateWindow()
        log.info("A second start on this home: brought the window to the front")
        self.knocked.emit()


def ask_window_to_come_forward(name: str, wait_ms: int = _WAIT_MS) -> bool:
    """True when the window listening on ``name`` answered that it came to the front."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(wait_ms):
        return False
    socket.write(_ASK)
    socket.waitForBytesWritten(wait_ms)
    answered = socket.waitForReadyRead(wait_ms) and bytes(socket.readAll().data()) == _DONE
    socket.disconnectFromServer()
    return answered


def hand_over(busy: HomeInUse, lock: HomeLock) -> int:
    """What a second ``linkdesk gui`` does when the home is taken: the exit code to return."""
    if busy.holder.role == "window" and ask_window_to_come_forward(lock.server_name()):
        print(f"linkdesk: LinkDesk is already open on {busy.folder}; brought it to the front")
        return 0
    print(f"linkdesk: {busy}.", file=sys.stderr)
    return EXIT_HOME_IN_USE
