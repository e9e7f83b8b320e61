"""Privacy in SQL: the installation's pseudonym salt, counts of what is stored about members,
and erasure that reaches the files.

Erasing a row in SQL leaves its bytes behind unless the database is told otherwise. On
SQLite every connection runs with ``secure_delete`` on (:mod:`storage.database`), so a deleted
row is overwritten with zeros in the page that held it; but in WAL mode the page goes to the
``-wal`` file first, where earlier versions of it (with the row) stay until a checkpoint.
:func:`empty_the_log` copies the log into the database and truncates it to zero bytes, so after
``forget me`` the member's id is in neither file. PostgreSQL keeps deleted rows' bytes until
VACUUM reuses the space (see the README, section Privacy).
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime

from sqlalchemy import func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.announce.model import OutboxKind
from bot.privacy.report import Inventory
from storage.database import READ, WRITE, as_utc, dialect_of, upsert_insert
from storage.models import (
    OutboxRow,
    PaperPostedRow,
    PrivacyKeyRow,
    RateSlotRow,
    ReminderOptInRow,
)

log = logging.getLogger(__name__)

LOG_SALT = "log_salt"
DM_PACING_PREFIX = "dm:"


async def installation_salt(sessions: async_sessionmaker[AsyncSession]) -> str:
    """The salt of members' pseudonyms stored in the database, made on first use.

    Several processes starting at once agree: the first insert wins, the others read it.
    """
    stored = select(PrivacyKeyRow.value).where(PrivacyKeyRow.name == LOG_SALT)
    async with sessions() as session:
        found = await session.scalar(stored)
    if found:
        return str(found)
    statement = (
        upsert_insert(dialect_of(sessions))(PrivacyKeyRow)
        .values(name=LOG_SALT, value=secrets.token_hex(32), created_at=datetime.now(UTC))
        .on_conflict_do_nothing()
    )
    async with sessions.begin() as session:
        await session.connection(execution_options=WRITE)
        await session.execute(statement)
        return str(await session.scalar(stored))


async def empty_the_log(sessions: async_sessionmaker[AsyncSession]) -> bool:
    """SQLite: checkpoint the write-ahead log into the database and truncate it to nothing.

    Returns False when a reader still using an older snapshot kept the checkpoint from
    finishing (it is tried again after the next erasure); True on PostgreSQL, which has no
    such file to empty.
    """
    if dialect_of(sessions) != "sqlite":
        return True
    async with sessions() as session:
        connection = await session.connection(execution_options=READ)
        # One row: (busy, frames in the log, frames checkpointed).
        busy = (await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).one()[0]
    if busy:
        log.warning("erased rows may stay in the -wal file until the next checkpoint: busy")
    return not busy


async def inventory(sessions: async_sessionmaker[AsyncSession]) -> Inventory:
    """Counts of the rows about members (never who), and the oldest of them."""
    dm = OutboxRow.kind == OutboxKind.DM.value
    members = union_all(
        select(ReminderOptInRow.platform, ReminderOptInRow.user_id),
        select(PaperPostedRow.platform, PaperPostedRow.user_id),
        select(OutboxRow.platform, OutboxRow.channel_id).where(dm),
    ).subquery()
    distinct_members = select(func.count()).select_from(
        select(members.c.platform, members.c.user_id).distinct().subquery()
    )
    oldest = [
        ("a reminder opt-in", select(func.min(ReminderOptInRow.created_at))),
        ("a “posted my paper” record", select(func.min(PaperPostedRow.posted_at))),
        ("a reminder DM", select(func.min(OutboxRow.created_at)).where(dm)),
    ]
    async with sessions() as session:
        counts = {
            "members": await session.scalar(distinct_members),
            "opt_ins": await session.scalar(select(func.count()).select_from(ReminderOptInRow)),
            "confirmations": await session.scalar(select(func.count()).select_from(PaperPostedRow)),
            "pacing": await session.scalar(
                select(func.count()).where(RateSlotRow.key.startswith(DM_PACING_PREFIX))
            ),
        }
        states = await session.execute(
            select(OutboxRow.state, func.count()).where(dm).group_by(OutboxRow.state)
        )
        dms = {str(state): int(n) for state, n in states.all()}
        firsts = [(kind, as_utc(await session.scalar(query))) for kind, query in oldest]
    known = [(moment, kind) for kind, moment in firsts if moment is not None]
    first = min(known) if known else None
    return Inventory(
        members=int(counts["members"] or 0),
        opt_ins=int(counts["opt_ins"] or 0),
        confirmations=int(counts["confirmations"] or 0),
        dms=dms,
        pacing=int(counts["pacing"] or 0),
        oldest=first[0] if first else None,
        oldest_kind=first[1] if first else "",
    )
