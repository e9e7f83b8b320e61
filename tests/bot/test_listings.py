"""`recent`, `open` and `help` as a member reads them: one line per ballot with its headline,
and every command in the help."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.commands import ADMIN_VERBS
from bot.domain import Ballot, Kind, Method, PartialDate, Question, Result, Status
from tests.bot.conftest import Chat


def _line(lines: tuple[str, ...], who: str) -> str:
    (line,) = [line for line in lines if who in line]
    return line


async def test_recent_gives_each_result_in_one_line(chat: Chat) -> None:
    reply = await chat.say("/ballot recent")
    lines = reply.sections[0].lines
    assert len(lines) == 3
    southampton = _line(lines, "Southampton City Council")
    assert "carried, 1,552 to 307 (83.5% yes)" in southampton
    assert "“Reject the council's pay cuts of up to 5.5%?”" in southampton
    assert "turnout around 60% (as reported)" in southampton
    museum = _line(lines, "National Coal Mining Museum")
    assert "carried unanimously (100% yes)" in museum
    assert "“Accept the two-year pay deal" in museum
    assert "turnout not known" in museum
    kirklees = _line(lines, "Kirklees Council")
    assert "lost, 43.3% yes to 56.7% no" in kirklees
    assert "turnout not known" in kirklees
    assert "No mandate for strike action" in kirklees  # statutory: the mandate
    assert "No legal threshold" in southampton and "No legal threshold" in museum
    assert all("\n" not in line for line in lines)


async def test_a_statutory_result_names_its_mandate_and_turnout(chat: Chat) -> None:
    pcs = Ballot(
        "pcs-2018-pay-strike",
        ("PCS",),
        "Civil service",
        (Question("Strike over pay?", Kind.STRIKE, Result(50726, 8528, 31, 41.6, 85.6)),),
        closes=PartialDate(2018, 7, 23),
        eligible=142673,
        status=Status.DECLARED,
    )
    c2c = Ballot(
        "rmt-c2c-2022",
        ("RMT",),
        "c2c",
        (
            Question("Strike?", Kind.STRIKE, Result(43, 1, 1)),
            Question("Action short of a strike?", Kind.ACTION_SHORT_OF_STRIKE, Result(41, 3, 1)),
        ),
        announced=PartialDate(2022, 5, 24),
        eligible=79,
        status=Status.DECLARED,
    )
    await chat.app.store.save([pcs, c2c])
    lines = (await chat.say("/ballot recent")).sections[0].lines
    civil = _line(lines, "Civil service")
    assert civil.startswith("23 July 2018 — Civil service — PCS: ")
    assert "carried, 50,726 to 8,528 (85.6% yes)" in civil
    assert "turnout 41.6% of 142,673 entitled" in civil  # 59,285 papers: 41.553%
    assert "mandate" in civil.lower() and "50%" in civil
    rail = _line(lines, "c2c")
    assert "“Strike?” carried, 43 to 1 (97.7% yes)" in rail
    assert "“Action short of a strike?” carried, 41 to 3 (93.2% yes)" in rail
    assert rail.lower().count("mandate") == 2


async def test_open_lists_each_ballot_with_its_close_and_turnout_so_far(chat: Chat) -> None:
    today = date.today()
    ballot = Ballot(
        "leeds-open",
        ("GMB",),
        "Leeds City Council",
        (Question("Strike over pay?", Kind.STRIKE),),
        opens=PartialDate.of(today - timedelta(days=3)),
        closes=PartialDate.of(today + timedelta(days=10)),
        method=Method.POSTAL,
        status=Status.OPEN,
    )
    await chat.app.store.save([ballot])
    line = _line((await chat.say("/ballot open")).sections[0].lines, "Leeds")
    closes = PartialDate.of(today + timedelta(days=10)).human()
    assert line == (
        f"Leeds City Council — GMB — closes {closes}: “Strike over pay?” result not known yet; "
        "turnout so far not reported; mandate not known until the result"
    )
    assert (await chat.say("/ballot admin turnout leeds-open 31.5")).ok
    line = _line((await chat.say("/ballot open")).sections[0].lines, "Leeds")
    assert "turnout so far 31.5% (reported by organisers on " in line
    assert "(as reported)" not in line  # the organisers' running figure is not a result's


async def test_help_lists_every_command_the_bot_answers(chat: Chat) -> None:
    reply = await chat.say("/ballot help")
    lines = reply.sections[0].lines
    shown = " ".join(lines)
    for verb in sorted(ADMIN_VERBS):
        assert re.search(rf"/ballot admin {verb}\b", shown), f"help lacks admin {verb}"
    words = ("open", "recent", "subscribe", "unsubscribe", "subscriptions", "remind me",
             "remind stop", "voted", "replacement", "forget me", "history", "chart")  # fmt: skip
    for word in words:
        assert f" {word}" in shown, f"help lacks {word}"
    assert "<ballot> is a ballot's id or a search" in (reply.footer or "")


async def test_an_unknown_admin_verb_lists_the_real_ones(chat: Chat) -> None:
    reply = await chat.say("/ballot admin frobnicate kirklees")
    assert not reply.ok
    assert "admin add" in reply.text and "admin reminders" in reply.text


async def test_a_reported_share_too_close_to_half_is_not_called(chat: Chat) -> None:
    close = Ballot(
        "close-call",
        ("GMB",),
        "Wakefield College",
        (Question("Accept the offer?", Kind.PAY_OFFER, Result(for_pct=50.0)),),
        announced=PartialDate(2024, 5, 1),
        status=Status.DECLARED,
    )
    await chat.app.store.save([close])
    line = _line((await chat.say("/ballot recent")).sections[0].lines, "Wakefield")
    assert "too close to tell, 50% yes to 50% no" in line
