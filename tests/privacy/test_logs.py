"""The dispatcher's own trouble with a member's DM, and the records made while working for a
member, never carry the member's id: the pseudonym stands in for it."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.privacy import logs
from bot.privacy.logs import acting_for
from bot.privacy.pseudonyms import Pseudonyms
from bot.replies import Reply
from tests.support.conversation import Conversation
from tests.support.platforms import FakePlatform
from tests.support.privacy import AMINA


class Broken(FakePlatform):
    """A platform library that fails in a way nobody planned for, naming the member."""

    async def dm(self, user_id: str, reply: Reply) -> str:
        raise KeyError(f"no open DM channel for {user_id}")


async def test_an_unexpected_failure_of_a_dm_is_logged_by_pseudonym(
    branch: Conversation, caplog: pytest.LogCaptureFixture
) -> None:
    await branch.say("/ballot remind me leeds", user=AMINA)
    branch.at("2026-12-03 09:00")
    await branch.app.reminders.fire("leeds-2026", "close-7d")
    dispatcher = branch.dispatcher(Broken("slack"))
    stop = asyncio.Event()
    caplog.set_level(logging.INFO)

    running = asyncio.create_task(dispatcher.run_forever(stop, poll_seconds=0.05))
    for _ in range(200):  # the channel's reminder (with its picture) goes first
        if "dispatcher round failed" in caplog.text:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await running

    assert "no open DM channel for" in caplog.text  # the trouble, in full
    assert "dispatcher round failed" in caplog.text
    assert AMINA not in caplog.text
    assert branch.app.pseudonyms.of("slack", AMINA) in caplog.text


def test_records_made_for_a_member_name_their_pseudonym_at_every_level(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pseudonyms = Pseudonyms("a-salt")
    logs.install(pseudonyms)
    log = logging.getLogger("tests.privacy.member")
    caplog.set_level(logging.DEBUG)

    member = "930000000000000077"
    with acting_for("discord", member):
        log.debug("dm to %s", member)
        log.warning("Target(platform='discord', channel_id=%r)", member)
        try:
            raise ValueError(f"Unknown User {member}")
        except ValueError:
            log.exception("send failed")
        log.info("user 1%s is someone else", member)  # not this member's id
    log.info("outside: %s", member)  # no member in hand: nothing to replace

    lines = caplog.text.splitlines()
    label = pseudonyms.of("discord", member)
    assert sum(label in line for line in lines) == 3
    assert f"1{member} is someone else" in caplog.text
    named = [line for line in lines if member in line and "someone" not in line]
    assert named == [line for line in lines if "outside" in line]
