"""Starting the bot on any database migrates it, as often as it is started."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import (
    HEAD_REVISION,
    DatabaseUrlError,
    SchemaError,
    alembic_config,
    at_revision,
    check_database_url,
    create_engine,
    upgrade,
)
from storage.models import Base

TABLES = {
    "alembic_version",
    "audit_log",
    "rate_slots",
    "seen_requests",
    "apscheduler_jobs",
    "papers_posted",
    "reminder_optins",
    "reminder_plans",
    "feed_state",
    "outbox",
    "subscriptions",
    "ballot_aliases",
    "ballot_unions",
    "ballots",
    "catalog_version",
    "employers",
    "questions",
    "results",
    "unions",
    "privacy_keys",
}


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _downgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


def _schema_differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_an_empty_database_is_migrated_on_start(database_url: str) -> None:
    await upgrade(database_url)

    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == TABLES
            version = await connection.scalar(text("SELECT version FROM catalog_version"))
            head = await connection.scalar(text("SELECT version_num FROM alembic_version"))
    finally:
        await engine.dispose()
    assert version == 0
    assert head == ScriptDirectory.from_config(alembic_config()).get_current_head()


async def test_starting_twice_migrates_once(engine: AsyncEngine) -> None:
    await upgrade(engine)
    await upgrade(engine)

    async with engine.connect() as connection:
        rows = await connection.scalar(text("SELECT count(*) FROM catalog_version"))
        heads = await connection.scalar(text("SELECT count(*) FROM alembic_version"))
    assert (rows, heads) == (1, 1)


def test_the_head_a_start_looks_for_is_alembics_head() -> None:
    """A new migration must move HEAD_REVISION too, or starts would skip it."""
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION


async def test_a_database_behind_is_brought_to_the_head(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade, "0005")
    assert await at_revision(engine) == "0005"

    await upgrade(engine)

    assert await at_revision(engine) == HEAD_REVISION
    async with engine.connect() as connection:
        assert await connection.run_sync(_tables) == TABLES


@pytest.mark.parametrize(
    ("recorded", "said"),
    [
        ("UPDATE alembic_version SET version_num = '0099_future'", "'0099_future'"),
        ("DELETE FROM alembic_version", "records no schema revision"),
    ],
    ids=["a newer ballotbot's revision", "no revision beside the tables"],
)
async def test_a_database_whose_recorded_revision_cannot_be_followed_is_refused_plainly(
    engine: AsyncEngine, recorded: str, said: str
) -> None:
    await upgrade(engine)
    async with engine.begin() as connection:
        await connection.execute(text(recorded))

    with pytest.raises(SchemaError, match=said) as refused:
        await upgrade(engine)

    assert "nothing was changed" in str(refused.value)
    async with engine.connect() as connection:
        assert await connection.run_sync(_tables) == TABLES


def test_a_start_on_a_database_already_at_the_head_does_not_load_alembic(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ballotbot.db'}"
    start = (
        "import asyncio, sys\n"
        "from storage.database import upgrade\n"
        f"asyncio.run(upgrade({url!r}))\n"
        "print('alembic' in sys.modules)\n"
    )
    first = subprocess.run([sys.executable, "-c", start], capture_output=True, text=True)
    again = subprocess.run([sys.executable, "-c", start], capture_output=True, text=True)
    assert (first.stdout, again.stdout) == ("True\n", "False\n"), first.stderr + again.stderr


async def test_the_migrations_build_exactly_the_models(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(_schema_differences) == []


async def test_the_migrations_can_be_undone_and_redone(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade, "base")
        assert await connection.run_sync(_tables) == {"alembic_version"}

    await upgrade(engine)

    async with engine.connect() as connection:
        assert await connection.run_sync(_tables) == TABLES


async def test_no_table_can_hold_how_a_member_voted(engine: AsyncEngine) -> None:
    def columns(connection: Connection) -> set[str]:
        inspector = inspect(connection)
        return {
            f"{table}.{column['name']}"
            for table in inspector.get_table_names()
            for column in inspector.get_columns(table)
        }

    async with engine.connect() as connection:
        names = await connection.run_sync(columns)
    personal = {n for n in names if any(w in n for w in ("user", "member", "voter", "choice"))}
    # Reminders keep who opted in and who said "I've posted my paper": a platform user id and
    # a time. Nothing anywhere says how anyone voted.
    assert personal == {"reminder_optins.user_id", "papers_posted.user_id"}
    assert {n for n in names if n.startswith("papers_posted.")} == {
        f"papers_posted.{c}" for c in ("id", "platform", "user_id", "ballot_id", "posted_at")
    }


async def test_sqlite_connections_use_wal_and_foreign_keys(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    try:
        await upgrade(engine)
        # Two connections at once: the pragmas must hold on every one, not just the first.
        async with engine.connect() as first, engine.connect() as second:
            for connection in (first, second):
                assert await connection.scalar(text("PRAGMA journal_mode")) == "wal"
                assert await connection.scalar(text("PRAGMA foreign_keys")) == 1
            with pytest.raises(Exception, match="FOREIGN KEY"):
                await first.execute(
                    text("INSERT INTO ballot_aliases VALUES ('no-such-ballot', 0, 'x')")
                )
    finally:
        await engine.dispose()


async def test_a_relative_sqlite_path_is_in_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    await upgrade("sqlite+aiosqlite:///ballotbot.db")

    assert (tmp_path / "ballotbot.db").is_file()


async def test_a_failed_write_on_sqlite_is_rolled_back_whole(tmp_path: Path) -> None:
    """SQLAlchemy, not the driver, sends BEGIN: DDL and DML roll back together."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    try:
        with pytest.raises(RuntimeError):
            async with engine.begin() as connection:
                await connection.execute(text("CREATE TABLE scratch (x INTEGER)"))
                await connection.execute(text("INSERT INTO scratch VALUES (1)"))
                raise RuntimeError("the import failed half-way")
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == set()
    finally:
        await engine.dispose()


def test_sqlites_uri_form_is_checked_by_the_path_it_names(tmp_path: Path) -> None:
    """``file:/path/b.db?mode=ro&uri=true`` was refused as "folder file:/path does not exist"."""
    check_database_url(f"sqlite+aiosqlite:///file:{tmp_path / 'b.db'}?mode=ro&uri=true")
    check_database_url("sqlite+aiosqlite:///file:shared?mode=memory&cache=shared&uri=true")
    missing = tmp_path / "no" / "b.db"
    with pytest.raises(DatabaseUrlError, match=f"the folder {tmp_path / 'no'} does not exist"):
        check_database_url(f"sqlite+aiosqlite:///file:{missing}?uri=true")
