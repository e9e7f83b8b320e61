"""One ballot made of hostile strings, shown on every surface: nothing in it is live.

Every field (employer, branch, area, unions, question, notes, aliases, campaign, source)
holds what an attacker or a careless feed would put there: Slack mentions and links, Discord
markdown and masked links, rich markup, terminal escapes, mathtext. It goes through the real
slack-bolt and discord.py against the fake APIs (a card, Share, an announcement, a reminder
by DM, a notice to organisers), the console renderer and the picture, and every payload is
read back: no ping, no link but the bot's own, no formatting and no control character from
the data.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from adapters.compose import build_core
from adapters.console.render import show
from adapters.slack.blocks import render as render_slack
from bot.charts.data import result_chart, thermometer_chart
from bot.charts.render import render_result, render_thermometer
from bot.config import Settings
from bot.core import Core
from bot.domain import Ballot, Kind, Method, PartialDate, Question, Result, Status
from bot.printable import is_control
from bot.verdicts import rule_table, verdict_for
from tests.adapters.test_reminders import set_clock
from tests.support.conversation import Conversation
from tests.support.discord_requests import button_ids
from tests.support.slack_requests import block_actions, post, signed_headers, slash_command

HOSTILE = Ballot(
    id="hostile-1",
    unions=("<!everyone> Unison", "Unite $x^2$ [/]"),
    employer="<!channel> [Vote here](https://phish.example) *Acme* Smith [/] Sons \x1b[31mred",
    questions=(
        Question(
            "Strike? <https://evil.example|Official results> ||spoiler|| `code` ~gone~",
            Kind.STRIKE,
            Result(votes_for=300, votes_against=100),
        ),
    ),
    branch="<@U0ADMIN> @everyone [link=https://evil.example]click[/link] _it_",
    area="<!subteam^S0ALL|all> <#C0GENERAL> <@&920000000000000001> \u202eexe.txt",
    notes="> quote\n# heading\n[Vote here](https://phish.example) \x1b]8;;https://evil.example"
    "\x1b\\hidden\x1b]8;;\x1b\\ \r\x07 <t:0:R> </ballot:1> $\\frac{",
    aliases=("@here <!here>", "**bold alias**"),
    campaign="<!channel> [camp](https://phish.example)",
    source_url="https://example.org/a)[Official](https://phish.example)",
    closes=PartialDate(2099, 12, 10),
    method=Method.POSTAL,
    eligible=1000,
    status=Status.OPEN,
)
BAD_SOURCE = Ballot(
    id="hostile-2",
    unions=("Unison",),
    employer="Plain Employer",
    questions=(Question("Strike?", Kind.STRIKE, Result(10, 5)),),
    source_url="https://evil.example|Official results",
)
SLACK_LINK = re.compile(r"<https?://[^\s|<>]+\|[^<>]*>")
DISCORD_SOURCE = re.compile(r"\[[^\[\]]*\]\(https?://[^\s()<>]+\)")


def strings(value: Any) -> Iterator[tuple[str, str]]:
    """Every (key, string) in a JSON-like payload."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                yield key, item
            else:
                yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def text_objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if value.get("type") in ("plain_text", "mrkdwn") and "text" in value:
            yield value
        for item in value.values():
            yield from text_objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from text_objects(item)


def assert_slack_inert(message: dict[str, Any]) -> None:
    """A Slack message (blocks and top-level text): nothing from the data is live."""
    shown = [message.get("text") or ""] + [t["text"] for t in text_objects(message)]
    for text in shown:
        assert not any(is_control(c) for c in text), text
        without_own_links = SLACK_LINK.sub("", text)
        assert "<" not in without_own_links and ">" not in without_own_links, text
        for link in SLACK_LINK.findall(text):
            assert link.startswith("<https://example.org/a%29%5BOfficial%5D%28"), link
    for obj in text_objects(message):
        if obj["type"] == "mrkdwn":
            assert obj.get("verbatim") is True
            for formatted in ("*Acme*", "~gone~", "`code`", "_it_", "**bold"):
                assert formatted not in obj["text"], obj["text"]


def assert_discord_inert(body: dict[str, Any]) -> None:
    """A Discord message body: no mention allowed, no markdown, tag or masked link from data."""
    assert body["allowed_mentions"] == {"parse": []}
    content = body.get("content") or ""
    assert content == "" or re.fullmatch(r"Shared by <@\d+>", content)
    for embed in body.get("embeds", []):
        for key, text in strings(embed):
            if key in ("url", "type", "proxy_url") or text.startswith("attachment://"):
                continue
            assert not any(is_control(c) for c in text), text
            rest = DISCORD_SOURCE.sub("", text)
            assert not re.search(r"(?<!\\)[\[<]", rest), (key, text)
            assert not re.search(r"(?<!\\)@", text), (key, text)  # every @ escaped
            for formatted in ("*Acme*", "||spoiler||", "`code`", "~gone~", "**bold"):
                assert formatted not in text, (key, text)
        if "url" in embed:
            assert embed["url"].startswith("https://example.org/a%29%5BOfficial%5D%28")


async def hostile_union(union: Conversation) -> Conversation:
    """The hostile ballots stored as a feed or an old import could have stored them, a week
    before the hostile one closes (a reminder is due), organisers told in C0ORGANISERS."""
    await union.app.store.save([HOSTILE, BAD_SOURCE])
    union.app.settings.announcements.organiser_channels = ["slack:C0ORGANISERS"]
    union.app.settings.announcements.pictures = False
    set_clock(union, "2099-12-03 09:00")
    return union


