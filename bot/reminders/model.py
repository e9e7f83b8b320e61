"""Reminders as the core sees them: a ballot's plan changes, members' opt-ins, confirmations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol


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
    opt_ins: int = 0
    confirmations: int = 0
    messages: int = 0

    @property
    def total(self) -> int:
        return self.opt_ins + self.confirmations + self.messages


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
        """Erase every row about this member: opt-ins, confirmations, messages to them."""
        ...

    async def purge(self, ballot_ids: Sequence[str]) -> Forgotten:
        """Retention: erase opt-ins, confirmations and DMs of these (long closed) ballots."""
        ...

    async def ballots_with_members(self) -> list[str]:
        """Ballot ids that still have opt-ins or confirmations (for retention)."""
        ...
