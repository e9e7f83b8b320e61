"""A busy SQLite database: another process's long write holding the write lock.

``with another_writer(url):`` opens a separate connection (as ``ballotbot import`` in another
process would) and takes SQLite's write lock with ``BEGIN IMMEDIATE`` until the block ends.
Reads still work (WAL); every other write waits.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from bot.domain import Ballot, Kind, Method, PartialDate, Question, Status
from storage.process_lock import sqlite_file

YORK = Ballot(
    id="york-1",
    unions=("GMB",),
    employer="York Council",
    method=Method.POSTAL,
    opens=PartialDate.of(date.today() - timedelta(days=3)),
    closes=PartialDate.of(date.today() + timedelta(days=10)),
    status=Status.OPEN,
    questions=(Question("Are you prepared to take strike action?", Kind.STRIKE),),
)
"""A ballot open now: members can ask for reminders about it."""


@contextmanager
def another_writer(database_url: str) -> Iterator[None]:
    path = sqlite_file(database_url)
    assert path is not None, "a SQLite file database"
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        connection.execute("BEGIN IMMEDIATE")
        yield
        connection.execute("COMMIT")
    finally:
        connection.close()
