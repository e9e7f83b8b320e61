"""Text that hides or disguises: invisible characters, emoji codes, bare addresses, mentions
without brackets, and more text than a picture has room for. Shown as typed, or visibly, on
every surface; in a Slack message's notification text as much as in its blocks."""

from __future__ import annotations

import io
import itertools
import re
from datetime import date
from typing import Any

import pytest
from rich.console import Console

from adapters.console.render import show
from adapters.discord.embeds import literal as discord_literal
from adapters.slack.blocks import fallback
from bot.charts.data import result_chart, thermometer_chart
from bot.charts.render import render_result, render_thermometer
from bot.core import Core
from bot.domain import Ballot, Kind, Method, PartialDate, Question, Result, Status
from bot.printable import is_control, printable
from bot.verdicts import rule_table, verdict_for
from tests.adapters.conftest import Union
from tests.adapters.discord.support import embed_text
from tests.adapters.slack.conftest import block_actions, post, signed_headers, slash_command
from tests.adapters.test_hostile_data import app_core, text_objects  # noqa: F401 (fixture)
from tests.adapters.test_reminders import set_clock

INVISIBLE = (
    "\u200b\u200c\u200d\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    "\u034f\u115f\u3164\u180e"
)
SNEAKY = Ballot(
    id="sneaky-1",
    unions=("Uni\u200bson",),
    employer="Acme\u200dLtd :skull: *bold* _it_ ~gone~ `code` evil.example @everyone",
    questions=(
        Question(
            "Do you\nsupport\u2060 strike\u202e action?\n" + "Line of the question. " * 40,
            Kind.STRIKE,
            Result(votes_for=300, votes_against=100),
        ),
    ),
    branch="<@123> <@&1> <#1> </cmd:1> @here https://evil.example/x name@evil.example",
    area="".join(f"a{c}" for c in INVISIBLE),
    aliases=("admin cancel sneaky-1", ":rotating_light: www.phish.example"),
    closes=PartialDate(2099, 12, 10),
    method=Method.POSTAL,
    eligible=1000,
    status=Status.OPEN,
)
LONG_TITLE = Ballot(
    id="long-1",
    unions=("Unison",),
    employer=("Wide Employer " * 21).strip(),
    questions=(Question("Strike?\n\n\t" * 30, Kind.STRIKE, Result(10, 5)),),
    eligible=40,
)
DATA_FORMATTING = ("*bold*", "_it_", "~gone~", "`code`", ":skull:", ":rotating_light:")
LINKS = ("https://", "evil.example", "phish.example")


def assert_no_hidden(text: str) -> None:
    assert not any(c in text for c in INVISIBLE), ascii(text)
    assert not any(is_control(c) for c in text), ascii(text)


@pytest.mark.parametrize("char", INVISIBLE)
def test_every_invisible_character_is_shown_as_its_code(char: str) -> None:
    shown = printable(f"Acme{char}Ltd")
    assert shown == f"Acme\\u{ord(char):04x}Ltd"


@pytest.mark.parametrize("data", ["@everyone", "@here", "<@123>", "<@&1>", "<#1>", "</cmd:1>"])
def test_discord_escapes_every_mention_even_alone(data: str) -> None:
    shown = discord_literal(data)
    assert not re.search(r"(?<!\\)[@<]", shown), shown
    assert shown.replace("\\", "") == data  # shown as typed


def test_a_slack_notification_has_no_formatting_emoji_or_link_from_data() -> None:
    text = fallback(SNEAKY.employer + "\n" + SNEAKY.branch + "\n> quoted")
    for formatted in (*DATA_FORMATTING, *LINKS, "<", ">"):
        assert formatted not in text, text
    assert not re.search(r"^&gt;", text, re.MULTILINE)
    assert_no_hidden(text)
    assert fallback("Turnout 43.3% of 1,000") == "Turnout 43.3% of 1,000"  # figures unchanged


