"""The search catalog: every ballot's id, date, names, kinds of question, status and dates,
read as plain rows.

Building whole ballots costs about 0.1 ms each; the index needs only names, so reading these
rows keeps start-up and re-indexing fast on a national union's 50,000 ballots. Even so, that
is half a second of turning rows into objects: it is done on the CPU thread, not on the
event loop.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import offloop
from bot.domain import CatalogEntry, Kind, PartialDate, Status
from storage.models import (
    BallotAliasRow,
    BallotRow,
    BallotUnionRow,
    EmployerRow,
    QuestionRow,
    UnionRow,
)

_BALLOTS = select(
    BallotRow.id,
    BallotRow.sort_date,
    BallotRow.campaign,
    EmployerRow.name,
    EmployerRow.branch,
    EmployerRow.area,
    EmployerRow.sector,
    BallotRow.status,
    BallotRow.has_result,
    BallotRow.opens,
    BallotRow.closes,
    BallotRow.announced,
).join(EmployerRow, EmployerRow.id == BallotRow.employer_id)
_UNIONS = (
    select(BallotUnionRow.ballot_id, UnionRow.name)
    .join(UnionRow, UnionRow.id == BallotUnionRow.union_id)
    .order_by(BallotUnionRow.ballot_id, BallotUnionRow.position)
)
_ALIASES = select(BallotAliasRow.ballot_id, BallotAliasRow.name).order_by(
    BallotAliasRow.ballot_id, BallotAliasRow.position
)
_KINDS = select(QuestionRow.ballot_id, QuestionRow.kind).order_by(
    QuestionRow.ballot_id, QuestionRow.position
)


async def read_catalog(session: AsyncSession) -> list[CatalogEntry]:
    """Every ballot's names, in the order :meth:`bot.domain.Ballot.search_names` gives them,
    its kinds of question, status and dates.

    The four reads are buffered as plain rows; turning them into entries (tens of thousands
    of rows on a national union) happens on the CPU thread, off the event loop.
    """
    connection = await session.connection()
    unions = await connection.execute(_UNIONS)
    aliases = await connection.execute(_ALIASES)
    kinds = await connection.execute(_KINDS)
    ballots = await connection.execute(_BALLOTS)
    return await offloop.compute(_entries, unions, aliases, kinds, ballots)


def read_catalog_now(connection: Connection) -> list[CatalogEntry]:
    """:func:`read_catalog` on a synchronous connection (another process indexing it)."""
    unions = connection.execute(_UNIONS)
    aliases = connection.execute(_ALIASES)
    kinds = connection.execute(_KINDS)
    return _entries(unions, aliases, kinds, connection.execute(_BALLOTS))


def _entries(
    union_rows: Iterable[Sequence[Any]],
    alias_rows: Iterable[Sequence[Any]],
    kind_rows: Iterable[Sequence[Any]],
    ballot_rows: Iterable[Sequence[Any]],
) -> list[CatalogEntry]:
    unions: dict[str, list[str]] = defaultdict(list)
    for ballot_id, name in union_rows:
        unions[ballot_id].append(name)
    aliases: dict[str, list[str]] = defaultdict(list)
    for ballot_id, name in alias_rows:
        aliases[ballot_id].append(name)
    kinds: dict[str, tuple[Kind, ...]] = {}
    kind_of = {kind.value: kind for kind in Kind}
    for ballot_id, kind in kind_rows:
        known = kinds.get(ballot_id, ())
        if kind_of[kind] not in known:
            kinds[ballot_id] = (*known, kind_of[kind])
    status_of = {status.value: status for status in Status}
    entries = []
    dates: dict[str | None, PartialDate | None] = {None: None, "": None}
    # Ballots share dates: each is parsed once.
    for (
        ballot_id,
        sort_date,
        campaign,
        employer,
        branch,
        area,
        sector,
        status,
        has_result,
        opens,
        closes,
        announced,
    ) in ballot_rows:
        names = [("employer", employer)]
        if ballot_id in unions:
            names += [("union", u) for u in unions[ballot_id]]
        if ballot_id in aliases:
            names += [("alias", a) for a in aliases[ballot_id]]
        optional = (("branch", branch), ("area", area), ("campaign", campaign), ("sector", sector))
        names += [(kind, name) for kind, name in optional if name]
        for text in (opens, closes, announced):
            if text not in dates:
                dates[text] = PartialDate.parse(text)
        entries.append(
            CatalogEntry(
                ballot_id,
                sort_date,
                tuple(names),
                kinds.get(ballot_id, ()),
                status_of.get(status),
                bool(has_result),
                dates[opens],
                dates[closes],
                dates[announced],
            )
        )
    return entries
