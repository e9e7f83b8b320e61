"""Reading ballots back as domain objects, in one statement whatever the number of ballots.

A member's ``/ballot kirklees`` must answer well inside a second on a busy catalog, so a read
is a single round trip: the chosen ballots joined to their employer, unions, aliases, questions
and results, then folded back into :class:`bot.domain.Ballot` here. A ballot has a handful of
each, so the joined rows stay few. One statement is also one consistent snapshot, so a reader
never sees half of an organiser's import, without opening a transaction for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, ColumnExpressionArgument, Select, and_, bindparam, select
from sqlalchemy.engine import Result as Rows

from bot import offloop
from bot.domain import (
    Ballot,
    Jurisdiction,
    Kind,
    Method,
    PartialDate,
    Percentage,
    Question,
    ReportedMandate,
    Result,
    Status,
    TurnoutSoFar,
    YesNoUnknown,
)
from storage.models import (
    BallotAliasRow,
    BallotRow,
    BallotUnionRow,
    EmployerRow,
    QuestionRow,
    ResultRow,
    UnionRow,
)

_b = BallotRow.__table__.c
_e = EmployerRow.__table__.c
_bu = BallotUnionRow.__table__.c
_u = UnionRow.__table__.c
_a = BallotAliasRow.__table__.c
_q = QuestionRow.__table__.c
_r = ResultRow.__table__.c

# Every order ends on the id, so ties never depend on the database.
NEWEST_FIRST: tuple[ColumnElement[Any], ...] = (_b.sort_date.desc(), _b.id.desc())

_BALLOT_COLUMNS = (*_b, _e.name.label("employer"), _e.branch, _e.area, _e.sector)
_UNION_COLUMNS = (_bu.position.label("union_position"), _u.name.label("union_name"))
_ALIAS_COLUMNS = (_a.position.label("alias_position"), _a.name.label("alias_name"))
_QUESTION_COLUMNS = (
    _q.position.label("question_position"),
    _q.text.label("question_text"),
    _q.kind.label("question_kind"),
    _q.reported_mandate,
    _q.reported_by,
    _r.position.label("result_position"),
    _r.votes_for,
    _r.votes_against,
    _r.spoilt,
    _r.turnout_pct,
    _r.for_pct,
    _r.turnout_approximate,
    _r.turnout_decimals,
    _r.for_pct_decimals,
)
_COLUMNS = (*_BALLOT_COLUMNS, *_UNION_COLUMNS, *_ALIAS_COLUMNS, *_QUESTION_COLUMNS)
_RESULT_OF_QUESTION = and_(_r.ballot_id == _q.ballot_id, _r.position == _q.position)

_FROM = (
    BallotRow.__table__.join(EmployerRow.__table__, _e.id == _b.employer_id)
    # Flat LEFT JOINs only: SQLite materialises a nested "(a JOIN b)" whole, every time.
    .outerjoin(BallotUnionRow.__table__, _bu.ballot_id == _b.id)
    .outerjoin(UnionRow.__table__, _u.id == _bu.union_id)
    .outerjoin(BallotAliasRow.__table__, _a.ballot_id == _b.id)
    .outerjoin(QuestionRow.__table__, _q.ballot_id == _b.id)
    .outerjoin(ResultRow.__table__, and_(_r.ballot_id == _q.ballot_id, _r.position == _q.position))
)


def ballots_where(
    condition: ColumnElement[bool],
    order_by: Sequence[ColumnExpressionArgument[Any]] = NEWEST_FIRST,
    limit: int | ColumnElement[int] | None = None,
) -> Select[Any]:
    """One statement reading the ballots matching ``condition``, whole, in ``order_by``.

    For the few ballots a member asks about: each ballot comes back once per combination of
    its unions, aliases and questions. With a ``limit`` the ballots are picked first (in a
    subquery), so the limit counts ballots, not joined rows. ``order_by`` must end on the id.
    """
    if limit is not None:
        picked = select(_b.id).where(condition).order_by(*order_by).limit(limit)
        condition = _b.id.in_(picked.scalar_subquery())
    return select(*_COLUMNS).select_from(_FROM).where(condition).order_by(*order_by)


_Item = TypeVar("_Item")

CHUNK = 500
"""Ids bound in one statement, well under SQLite's and PostgreSQL's limits on parameters."""


def chunks(items: Sequence[_Item]) -> Iterator[Sequence[_Item]]:
    """``items`` :data:`CHUNK` at a time."""
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def in_order(asked: Sequence[str], found: Iterable[Ballot]) -> list[Ballot]:
    """The ``found`` ballots in the order their ids were ``asked`` (an id asked twice comes
    twice; ids not found are left out): what every read by ids gives back."""
    by_id = {ballot.id: ballot for ballot in found}
    return [by_id[ballot_id] for ballot_id in asked if ballot_id in by_id]


BY_ID = ballots_where(_b.id == bindparam("ballot_id"))
"""One whole ballot by id (bound as ``ballot_id``). Built once, as :data:`BY_IDS`, so that
SQLAlchemy reuses the compiled SQL: that matters for a read of well under a millisecond."""
BY_IDS = ballots_where(_b.id.in_(bindparam("ids", expanding=True)))
"""Whole ballots by id (bound as ``ids``, expanded into one parameter each)."""


CATALOG: tuple[Select[Any], ...] = (
    select(*_BALLOT_COLUMNS).join_from(BallotRow, EmployerRow).order_by(*NEWEST_FIRST),
    select(_bu.ballot_id, *_UNION_COLUMNS).join_from(BallotUnionRow, UnionRow),
    select(_a.ballot_id, *_ALIAS_COLUMNS),
    select(_q.ballot_id, *_QUESTION_COLUMNS).outerjoin_from(
        QuestionRow, ResultRow, _RESULT_OF_QUESTION
    ),
)
"""The whole catalog, newest first, as four statements to run in one snapshot.

