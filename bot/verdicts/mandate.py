"""How long a mandate lasts and the notice it needs, counted the way s.234 counts it."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from bot.domain import Ballot, PartialDate
from bot.verdicts.explain import day
from bot.verdicts.rules import RuleSet


def mandate_end(rule: RuleSet, closes: PartialDate | None) -> date | None:
    """The last day of the mandate: a period "beginning with" the close, as s.234 counts it.

    Six months beginning with 12 September ends on 11 March; with no corresponding day (31
    August + 6 months) it ends on the last day of the month. Before 2017 the date is the last
    day on which action could start (four weeks beginning with the close).
    """
    close = closes.exact if closes is not None else None
    if close is None:
        return None
    if rule.mandate_days is not None:
        return close + timedelta(days=rule.mandate_days - 1)
    if rule.mandate_months is None:
        return None
    month_index = close.month - 1 + rule.mandate_months
    year, month = close.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    if close.day > last:
        return date(year, month, last)
    return date(year, month, close.day) - timedelta(days=1)


def mandate_line(rule: RuleSet, ballot: Ballot, expires: date | None, today: date | None) -> str:
    """How long the mandate lasts, in words; never a date the close does not give."""
    extra = f"; {rule.mandate_note}" if rule.mandate_note else ""
    close = ballot.closes.exact if ballot.closes is not None else None
    if rule.mandate_days is not None:
        weeks = rule.mandate_days // 7 if rule.mandate_days % 7 == 0 else None
        length = f"{weeks} weeks" if weeks else f"{rule.mandate_days} days"
        if expires is None or close is None:
            return f"Action had to start within {length} of the close{extra} — close date not known"
        verb = "had to" if today is not None and today > expires else "must"
        return f"Action {verb} start by {day(expires)} (within {length} of the close{extra})"
    if rule.mandate_months is None:
        return f"How long a mandate lasts under the {rule.label} is not in ballotbot's rule table"
    length = f"{rule.mandate_months} months"
    if expires is None or close is None:
        return f"Mandate lasts {length} from the close{extra} — close date not known"
    verb = "ended on" if today is not None and today > expires else "until"
    return f"Mandate {verb} {day(expires)} ({length} from the close on {day(close)}{extra})"


def notice_line(rule: RuleSet) -> str | None:
    if rule.notice_days is None:
        return None
    extra = f" ({rule.notice_note})" if rule.notice_note else ""
    return f"Notice to the employer before action: {rule.notice_days} days{extra}"
