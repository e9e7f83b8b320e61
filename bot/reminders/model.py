"""Reminders as the core sees them: a ballot's plan changes, members' opt-ins, confirmations.

The store that keeps them is :class:`bot.ports.ReminderStore`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


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