Joined into one, a catalog of 50,000 ballots would repeat each ballot's notes for every
union-alias-question combination; apart, every row is read once.
"""


def fold_catalog(
    ballots: Iterable[Sequence[Any]],
    unions: Iterable[Sequence[Any]],
    aliases: Iterable[Sequence[Any]],
    questions: Iterable[Sequence[Any]],
) -> list[Ballot]:
    """The four :data:`CATALOG` results back into ballots, in the order of the first."""
    parts = {row[_ID]: _Parts(row) for row in ballots}
    for ballot_id, position, name in unions:
        parts[ballot_id].unions[position] = name
    for ballot_id, position, name in aliases:
        parts[ballot_id].aliases[position] = name
    for row in questions:
        parts[row[0]].questions[row[1]] = _question(row[1:])
    return [part.ballot() for part in parts.values()]


# Rows are read by position: a Row's attribute lookup costs ~8x an index, and a full
# catalog is millions of lookups.
_B = {column.name: i for i, column in enumerate(_BALLOT_COLUMNS)}
_ID = _B["id"]
_UNION = len(_BALLOT_COLUMNS)
_ALIAS = _UNION + len(_UNION_COLUMNS)
_QUESTION = _ALIAS + len(_ALIAS_COLUMNS)


PARTITION = 500
"""Rows a read may fold on the event loop (a few milliseconds); more go to the CPU thread."""


def fold(rows: Iterable[Sequence[Any]]) -> list[Ballot]:
    """Joined rows (:func:`ballots_where`) back into ballots, in the order they first appear."""
    parts: dict[str, _Parts] = {}
    _fold_into(parts, rows)
    return [part.ballot() for part in parts.values()]


async def fold_off_loop(result: Rows[Any]) -> list[Ballot]:
    """:func:`fold` over a read's rows, without holding the event loop.

    A read of a few rows (nearly every one) is folded at once. A bigger one (a ballot with
    thousands of questions comes back as tens of thousands of joined rows, and turning them
    into objects takes a while) is folded on the CPU thread (:func:`bot.offloop.compute`):
    the rows are already fetched (buffered) by then, so what runs there is plain Python on
    a result nobody else touches.
    """
    parts: dict[str, _Parts] = {}
    first = result.fetchmany(PARTITION)
    _fold_into(parts, first)
    if len(first) == PARTITION:
        await offloop.compute(_fold_into, parts, result)
    return [part.ballot() for part in parts.values()]


def _fold_into(parts: dict[str, _Parts], rows: Iterable[Sequence[Any]]) -> None:
    for row in rows:
        part = parts.get(row[_ID])
        if part is None:
            part = parts[row[_ID]] = _Parts(row)
        if row[_UNION] is not None:
            part.unions[row[_UNION]] = row[_UNION + 1]
        if row[_ALIAS] is not None:
            part.aliases[row[_ALIAS]] = row[_ALIAS + 1]
        position = row[_QUESTION]
        if position is not None and position not in part.questions:
            # Built once per question, as it comes: a join repeats it for every union and
            # alias, and building thousands at the end would hold the loop in one go.
            part.questions[position] = _question(row[_QUESTION:])


class _Parts:
    """One ballot's row plus its children collected by position (a join repeats them)."""

    __slots__ = ("aliases", "questions", "row", "unions")

    def __init__(self, row: Sequence[Any]) -> None:
        self.row = row
        self.unions: dict[int, str] = {}
        self.aliases: dict[int, str] = {}
        self.questions: dict[int, Question] = {}

    def ballot(self) -> Ballot:
        row, b = self.row, _B
        method, status = row[b["method"]], row[b["status"]]
        return Ballot(
            id=row[_ID],
            unions=tuple(self.unions[i] for i in sorted(self.unions)),
            employer=row[b["employer"]],
            questions=tuple(self.questions[i] for i in sorted(self.questions)),
            branch=row[b["branch"]],
            area=row[b["area"]],
            sector=row[b["sector"]],
            jurisdiction=Jurisdiction(row[b["jurisdiction"]]),
            method=Method(method) if method is not None else None,
            important_public_service=YesNoUnknown(row[b["important_public_service"]]),
            opens=_partial(row[b["opens"]]),
            closes=_partial(row[b["closes"]]),
            announced=_partial(row[b["announced"]]),
            eligible=row[b["eligible"]],
            source_url=row[b["source_url"]],
            aliases=tuple(self.aliases[i] for i in sorted(self.aliases)),
            notes=row[b["notes"]],
            status=Status(status) if status is not None else None,
            campaign=row[b["campaign"]],
            turnout_so_far=_turnout_so_far(
                row[b["turnout_so_far_pct"]],
                row[b["turnout_so_far_decimals"]],
                row[b["turnout_so_far_at"]],
            ),
        )


