"""Declared figures reach each following channel once: a result first, corrections after."""

from __future__ import annotations

from bot.announce.corrections import Due, SentAnnouncement, announcements_due
from bot.announce.model import FilterKind, OutboxKind, OutboxState, Subscription, Target

LEEDS_CHANNEL = Subscription(1, Target("slack", "C0LEEDS"), FilterKind.ALL, "", True)
YORK_CHANNEL = Subscription(2, Target("discord", "900"), FilterKind.UNION, "gmb", True)


def sent(row: int, kind: OutboxKind, channel: Subscription, revision: str) -> SentAnnouncement:
    target = channel.target
    return SentAnnouncement(row, kind, target.platform, target.channel_id, revision)


def test_a_channel_that_heard_nothing_gets_the_result() -> None:
    assert announcements_due([LEEDS_CHANNEL], [], "v1") == [Due(LEEDS_CHANNEL, OutboxKind.RESULT)]


def test_a_channel_that_heard_the_result_gets_a_correction_of_that_first_message() -> None:
    history = [sent(10, OutboxKind.RESULT, LEEDS_CHANNEL, "v1")]

    [due] = announcements_due([LEEDS_CHANNEL], history, "v2")

    assert due == Due(LEEDS_CHANNEL, OutboxKind.CORRECTION, corrects_id=10)


def test_a_second_correction_still_edits_the_first_result_posted() -> None:
    history = [
        sent(10, OutboxKind.RESULT, LEEDS_CHANNEL, "v1"),
        sent(11, OutboxKind.CORRECTION, LEEDS_CHANNEL, "v2"),
    ]

    [due] = announcements_due([LEEDS_CHANNEL], history, "v3")

    assert due.corrects_id == 10


def test_figures_a_channel_shows_already_are_not_sent_again() -> None:
    history = [
        sent(10, OutboxKind.RESULT, LEEDS_CHANNEL, "v1"),
        sent(11, OutboxKind.CORRECTION, LEEDS_CHANNEL, "v2"),
    ]

    assert announcements_due([LEEDS_CHANNEL], history, "v2") == []


def test_figures_put_back_as_they_first_were_are_a_correction_again() -> None:
    history = [
        sent(10, OutboxKind.RESULT, LEEDS_CHANNEL, "v1"),
        sent(11, OutboxKind.CORRECTION, LEEDS_CHANNEL, "v2"),
    ]

    [due] = announcements_due([LEEDS_CHANNEL], history, "v1")

    assert due == Due(LEEDS_CHANNEL, OutboxKind.CORRECTION, corrects_id=10)


def test_each_channel_is_decided_on_what_it_heard_itself() -> None:
    history = [sent(10, OutboxKind.RESULT, LEEDS_CHANNEL, "v1")]

    due = announcements_due([LEEDS_CHANNEL, YORK_CHANNEL], history, "v2")

    assert due == [
        Due(LEEDS_CHANNEL, OutboxKind.CORRECTION, corrects_id=10),
        Due(YORK_CHANNEL, OutboxKind.RESULT),
    ]


def test_outbox_states_are_stored_as_the_strings_the_database_holds_already() -> None:
    assert [state.value for state in OutboxState] == [
        "pending",
        "claimed",
        "sent",
        "failed",
        "superseded",
    ]
    assert [kind.value for kind in OutboxKind] == [
        "result",
        "correction",
        "notice",
        "reminder",
        "dm",
    ]
