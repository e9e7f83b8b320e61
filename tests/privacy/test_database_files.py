"""Every SQLite connection the bot opens, async or not, zeroes what it deletes; and a failed
statement's error (which may end up in a log) never quotes the values it was given."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import text

from adapters.compose import open_app
from bot.config import Settings
from bot.privacy.logs import acting_for
from storage.database import create_engine, create_sync_engine, upgrade
from storage.reminder_scheduler import ReminderScheduler
from tests.bot.reminders.conftest import Branch


@pytest.mark.usefixtures("upstream_sqlite")
async def test_every_async_connection_has_secure_delete_on(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    try:
        await upgrade(engine)
        async with engine.connect() as first, engine.connect() as second:
            for connection in (first, second):
                assert await connection.scalar(text("PRAGMA secure_delete")) == 1
    finally:
        await engine.dispose()


@pytest.mark.usefixtures("upstream_sqlite")
def test_a_synchronous_engine_has_secure_delete_on_too(tmp_path: Path) -> None:
    engine = create_sync_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("PRAGMA secure_delete")) == 1
    finally:
        engine.dispose()


@pytest.mark.usefixtures("upstream_sqlite")
async def test_the_reminder_schedulers_job_store_has_secure_delete_on(tmp_path: Path) -> None:
    settings = Settings()
    settings.database.url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    settings.charts.cache_dir = str(tmp_path / "charts")
    async with open_app(settings, load_demo=False) as app:
        scheduler = ReminderScheduler(app.reminders, app.settings.database.url)
        try:
            with scheduler.engine.connect() as connection:
                assert connection.scalar(text("PRAGMA secure_delete")) == 1
        finally:
            scheduler.engine.dispose()


async def test_a_failed_statement_for_a_member_is_logged_without_them(
    branch: Branch, caplog: pytest.LogCaptureFixture
) -> None:
    """SQLAlchemy leaves the values out of the error; PostgreSQL's own DETAIL line may still
    quote the row ("Failing row contains (…, U0…)"): the log names the pseudonym instead."""
    member = "U0SECRETMEMBER"
    with acting_for("slack", member):
        try:
            async with branch.app.engine.begin() as connection:
                await connection.execute(
                    text("INSERT INTO reminder_optins (platform, user_id) VALUES (:p, :u)"),
                    {"p": "slack", "u": member},
                )
        except Exception as exc:
            assert "[SQL parameters hidden" in str(exc)
            logging.getLogger("tests.privacy").exception("the core failed")
        else:
            pytest.fail("the insert should have failed")

    assert "the core failed" in caplog.text
    assert member not in caplog.text
