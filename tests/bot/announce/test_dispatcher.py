"""A declared result reaches every following channel exactly once, whatever happens on the way."""

from __future__ import annotations

import asyncio

import pytest

from bot.announce.model import Target
from bot.replies import Reply
from tests.bot.announce.conftest import LEEDS, Branch, Crash, FakePlatform

DECLARE = "/ballot admin result leeds-2026 for=2000 against=500 spoilt=10"
NEW = "New result: Leeds City Council — Unison and Unite"


async def drain(branch: Branch, *platforms: FakePlatform) -> int:
    dispatcher = branch.dispatcher(*platforms)
    sent = 0
    while (round_sent := await dispatcher.run_once()) > 0:
        sent += round_sent
    return sent


async def test_a_result_reaches_each_following_channel_once_on_every_platform(
    branch: Branch,
) -> None:
    slack, discord = FakePlatform("slack"), FakePlatform("discord")
    await branch.organiser(LEEDS)
    for channel in ("C0LEEDS", "C0REGION"):
        await branch.subscribe("slack", channel)
    await branch.subscribe("discord", "9001")
    await branch.subscribe("discord", "9002", "unite")
    await branch.subscribe("discord", "9002", "unison")  # two filters, one channel: one message
    await branch.subscribe("discord", "9003", "union:gmb")  # follows another union only

    await branch.organiser(DECLARE)
    assert await drain(branch, slack, discord) == 4

    assert slack.headers("C0LEEDS") == slack.headers("C0REGION") == [NEW]
    assert discord.headers("9001") == discord.headers("9002") == [NEW]
    assert discord.headers("9003") == []
    [(_, card)] = discord.channels["9001"]
    assert "2,000" in card.plain_text() and card.image is not None  # the picture goes too
    assert await drain(branch, slack, discord) == 0  # nothing left, nothing again


async def test_a_dispatcher_killed_after_k_sends_and_restarted_sends_the_rest_once(
    branch: Branch,
) -> None:
    await branch.organiser(LEEDS)
    channels = [f"C{n:03d}" for n in range(12)]
    for channel in channels:
        await branch.subscribe("slack", channel)
    await branch.organiser(DECLARE)

    slack = FakePlatform("slack", dedupe_nonces=False, crash_before_post=5)
    with pytest.raises(Crash):
        await branch.dispatcher(slack).run_once()
    assert sum(len(m) for m in slack.channels.values()) == 5

    slack.crash_before_post = None
    branch.later(61)  # the dead dispatcher's lease runs out
    await drain(branch, slack)

    assert all(slack.headers(c) == [NEW] for c in channels)


async def test_killed_between_the_send_and_its_record_discord_drops_the_repeat(
    branch: Branch,
) -> None:
    await branch.organiser(LEEDS)
    for channel in ("9001", "9002", "9003"):
        await branch.subscribe("discord", channel)
    await branch.organiser(DECLARE)

    discord = FakePlatform("discord", crash_after_post=2)  # 2nd message out, id not recorded
    with pytest.raises(Crash):
        await branch.dispatcher(discord).run_once()
    branch.later(61)
    await drain(branch, discord)

    assert [discord.headers(c) for c in ("9001", "9002", "9003")] == [[NEW]] * 3
    assert discord.attempts == 4  # the second was sent again, with the same nonce


async def test_a_stopping_dispatcher_hands_back_what_it_has_not_tried(branch: Branch) -> None:
    await branch.organiser(LEEDS)
    for n in range(5):
        await branch.subscribe("slack", f"C{n}")
    await branch.organiser(DECLARE)
    stop = asyncio.Event()
    stop.set()

    assert await branch.dispatcher(FakePlatform("slack")).run_once(stop) == 0

    slack = FakePlatform("slack")
    assert await branch.dispatcher(slack).run_once() == 5  # no lease to wait out


async def test_rate_limited_the_dispatcher_waits_as_long_as_the_platform_says(
    branch: Branch,
) -> None:
    await branch.organiser(LEEDS)
    await branch.subscribe("slack", "C0LEEDS")
    await branch.organiser(DECLARE)
    slack = FakePlatform("slack", rate_limited=[30.0])

    assert await drain(branch, slack) == 0
    branch.later(20)
    assert await drain(branch, slack) == 0  # Slack said 30 seconds
    branch.later(11)
    assert await drain(branch, slack) == 1

    [delivery] = await branch.app.outbox.deliveries("leeds-2026")
    assert (delivery.state, delivery.attempts) == ("sent", 1)


async def test_a_channel_that_is_gone_stops_following_and_the_organisers_are_told(
    branch: Branch,
) -> None:
    await branch.organiser(LEEDS)
    await branch.subscribe("slack", "C0LEEDS")
    await branch.subscribe("slack", "C0ARCHIVED")
    await branch.organiser(DECLARE)
    slack = FakePlatform("slack", gone={"C0ARCHIVED"})

    await drain(branch, slack)

    assert slack.headers("C0LEEDS") == [NEW]
    assert slack.headers("C0ARCHIVED") == []
    remaining = await branch.app.subscriptions.subscriptions()
    assert [s.target for s in remaining] == [Target("slack", "C0LEEDS")]
    [notice] = slack.channels["C0ORGANISERS"]
    assert notice[1].header == "An announcement could not be delivered"
    assert "C0ARCHIVED" in notice[1].text and "channel_not_found" in notice[1].text
    log = await branch.organiser("/ballot admin deliveries leeds-2026")
    assert "1 failed delivery(ies) below." in log.text


