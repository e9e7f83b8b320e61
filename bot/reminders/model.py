"""Reminders as the core sees them: a ballot's plan changes, members' opt-ins, confirmations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bot.privacy.report import Inventory, MemberBallot


@dataclass(frozen=True)
class Member:
    """A member on one platform: the platform's user id and nothing else."""

    platform: str
    user_id: str


@dataclass(frozen=True)
class PlanChanges:
    """An organiser's changes to one ballot's plan; None keeps the configured default."""

    days_before_close: tuple[int, ...] | None = None
    on_open: bool | None = None
    posting_days: int | None = None
    replacement_deadline: date | None = None
    contact: str | None = None


@dataclass(frozen=True)
class Forgotten:
    """What an erasure removed: opt-ins, "posted my paper" records, messages to the member
    (DMs, and anything else addressed to them), and ``other`` rows (pacing slots, channel
    subscriptions addressed to them). ``pseudonymised``: organisers' audit entries and
    subscriptions they made, now under their pseudonym (the record of who changed what
    stays whole; the id goes)."""

    opt_ins: int = 0
    confirmations: int = 0
    messages: int = 0
    other: int = 0
    pseudonymised: int = 0

    @property
    def total(self) -> int:
        return self.opt_ins + self.confirmations + self.messages + self.other + self.pseudonymised


class ReminderStore(Protocol):
    """Plans, opt-ins and confirmations. SQL stays behind this."""

    async def plan_changes(self, ballot_id: str) -> PlanChanges: ...

    async def change_plan(self, ballot_id: str, changes: PlanChanges) -> None: ...

    async def opt_in(self, member: Member, ballot_ids: Sequence[str]) -> int:
        """Ask for DMs about these ballots; how many were new."""
        ...

    async def opt_out(self, member: Member, ballot_ids: Sequence[str] | None) -> int:
        """Stop DMs (``None``: about every ballot); how many opt-ins went."""
        ...

    async def posted(self, member: Member, ballot_id: str) -> bool:
        """ "I've posted my paper": no more DMs about it; False if said before. Messages to
        the member about that ballot still waiting to go are dropped."""
        ...

    async def to_remind(self, ballot_id: str) -> list[Member]:
        """Members who opted in for this ballot and have not said they posted their paper."""
        ...

    async def confirmed(self, ballot_id: str) -> int:
        """How many members said they posted their paper: a count, never names."""
        ...

    async def forget(self, member: Member) -> Forgotten:
        """Erase every row about this member: opt-ins, confirmations, every message addressed
        to them, their pacing slots; their id in the audit log becomes their pseudonym. On
        SQLite the write-ahead log is then checkpointed and emptied, so the erased rows are
        gone from the files too (secure delete zeroes them in the database file)."""
        ...

    async def purge(self, ballot_ids: Sequence[str]) -> Forgotten:
        """Retention: erase opt-ins, confirmations and DMs of these (ended) ballots, and pacing
        slots long past; then, on SQLite, empty the write-ahead log as :meth:`forget` does."""
        ...

    async def ballots_with_members(self) -> list[str]:
        """Ballot ids that still have opt-ins or confirmations (for retention)."""
        ...

    async def member_ballots(self) -> list[MemberBallot]:
        """Every ballot member rows are about, with the day the store recorded it ended."""
        ...

    async def inventory(self) -> Inventory:
        """Counts of what is stored about members (never who)."""
        ...
