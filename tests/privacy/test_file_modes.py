"""The SQLite file holds member ids: it and its -wal, -shm and -journal files are made readable
by the bot's user only (0600), whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.database import create_engine, create_sync_engine, upgrade
from tests.adapters.console.support import ballotbot


@pytest.fixture
def generous_umask() -> Iterator[None]:
    """The common umask 022: files made without care are world-readable."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("generous_umask")
def test_ballotbot_creates_its_database_readable_by_its_user_only(tmp_path: Path) -> None:
    done = ballotbot(tmp_path, "ask", "remind me kirklees")
    assert done.returncode in (0, 1), done.stderr

    database = tmp_path / "ballotbot.db"
    assert database.exists()
    assert mode(database) == 0o600
    for companion in tmp_path.glob("ballotbot.db-*"):
        assert mode(companion) == 0o600, companion


@pytest.mark.usefixtures("generous_umask")
async def test_the_wal_and_shm_files_are_private_while_the_bot_runs(tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        await upgrade(engine)
        async with engine.connect() as connection:
            await connection.execute(text("SELECT count(*) FROM ballots"))
            wal, shm = Path(f"{database}-wal"), Path(f"{database}-shm")
            assert (mode(database), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)
    finally:
        await engine.dispose()


@pytest.mark.usefixtures("generous_umask")
def test_a_rollback_journal_is_private_too(tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    engine = create_sync_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=DELETE")
            connection.exec_driver_sql("PRAGMA locking_mode=EXCLUSIVE")
            connection.exec_driver_sql("CREATE TABLE t (x)")
            connection.exec_driver_sql("INSERT INTO t VALUES (1)")
            connection.commit()
            journal = Path(f"{database}-journal")
            # In exclusive mode the journal file stays after the commit, so its mode can be read.
            connection.exec_driver_sql("PRAGMA journal_mode=PERSIST")
            connection.exec_driver_sql("INSERT INTO t VALUES (2)")
            connection.commit()
            assert journal.exists()
            assert (mode(database), mode(journal)) == (0o600, 0o600)
    finally:
        engine.dispose()


def test_an_existing_file_keeps_the_mode_its_operator_gave_it(tmp_path: Path) -> None:
    database = tmp_path / "shared.db"
    database.touch(mode=0o640)
    database.chmod(0o640)
    engine = create_sync_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x)")
    finally:
        engine.dispose()
    assert mode(database) == 0o640
