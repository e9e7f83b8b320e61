"""Reading ballots back as domain objects, in one statement whatever the number of ballots.

A member's ``/ballot kirklees`` must answer well inside a second on a busy catalog, so a read
is a single round trip: the chosen ballots joined to their employer, unions, aliases, questions
and results, then folded back into :class:`bot.domain.Ballot` here. A ballot has a handful of
each, so the joined rows stay few. One statement is also one consistent snapshot, so a reader
never sees half of an organiser's import, without opening a transaction for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, select
from sqlalchemy.engine import Row

from bot.domain import (
    Ballot,
    Jurisdiction,
    Kind,
    Method,
    PartialDate,
    Question,
    Result,
    Status,
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

NEWEST_FIRST: tuple[ColumnElement[Any], ...] = (_b.sort_date.desc(), _b.id.desc())

_COLUMNS = (
    *_b,
    _e.name.label("employer"),
    _e.branch,
    _e.area,
    _e.sector,
    _bu.position.label("union_position"),
    _u.name.label("union_name"),
    _a.position.label("alias_position"),
    _a.name.label("alias_name"),
    _q.position.label("question_position"),
    _q.text.label("question_text"),
    _q.kind.label("question_kind"),
    _r.position.label("result_position"),
    _r.votes_for,
    _r.votes_against,
    _r.spoilt,
    _r.turnout_pct,
    _r.for_pct,
    _r.turnout_approximate,
)

_FROM = (
    BallotRow.__table__.join(EmployerRow.__table__, _e.id == _b.employer_id)
    .outerjoin(
        BallotUnionRow.__table__.join(UnionRow.__table__, _u.id == _bu.union_id),
        _bu.ballot_id == _b.id,
    )
    .outerjoin(BallotAliasRow.__table__, _a.ballot_id == _b.id)
    .outerjoin(QuestionRow.__table__, _q.ballot_id == _b.id)
    .outerjoin(ResultRow.__table__, and_(_r.ballot_id == _q.ballot_id, _r.position == _q.position))
)


def ballots_where(
    condition: ColumnElement[bool],
    order_by: Sequence[ColumnElement[Any]] = NEWEST_FIRST,
    limit: int | ColumnElement[int] | None = None,
) -> Select[Any]:
    """The statement reading every ballot matching ``condition``, whole, in ``order_by``.

    With a ``limit`` the ballots are picked first (in a subquery), so the limit counts
    ballots, not joined rows.
    """
    if limit is not None:
        picked = select(_b.id).where(condition).order_by(*order_by).limit(limit)
        condition = _b.id.in_(picked.scalar_subquery())
    return select(*_COLUMNS).select_from(_FROM).where(condition).order_by(*order_by, _b.id)


def fold(rows: Iterable[Row[Any]]) -> list[Ballot]:
    """Joined rows back into ballots, in the order the ballots first appear."""
    parts: dict[str, _Parts] = {}
    for row in rows:
        part = parts.get(row.id)
        if part is None:
            part = parts[row.id] = _Parts(row)
        if row.union_position is not None:
            part.unions[row.union_position] = row.union_name
        if row.alias_position is not None:
            part.aliases[row.alias_position] = row.alias_name
        if row.question_position is not None:
            part.questions[row.question_position] = row
    return [part.ballot() for part in parts.values()]


class _Parts:
    """One ballot's row plus its children collected by position (the join repeats them)."""

    __slots__ = ("aliases", "questions", "row", "unions")

    def __init__(self, row: Row[Any]) -> None:
        self.row = row
        self.unions: dict[int, str] = {}
        self.aliases: dict[int, str] = {}
        self.questions: dict[int, Row[Any]] = {}

    def ballot(self) -> Ballot:
        row = self.row
        return Ballot(
            id=row.id,
            unions=tuple(self.unions[i] for i in sorted(self.unions)),
            employer=row.employer,
            questions=tuple(_question(self.questions[i]) for i in sorted(self.questions)),
            branch=row.branch,
            area=row.area,
            sector=row.sector,
            jurisdiction=Jurisdiction(row.jurisdiction),
            method=Method(row.method) if row.method is not None else None,
            important_public_service=YesNoUnknown(row.important_public_service),
            opens=_partial(row.opens),
            closes=_partial(row.closes),
            announced=_partial(row.announced),
            eligible=row.eligible,
            source_url=row.source_url,
            aliases=tuple(self.aliases[i] for i in sorted(self.aliases)),
            notes=row.notes,
            status=Status(row.status) if row.status is not None else None,
            campaign=row.campaign,
        )


def _question(row: Row[Any]) -> Question:
    if row.result_position is None:
        # No results row: nothing was reported about this question.
        result = Result()
    else:
        result = Result(
            votes_for=row.votes_for,
            votes_against=row.votes_against,
            spoilt=row.spoilt,
            turnout_pct=row.turnout_pct,
            for_pct=row.for_pct,
            turnout_approximate=bool(row.turnout_approximate),
        )
    return Question(text=row.question_text, kind=Kind(row.question_kind), result=result)


def _partial(text: str | None) -> PartialDate | None:
    return PartialDate.parse(text) if text is not None else None
