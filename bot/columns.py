"""Ballots as flat records: the import/export columns, each with its own validation.

One table of fields serves CSV import, JSON import, both exports and the JSON replies, so a
column cannot mean one thing in a file and another in a reply. Every parser refuses bad input
with a reason a branch secretary can act on.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from bot import parsers
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
    written_decimals,
)
from bot.figures import derive
from bot.invariants import MAX_QUESTIONS as MAX_QUESTIONS  # the columns' limit, checked there

MAX_TEXT = 500
MAX_NOTES = 2000
MAX_NAMES = 50
"""Unions or aliases of one ballot: joint ballots name a handful."""
MAX_ID = parsers.MAX_ID
MAX_DATE = len("YYYY-MM-DD")

Invalid = parsers.Invalid
_Parser = TypeVar("_Parser", bound=Callable[[Any], Any])
"""A value that cannot be stored; the message says why (see :mod:`bot.parsers`)."""


def _text(limit: int) -> Callable[[Any], str | None]:
    def parse(raw: Any) -> str | None:
        return parsers.text(raw, limit)

    return _carrying(parse, limit)


def _carrying(parse: _Parser, limit: int) -> _Parser:
    """``parse``, carrying the most characters its value can have (:func:`max_length`)."""
    parse.max_length = limit  # type: ignore[attr-defined]  # a function attribute, read by getattr
    return parse


def _list(raw: Any) -> tuple[str, ...]:
    return parsers.names(raw, MAX_TEXT, MAX_NAMES)


def _enum(kind: type[StrEnum]) -> Callable[[Any], StrEnum | None]:
    allowed = " | ".join(m.value for m in kind)

    def parse(raw: Any) -> StrEnum | None:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if not isinstance(raw, str) or isinstance(raw, parsers.JsonNumber):
            raise Invalid(f"{raw!r} is not one of {allowed}")
        text = raw.strip()
        try:
            return kind(text if kind is Jurisdiction else text.lower())
        except ValueError:
            shown = text if len(text) <= 40 else text[:40] + "…"
            raise Invalid(f"{shown!r} is not one of {allowed}") from None

    return _carrying(parse, max(len(m.value) for m in kind))


def _count(what: str) -> Callable[[Any], int | None]:
    def parse(raw: Any) -> int | None:
        return parsers.count(raw, what)

    return parse


def _yes_no(raw: Any) -> bool:
    if raw is None or raw == "":
        return False
    if isinstance(raw, bool):
        return raw
    if not isinstance(raw, str):
        raise Invalid(f"{raw!r} is not yes or no")
    text = raw.strip().lower()
    if text in ("yes", "true", "1"):
        return True
    if text in ("no", "false", "0", ""):
        return False
    shown = text if len(text) <= 40 else text[:40] + "…"
    raise Invalid(f"{shown!r} is not yes or no")


def _limited(parse: Callable[[Any], Any], limit: int) -> Callable[[Any], Any]:
    """``parse``, with the most characters its value can have, for forms' boxes."""

    def limited(raw: Any) -> Any:
        return parse(raw)

    return _carrying(limited, limit)


@dataclass(frozen=True)
class Column:
    """One import/export column: its name, whether it belongs to the ballot or a question."""

    name: str
    parse: Callable[[Any], Any]
    level: str  # "ballot" or "question"
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("id", _limited(parsers.ballot_id, MAX_ID), "ballot", required=True),
    Column("unions", _list, "ballot", required=True),
    Column("employer", _text(MAX_TEXT), "ballot", required=True),
    Column("branch", _text(MAX_TEXT), "ballot"),
    Column("area", _text(MAX_TEXT), "ballot"),
    Column("sector", _text(MAX_TEXT), "ballot"),
    Column("jurisdiction", _enum(Jurisdiction), "ballot"),
    Column("kind", _enum(Kind), "question", required=True),
    Column("question", _text(MAX_TEXT), "question", required=True),
    Column("method", _enum(Method), "ballot"),
    Column("important_public_service", _enum(YesNoUnknown), "ballot"),
    Column("opens", _limited(parsers.partial_date, MAX_DATE), "ballot"),
    Column("closes", _limited(parsers.partial_date, MAX_DATE), "ballot"),
    Column("announced", _limited(parsers.partial_date, MAX_DATE), "ballot"),
    Column("eligible", _count("number of members"), "ballot"),
    Column("votes_for", _count("count of votes"), "question"),
    Column("votes_against", _count("count of votes"), "question"),
    Column("spoilt", _count("count of papers"), "question"),
    Column("turnout_pct", parsers.percentage, "question"),
    Column("for_pct", parsers.percentage, "question"),
    Column("source_url", _limited(parsers.web_address, parsers.MAX_URL), "ballot"),
    Column("aliases", _list, "ballot"),
    Column("notes", _text(MAX_NOTES), "ballot"),
    Column("campaign", _text(MAX_TEXT), "ballot"),
    Column("status", _enum(Status), "ballot"),
    Column("turnout_approximate", _yes_no, "question"),
    Column("reported_mandate", _enum(ReportedMandate), "question"),
    Column("reported_by", _text(MAX_TEXT), "question"),
    Column("turnout_so_far_pct", parsers.percentage, "ballot"),
    Column("turnout_so_far_at", _limited(parsers.moment, parsers.MAX_MOMENT), "ballot"),
)
RUNNING = ("turnout_so_far_pct", "turnout_so_far_at")
"""The turnout so far organisers report while a ballot runs (``admin turnout``): a ballot's
own figure, never a question's result (:class:`bot.domain.TurnoutSoFar`)."""
NAMES = tuple(c.name for c in COLUMNS)
BALLOT_COLUMNS = tuple(c for c in COLUMNS if c.level == "ballot")
QUESTION_COLUMNS = tuple(c for c in COLUMNS if c.level == "question")
REQUIRED = tuple(c.name for c in COLUMNS if c.required)


