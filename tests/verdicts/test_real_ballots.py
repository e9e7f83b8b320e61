"""Real ballots from public reports: our verdict must match what the union reported.

Each row of ``real_ballots.csv`` holds only the figures its source prints (blank = the report
does not say), the source's address, and what the union said came of it: a mandate (``yes``),
none (``no``), or a vote with no legal threshold (``not_applicable``).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.domain import Ballot, Jurisdiction, Kind, PartialDate, Question, Result, YesNoUnknown
from bot.verdicts import Mandate, rule_table, verdict_for

CSV_PATH = Path(__file__).parent / "real_ballots.csv"
with CSV_PATH.open(encoding="utf-8", newline="") as handle:
    ROWS = list(csv.DictReader(handle))
TABLE = rule_table()


def _int(text: str) -> int | None:
    return int(text) if text else None


def _float(text: str) -> float | None:
    return float(text) if text else None


def _date(text: str) -> PartialDate | None:
    return PartialDate.parse(text) if text else None


def as_ballot(row: dict[str, str]) -> Ballot:
    """A CSV row as the ballot an organiser would have entered from the same report."""
    kind = Kind(row["kind"])
    result = Result(
        votes_for=_int(row["votes_for"]),
        votes_against=_int(row["votes_against"]),
        spoilt=_int(row["spoilt"]),
        turnout_pct=_float(row["turnout_pct"]),
        for_pct=_float(row["for_pct"]),
        turnout_approximate=row["turnout_approximate"] == "true",
    )
    return Ballot(
        id=row["id"],
        unions=(row["union"],),
        employer=row["employer"],
        questions=(Question(kind.label, kind, result),),
        sector=row["sector"] or None,
        jurisdiction=Jurisdiction(row["jurisdiction"]),
        important_public_service=YesNoUnknown(row["ips"]),
        opens=_date(row["opens"]),
        closes=_date(row["closes"]),
        announced=_date(row["announced"]),
        eligible=_int(row["eligible"]),
        source_url=row["source_url"],
    )


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_verdict_matches_what_was_reported(row: dict[str, str]) -> None:
    ballot = as_ballot(row)
    verdict = verdict_for(ballot, ballot.questions[0], TABLE)
    assert verdict.mandate == Mandate(row["reported"]), "\n".join(verdict.explanation)
    assert not verdict.uncertain
    assert verdict.explanation


def test_the_set_covers_every_kind_of_case_with_sources() -> None:
    assert len(ROWS) >= 20
    assert len({r["id"] for r in ROWS}) == len(ROWS)
    assert all(r["source_url"].startswith(("http://", "https://")) for r in ROWS)
    assert all(r["source_says"] for r in ROWS)
    ballots = [as_ballot(r) for r in ROWS]
    verdicts = [verdict_for(b, b.questions[0], TABLE) for b in ballots]
    rules = {v.rules for v in verdicts}
    assert {"GB before 2017", "GB Trade Union Act 2016", "Northern Ireland"} <= rules
    outcomes = [v.mandate for v in verdicts]
    assert outcomes.count(Mandate.YES) >= 5
    assert outcomes.count(Mandate.NO) >= 5
    assert outcomes.count(Mandate.NOT_APPLICABLE) >= 3
    missed_turnout = [v for v in verdicts if v.turnout_test.value == "not_met"]
    assert len(missed_turnout) >= 5
