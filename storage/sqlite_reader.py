"""Ballots read from a SQLite file on the calling thread: :class:`bot.ports.BallotReader`.

A member's new question is a search, one ballot read and a card. Through the async store the
read alone took ~1.5 ms of a ~2 ms answer (a session, aiosqlite's thread hops, the pool's
rollback on check-in; ``bench/RESULTS.md``, issue 18) while SQLite itself needs ~50 µs: it is
a C library working on a local file, not a server across a network. So on SQLite the core
reads the ballot right where it builds the card, on its CPU thread (:mod:`bot.offloop`), with
this plain synchronous connection: one hop off the event loop instead of three.

The connection only reads (``PRAGMA query_only``), and in WAL mode (which every connection of
the bot sets) a reader never waits for a writer, so this cannot hold the CPU thread behind an
import. Each read is one statement, hence one consistent snapshot, as in the async store.
PostgreSQL has no such reader: its reads wait on the network, and stay on the event loop's
async driver.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, event, make_url

from bot.domain import Ballot
from storage.database import create_sync_engine
from storage.reading import BY_ID, BY_IDS, chunks, fold, in_order


def embedded_file(url: str) -> bool:
    """Whether ``url`` names a SQLite file that another connection can open (not
    ``:memory:``, not a ``file:`` URI): only then can this reader see the bot's data."""
    parsed = make_url(url)
    database = parsed.database or ""
    return (
        parsed.get_backend_name() == "sqlite"
        and database not in ("", ":memory:")
        and not database.startswith("file:")
        and parsed.query.get("uri") not in ("true", "1")
    )


class SqliteBallotReader:
    """Whole ballots by id from the SQLite file of ``url`` (the bot's async URL), blocking.

    Safe from any thread (each takes its own pooled connection); meant for the CPU thread.
    Raises ``ValueError`` for a URL :func:`embedded_file` refuses.
    """

    def __init__(self, url: str) -> None:
        if not embedded_file(url):
            raise ValueError("a SQLite reader needs a SQLite file, not an in-memory database")
        self._engine: Engine = create_sync_engine(url, pool_size=1, max_overflow=4)

        @event.listens_for(self._engine, "connect")
        def _read_only(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA query_only=ON")

    def read_now(self, ballot_ids: Sequence[str]) -> list[Ballot]:
        """The ballots of ``ballot_ids`` that exist, whole, in the order asked, as the
        store's ``get_many`` gives them (one statement per :data:`storage.reading.CHUNK`)."""
        wanted = list(dict.fromkeys(ballot_ids))
        with self._engine.connect() as connection:
            if len(wanted) == 1:  # nearly every read: one ballot, a statement without IN
                found = fold(connection.execute(BY_ID, {"ballot_id": wanted[0]}))
            else:
                found = [
                    ballot
                    for chunk in chunks(wanted)
                    for ballot in fold(connection.execute(BY_IDS, {"ids": list(chunk)}))
                ]
        return in_order(ballot_ids, found)

    def close(self) -> None:
        """Close the reader's connections."""
        self._engine.dispose()
