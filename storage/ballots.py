"""The ballot store over SQLAlchemy: :class:`bot.ports.BallotStore` for SQLite and PostgreSQL.

Everything returned is a :mod:`bot.domain` object read in one statement (see
:mod:`storage.reading`). A save replaces whole ballots in one transaction and bumps the catalog
version in that same transaction, so a reader sees either the old catalog or the new one, never
half of an import.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    Select,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain import Ballot, CatalogEntry, SaveReport, Status
from bot.invariants import refuse_invalid
from bot.ports import Progress
from bot.privacy.retention import has_ended_status
from storage.catalog import read_catalog
from storage.database import WRITE, dialect_of, single_read, upsert_insert
from storage.mapping import ballot_values, child_values, employer_key, employer_values
from storage.models import (
    BallotAliasRow,
    BallotRow,
    BallotUnionRow,
    CatalogVersionRow,
    EmployerRow,
    QuestionRow,
    ResultRow,
    UnionRow,
)
from storage.reading import (
    BY_ID,
    BY_IDS,
    CATALOG,
    CHUNK,
    ballots_where,
    chunks,
    fold,
    fold_catalog,
    fold_off_loop,
    in_order,
)

WRITE_CHUNK = 5_000
"""Ballots written per round of bulk inserts (one executemany per table each)."""


_TODAY = bindparam("today", type_=Date)
_IN_WINDOW = and_(BallotRow.opens_on <= _TODAY, BallotRow.closes_on >= _TODAY)
# Three flat alternatives, so each can use ix_ballots_open (status, closes_on).
_OPEN = ballots_where(
    or_(
        BallotRow.status == Status.OPEN.value,
        and_(BallotRow.status.is_(None), _IN_WINDOW),
        and_(BallotRow.status == Status.SCHEDULED.value, _IN_WINDOW),
    ),
    (BallotRow.closes_on.is_(None), BallotRow.closes_on, BallotRow.id),
)
_UPCOMING = ballots_where(
    and_(
        or_(
            BallotRow.status.in_([Status.OPEN.value, Status.SCHEDULED.value]),
            and_(BallotRow.status.is_(None), BallotRow.has_result.is_(False)),
        ),
        or_(BallotRow.closes_on.is_(None), BallotRow.closes_on >= _TODAY),
    ),
    (BallotRow.closes_on.is_(None), BallotRow.closes_on, BallotRow.id),
)
_RECENT = ballots_where(BallotRow.has_result.is_(True), limit=bindparam("limit", type_=Integer))


AlsoWrite = Callable[[AsyncSession, list[tuple[Ballot | None, Ballot]]], Awaitable[None]]
"""More writes for the same transaction as a save, given each changed ballot (before, after)."""


class SqlBallotStore:
    """Ballots in a SQL database, reached through an ``async_sessionmaker``."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
    ) -> None:
        self._sessions = sessions
        self._read_options = single_read(dialect_of(sessions))
        self.today = today
        """The union's calendar day, for recording when a ballot ended (the composition
        root gives the reminders' clock, in the union's time zone)."""

    async def get(self, ballot_id: str) -> Ballot | None:
        found = await self._read(BY_ID, ballot_id=ballot_id)
        return found[0] if found else None

    async def get_many(self, ballot_ids: Sequence[str]) -> list[Ballot]:
        """One statement for up to :data:`CHUNK` ids (more are read in chunks)."""
        found: list[Ballot] = []
        for chunk in chunks(list(dict.fromkeys(ballot_ids))):
            found += await self._read(BY_IDS, ids=list(chunk))
        return in_order(ballot_ids, found)

    async def all_ballots(self) -> list[Ballot]:
        """The whole catalog, newest first, read in one snapshot (four statements)."""
        async with self._sessions() as session:
            if session.get_bind().dialect.name == "postgresql":
                # Read committed would let an import land between two of the statements.
                await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            results = [(await session.execute(statement)).all() for statement in CATALOG]
            return fold_catalog(*results)

    async def catalog(self) -> list[CatalogEntry]:
        """Every ballot's id, date and names, for the search index (no whole ballots)."""
        async with self._sessions() as session:
            if session.get_bind().dialect.name == "postgresql":
                await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            return await read_catalog(session)

    async def open_ballots(self, today: date) -> list[Ballot]:
        """Status ``open``; or no status (or ``scheduled``) with both exact days around today.

        A ballot known only to the month is never guessed open: its days are not known.
        Closing soonest first.
        """
        return await self._read(_OPEN, today=today)

    async def upcoming_ballots(self, today: date) -> list[Ballot]:
        """Ballots reminders may still be due for: open or scheduled (or no status and no
        result yet), not closed before ``today``. Closing soonest first."""
        return await self._read(_UPCOMING, today=today)

    async def recent_results(self, limit: int) -> list[Ballot]:
        """Ballots with any reported figure, newest first by announced, closes, then opens."""
        if limit <= 0:
            return []
        return await self._read(_RECENT, limit=limit)

    async def count(self) -> int:
        async with self._sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(BallotRow)) or 0)

    async def catalog_version(self) -> int:
        async with self._sessions() as session:
            query = select(CatalogVersionRow.version).where(CatalogVersionRow.id == 1)
            return int(await session.scalar(query) or 0)

    async def save(
        self,
        ballots: Sequence[Ballot],
        also: AlsoWrite | None = None,
        *,
        progress: Progress | None = None,
    ) -> SaveReport:
        """Create or replace ballots by id, all in one transaction: all or nothing.

        A ballot whose figures or dates cannot all be true raises
        :class:`bot.invariants.InvalidBallot` (a ``ValueError``) naming it and the field, and
        nothing is stored. A ballot identical to the stored one is left alone and reported
        ``unchanged``; the catalog version moves only when something really changed. ``also``
        writes more in the same transaction (announcements, audit), given each changed ballot
        before and after. ``progress(done, total)`` hears of each :data:`WRITE_CHUNK` written.
        """
        ballots = list(ballots)
        _refuse_duplicates(ballots)
        refuse_invalid(ballots)  # every path's last check: what cannot be true is not stored
        if not ballots:
            return SaveReport()
        async with self._sessions.begin() as session:
            # First statement of the transaction: on SQLite this makes it BEGIN IMMEDIATE.
            await session.connection(execution_options=WRITE)
            # The stored versions of the ballots that change (the others are let go of as
            # each chunk is compared: a re-import of 50,000 holds no second 50,000).
            stored: dict[str, Ballot] = {}
            changed: list[Ballot] = []
            old_employers: set[int] = set()
            recorded: dict[str, date | None] = {}
            for chunk in chunks(ballots):
                ids = [b.id for b in chunk]
                lock = select(BallotRow.id, BallotRow.employer_id, BallotRow.ended_on).where(
                    BallotRow.id.in_(ids)
                )
                for id_, employer_id, ended_on in await session.execute(lock.with_for_update()):
                    old_employers.add(employer_id)
                    recorded[id_] = ended_on
                found = {b.id: b for b in fold(await session.execute(BY_IDS, {"ids": ids}))}
                for ballot in chunk:
                    before = found.get(ballot.id)
                    if before != ballot:
                        changed.append(ballot)
                        if before is not None:
                            stored[ballot.id] = before
            created = len(changed) - len(stored)
            if changed:
                ended = _ended_days(changed, stored, recorded, self.today)
                await _write(session, changed, list(stored), ended, progress)
                await _drop_orphan_employers(session, old_employers)
                await session.execute(
                    update(CatalogVersionRow)
                    .where(CatalogVersionRow.id == 1)
                    .values(version=CatalogVersionRow.version + 1)
                )
            if also is not None:
                await also(session, [(stored.get(b.id), b) for b in changed])
        return SaveReport(
            created=created,
            updated=len(changed) - created,
            unchanged=len(ballots) - len(changed),
        )

    async def _read(self, statement: Select[Any], **params: Any) -> list[Ballot]:
        async with self._sessions() as session:
            # A single statement is its own snapshot: no BEGIN needed (see storage.database).
            connection = await session.connection(execution_options=self._read_options)
            return await fold_off_loop(await connection.execute(statement, params))


