"""Formatting marks inside words: ``Smith*Acme*Sons``, ``é*bold*é``, ``straß_it_é``.

Slack documents no rule for a ``*``, ``_``, ``~`` or backtick that stands inside a word, and
whether one pairs depends on what its parser takes for a word boundary (an accented letter
may not be a letter to it). So no such mark from data reaches a Slack message as itself: not
in the blocks' mrkdwn, not in the notification ``text``, not in a member's own words echoed
back. An underscore between two ASCII letters or digits is a word to any parser and stays,
so Slack's own error codes (``not_in_channel``) read as Slack wrote them.
"""

from __future__ import annotations

import re
from typing import Any

from adapters.slack.blocks import fallback
from bot.domain import Ballot, Kind, Method, PartialDate, Question, Result, Status
from tests.adapters.test_hostile_data import text_objects
from tests.support.conversation import Conversation
from tests.support.slack_requests import block_actions, post, signed_headers, slash_command

MARKED = Ballot(
    id="marks-1",
    unions=("Unison",),
    employer="Smith*Acme*Sons é*bold*é",
    questions=(Question("Strike at straß_it_é x~gone~y a`code`b?", Kind.STRIKE, Result(30, 10)),),
    branch="naïve*branch*ñ Ｆｕｌｌ＊ｗｉｄｅ＊ ｌｏｗ＿ｌｉｎｅ＿",
    area="Leeds_North_East",
    closes=PartialDate(2099, 12, 10),
    method=Method.POSTAL,
    eligible=100,
    status=Status.DECLARED,
)
MARK = re.compile("[*~`\uff0a\uff3f\uff40\uff5e]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
"""A mark Slack could pair: any but an underscore inside an ASCII word."""
DATA_PAIRS = (
    "*Acme*",
    "*bold*",
    "_it_",
    "~gone~",
    "`code`",
    "*branch*",
    "＊ｗｉｄｅ＊",
    "＿ｌｉｎｅ＿",
)


def assert_no_mark_from_data(message: dict[str, Any]) -> None:
    assert not MARK.search(message["text"]), message["text"]
    for obj in text_objects(message):
        if obj["type"] == "mrkdwn":
            for pair in DATA_PAIRS:
                assert pair not in obj["text"], obj["text"]


def test_a_notification_swaps_every_mark_a_parser_could_pair() -> None:
    for text in (MARKED.employer, MARKED.branch, MARKED.questions[0].text):
        shown = fallback(text)
        assert not MARK.search(shown), shown
        assert len(shown) == len(text)  # one look-alike for each mark: read as typed
    assert fallback("Leeds_North_East not_in_channel") == "Leeds_North_East not_in_channel"
    assert fallback("_it_ a_ _b") == "\u02cdit\u02cd a\u02cd \u02cdb"


async def test_marks_inside_words_never_reach_slack_as_themselves(union: Conversation) -> None:
    await union.app.store.save([MARKED])
    union.app.settings.announcements.pictures = False
    slack = union.front.slack
    await union.on_slack("subscribe", channel="C0BRANCH1")

    body = slash_command(slack, "#marks-1")
    _, card = await post(union.front.slack_bot.url, body, signed_headers(body))
    body = slash_command(slack, "Smith*Acme*Sons é*nowhere*é")
    _, missed = await post(union.front.slack_bot.url, body, signed_headers(body))
    body = block_actions(slack, "ballot:press:1", "share:marks-1")
    await post(union.front.slack_bot.url, body, signed_headers(body))
    await slack.wait_for("chat.postMessage")
    await union.on_slack("admin announce marks-1")
    await union.deliver()

    assert "No ballot found" in missed["text"]
    posted = [c.args for c in slack.calls_to("chat.postMessage")]
    assert len(posted) >= 2  # the shared card and the announcement
    for message in [card, missed, *posted]:
        assert_no_mark_from_data(message)
    assert "Smith\u2217Acme\u2217Sons" in card["text"]  # look-alikes: it reads as typed
    assert "Leeds_North_East" in card["text"]
