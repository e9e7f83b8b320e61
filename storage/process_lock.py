"""SQLite serves one bot process: a second one is refused with a clear message.

Two processes on one SQLite file would each run the reminder scheduler and the Discord
gateway, and share nothing of the pacing; SQLite itself would cope, the bot would not. An
exclusive lock on a file beside the database (``ballotbot.db.lock``) is held for as long as
the process runs; the operating system drops it when the process dies, however it dies.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import make_url

from bot.config import ConfigError


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for PostgreSQL or an in-memory database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


@contextlib.contextmanager
def only_process(url: str) -> Iterator[None]:
    """Hold the database's process lock; refuse when another process holds it."""
    database = sqlite_file(url)
    if database is None:
        yield
        return
    lock_path = database.with_name(database.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(
                f"another ballotbot process is already running on {database}. SQLite serves "
                "one process: stop the other one, or use PostgreSQL ([database] url = "
                '"postgresql+psycopg://...") to run several (README: Deploying).'
            ) from None
        yield
    finally:
        os.close(handle)  # closing drops the lock
