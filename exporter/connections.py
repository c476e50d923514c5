"""Limits on connections: how many may be open, and how long a request head may take."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable

MAX_CONNECTIONS = 256
HEAD_TIMEOUT_SECONDS = 10.0
REFUSAL = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
    b"Content-Length: 30\r\nConnection: close\r\n\r\n"
    b'{"error": "too many requests"}'
)


class ConnectionGuard:
    """Counts open connections against a cap, and cuts a connection whose request head
    (request line and headers) has not fully arrived within the head timeout, however
    slowly it trickles in. One watchdog thread for all connections."""

    def __init__(
        self,
        max_connections: int = MAX_CONNECTIONS,
        head_timeout: float = HEAD_TIMEOUT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_connections = max_connections
        self.head_timeout = head_timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._open = 0
        self._awaiting: dict[socket.socket, float] = {}  # connection -> head deadline
        self.refused = 0
        self.cut = 0
        self._stop = threading.Event()
        self._watchdog = threading.Thread(target=self._watch, name="head-watchdog", daemon=True)
        self._watchdog.start()

    def admit(self) -> bool:
        """Take a connection slot; False when all are taken (the caller refuses)."""
        with self._lock:
            if self._open >= self.max_connections:
                self.refused += 1
                return False
            self._open += 1
            return True

    def release(self) -> None:
        """A connection ended."""
        with self._lock:
            self._open -= 1

    def awaiting_head(self, connection: socket.socket) -> None:
        """The connection waits for a request head from now on."""
        with self._lock:
            self._awaiting[connection] = self._clock() + self.head_timeout

    def head_received(self, connection: socket.socket) -> None:
        """The head arrived (or the connection ended)."""
        with self._lock:
            self._awaiting.pop(connection, None)

    def close(self) -> None:
        """Stop the watchdog."""
        self._stop.set()

    def _watch(self) -> None:
        while not self._stop.wait(min(0.5, self.head_timeout / 4)):
            now = self._clock()
            with self._lock:
                late = [c for c, deadline in self._awaiting.items() if deadline < now]
                for connection in late:
                    del self._awaiting[connection]
            for connection in late:
                self.cut += 1
                # The handler's blocked read returns at once, and it ends.
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)


def refuse(connection: socket.socket) -> None:
    """Answer 503 without reading anything, never blocking on a slow peer."""
    with contextlib.suppress(OSError):
        connection.setblocking(False)
        connection.send(REFUSAL)
