"""The privacy report: what is stored about members, since when, and when it goes.

For an organiser (``/ballot admin privacy``) and an operator keeping the records of processing
(``ballotbot privacy-report``). Counts only: the report never names a member.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.replies import Field, Reply, ReplyKind, Section


@dataclass(frozen=True)
class Inventory:
    """Counts of the rows about members, as the store holds them now.

    ``dms`` counts reminder DMs by state (pending, claimed, sent, failed); ``pacing`` the
    pacing slots of DMs (keyed by pseudonym); ``oldest`` the creation time (UTC) of the oldest
    opt-in, "posted my paper" record or DM, and ``oldest_kind`` which of those it is.
    """

    members: int = 0
    opt_ins: int = 0
    confirmations: int = 0
    dms: dict[str, int] = field(default_factory=dict)
    pacing: int = 0
    oldest: datetime | None = None
    oldest_kind: str = ""


@dataclass(frozen=True)
class MemberBallot:
    """A ballot that member rows are about, with the day the store recorded it ended."""

    ballot_id: str
    recorded_end: date | None


@dataclass(frozen=True)
class Erasure:
    """When one ballot's member rows go: ``on`` None while the ballot still runs."""

    ballot_id: str
    ended: date | None
    on: date | None
    closes: date | None = None


def report_reply(
    inventory: Inventory,
    erasures: Sequence[Erasure],
    next_purge: datetime,
    retention_days: int,
) -> Reply:
    """The report as a reply (times of day in the union's zone, record times in UTC)."""
    dms = inventory.dms
    waiting = dms.get("pending", 0) + dms.get("claimed", 0)
    fields = [
        Field("Members with anything stored", f"{inventory.members:,}"),
        Field("Reminder opt-ins", f"{inventory.opt_ins:,}"),
        Field("“Posted my paper” records", f"{inventory.confirmations:,}"),
        Field(
            "Reminder DMs",
            f"{sum(dms.values()):,} ({waiting:,} waiting, {dms.get('sent', 0):,} sent, "
            f"{dms.get('failed', 0):,} failed)",
        ),
        Field("DM pacing slots (by pseudonym)", f"{inventory.pacing:,}"),
        Field(
            "Oldest record",
            f"{inventory.oldest:%Y-%m-%d %H:%M} UTC ({inventory.oldest_kind})"
            if inventory.oldest
            else "none",
        ),
        Field(
            "Retention",
            f"a ballot's member records are erased {retention_days} day(s) after it ends "
            "(its closing date, or the day it was closed, declared or cancelled)",
        ),
        Field("Next purge", f"{next_purge:%a %d %B %Y %H:%M %Z} (daily, and at start)"),
    ]
    due = [e.on for e in erasures if e.on is not None]
    if due:
        first = min(due)
        count = sum(e.on == first for e in erasures)
        when = _when(first, next_purge)
        fields.append(Field("Next erasure", f"the records of {count} ballot(s), {when}"))
    lines = tuple(_line(e, next_purge) for e in sorted(erasures, key=_order))
    return Reply(
        header="What ballotbot stores about members",
        text="Counts only: no member is named here. How anyone voted is never stored; "
        "`/ballot forget me` erases a member at once.",
        fields=tuple(fields),
        sections=(Section(title=f"{len(erasures)} ballot(s) with member records", lines=lines),)
        if erasures
        else (),
        kind=ReplyKind.ADMIN,
    )


def _order(erasure: Erasure) -> tuple[date, str]:
    return (erasure.on or date.max, erasure.ballot_id)


def _line(erasure: Erasure, next_purge: datetime) -> str:
    if erasure.on is None:
        closes = f"closes {erasure.closes:%d %B %Y}" if erasure.closes else "closing date not known"
        return f"{erasure.ballot_id}: still running ({closes}); erased after it ends"
    if erasure.ended is None or erasure.ended == date.min:
        ended = "over, or no longer stored"
    else:
        ended = f"ended {erasure.ended:%d %B %Y}"
    return f"{erasure.ballot_id}: {ended}; erased {_when(erasure.on, next_purge)}"


def _when(day: date, next_purge: datetime) -> str:
    if day <= next_purge.date():
        return "at the next purge"
    return f"by the purge of {day:%d %B %Y} {next_purge:%H:%M}"
