"""``ballotbot export``: every ballot as JSON (with derived figures and verdicts) or CSV.

CSV export has exactly the import columns, one row per question, so export then import
gives back the same ballots.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Literal

from bot import records
from bot.ports import BallotStore
from bot.records import QuestionExtra


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


async def export_ballots(
    store: BallotStore, fmt: Literal["json", "csv"], extra: QuestionExtra | None = None
) -> str:
    """All ballots, newest first, in ``fmt``."""
    ballots = await store.all_ballots()
    if fmt == "json":
        document = {"ballots": [records.ballot_to_dict(b, extra) for b in ballots]}
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=records.NAMES, lineterminator="\n")
    writer.writeheader()
    for ballot in ballots:
        shared = records.ballot_record(ballot)
        for question in ballot.questions:
            row = {**shared, **records.question_record(question)}
            writer.writerow({name: _cell(row.get(name)) for name in records.NAMES})
    return out.getvalue()
