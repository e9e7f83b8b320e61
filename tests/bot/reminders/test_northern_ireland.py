"""A Northern Ireland strike ballot has no turnout threshold, and nothing the bot sends says
otherwise: not its card, not its picture, not the reminders to members or channels."""

from __future__ import annotations

from tests.support.conversation import Conversation
from tests.support.platforms import FakePlatform

BELFAST = (
    '/ballot admin add id=belfast-2026 employer="Belfast Health Trust" unions=Unison '
    'question="Strike over pay?" kind=strike jurisdiction=NI opens=2026-11-23 '
    "closes=2026-12-10 eligible=400 status=open method=postal"
)


async def reminders_for(branch: Conversation, ballot_id: str) -> tuple[str, str, str]:
    """The DM and the channel reminder a week before the close, and the picture's words."""
    await branch.say(f"/ballot remind me #{ballot_id}")
    branch.at("2026-12-03 09:00")
    assert await branch.app.reminders.fire(ballot_id, "close-7d") == (1, 1)
    slack = FakePlatform("slack")
    await branch.deliver(slack)
    [(_, to_channel)] = slack.channels["C0LEEDS"]
    [(_, to_member)] = slack.channels["dm-U0AMINA"]
    assert to_channel.image is not None
    return to_member.plain_text(), to_channel.plain_text(), to_channel.image.alt_text


async def test_a_northern_ireland_strike_ballot_shows_no_turnout_line_anywhere(
    branch: Conversation,
) -> None:
    await branch.organiser(BELFAST)

    card = await branch.say("/ballot #belfast-2026")
    [section] = card.sections
    assert section.lines[0].startswith("Not known whether this gave a mandate")
    assert "Northern Ireland rules: no turnout threshold" in section.lines[1]
    turnout = next(bar for bar in section.bars if bar.label == "Turnout")
    assert turnout.threshold is None and "┃" not in turnout.text()
    assert "(no turnout threshold)" in turnout.caption
    assert card.data["ballot"]["questions"][0]["verdict"]["turnout_test"] == "not_applicable"

    pictured = await branch.say("/ballot belfast chart")
    assert pictured.image is not None
    assert pictured.image.alt_text.endswith("; no turnout threshold.")

    dm, channel, picture = await reminders_for(branch, "belfast-2026")
    for text in (dm, channel, picture):
        assert "50%" not in text
        assert "no turnout threshold" in text
    assert "Turnout so far (reported): not known: the organisers have not reported one yet" in dm

    await branch.organiser("/ballot admin turnout belfast-2026 34")
    card = await branch.say("/ballot #belfast-2026")
    turnout = next(bar for bar in card.sections[0].bars if bar.label == "Turnout")
    assert turnout.fraction == 0.34 and turnout.threshold is None
    assert "┃" not in turnout.text() and "50%" not in card.plain_text()


async def test_the_same_ballot_in_great_britain_is_held_to_its_fifty_percent(
    branch: Conversation,
) -> None:
    await branch.organiser(BELFAST.replace("jurisdiction=NI", "jurisdiction=GB"))

    card = await branch.say("/ballot #belfast-2026")
    turnout = next(bar for bar in card.sections[0].bars if bar.label == "Turnout")
    assert turnout.threshold == 0.5

    dm, channel, picture = await reminders_for(branch, "belfast-2026")
    assert "the 50% turnout the law requires" in dm
    assert "against the 50% threshold" in dm
    assert picture.endswith("; threshold 50%.")
    assert "no turnout threshold" not in dm + channel + picture