async def test_slack_shows_a_hostile_ballot_as_text_everywhere(union: Conversation) -> None:
    union = await hostile_union(union)
    slack = union.front.slack
    await union.on_slack("subscribe", channel="C0BRANCH1")
    await union.on_slack("subscribe", channel="C0REGION1")

    body = slash_command(slack, "#hostile-1")
    _, card = await post(union.front.slack_bot.url, body, signed_headers(body))
    body = slash_command(slack, "#hostile-2")
    _, plain = await post(union.front.slack_bot.url, body, signed_headers(body))
    values = [e["value"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert values == ["history:hostile-1", "share:hostile-1"]
    body = block_actions(slack, "ballot:press:1", "share:hostile-1")
    await post(union.front.slack_bot.url, body, signed_headers(body))
    await slack.wait_for("chat.postMessage")
    body = block_actions(slack, "ballot:press:0", "history:hostile-1")
    await post(union.front.slack_bot.url, body, signed_headers(body))
    await slack.wait_for("respond")

    await union.on_slack("remind me #hostile-1", user="U0MEMBER2")
    slack.fail("chat.postMessage", "invalid_blocks")  # one channel refuses the announcement
    await union.on_slack("admin announce hostile-1")
    assert await union.deliver() >= 2
    await union.app.reminders.fire("hostile-1", "close-7d")
    await union.deliver()

    messages = [card, plain]
    messages += [c.args for c in slack.calls_to("chat.postMessage")]
    messages += [c.args for c in slack.calls_to("respond")]
    kinds = " ".join(json.dumps(m) for m in messages)
    assert "Ballot reminder" in kinds and "A message was refused" not in kinds
    notices = [
        m for m in messages if m.get("channel") == "C0ORGANISERS"
    ]  # the organisers were told about the refusal, in words made of the same data
    assert notices and "refused" in json.dumps(notices)
    for message in messages:
        assert_slack_inert(message)
    assert "Smith [/] Sons" in json.dumps(card, ensure_ascii=False)  # shown, as text
    assert "&lt;!channel&gt;" in card["text"]  # the notification reads as typed


async def test_discord_shows_a_hostile_ballot_as_text_everywhere(union: Conversation) -> None:
    union = await hostile_union(union)
    discord = union.front.discord
    await union.on_discord("subscribe")

    asked = discord.slash("#hostile-1")
    card = await discord.interact(asked)
    plain = await discord.interact(discord.slash("#hostile-2"))
    assert "share:hostile-1" in button_ids(card)
    shared = await discord.interact(discord.click(discord.message_for(asked), "share:hostile-1"))
    history = await discord.interact(discord.click(discord.message_for(asked), "history:hostile-1"))
    await union.on_discord("remind me #hostile-1")
    await union.on_slack("admin announce hostile-1")
    await union.deliver()
    await union.app.reminders.fire("hostile-1", "close-7d")
    await union.deliver()

    bodies = [card["data"], plain["data"], shared["data"], history["data"]]
    bodies += [c.body for c in discord.calls_to("POST", r"/channels/\d+/messages")]
    assert len(bodies) >= 6  # the card, the announcement, the reminder DM among them
    for body in bodies:
        assert_discord_inert(body)
    assert "embeds" in plain["data"] and "url" not in plain["data"]["embeds"][0]
    assert not any(f["name"] == "Source" for f in plain["data"]["embeds"][0].get("fields", []))
    text = json.dumps(card["data"], ensure_ascii=False)
    assert "\\\\[Vote here\\\\](https\\\\://phish.example)" in text  # shown, never a link


def test_the_console_prints_a_hostile_ballot_literally(app_core: Core) -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system="truecolor", width=200)

    show(app_core.card(HOSTILE), console)

    printed = out.getvalue()
    assert "\x1b]" not in printed  # no OSC: no hidden hyperlink, no window title
    styles_removed = re.sub(r"\x1b\[[0-9;]*m", "", printed)
    assert "\x1b" not in styles_removed and "\r" not in styles_removed
    assert not any(is_control(c) for c in styles_removed)
    for literal in ("Smith [/] Sons", "[link=https://evil.example]click[/link]", "\\x1b[31mred"):
        assert literal in styles_removed
    assert "\\u202eexe.txt" in styles_removed


def test_a_picture_draws_dollars_as_dollars() -> None:
    ballot = replace(HOSTILE, employer="Acme")
    question = ballot.questions[0]
    verdict = verdict_for(ballot, question, rule_table([]))
    texts = render_result(result_chart(ballot, question, verdict)).drawn["texts"]
    assert any("Unite $x^2$ [/]" in t["text"] for t in texts)  # the union's name, as typed
    assert not [t for t in texts if t["math"]]


def test_the_pictures_draw_hostile_text_as_its_characters() -> None:
    question = HOSTILE.questions[0]
    verdict = verdict_for(HOSTILE, question, rule_table([]))
    result = render_result(result_chart(HOSTILE, question, verdict))
    today = date(2099, 12, 1)
    open_now = render_thermometer(thermometer_chart(HOSTILE, question, today, 7, verdict))

    for picture in (result, open_now):
        assert picture.png.startswith(b"\x89PNG")
        texts = picture.drawn["texts"]
        assert not [t for t in texts if t["math"]]
        # The title is too long for the picture: fitted, ending in "…".
        assert any(t["text"].endswith("…") for t in texts)
        assert not any(is_control(c) for t in texts for c in t["text"])


@pytest.fixture
def app_core(tmp_path: Path) -> Core:
    """The core as ``ballotbot`` wires it (the legal judge, the JSON serialiser)."""
    settings = Settings()
    settings.charts.cache_dir = str(tmp_path / "charts")
    return build_core(None, settings)  # type: ignore[arg-type]


def test_every_slack_message_of_a_hostile_card_is_inert(app_core: Core) -> None:
    for public in (False, True):
        for message in render_slack(app_core.card(HOSTILE), public=public):
            assert_slack_inert(message)