def _question(row: Sequence[Any]) -> Question:
    """``row`` is :data:`_QUESTION_COLUMNS`: position, text, kind, what the union declared,
    then the results row."""
    _position, text, kind, reported, reported_by, result_position, *figures = row
    if result_position is None:
        # No results row: nothing was reported about this question.
        result = Result()
    else:
        votes_for, votes_against, spoilt, turnout, for_pct, approximate, *decimals = figures
        result = Result(
            votes_for=votes_for,
            votes_against=votes_against,
            spoilt=spoilt,
            turnout_pct=_percentage(turnout, decimals[0]),
            for_pct=_percentage(for_pct, decimals[1]),
            turnout_approximate=bool(approximate),
        )
    return Question(
        text=text,
        kind=Kind(kind),
        result=result,
        reported_mandate=ReportedMandate(reported) if reported is not None else None,
        reported_by=reported_by,
    )


def _turnout_so_far(
    value: float | None, decimals: int | None, at: datetime | None
) -> TurnoutSoFar | None:
    if value is None:
        return None
    if at is not None:  # SQLite gives back naive datetimes: they were stored as UTC
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return TurnoutSoFar(value if decimals is None else Percentage(value, decimals), at)


def _percentage(value: float | None, decimals: int | None) -> float | None:
    if value is None or decimals is None:
        return value
    return Percentage(value, decimals)


def _partial(text: str | None) -> PartialDate | None:
    if text is None:
        return None
    # Stored by PartialDate.iso() and checked by the schema: no need for parse()'s regex.
    return PartialDate(*map(int, text.split("-")))
