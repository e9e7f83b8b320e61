"""``/ballot forget me``: nothing about the member is left, in any table nor, on SQLite, in the
bytes of the database files, while the bot keeps running for everyone else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.announce.model import Target
from tests.bot.announce.conftest import ORGANISER
from tests.bot.reminders.conftest import Branch
from tests.privacy.conftest import (
    AMINA,
    BEN,
    CARA,
    everyone_uses_the_bot,
    files_mentioning,
    rows_mentioning,
)


async def a_pacing_slot_from_before_pseudonyms(branch: Branch, member: str) -> None:
    """Before 0006, DM pacing slots were keyed ``slack:<user id>`` (PostgreSQL pacing)."""
    async with branch.app.engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO rate_slots (key, next_at) VALUES (:key, :at)"),
            {"key": f"slack:{member}", "at": datetime.now(UTC) + timedelta(hours=1)},
        )


@pytest.mark.usefixtures("upstream_sqlite")
async def test_a_forgotten_member_is_in_no_table_and_no_file(
    branch: Branch, database_url: str
) -> None:
    await everyone_uses_the_bot(branch)
    await a_pacing_slot_from_before_pseudonyms(branch, AMINA)
    for member in (AMINA, BEN, CARA):
        assert await rows_mentioning(branch.app.engine, member), member

    reply = await branch.say("/ballot forget me", user=AMINA)

    assert reply.header == "Everything about you is erased"
    assert "1 reminder opt-in(s), 1 “posted my paper” record(s) and 1 message(s)" in reply.text
    assert await rows_mentioning(branch.app.engine, AMINA) == []
    if database_url.startswith("sqlite"):
        database = Path(database_url.removeprefix("sqlite+aiosqlite:///"))
        assert files_mentioning(database, AMINA) == []
    # Everyone else is untouched: Ben is still reminded, Cara's failed DM is still counted.
    assert "reminder_optins.user_id" in await rows_mentioning(branch.app.engine, BEN)
    assert "outbox.channel_id" in await rows_mentioning(branch.app.engine, CARA)


@pytest.mark.usefixtures("upstream_sqlite")
async def test_every_member_can_be_forgotten_one_after_another(
    branch: Branch, database_url: str
) -> None:
    await everyone_uses_the_bot(branch)

    for member in (BEN, CARA, AMINA):
        assert (await branch.say("/ballot forget me", user=member)).ok
        assert await rows_mentioning(branch.app.engine, member) == []
        if database_url.startswith("sqlite"):
            database = Path(database_url.removeprefix("sqlite+aiosqlite:///"))
            assert files_mentioning(database, member) == []
    inventory = await branch.app.reminders.store.inventory()
    assert (inventory.members, inventory.opt_ins, inventory.confirmations) == (0, 0, 0)


async def test_a_forgotten_organiser_keeps_the_audit_trail_under_a_pseudonym(
    branch: Branch,
) -> None:
    """Who changed what stays readable as one (pseudonymous) person; the id goes."""
    await everyone_uses_the_bot(branch)
    pseudonym = branch.app.pseudonyms.of("slack", ORGANISER)

    reply = await branch.say("/ballot forget me", user=ORGANISER)

    assert "now name you by a pseudonym" in reply.text
    assert await rows_mentioning(branch.app.engine, ORGANISER) == []
    audit = await branch.app.declarations.audit("leeds-2026")
    assert {entry.who for entry in audit} == {f"slack:{pseudonym}"}
    assert "audit_log.who" in await rows_mentioning(branch.app.engine, pseudonym)


async def test_forget_me_when_nothing_is_stored_says_so(branch: Branch) -> None:
    reply = await branch.say("/ballot forget me", user="U0NEWCOMER")

    assert reply.header == "Nothing was stored about you"


async def test_a_notice_that_quotes_the_member_goes_with_them(branch: Branch) -> None:
    """A channel addressed by a member's id (Slack accepts a user id as a channel): the
    organisers' notice about it names the id, and is erased with the member."""
    organisers = [Target("slack", "C0ORGANISERS")]
    await branch.app.outbox.notify(organisers, "leeds-2026", f"cannot reach {AMINA}")
    await branch.app.outbox.notify(organisers, "leeds-2026", "a feed is failing")
    assert "outbox.body" in await rows_mentioning(branch.app.engine, AMINA)

    await branch.say("/ballot forget me", user=AMINA)

    assert await rows_mentioning(branch.app.engine, AMINA) == []
    assert "outbox.body" in await rows_mentioning(branch.app.engine, "a feed is failing")
