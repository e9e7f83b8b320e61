"""Domain ballots as rows to insert (the way back is :mod:`storage.reading`).

Kept apart from the queries so the translation can be read and checked on its own: every field
of :class:`bot.domain.Ballot` lands in exactly one column, and the columns that exist only for
querying (``opens_on``, ``sort_date``, ``has_result``...) are derived from the domain object
here and nowhere else.
"""

from __future__ import annotations

import json
from typing import Any

from bot.domain import Ballot, PartialDate, Percentage, Result

EMPTY_RESULT = Result()


def employer_key(ballot: Ballot) -> str:
    """The identity of an employer row: name, branch, area and sector, unknowns included."""
    return json.dumps(
        [ballot.employer, ballot.branch, ballot.area, ballot.sector], ensure_ascii=False
    )


def employer_values(ballot: Ballot, key: str | None = None) -> dict[str, Any]:
    """The ``employers`` row of a ballot's employer; ``key``: its :func:`employer_key`, if
    already worked out."""
    return {
        "key": employer_key(ballot) if key is None else key,
        "name": ballot.employer,
        "branch": ballot.branch,
        "area": ballot.area,
        "sector": ballot.sector,
    }


def ballot_values(ballot: Ballot, employer_id: int) -> dict[str, Any]:
    """The ``ballots`` row of a ballot. Query columns are derived here, from the domain only."""
    running = ballot.turnout_so_far
    return {
        "id": ballot.id,
        "employer_id": employer_id,
        "jurisdiction": ballot.jurisdiction.value,
        "method": ballot.method.value if ballot.method is not None else None,
        "important_public_service": ballot.important_public_service.value,
        "status": ballot.status.value if ballot.status is not None else None,
        "campaign": ballot.campaign,
        "opens": _text(ballot.opens),
        "closes": _text(ballot.closes),
        "announced": _text(ballot.announced),
        "opens_on": ballot.opens.exact if ballot.opens is not None else None,
        "closes_on": ballot.closes.exact if ballot.closes is not None else None,
        "sort_date": ballot.sort_date,
        "has_result": ballot.has_result,
        "eligible": ballot.eligible,
        "source_url": ballot.source_url,
        "notes": ballot.notes,
        # Turnout so far: the ballot's own column, never a results row (it is not a result).
        "turnout_so_far_pct": _float(running.pct) if running else None,
        "turnout_so_far_decimals": _decimals(running.pct) if running else None,
        "turnout_so_far_at": running.reported_at if running else None,
    }


def child_values(
    ballot: Ballot, union_ids: dict[str, int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows for union links, aliases, questions and results, in the ballot's own order."""
    unions = [
        {"ballot_id": ballot.id, "position": i, "union_id": union_ids[name]}
        for i, name in enumerate(ballot.unions)
    ]
    aliases = [
        {"ballot_id": ballot.id, "position": i, "name": name}
        for i, name in enumerate(ballot.aliases)
    ]
    questions = [
        {
            "ballot_id": ballot.id,
            "position": i,
            "text": q.text,
            "kind": q.kind.value,
            "reported_mandate": q.reported_mandate.value if q.reported_mandate else None,
            "reported_by": q.reported_by,
        }
        for i, q in enumerate(ballot.questions)
    ]
    results = [
        {
            "ballot_id": ballot.id,
            "position": i,
            "votes_for": q.result.votes_for,
            "votes_against": q.result.votes_against,
            "spoilt": q.result.spoilt,
            "turnout_pct": _float(q.result.turnout_pct),
            "for_pct": _float(q.result.for_pct),
            "turnout_approximate": q.result.turnout_approximate,
            "turnout_decimals": _decimals(q.result.turnout_pct),
            "for_pct_decimals": _decimals(q.result.for_pct),
        }
        for i, q in enumerate(ballot.questions)
        # No row for a question nothing was reported about: absent means "not known".
        if q.result != EMPTY_RESULT
    ]
    return unions, aliases, questions, results


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)


def _decimals(value: float | None) -> int | None:
    """The reported precision, when it was recorded (a plain float's is read from its value)."""
    return value.decimals if isinstance(value, Percentage) else None


def _text(value: PartialDate | None) -> str | None:
    return value.iso() if value is not None else None
