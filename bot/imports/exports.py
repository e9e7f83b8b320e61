"""``ballotbot export``: every ballot as JSON (with derived figures and verdicts) or CSV.

CSV export has exactly the import columns, one row per question, so export then import
gives back the same ballots. Cells a spreadsheet would run as formulas are written as text
(:mod:`bot.imports.formulas`), and a percentage under 1 is written with its ``%`` sign
(``0.6%``), because the import reads a bare ``0.6`` as a fraction and refuses it.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Literal

from bot import columns
from bot.columns import QuestionExtra
from bot.domain import Percentage, written_decimals
from bot.imports import formulas
from bot.ports import BallotStore

_PERCENTAGES = ("turnout_pct", "for_pct", "turnout_so_far_pct")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return formulas.guard(";".join(value))
    if isinstance(value, str):
        return formulas.guard(value)
    return str(value)


def _under_one_percent(record: dict[str, Any]) -> dict[str, Any]:
    """``0.6`` (per cent) as ``"0.6%"``: what the import reads back as 0.6%, not 60%."""
    for name in _PERCENTAGES:
        value = record.get(name)
        if isinstance(value, float) and 0 < value < 1:
            # As written (0.60 stays 0.60), and never as 1e-05.
            record[name] = f"{Percentage(value, written_decimals(value))}%"
    return record


async def export_ballots(
    store: BallotStore, fmt: Literal["json", "csv"], extra: QuestionExtra | None = None
) -> str:
    """All ballots, newest first, in ``fmt``."""
    ballots = await store.all_ballots()
    if fmt == "json":
        document = {"ballots": [columns.ballot_to_dict(b, extra) for b in ballots]}
        for record in document["ballots"]:
            _under_one_percent(record)  # the turnout so far: 0.6% on a ballot's first day
            record["questions"] = [_under_one_percent(q) for q in record["questions"]]
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns.NAMES, lineterminator="\n")
    writer.writeheader()
    for ballot in ballots:
        shared = columns.ballot_record(ballot)
        for question in ballot.questions:
            row = _under_one_percent({**shared, **columns.question_record(question)})
            writer.writerow({name: _cell(row.get(name)) for name in columns.NAMES})
    return out.getvalue()