REPEATING = frozenset(
    {
        "unions", "employer", "branch", "area", "sector", "jurisdiction", "kind", "question",
        "method", "important_public_service", "opens", "closes", "announced", "turnout_pct",
        "for_pct", "source_url", "aliases", "campaign", "status", "turnout_approximate",
        "reported_mandate", "reported_by", "turnout_so_far_pct", "turnout_so_far_at",
    }
)  # fmt: skip
"""Columns whose cells repeat from row to row of a file (names, dates, choices, rounded
percentages): worth parsing each distinct cell once (:class:`Memo`). Ids, counts and notes
are mostly distinct and are parsed every time."""
MEMO_LIMIT = 10_000
"""Distinct cells remembered per column (a date column of ten years' ballots: ~3,650):
bounds a memo's memory whatever the file holds."""


class Memo:
    """What each distinct text cell of a :data:`REPEATING` column parsed to, for one file:
    a 50,000-row import parses "2024-05-14" or "Unison" once, and its ballots share the one
    (immutable) value. Only exact ``str`` cells are remembered (a JSON number, which parses
    differently from the same digits as text, never is); a refusal is remembered as its
    message, so every row with that cell is still reported."""

    def __init__(self) -> None:
        self._cells: dict[str, dict[str, tuple[Any, str | None]]] = {name: {} for name in REPEATING}

    def parse(self, column: Column, raw: Any) -> Any:
        """``column.parse(raw)``, remembered; raises :class:`Invalid` as it does."""
        cells = self._cells.get(column.name)
        if cells is None or type(raw) is not str:
            return column.parse(raw)
        found = cells.get(raw)
        if found is None:
            found = self._first(cells, column, raw)
        if found[1] is not None:
            raise Invalid(found[1])
        return found[0]

    @staticmethod
    def _first(
        cells: dict[str, tuple[Any, str | None]], column: Column, raw: str
    ) -> tuple[Any, str | None]:
        try:
            found: tuple[Any, str | None] = (column.parse(raw), None)
        except Invalid as exc:
            found = (None, str(exc))
        if len(cells) < MEMO_LIMIT:
            cells[raw] = found
        return found


