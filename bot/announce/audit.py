"""What each audit entry changed, field by field, as organisers read it in ``admin audit``.

An entry keeps the whole ballot before and after as set (``ballot_fields`` as JSON; entries
written before it kept derived figures too, which are never compared); this names
every field that differs, ballot details and each question's figures alike: ``employer:
“GB Open” → “GB Open (official)”``. Values are quoted text, never links or commands (every
surface shows them as text).
"""

from __future__ import annotations

import json
from typing import Any

from bot.announce.model import AuditEntry
from bot.percentages import as_reported

SHOWN = 120
"""Characters of a value shown (notes may hold 2,000): enough to see what changed."""
COMPUTED = frozenset({"derived", "verdict"})
"""Per question, what the bot works out rather than what anyone set: never a change."""
PERCENTAGES = frozenset({"turnout_pct", "for_pct", "turnout_so_far_pct"})
NOTHING = "nothing changed"


def entry_line(entry: AuditEntry) -> str:
    """``2026-11-30 14:05 UTC — console:local — set — employer: “A” → “B”; ...``."""
    said = "; ".join(changes(entry.before, entry.after)) or NOTHING
    return f"{entry.at:%Y-%m-%d %H:%M} UTC — {entry.who} — {entry.action} — {said}"


def changes(before: str | None, after: str | None) -> list[str]:
    """Every field that differs between two stored versions of a ballot, ``before → after``
    (``before`` None: the ballot was added, and its known fields are listed). An entry
    without ``after`` (announced again, nothing changed) has none. A record that is not JSON
    is said to be unreadable rather than guessed at."""
    if after is None:
        return []
    try:
        old = _record(before) if before is not None else {}
        new = _record(after)
    except ValueError:
        return ["the stored record cannot be read"]
    added = before is None
    found = _differences(old, new, "", added)
    old_questions, new_questions = old.get("questions", []), new.get("questions", [])
    several = max(len(old_questions), len(new_questions)) > 1
    for number in range(1, max(len(old_questions), len(new_questions)) + 1):
        was = old_questions[number - 1] if number <= len(old_questions) else {}
        now = new_questions[number - 1] if number <= len(new_questions) else {}
        if not now:
            found.append(f"question {number}: removed")
            continue
        prefix = f"question {number} " if several else ""
        found += _differences(was, now, prefix, added or not was)
    return found


def _record(text: str) -> dict[str, Any]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("not a ballot record")
    questions = value.get("questions", [])
    value["questions"] = [q for q in questions if isinstance(q, dict)]
    return value


def _differences(old: dict[str, Any], new: dict[str, Any], prefix: str, added: bool) -> list[str]:
    found = []
    for key in dict.fromkeys([*old, *new]):
        if key == "questions" or key in COMPUTED:
            continue
        was, now = _blank(old.get(key)), _blank(new.get(key))
        if was == now or (added and (now is None or now is False)):
            continue
        percent = key in PERCENTAGES
        if added:
            found.append(f"{prefix}{key}: {_value(now, percent)}")
        else:
            found.append(f"{prefix}{key}: {_value(was, percent)} → {_value(now, percent)}")
    return found


def _blank(value: Any) -> Any:
    """An empty list and a missing value both mean "not known"."""
    return None if value in ([], "") else value


def _value(value: Any, percent: bool = False) -> str:
    if value is None:
        return "not known"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return as_reported(value) if percent else str(value)
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    if len(text) > SHOWN:
        text = text[:SHOWN] + "…"
    return f"“{text}”"
