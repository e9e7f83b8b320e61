"""`admin audit` says what each change changed: every field, before → after, as text."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime

from rich.console import Console

from adapters.console.render import show
from adapters.discord.embeds import render as render_discord
from adapters.slack.blocks import render as render_slack
from bot.announce.audit import changes
from bot.domain import Kind, Question
from tests.adapters.test_hostile_data import assert_discord_inert, assert_slack_inert
from tests.bot.conftest import Chat

GB_OPEN = (
    '/ballot admin add id=gb-open employer="GB Open" unions=Unison question="Strike?" '
    "kind=strike opens=2026-11-20 closes=2026-12-20 eligible=1000 status=open method=postal"
)


async def audit_of(chat: Chat, ballot: str) -> list[str]:
    reply = await chat.say(f"/ballot admin audit {ballot}")
    assert reply.ok, reply.plain_text()
    return [line.split(" — ", 3)[3] for line in reply.sections[0].lines]


async def test_each_entry_names_every_field_it_changed(chat: Chat) -> None:
    chat.app.reminders.clock = lambda: datetime(2026, 11, 30, 14, 5, tzinfo=UTC)
    await chat.say(GB_OPEN)
    await chat.say("/ballot admin turnout gb-open 31.5")
    await chat.say(
        '/ballot admin set gb-open source_url=https://phish.example/vote employer="GB Open '
        '(official)"'
    )
    await chat.say("/ballot admin result gb-open for=640 against=210 eligible=1500")
    await chat.say("/ballot admin correct gb-open for=641")
    await chat.say("/ballot admin announce gb-open")

    added, turnout, details, result, corrected, announced = await audit_of(chat, "gb-open")

    assert added.startswith("id: “gb-open”; unions: “Unison”; employer: “GB Open”;")
    assert "eligible: 1000" in added and "question: “Strike?”; kind: “strike”" in added
    assert turnout == (
        "turnout_so_far_pct: not known → 31.5%; "
        "turnout_so_far_at: not known → “2026-11-30T14:05:00+00:00”"
    )
    assert details == (
        "employer: “GB Open” → “GB Open (official)”; "
        "source_url: not known → “https://phish.example/vote”"
    )
    assert result == (
        "eligible: 1000 → 1500; status: “open” → “declared”; "
        "votes_for: not known → 640; votes_against: not known → 210"
    )
    assert corrected == "votes_for: 640 → 641"
    assert announced == "nothing changed"


async def test_changed_values_are_shown_as_text_on_every_surface(chat: Chat) -> None:
    await chat.say(GB_OPEN)
    await chat.say(
        "/ballot admin set gb-open source_url=https://phish.example/vote "
        'employer="<!channel> [Vote here](https://phish.example) *Acme*"'
    )

    reply = await chat.say("/ballot admin audit gb-open")

    said = reply.plain_text()
    assert "source_url: not known → “https://phish.example/vote”" in said
    assert "→ “<!channel> [Vote here](https://phish.example) *Acme*”" in said
    for message in render_slack(reply, public=False):
        assert_slack_inert(message)  # verbatim text: Slack links and pings nothing
    embed = render_discord(reply).to_dict()
    assert_discord_inert({"allowed_mentions": {"parse": []}, "embeds": [embed]})
    values = " ".join(field["value"] for field in embed["fields"])
    assert "“https\\://phish.example/vote”" in values  # no bare address Discord would link
    out = io.StringIO()
    show(reply, Console(file=out, width=400))
    assert "[Vote here](https://phish.example) *Acme*" in out.getvalue()


async def test_a_ballot_of_several_questions_names_the_question(chat: Chat) -> None:
    await chat.say(GB_OPEN)
    one = await chat.app.store.get("gb-open")
    assert one is not None
    asos = Question("Action short of a strike?", Kind.ACTION_SHORT_OF_STRIKE)
    await chat.app.store.save([replace(one, questions=(*one.questions, asos))])

    await chat.say("/ballot admin result gb-open for=600 against=100 q=2")

    *_, result = await audit_of(chat, "gb-open")
    assert result == (
        "status: “open” → “declared”; question 2 votes_for: not known → 600; "
        "question 2 votes_against: not known → 100"
    )


def test_an_unreadable_record_is_said_to_be_so() -> None:
    assert changes("{", "[]") == ["the stored record cannot be read"]
    assert changes(None, None) == []