def parse_fields(
    raw: dict[str, Any],
    columns: Iterable[Column],
    stored_ids: Collection[str] = (),
    memo: Memo | None = None,
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Parse the given columns of one record; return values and (column, problem) pairs.

    ``stored_ids`` are ids of ballots already stored, kept as they are even if they predate
    the rule for new ids (:func:`bot.parsers.ballot_id`). ``memo`` (one per file) parses
    repeated cells once. A parser's refusal is a problem for its column; no exception leaves
    this.
    """
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for column in columns:
        value = raw.get(column.name)
        try:
            if column.name == "id" and isinstance(value, str) and value.strip() in stored_ids:
                values[column.name] = value.strip()
            elif memo is not None:
                values[column.name] = memo.parse(column, value)
            else:
                values[column.name] = column.parse(value)
        except Invalid as exc:
            problems.append((column.name, str(exc)))
            continue
        if column.required and values[column.name] in (None, ()):
            problems.append((column.name, "is required and empty"))
    # A time needs its figure (a figure refused is already a problem of its own).
    if values.get("turnout_so_far_at") is not None and values.get("turnout_so_far_pct", 0) is None:
        problems.append(
            ("turnout_so_far_at", "is when a turnout so far was reported: give turnout_so_far_pct")
        )
    return values, problems


def build_question(values: dict[str, Any]) -> Question:
    result = Result(
        votes_for=values["votes_for"],
        votes_against=values["votes_against"],
        spoilt=values["spoilt"],
        turnout_pct=values["turnout_pct"],
        for_pct=values["for_pct"],
        turnout_approximate=values["turnout_approximate"],
    )
    return Question(
        text=values["question"],
        kind=values["kind"],
        result=result,
        reported_mandate=values["reported_mandate"],
        reported_by=values["reported_by"],
    )


def build_ballot(values: dict[str, Any], questions: tuple[Question, ...]) -> Ballot:
    return Ballot(
        id=values["id"],
        unions=values["unions"],
        employer=values["employer"],
        questions=questions,
        branch=values["branch"],
        area=values["area"],
        sector=values["sector"],
        jurisdiction=values["jurisdiction"] or Jurisdiction.GB,
        method=values["method"],
        important_public_service=values["important_public_service"] or YesNoUnknown.UNKNOWN,
        opens=values["opens"],
        closes=values["closes"],
        announced=values["announced"],
        eligible=values["eligible"],
        source_url=values["source_url"],
        aliases=values["aliases"],
        notes=values["notes"],
        status=values["status"],
        campaign=values["campaign"],
        turnout_so_far=(
            TurnoutSoFar(values["turnout_so_far_pct"], values["turnout_so_far_at"])
            if values["turnout_so_far_pct"] is not None
            else None
        ),
    )


def _out(value: Any) -> Any:
    if isinstance(value, PartialDate):
        return value.iso()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value


def ballot_record(ballot: Ballot) -> dict[str, Any]:
    """The ballot-level fields, named as the import columns."""
    # Each field converted as its kind needs (every export and audit entry comes here).
    out = {
        "id": ballot.id,
        "unions": list(ballot.unions),
        "employer": ballot.employer,
        "branch": ballot.branch,
        "area": ballot.area,
        "sector": ballot.sector,
        "jurisdiction": _out(ballot.jurisdiction),
        "method": _out(ballot.method),
        "important_public_service": _out(ballot.important_public_service),
        "opens": _out(ballot.opens),
        "closes": _out(ballot.closes),
        "announced": _out(ballot.announced),
        "eligible": ballot.eligible,
        "source_url": ballot.source_url,
        "aliases": list(ballot.aliases),
        "notes": ballot.notes,
        "campaign": ballot.campaign,
        "status": _out(ballot.status),
    }
    running = ballot.turnout_so_far
    out["turnout_so_far_pct"] = as_written(running.pct) if running else None
    at = running.reported_at if running else None
    out["turnout_so_far_at"] = at.isoformat() if at else None
    return out


def question_record(question: Question) -> dict[str, Any]:
    """The question-level fields, named as the import columns."""
    r = question.result
    return {
        "question": question.text,
        "kind": question.kind.value,
        "votes_for": r.votes_for,
        "votes_against": r.votes_against,
        "spoilt": r.spoilt,
        "turnout_pct": as_written(r.turnout_pct),
        "for_pct": as_written(r.for_pct),
        "turnout_approximate": r.turnout_approximate,
        "reported_mandate": _out(question.reported_mandate),
        "reported_by": question.reported_by,
    }


def as_written(value: float | None) -> int | float | None:
    """A reported percentage as the source wrote it: ``53`` stays a whole number in JSON and
    CSV (a float would come back as ``53.0``, claiming a decimal nobody reported)."""
    if value is None:
        return None
    decimals = written_decimals(value)
    if decimals == 0 and float(value).is_integer():
        return int(value)
    return Percentage(value, decimals)


QuestionExtra = Callable[[Ballot, Question], dict[str, Any]]


def ballot_fields(ballot: Ballot) -> dict[str, Any]:
    """A ballot as JSON with only what was set: the import fields, its questions' among them
    (``{..., "questions": [{"question": ..., ...}]}``), none of what the bot works out. What
    the audit log keeps of each version (:mod:`bot.announce.audit` compares no more)."""
    out = ballot_record(ballot)
    out["questions"] = [question_record(question) for question in ballot.questions]
    return out


def ballot_to_dict(ballot: Ballot, extra: QuestionExtra | None = None) -> dict[str, Any]:
    """A ballot as JSON: the import fields, plus per question its derived figures (and,
    through ``extra``, anything another module adds, such as the legal verdict)."""
    out = ballot_record(ballot)
    questions = []
    for question in ballot.questions:
        record = question_record(question)
        record["derived"] = derive(ballot, question).to_dict()
        if extra is not None:
            record.update(extra(ballot, question))
        questions.append(record)
    out["questions"] = questions
    return out


COLUMN_PARSERS: dict[str, Callable[[Any], Any]] = {c.name: c.parse for c in COLUMNS}
"""Each column's parser by name: organiser commands check figures exactly as imports do."""


def max_length(name: str) -> int | None:
    """The most characters a value of column ``name`` can have (a text column's limit, the
    longest choice of an enumeration, ``YYYY-MM-DD`` for a date), from the column's own
    parser; None for columns without such a limit (counts, lists of names)."""
    parse = COLUMN_PARSERS.get(name)
    return getattr(parse, "max_length", None)