def _refuse_duplicates(ballots: Sequence[Ballot]) -> None:
    seen: set[str] = set()
    twice: set[str] = set()
    for ballot in ballots:
        (twice if ballot.id in seen else seen).add(ballot.id)
    if twice:
        raise ValueError(
            f"the same ballot id appears twice in one save: {', '.join(sorted(twice))}"
        )


def _ended_days(
    changed: list[Ballot],
    stored: dict[str, Ballot],
    recorded: dict[str, date | None],
    today: Callable[[], date],
) -> dict[str, date | None]:
    """The day each changed ballot ended: kept from before if it was already over, today if
    this save ends it (closed, declared, cancelled: by any path), None if it runs again."""
    days: dict[str, date | None] = {}
    for ballot in changed:
        if not has_ended_status(ballot):
            days[ballot.id] = None
            continue
        before = stored.get(ballot.id)
        kept = recorded.get(ballot.id) if before is not None and has_ended_status(before) else None
        days[ballot.id] = kept or today()
    return days


async def _write(
    session: AsyncSession,
    ballots: list[Ballot],
    replaced: list[str],
    ended: dict[str, date | None],
    progress: Progress | None = None,
) -> None:
    """Insert ``ballots`` whole, after deleting the stored versions of ``replaced``.

    Replacing the rows (children go by ON DELETE CASCADE) rather than diffing them keeps the
    order of unions and questions exactly as given, with no position shuffling. Rows are
    built and inserted :data:`WRITE_CHUNK` ballots at a time (flat memory, and a bar on a
    terminal moves as they go: ``progress(done, total)`` hears of each chunk written).
    """
    for chunk in chunks(replaced):
        await session.execute(delete(BallotRow).where(BallotRow.id.in_(chunk)))
    keys = [employer_key(b) for b in ballots]  # JSON of four fields: worked out once each
    employer_ids = await _ids_for(
        session,
        EmployerRow,
        EmployerRow.key,
        {key: employer_values(b, key) for key, b in zip(keys, ballots, strict=True)},
    )
    union_ids = await _ids_for(
        session,
        UnionRow,
        UnionRow.name,
        {name: {"name": name} for b in ballots for name in b.unions},
    )
    for start in range(0, len(ballots), WRITE_CHUNK):
        rows: dict[type[Any], list[dict[str, Any]]] = {
            BallotRow: [],
            BallotUnionRow: [],
            BallotAliasRow: [],
            QuestionRow: [],
            ResultRow: [],
        }
        for n in range(start, min(start + WRITE_CHUNK, len(ballots))):
            if n % CHUNK == 0:
                await asyncio.sleep(0)  # thousands of ballots (a feed): members in between
            ballot = ballots[n]
            values = ballot_values(ballot, employer_ids[keys[n]])
            rows[BallotRow].append({**values, "ended_on": ended[ballot.id]})
            unions, aliases, questions, results = child_values(ballot, union_ids)
            rows[BallotUnionRow] += unions
            rows[BallotAliasRow] += aliases
            rows[QuestionRow] += questions
            rows[ResultRow] += results
        # Parents before children, so foreign keys hold at every statement.
        for model, batch in rows.items():
            if batch:
                await session.execute(insert(model.__table__), batch)
        if progress is not None:
            progress(min(start + WRITE_CHUNK, len(ballots)), len(ballots))


