"""Result or correction: what each following channel is sent when figures are declared.

A channel that has not been sent this ballot's result gets a result. A channel that has gets
a correction, which edits the first result posted there. A channel whose latest message about
the ballot already shows these very figures gets nothing. Pure: the outbox store reads what
was sent, asks :func:`announcements_due`, and writes what it answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.announce.model import OutboxKind, Subscription


@dataclass(frozen=True)
class SentAnnouncement:
    """A result or a correction that reached a channel (it has a message id)."""

    id: int
    """The outbox row: a correction points at the row of the result it edits."""
    kind: OutboxKind
    platform: str
    channel_id: str
    revision: str
    """The version of the figures it showed."""


@dataclass(frozen=True)
class Due:
    """One announcement to queue: a result, or a correction of the row ``corrects_id``."""

    subscription: Subscription
    kind: OutboxKind
    corrects_id: int | None = None


def announcements_due(
    followers: Sequence[Subscription], sent: Sequence[SentAnnouncement], revision: str
) -> list[Due]:
    """What each of ``followers`` is sent for the figures ``revision`` of one ballot, given
    what was ``sent`` about that ballot before, oldest first."""
    first_result: dict[tuple[str, str], SentAnnouncement] = {}
    latest: dict[tuple[str, str], SentAnnouncement] = {}
    for announcement in sent:
        key = (announcement.platform, announcement.channel_id)
        if announcement.kind is OutboxKind.RESULT:
            first_result.setdefault(key, announcement)
        latest[key] = announcement
    due = []
    for subscription in followers:
        key = (subscription.target.platform, subscription.target.channel_id)
        if key in latest and latest[key].revision == revision:
            continue  # this channel shows these very figures already
        original = first_result.get(key)
        if original is None:
            due.append(Due(subscription, OutboxKind.RESULT))
        else:
            due.append(Due(subscription, OutboxKind.CORRECTION, original.id))
    return due