async def sneaky_union(union: Union) -> Union:
    await union.app.store.save([SNEAKY, LONG_TITLE])
    union.app.settings.announcements.pictures = False
    set_clock(union, "2099-12-03 09:00")
    return union


def slack_texts(message: dict[str, Any]) -> list[str]:
    return [message.get("text") or ""] + [t["text"] for t in text_objects(message)]


async def test_slack_messages_hide_nothing_and_parse_nothing(union: Union) -> None:
    union = await sneaky_union(union)
    slack = union.slack
    await union.on_slack("subscribe", channel="C0BRANCH1")

    body = slash_command(slack, "#sneaky-1")
    _, card = await post(union.slack_bot.url, body, signed_headers(body))
    body = block_actions(slack, "ballot:press:1", "share:sneaky-1")
    await post(union.slack_bot.url, body, signed_headers(body))
    await slack.wait_for("chat.postMessage")
    body = block_actions(slack, "ballot:press:0", "history:sneaky-1")
    await post(union.slack_bot.url, body, signed_headers(body))
    await slack.wait_for("respond")
    await union.on_slack("admin announce sneaky-1")
    await union.deliver()

    posted = [c.args for c in slack.calls_to("chat.postMessage")]
    responded = [c.args for c in slack.calls_to("respond")]
    assert len(posted) >= 2 and responded
    for message in [card, *posted, *responded]:
        assert message["parse"] == "none" and message["link_names"] in (False, 0, "0", "false")
        assert str(message["unfurl_links"]).lower() in ("false", "0")
        for text in slack_texts(message):
            assert_no_hidden(text)
        for formatted in (*DATA_FORMATTING, *LINKS):
            assert formatted not in message["text"], message["text"]
        for obj in text_objects(message):
            if obj["type"] == "plain_text":
                assert obj.get("emoji") is False, obj
            else:
                assert ":skull:" not in obj["text"] and ":rotating_light:" not in obj["text"]
    assert "Acme\\u200dLtd" in card["text"]  # shown visibly, as its code


async def test_discord_cards_hide_nothing_and_mention_nothing(union: Union) -> None:
    union = await sneaky_union(union)
    body = await union.discord.interact(union.discord.slash("#sneaky-1"))

    shown = embed_text(body)
    assert_no_hidden(shown)
    assert not re.search(r"(?<!\\)[@<]", shown), shown
    assert "Acme\\\\u200dLtd" in shown


def test_the_console_shows_invisible_characters(app_core: Core) -> None:  # noqa: F811
    out = io.StringIO()
    show(app_core.card(SNEAKY), Console(file=out, width=200))

    printed = out.getvalue()
    assert_no_hidden(printed)
    assert "Acme\\u200dLtd" in printed


def overlapping(texts: list[dict[str, Any]]) -> list[tuple[str, str]]:
    out = []
    for a, b in itertools.combinations(texts, 2):
        (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = a["box"], b["box"]
        if ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1:
            out.append((a["text"], b["text"]))
    return out


@pytest.mark.parametrize("ballot", [SNEAKY, LONG_TITLE], ids=["sneaky", "long"])
def test_pictures_hide_nothing_and_keep_every_text_inside(ballot: Ballot) -> None:
    question = ballot.questions[0]
    verdict = verdict_for(ballot, question, rule_table([]))
    pictures = [
        render_result(result_chart(ballot, question, verdict)),
        render_thermometer(thermometer_chart(ballot, question, date(2099, 12, 1), 7, verdict)),
    ]
    for picture in pictures:
        texts = picture.drawn["texts"]
        for text in texts:
            assert_no_hidden(text["text"])
            x0, y0, x1, y1 = text["box"]  # measured with the font it is drawn in
            assert 0 <= x0 < x1 <= 800 and 0 <= y0 < y1 <= 450, text
            assert text["text"].count("\n") <= 1, text
        assert not overlapping(texts)
        # What did not fit is cut where it is seen to be: the title, the question.
        assert any(t["text"].endswith("…") for t in texts)