async def _ids_for(
    session: AsyncSession, model: Any, natural_key: Any, wanted: dict[str, dict[str, Any]]
) -> dict[str, int]:
    """Ids of the rows with these natural keys, creating the missing ones.

    ``ON CONFLICT DO NOTHING`` lets two processes importing at once both find the same
    union or employer instead of one of them failing on the unique constraint.
    """
    ids: dict[str, int] = {}
    keys = list(wanted)
    for chunk in chunks(keys):
        query = select(natural_key, model.id).where(natural_key.in_(chunk))
        ids.update({key: id_ for key, id_ in await session.execute(query)})
    missing = [wanted[key] for key in keys if key not in ids]
    if not missing:
        return ids
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        statement = upsert_insert(dialect)(model.__table__).on_conflict_do_nothing(
            index_elements=[natural_key]
        )
    else:
        statement = insert(model.__table__)
    await session.execute(statement, missing)
    for chunk in chunks([key for key in keys if key not in ids]):
        query = select(natural_key, model.id).where(natural_key.in_(chunk))
        ids.update({key: id_ for key, id_ in await session.execute(query)})
    return ids


async def _drop_orphan_employers(session: AsyncSession, candidates: Iterable[int]) -> None:
    """An employer no ballot points at any more (renamed, moved branch) goes with it."""
    still_used = exists().where(BallotRow.employer_id == EmployerRow.id)
    for chunk in chunks(sorted(candidates)):
        await session.execute(delete(EmployerRow).where(EmployerRow.id.in_(chunk), ~still_used))
