"""The search catalog: every ballot's id, date and names, read as plain rows.

Building whole ballots costs about 0.1 ms each; the index needs only names, so reading these
rows keeps start-up and re-indexing fast on a national union's 50,000 ballots.
"""

from __future__ import annotations

from collections import defaultdict

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


async def read_catalog(session: AsyncSession) -> list[CatalogEntry]:
    """Every ballot's names, in the order :meth:`bot.domain.Ballot.search_names` gives them."""
    unions: dict[str, list[str]] = defaultdict(list)
    for ballot_id, name in await session.execute(_UNIONS):
        unions[ballot_id].append(name)
    aliases: dict[str, list[str]] = defaultdict(list)
    for ballot_id, name in await session.execute(_ALIASES):
        aliases[ballot_id].append(name)
    entries = []
    for ballot_id, sort_date, campaign, employer, branch, area, sector in await session.execute(
        _BALLOTS
    ):
        names = [("employer", employer)]
        names += [("union", u) for u in unions.get(ballot_id, ())]
        names += [("alias", a) for a in aliases.get(ballot_id, ())]
        optional = (("branch", branch), ("area", area), ("campaign", campaign), ("sector", sector))
        names += [(kind, name) for kind, name in optional if name]
        entries.append(CatalogEntry(ballot_id, sort_date, tuple(names)))
    return entries
