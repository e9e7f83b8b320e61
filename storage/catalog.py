"""The search catalog: every ballot's id, date and names, read as plain rows.

Building whole ballots costs about 0.1 ms each; the index needs only names, so reading these
rows keeps start-up and re-indexing fast on a national union's 50,000 ballots. Even so, that
is half a second of turning rows into objects: it is done on the CPU thread, not on the
event loop.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import offloop
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


async def read_catalog(session: AsyncSession) -> list[CatalogEntry]:
    """Every ballot's names, in the order :meth:`bot.domain.Ballot.search_names` gives them.

    The three reads are buffered as plain rows; turning them into entries (tens of
    thousands of rows on a national union) happens on the CPU thread, off the event loop.
    """
    connection = await session.connection()
    unions = await connection.execute(_UNIONS)
    aliases = await connection.execute(_ALIASES)
    ballots = await connection.execute(_BALLOTS)
    return await offloop.compute(_entries, unions, aliases, ballots)


def _entries(
    union_rows: Iterable[Sequence[Any]],
    alias_rows: Iterable[Sequence[Any]],
    ballot_rows: Iterable[Sequence[Any]],
) -> list[CatalogEntry]:
    unions: dict[str, list[str]] = defaultdict(list)
    for ballot_id, name in union_rows:
        unions[ballot_id].append(name)
    aliases: dict[str, list[str]] = defaultdict(list)
    for ballot_id, name in alias_rows:
        aliases[ballot_id].append(name)
    entries = []
    for ballot_id, sort_date, campaign, employer, branch, area, sector in ballot_rows:
        names = [("employer", employer)]
        names += [("union", u) for u in unions.get(ballot_id, ())]
        names += [("alias", a) for a in aliases.get(ballot_id, ())]
        optional = (("branch", branch), ("area", area), ("campaign", campaign), ("sector", sector))
        names += [(kind, name) for kind, name in optional if name]
        entries.append(CatalogEntry(ballot_id, sort_date, tuple(names)))
    return entries
