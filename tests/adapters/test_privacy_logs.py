"""Logs at the default level and above never name a member: their trouble is logged under a
stable pseudonym, so an operator can still follow one member's failed DMs.

The whole way, on both platforms: members ask through the real Slack and Discord adapters,
DMs fail in the ways the platforms fail (Discord's error text may quote the id it refused),
and a crash in the middle of a member's request is logged with its traceback."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import pytest

from bot.reminders.model import Member
from tests.adapters.test_reminders import set_clock
from tests.fakes.discord_api import MEMBER_ID
from tests.support.ballots import LEEDS_TYPED
from tests.support.conversation import Conversation

SLACK_MEMBER = "U0MEMBER2"


def everything_logged(records: Sequence[logging.LogRecord]) -> str:
    """Every line the default handlers would write at INFO and above, tracebacks included."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(r) for r in records if r.levelno >= logging.INFO)


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO)
    return caplog


async def test_failed_dms_are_logged_by_pseudonym_on_both_platforms(
    union: Conversation, logged: pytest.LogCaptureFixture
) -> None:
    await union.on_slack(LEEDS_TYPED)
    assert "remind you" in await union.on_slack("remind me leeds", user=SLACK_MEMBER)
    assert "remind you" in await union.on_discord("remind me leeds")
    set_clock(union, "2026-12-03 09:00")
    await union.app.reminders.fire("leeds-2026", "close-7d")
    union.front.slack.fail("conversations.open", "user_not_found")
    union.front.discord.fail(
        "POST",
        r"/users/@me/channels",
        400,
        code=50035,
        message=f'Invalid Form Body: recipient_id: Value "{MEMBER_ID}" is not a valid user',
    )

    await union.deliver()

    text = everything_logged(logged.records)
    assert SLACK_MEMBER not in text and MEMBER_ID not in text
    on_slack = union.app.pseudonyms.label("slack", SLACK_MEMBER)
    on_discord = union.app.pseudonyms.label("discord", MEMBER_ID)
    assert f"cannot DM {on_slack}" in text and f"cannot DM {on_discord}" in text
    # The delivery log keeps the platform's reason, with the pseudonym in place of the id.
    deliveries = await union.app.outbox.deliveries("leeds-2026")
    errors = " ".join(d.error or "" for d in deliveries)
    assert MEMBER_ID not in errors
    assert union.app.pseudonyms.of("discord", MEMBER_ID) in errors


async def test_a_member_keeps_one_pseudonym_across_failures_and_restarts(
    union: Conversation, logged: pytest.LogCaptureFixture
) -> None:
    first = union.app.pseudonyms.of("slack", SLACK_MEMBER)

    assert union.app.pseudonyms.of("slack", SLACK_MEMBER) == first
    assert re.fullmatch(r"m-[0-9a-f]{12}", first)
    assert union.app.pseudonyms.of("slack", "U0SOMEONEELSE") != first
    assert union.app.pseudonyms.of("discord", SLACK_MEMBER) != first


async def test_a_crash_in_a_members_request_is_logged_without_them(
    union: Conversation, logged: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The traceback of a member's failed request names them (here the exception itself
    does): every line of it is written with their pseudonym instead."""

    async def broken(member: Member, ballot_ids: Sequence[str]) -> int:
        raise RuntimeError(f"could not store the opt-in of {member.user_id}")

    await union.on_slack(LEEDS_TYPED)
    monkeypatch.setattr(union.app.reminders.store, "opt_in", broken)

    assert "Something went wrong" in await union.on_slack("remind me leeds", user=SLACK_MEMBER)
    assert "Something went wrong" in await union.on_discord("remind me leeds")

    text = everything_logged(logged.records)
    assert "could not store the opt-in of" in text  # the trouble is there, in full
    assert SLACK_MEMBER not in text and MEMBER_ID not in text
    assert union.app.pseudonyms.of("slack", SLACK_MEMBER) in text
    assert union.app.pseudonyms.of("discord", MEMBER_ID) in text


@pytest.mark.parametrize(
    "logger", ["slack_bolt.AsyncApp", "slack_sdk.web.async_base_client", "discord.gateway"]
)
def test_the_platform_libraries_log_lines_name_no_member(
    logger: str, logged: pytest.LogCaptureFixture
) -> None:
    """bolt warns about an unhandled request by quoting it, user and DM channel ids and all;
    discord.py's gateway and HTTP lines quote routes with ids in them."""
    import adapters.discord
    import adapters.slack  # noqa: F401  (importing an adapter guards the platform's logs)
    from bot.privacy.logs import pseudonyms

    platform = "discord" if logger.startswith("discord") else "slack"
    if platform == "slack":
        member, dm_channel = SLACK_MEMBER, "D0DMCHAN42"
    else:
        member, dm_channel = MEMBER_ID, "940000000000000042"
    payload = {"user": {"id": member}, "channel": {"id": dm_channel}, "type": "WARNING"}
    logging.getLogger(logger).warning("Unhandled request (%s)", payload)
    logged.set_level(logging.DEBUG, logger=logger)
    logging.getLogger(logger).debug("below INFO: %s", member)

    warning, debug = (r for r in logged.records if r.name == logger)
    said = warning.getMessage()
    assert "Unhandled request" in said and "'type': 'WARNING'" in said
    assert member not in said and dm_channel not in said
    assert pseudonyms().of(platform, member) in said
    assert pseudonyms().of(platform, dm_channel) in said
    assert member not in debug.getMessage()  # -vv is run in production too
    assert pseudonyms().of(platform, member) in debug.getMessage()


async def test_every_level_names_no_member_when_an_operator_runs_with_vv(
    union: Conversation, caplog: pytest.LogCaptureFixture
) -> None:
    """``-vv`` logs everything at DEBUG: the SQLite driver's statement echo (every opt-in's
    and every reminder's parameters, written from the driver's thread) is not among it."""
    caplog.set_level(logging.DEBUG)
    await union.on_slack(LEEDS_TYPED)
    assert "remind you" in await union.on_slack("remind me leeds", user=SLACK_MEMBER)
    assert "remind you" in await union.on_discord("remind me leeds")
    set_clock(union, "2026-12-03 09:00")
    await union.app.reminders.fire("leeds-2026", "close-7d")
    await union.deliver()
    assert "posted" in await union.on_slack("voted leeds", user=SLACK_MEMBER)

    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    text = "\n".join(formatter.format(r) for r in caplog.records)
    assert SLACK_MEMBER not in text
    # The fake API names its member "member<id>": a name, not the id, and no real username.
    assert not re.search(rf"(?<![0-9A-Za-z]){MEMBER_ID}", text)