async def test_a_correction_edits_the_messages_already_sent(branch: Branch) -> None:
    await branch.organiser(LEEDS)
    await branch.subscribe("slack", "C0LEEDS")
    await branch.subscribe("discord", "9001")
    slack, discord = FakePlatform("slack"), FakePlatform("discord")
    await branch.organiser(DECLARE)
    await drain(branch, slack, discord)

    await branch.organiser("/ballot admin correct leeds-2026 for=2100 against=400 spoilt=10")
    await drain(branch, slack, discord)

    assert slack.headers("C0LEEDS") == [NEW]  # no second "new result"
    [(channel, message_id, card)] = slack.edits
    assert (channel, message_id) == ("C0LEEDS", slack.channels["C0LEEDS"][0][0])
    assert card.header.startswith("Correction: ")
    assert "2,100" in card.plain_text() and "Corrected on" in (card.footer or "")
    assert [e[:2] for e in discord.edits] == [("9001", discord.channels["9001"][0][0])]


async def test_declaring_twice_by_announcing_again_does_not_double_a_channel(
    branch: Branch,
) -> None:
    await branch.organiser(LEEDS)
    await branch.subscribe("slack", "C0LEEDS")
    await branch.organiser(DECLARE)
    slack = FakePlatform("slack")
    await drain(branch, slack)

    await branch.organiser("/ballot admin announce leeds-2026")
    await drain(branch, slack)

    assert slack.headers("C0LEEDS") == [NEW]
    assert len(slack.edits) == 0  # the same figures: nothing to correct either


async def test_figures_corrected_before_anything_went_out_are_sent_once_newest(
    branch: Branch,
) -> None:
    await branch.organiser(LEEDS)
    await branch.subscribe("slack", "C0LEEDS")
    await branch.organiser(DECLARE)
    await branch.organiser("/ballot admin correct leeds-2026 for=2100 against=400 spoilt=10")
    slack = FakePlatform("slack")

    await drain(branch, slack)

    [(_, card)] = slack.channels["C0LEEDS"]
    assert card.header == NEW and "2,100" in card.plain_text()


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_three_dispatchers_sharing_postgresql_never_send_the_same_row(
    branch: Branch,
) -> None:
    await branch.organiser(LEEDS)
    channels = [f"C{n:03d}" for n in range(60)]
    for channel in channels:
        await branch.subscribe("slack", channel)
    await branch.organiser(DECLARE)
    slack = FakePlatform("slack", dedupe_nonces=False)

    async def worker() -> None:
        dispatcher = branch.dispatcher(slack, batch=7)
        while await dispatcher.run_once():
            pass

    await asyncio.gather(worker(), worker(), worker())

    assert all(slack.headers(c) == [NEW] for c in channels)


async def test_a_dispatcher_whose_lease_ran_out_leaves_the_row_to_the_one_that_took_it(
    branch: Branch,
) -> None:
    await branch.organiser(LEEDS)
    await branch.subscribe("slack", "C0LEEDS")
    await branch.organiser(DECLARE)
    outbox = branch.app.outbox
    [slow] = await outbox.claim(["slack"], 10, branch.now, 1.0)  # a dispatcher that stalls

    branch.later(2)  # its lease runs out; another dispatcher takes the row and sends it
    slack = FakePlatform("slack")
    assert await drain(branch, slack) == 1

    assert await outbox.confirm(slow, branch.now, 60) is False  # the stalled one must not send
    assert slack.headers("C0LEEDS") == [NEW]


class SlowToAnswer(FakePlatform):
    """The platform takes the message at once but answers with its id a moment later."""

    def __init__(self, name: str) -> None:
        super().__init__(name, dedupe_nonces=False)  # like Slack: no idempotency key
        self.taken = asyncio.Event()

    async def post(self, channel_id: str, reply: Reply, nonce: str | None = None) -> str:
        message_id = await super().post(channel_id, reply, nonce)
        self.taken.set()
        await asyncio.sleep(0.2)
        return message_id


async def test_a_dispatcher_stopped_mid_send_records_that_message_before_it_stops(
    branch: Branch,
) -> None:
    await branch.organiser(LEEDS)
    for channel in ("C0LEEDS", "C0REGION"):
        await branch.subscribe("slack", channel)
    await branch.organiser(DECLARE)
    slack = SlowToAnswer("slack")

    running = asyncio.create_task(branch.dispatcher(slack).run_once())
    await slack.taken.wait()
    running.cancel()  # `ballotbot run` stopping, or the other platform's task failing
    with pytest.raises(asyncio.CancelledError):
        await running
    branch.later(61)  # the lease of anything claimed runs out
    await drain(branch, slack)

    assert slack.headers("C0LEEDS") == slack.headers("C0REGION") == [NEW]
