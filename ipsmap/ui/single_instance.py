"""One window per project: a second start on an open project brings that window forward.

The process that has a project open listens on a local socket (a Unix socket, or a named
pipe on Windows) named from this user and the project file's resolved path. A second
ipsmap started on the same file finds the project locked, connects, asks for the window,
and exits 0 instead of asking whether to open it read-only.
"""

from __future__ import annotations

import getpass
import hashlib
import sys
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

REQUEST = b"show\n"
ANSWER = b"shown\n"
# A running ipsmap answers at once; a hung one must not hold the second start for long.
WAIT_MS = 1500


def server_name(project_path: Path) -> str:
    """The socket name for this user and this project file (same file, same name)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container): the path still counts
        user = "user"
    digest = hashlib.sha256(f"{user}\0{project_path.resolve()}".encode()).hexdigest()
    return f"ipsmap-{digest[:24]}"


def ask_open_window(project_path: Path) -> bool:
    """Ask the ipsmap that has ``project_path`` open to show its window; True if it did."""
    socket = QLocalSocket()
    socket.connectToServer(server_name(project_path))
    if not socket.waitForConnected(WAIT_MS):
        return False
    socket.write(REQUEST)
    socket.waitForBytesWritten(WAIT_MS)
    answer = b""
    while not answer.endswith(b"\n") and socket.waitForReadyRead(WAIT_MS):
        answer += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return answer == ANSWER


class WindowServer(QObject):
    """Listens for second starts on the window's project and brings the window forward."""

    def __init__(self, window: QWidget, project_path: Path) -> None:
        super().__init__(window)
        self.window = window
        self.requests = 0  # how many second starts were handed over (tests read it)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        name = server_name(project_path)
        if not self.server.listen(name):
            # A socket left by a process that crashed: we hold the project's lock, so no
            # live ipsmap owns it.
            QLocalServer.removeServer(name)
            self.server.listen(name)
        self.server.newConnection.connect(self._on_connection)

    def _on_connection(self) -> None:
        while (socket := self.server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._on_request(s))
            socket.disconnected.connect(socket.deleteLater)

    def _on_request(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            return
        if bytes(socket.readLine().data()) != REQUEST:
            socket.disconnectFromServer()
            return
        self.requests += 1
        window = self.window
        if window.isMinimized():
            window.showNormal()
        window.raise_()
        window.activateWindow()
        socket.write(ANSWER)
        socket.flush()
        print("ipsmap: another start asked for this project's window", file=sys.stderr)

    def close(self) -> None:
        self.server.close()
