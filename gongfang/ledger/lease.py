"""Who runs a batch's stage, and whether it still lives.

A stage is run under a lease held by one process (``worker_token``) and renewed by a
:class:`Heartbeat` thread. The thread has a database connection of its own, so each renewal
commits at once, outside the import's one big transaction, and is seen by every node.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable

from django.db import DatabaseError, connections

from ..framework.text import is_number

logger = logging.getLogger(__name__)


def worker_token() -> str:
    """``host:pid:nonce``: the host and process tell whether the holder is still alive; the
    nonce tells two runs of one process apart."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def worker_is_gone(token: str) -> bool:
    """True when ``token`` names a process of this host that no longer exists.

    A process of another host cannot be asked: its lease has to run out.
    """
    host, _, rest = token.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not is_number(pid):
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by another user
        return False
    return False


class Heartbeat(threading.Thread):
    """Calls ``beat`` every ``interval`` seconds until stopped (a failed beat is logged and the
    next one tried: on SQLite a beat waits while an import holds the write lock)."""

    def __init__(self, beat: Callable[[], object], interval: float, name: str):
        super().__init__(name=name, daemon=True)
        self.beat = beat
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.interval):
                try:
                    self.beat()
                except DatabaseError:
                    logger.warning("%s: heartbeat not written", self.name, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=self.interval + 5)
