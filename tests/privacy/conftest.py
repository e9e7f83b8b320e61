"""A branch whose members use every part of the bot (:mod:`tests.support.privacy`), on
SQLite as upstream builds it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.pool import Pool

from tests.support.conversation import Conversation, reminding_branch


@pytest.fixture
async def branch(database_url: str, tmp_path: Path) -> AsyncIterator[Conversation]:
    """Amina in the Leeds channel, an open postal ballot, a clock the test sets."""
    async with reminding_branch(database_url, tmp_path) as branch:
        yield branch


@pytest.fixture
def upstream_sqlite() -> Iterator[None]:
    """SQLite as upstream builds it: ``secure_delete`` off on every new connection (this
    machine's build may have it on by default, which would hide a missing pragma). The bot's
    own connect hooks run after this one, as they do on such a build."""

    def off(dbapi_connection: Any, _record: Any) -> None:
        if "sqlite" not in type(dbapi_connection).__module__:
            return
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA secure_delete=OFF")
        finally:
            cursor.close()

    event.listen(Pool, "connect", off, insert=True)
    try:
        yield
    finally:
        event.remove(Pool, "connect", off)
