"""On a SQLite file the core reads ballots itself, on its CPU thread: the same ballots as the
store gives, never a write, and never in the way of the store's writes or a privacy purge."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from adapters.compose import build_core, core_parts
from bot.config import Settings
from bot.core import Core
from bot.demo import DEMO_BALLOTS, KIRKLEES, SOUTHAMPTON
from bot.domain import Ballot
from bot.requests import Request
from storage.ballots import SqlBallotStore
from storage.database import create_engine, upgrade
from storage.sqlite_reader import SqliteBallotReader, embedded_file
from tests.support.ballots import EVERY_FIELD, NOTHING_KNOWN

Opened = tuple[SqlBallotStore, SqliteBallotReader, AsyncEngine]


@pytest.fixture
async def file_store(tmp_path: Path) -> AsyncIterator[Opened]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'reader.db'}"
    engine = create_engine(url)
    await upgrade(engine)
    reader = SqliteBallotReader(url)
    try:
        yield SqlBallotStore(async_sessionmaker(engine, expire_on_commit=False)), reader, engine
    finally:
        reader.close()
        await engine.dispose()


async def test_the_reader_gives_the_same_ballots_as_the_store(file_store: Opened) -> None:
    store, reader, _ = file_store
    await store.save([EVERY_FIELD, NOTHING_KNOWN, *DEMO_BALLOTS])

    assert reader.read_now([EVERY_FIELD.id]) == [EVERY_FIELD]
    assert reader.read_now([NOTHING_KNOWN.id]) == [await store.get(NOTHING_KNOWN.id)]
    wanted = [SOUTHAMPTON.id, "no-such-ballot", KIRKLEES.id, EVERY_FIELD.id, SOUTHAMPTON.id]
    assert reader.read_now(wanted) == await store.get_many(wanted)
    assert [b.id for b in reader.read_now(wanted)] == [
        SOUTHAMPTON.id,
        KIRKLEES.id,
        EVERY_FIELD.id,
        SOUTHAMPTON.id,
    ]
    assert reader.read_now(["no-such-ballot"]) == []
    assert reader.read_now([]) == []


async def test_the_reader_sees_what_was_saved_after_it_opened(file_store: Opened) -> None:
    store, reader, _ = file_store
    assert reader.read_now([KIRKLEES.id]) == []
    await store.save([KIRKLEES])
    assert reader.read_now([KIRKLEES.id]) == [KIRKLEES]
    corrected = dataclasses.replace(KIRKLEES, branch="Kirklees Local Government")
    await store.save([corrected])
    assert reader.read_now([KIRKLEES.id]) == [corrected]


async def test_the_reader_never_writes(file_store: Opened) -> None:
    store, reader, _ = file_store
    await store.save([KIRKLEES])
    reader.read_now([KIRKLEES.id])
    with reader._engine.connect() as connection, pytest.raises(OperationalError, match="readonly"):
        connection.execute(text("DELETE FROM ballots"))
    assert await store.get(KIRKLEES.id) == KIRKLEES


async def test_a_read_leaves_no_snapshot_open_to_hold_back_a_purge(file_store: Opened) -> None:
    """``forget me`` checkpoints the WAL so erased rows leave the file: a reader still
    holding a snapshot would keep them there."""
    store, reader, engine = file_store
    await store.save(list(DEMO_BALLOTS))
    reader.read_now([b.id for b in DEMO_BALLOTS])
    reader.read_now([KIRKLEES.id])
    async with engine.connect() as connection:
        busy, _, _ = (await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).one()
    assert busy == 0


@pytest.mark.parametrize(
    ("url", "embedded"),
    [
        ("sqlite+aiosqlite:///ballotbot.db", True),
        ("sqlite+aiosqlite:////var/lib/ballotbot/ballotbot.db", True),
        ("sqlite+aiosqlite://", False),
        ("sqlite+aiosqlite:///:memory:", False),
        ("sqlite+aiosqlite:///file:shared?mode=memory&cache=shared&uri=true", False),
        ("postgresql+psycopg://bot@localhost/ballotbot", False),
    ],
)
def test_only_a_sqlite_file_is_read_on_the_cpu_thread(url: str, embedded: bool) -> None:
    assert embedded_file(url) is embedded
    if not embedded:
        with pytest.raises(ValueError, match="SQLite file"):
            SqliteBallotReader(url)


async def test_members_get_the_same_answers_when_the_core_reads_the_file_itself(
    file_store: Opened,
) -> None:
    store, reader, engine = file_store
    await store.save([EVERY_FIELD, NOTHING_KNOWN, *DEMO_BALLOTS])
    settings = Settings()
    settings.database.url = engine.url.render_as_string()  # its index file goes beside it
    through_store = build_core(store, settings)
    cards, catalog, campaign = core_parts(store, settings)
    asked: list[Sequence[str]] = []

    class Counting:
        def read_now(self, ballot_ids: Sequence[str]) -> list[Ballot]:
            asked.append(ballot_ids)
            return reader.read_now(ballot_ids)

    reading = Core(store, cards=cards, catalog=catalog, campaign_card=campaign, reader=Counting())
    questions = [
        "kirklese",  # a typo: one card
        "/ballot southampton",
        f"#{EVERY_FIELD.id}",  # a button's or an autocomplete pick's reference
        "#no-such-ballot",
        "unison",  # several employers: choices
        "zzqxv",  # nothing: the closest names
        "pay restoration 2024",  # a campaign: its tally
        "belfast history",
        "somewhere ltd",
        "kirklees chart",
    ]
    for question in questions:
        for _ in range(2):  # new, then kept
            expected = await through_store.handle(Request(text=question))
            assert await reading.handle(Request(text=question)) == expected, question
    assert [KIRKLEES.id] in asked  # the core did read the file itself
