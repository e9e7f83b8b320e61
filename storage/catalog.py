"""The search catalog: every ballot's id, date and names, read as plain rows.

Building whole ballots costs about 0.1 ms each; the index needs only names, so reading these
rows keeps start-up and re-indexing fast on a national union's 50,000 ballots. Even so, that
is half a second of turning rows into objects: it is done a partition at a time, with the
event loop serving members in between.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import CatalogEntry
from storage.models import BallotAliasRow, BallotRow, BallotUnionRow, EmployerRow, UnionRow

_BALLOTS = select(
    BallotRow.id,
    BallotRow.sort_date,
    BallotRow.campaign,
    EmployerRow.name,
    EmployerRow.branch,
    EmployerRow.area,
    EmployerRow.sector,
).join(EmployerRow, EmployerRow.id == BallotRow.employer_id)
_UNIONS = (
    select(BallotUnionRow.ballot_id, UnionRow.name)
    .join(UnionRow, UnionRow.id == BallotUnionRow.union_id)
    .order_by(BallotUnionRow.ballot_id, BallotUnionRow.position)
)
_ALIASES = select(BallotAliasRow.ballot_id, BallotAliasRow.name).order_by(
    BallotAliasRow.ballot_id, BallotAliasRow.position
)


PARTITION = 2_000
"""Rows handled between two returns to the event loop (a couple of milliseconds)."""


async def _rows(session: AsyncSession, statement: Any) -> AsyncIterator[Sequence[Any]]:
    result = await session.execute(statement)
    for n, partition in enumerate(result.partitions(PARTITION)):
        if n:
            await asyncio.sleep(0)
        for row in partition:
            yield row


async def read_catalog(session: AsyncSession) -> list[CatalogEntry]:
    """Every ballot's names, in the order :meth:`bot.domain.Ballot.search_names` gives them."""
    unions: dict[str, list[str]] = defaultdict(list)
    async for ballot_id, name in _rows(session, _UNIONS):
        unions[ballot_id].append(name)
    aliases: dict[str, list[str]] = defaultdict(list)
    async for ballot_id, name in _rows(session, _ALIASES):
        aliases[ballot_id].append(name)
    entries = []
    async for ballot_id, sort_date, campaign, employer, branch, area, sector in _rows(
        session, _BALLOTS
    ):
        names = [("employer", employer)]
        names += [("union", u) for u in unions.get(ballot_id, ())]
        names += [("alias", a) for a in aliases.get(ballot_id, ())]
        optional = (("branch", branch), ("area", area), ("campaign", campaign), ("sector", sector))
        names += [(kind, name) for kind, name in optional if name]
        entries.append(CatalogEntry(ballot_id, sort_date, tuple(names)))
    return entries
