"""Ballots as flat records: the import/export columns, each with its own validation.

One table of fields serves CSV import, JSON import, both exports and the JSON replies, so a
column cannot mean one thing in a file and another in a reply. Every parser refuses bad input
with a reason a branch secretary can act on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.domain import (
    MAX_DECIMALS,
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
    YesNoUnknown,
    written_decimals,
)
from bot.figures import derive

MAX_TEXT = 500
MAX_NOTES = 2000
MAX_ID = 200
MAX_DATE = len("YYYY-MM-DD")


class Invalid(ValueError):
    """A value that cannot be stored; the message says why."""


def _text(limit: int) -> Callable[[Any], str | None]:
    def parse(raw: Any) -> str | None:
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise Invalid(f"expected text, got {raw!r}")
        text = raw.strip()
        if len(text) > limit:
            raise Invalid(f"{len(text):,} characters is too long (at most {limit:,})")
        return text or None

    parse.max_length = limit  # type: ignore[attr-defined]
    return parse


def _list(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    items = raw.split(";") if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise Invalid(f"expected names separated by ';', got {raw!r}")
    out = tuple(dict.fromkeys(i.strip() for i in items if i.strip()))
    for item in out:
        if len(item) > MAX_TEXT:
            raise Invalid(f"a name of {len(item):,} characters is too long (at most {MAX_TEXT})")
    return out


def _enum(kind: type[StrEnum]) -> Callable[[Any], StrEnum | None]:
    allowed = " | ".join(m.value for m in kind)

    def parse(raw: Any) -> StrEnum | None:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        try:
            return kind(str(raw).strip() if kind is Jurisdiction else str(raw).strip().lower())
        except ValueError:
            raise Invalid(f"{raw!r} is not one of {allowed}") from None

    parse.max_length = max(len(m.value) for m in kind)  # type: ignore[attr-defined]
    return parse


def _count(raw: Any) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise Invalid(f"{raw!r} is not a whole number")
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip().replace(",", "")
        if not text.lstrip("-").isdigit():
            raise Invalid(f"{raw!r} is not a whole number")
        value = int(text)
    if value < 0:
        raise Invalid(f"{value} is negative: counts start at 0")
    return value


def _percentage(raw: Any) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise Invalid(f"{raw!r} is not a percentage")
    try:
        value = float(str(raw).strip().rstrip("%"))
    except ValueError:
        raise Invalid(f"{raw!r} is not a percentage") from None
    if not 0 <= value <= 100:
        raise Invalid(f"{value:g}% is outside 0 to 100")
    return Percentage(value, _decimals_written(raw, value))


_WRITTEN = re.compile(r"^[+-]?\d*(?:\.(\d*))?$")


def _decimals_written(raw: Any, value: float) -> int:
    """The decimals the source gave: ``"53.0"`` in a CSV cell or a command was written to one.

    A JSON number has lost its trailing zeros on the way (``53.0`` is how most programs write
    a whole 53), so it counts as written in its shortest form.
    """
    if isinstance(raw, str):
        match = _WRITTEN.match(raw.strip().rstrip("%").strip())
        if match:
            return min(len(match.group(1) or ""), MAX_DECIMALS)
    if isinstance(raw, int):
        return 0
    return written_decimals(value)


def _date(raw: Any) -> PartialDate | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        return PartialDate.parse(str(raw))
    except ValueError as exc:
        raise Invalid(str(exc)) from None


def _yes_no(raw: Any) -> bool:
    if raw is None or raw == "":
        return False
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("yes", "true", "1"):
        return True
    if text in ("no", "false", "0"):
        return False
    raise Invalid(f"{raw!r} is not yes or no")


def _url(raw: Any) -> str | None:
    text = _text(MAX_TEXT)(raw)
    if text is not None and not text.startswith(("https://", "http://")):
        raise Invalid(f"{text!r} is not a web address (http:// or https://)")
    return text


_date.max_length = MAX_DATE  # type: ignore[attr-defined]
_url.max_length = MAX_TEXT  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Column:
    """One import/export column: its name, whether it belongs to the ballot or a question."""

    name: str
    parse: Callable[[Any], Any]
    level: str  # "ballot" or "question"
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("id", _text(MAX_ID), "ballot", required=True),
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
    Column("opens", _date, "ballot"),
    Column("closes", _date, "ballot"),
    Column("announced", _date, "ballot"),
    Column("eligible", _count, "ballot"),
    Column("votes_for", _count, "question"),
    Column("votes_against", _count, "question"),
    Column("spoilt", _count, "question"),
    Column("turnout_pct", _percentage, "question"),
    Column("for_pct", _percentage, "question"),
    Column("source_url", _url, "ballot"),
    Column("aliases", _list, "ballot"),
    Column("notes", _text(MAX_NOTES), "ballot"),
    Column("campaign", _text(MAX_TEXT), "ballot"),
    Column("status", _enum(Status), "ballot"),
    Column("turnout_approximate", _yes_no, "question"),
    Column("reported_mandate", _enum(ReportedMandate), "question"),
    Column("reported_by", _text(MAX_TEXT), "question"),
)
NAMES = tuple(c.name for c in COLUMNS)
BALLOT_COLUMNS = tuple(c for c in COLUMNS if c.level == "ballot")
QUESTION_COLUMNS = tuple(c for c in COLUMNS if c.level == "question")
REQUIRED = tuple(c.name for c in COLUMNS if c.required)


def parse_fields(
    raw: dict[str, Any], columns: Iterable[Column]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Parse the given columns of one record; return values and (column, problem) pairs."""
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for column in columns:
        try:
            values[column.name] = column.parse(raw.get(column.name))
        except Invalid as exc:
            problems.append((column.name, str(exc)))
            continue
        if column.required and values[column.name] in (None, ()):
            problems.append((column.name, "is required and empty"))
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
    )


def consistency_problems(ballot: Ballot) -> list[tuple[str, str]]:
    """Figures that cannot all be true together: refused, never stored."""
    problems: list[tuple[str, str]] = []
    if ballot.opens and ballot.closes and ballot.opens.earliest > ballot.closes.latest:
        problems.append(("closes", f"{ballot.closes} is before it opens ({ballot.opens})"))
    for question in ballot.questions:
        r = question.result
        counted = sum(v for v in (r.votes_for, r.votes_against, r.spoilt) if v is not None)
        if ballot.eligible is not None and counted > ballot.eligible:
            problems.append(
                ("votes_for", f"{counted:,} votes counted but only {ballot.eligible:,} entitled")
            )
    return problems


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
    values = {
        "id": ballot.id,
        "unions": ballot.unions,
        "employer": ballot.employer,
        "branch": ballot.branch,
        "area": ballot.area,
        "sector": ballot.sector,
        "jurisdiction": ballot.jurisdiction,
        "method": ballot.method,
        "important_public_service": ballot.important_public_service,
        "opens": ballot.opens,
        "closes": ballot.closes,
        "announced": ballot.announced,
        "eligible": ballot.eligible,
        "source_url": ballot.source_url,
        "aliases": ballot.aliases,
        "notes": ballot.notes,
        "campaign": ballot.campaign,
        "status": ballot.status,
    }
    return {k: _out(v) for k, v in values.items()}


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
