"""One figure, one way of writing it: the card's fields, its bars, the verdict's working, the
lists, the picture and its alt text all say the same percentage, rounded once and half up; a
reported percentage is shown as the source wrote it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cards import ballot_card
from bot.charts.data import result_chart
from bot.domain import Ballot, Kind, PartialDate, Percentage, Question, Result, Status
from bot.imports.files import import_file
from bot.percentages import as_reported, percent, rounded, trimmed
from bot.verdicts import rule_table
from bot.verdicts.judge import legal_judge
from tests.bot.conftest import Chat

EXAMPLES = Path(__file__).parents[2] / "examples" / "ballots.csv"
JUDGE = legal_judge(rule_table([]))


def _field(reply_fields: tuple, label: str) -> str:  # type: ignore[type-arg]
    (value,) = [f.value for f in reply_fields if f.label == label]
    return value


async def test_pcs_pay_2018_reads_41_6_and_35_6_everywhere(chat: Chat) -> None:
    """59,285 papers of 142,673 entitled is 41.553%; 50,726 yes votes are 35.554%. Rounded
    twice (41.553 -> 41.55 -> 41.5) the card used to say 41.5% beside the verdict's 41.6%."""
    await import_file(chat.app.store, EXAMPLES)

    card = await chat.say("/ballot pcs pay 2018")

    [section] = card.sections
    assert _field(section.fields, "Turnout") == "41.6% of 142,673 entitled"
    assert _field(section.fields, "Yes of all entitled") == "35.6%"
    assert any(
        line.startswith("Turnout 41.6% of 142,673 entitled, counting 31 spoilt papers")
        for line in section.lines
    )
    assert any(line.startswith("Yes votes 35.6% of all entitled") for line in section.lines)
    turnout_bar = next(bar for bar in section.bars if bar.label == "Turnout")
    assert turnout_bar.caption == "turnout 41.6% of 142,673 entitled"
    assert "41.5%" not in card.plain_text() and "35.5%" not in card.plain_text()

    listed = await chat.say("/ballot recent")
    assert any("turnout 41.6% of 142,673 entitled" in line for line in listed.sections[0].lines)

    pictured = await chat.say("/ballot pcs pay 2018 chart")
    assert pictured.image is not None
    assert "Turnout 41.6%." in pictured.image.alt_text
    assert "85.6% yes, 14.4% no of those voting" in pictured.image.alt_text


async def test_a_reported_share_is_shown_as_written_in_the_picture_too(chat: Chat) -> None:
    """Only "80% yes on a 60% turnout" was published: no "80.0%" anywhere."""
    await chat.say(
        '/ballot admin add id=rcn-80 employer="Leeds Hospitals" unions=RCN '
        'question="Strike over pay?" kind=strike closes=2023-02-06 turnout_pct=60 for_pct=80 '
        "status=declared"
    )

    card = await chat.say("/ballot #rcn-80")
    pictured = await chat.say("/ballot #rcn-80 chart")

    [section] = card.sections
    assert _field(section.fields, "Yes share") == "80% of those voting (as reported)"
    assert _field(section.fields, "No share") == "20% of those voting (the rest)"
    assert _field(section.fields, "Turnout") == "60% (as reported)"
    assert pictured.image is not None
    assert "80% yes, 20% no of those voting" in pictured.image.alt_text
    assert "60% as reported" in pictured.image.alt_text
    assert ".0%" not in card.plain_text() + pictured.image.alt_text


async def test_a_share_on_the_half_rounds_up_on_the_card_and_in_the_working(chat: Chat) -> None:
    """61 of 400 valid votes is exactly 15.25%: half up, 15.3% (a float's ``.1f`` said 15.2%,
    and 84.75% said 84.8%: the two did not add up to 100)."""
    await chat.say(
        '/ballot admin add id=york-half employer="York Council" unions=GMB '
        'question="Strike over pay?" kind=strike closes=2026-02-06 votes_for=61 '
        "votes_against=339 status=declared"
    )

    card = await chat.say("/ballot #york-half")
    pictured = await chat.say("/ballot #york-half chart")

    [section] = card.sections
    assert _field(section.fields, "Yes share") == "15.3% of those voting"
    assert _field(section.fields, "No share") == "84.8% of those voting"
    assert any(line.startswith("Yes 15.3% of those voting (61 to 339)") for line in section.lines)
    assert pictured.image is not None
    assert "15.3% yes, 84.8% no of those voting" in pictured.image.alt_text


def test_rounding_is_half_up_on_the_decimal_value() -> None:
    assert percent(41.55) == "41.6%"  # the float behind 41.55 is a hair below it
    assert percent(15.25) == "15.3%" and percent(0.25) == "0.3%" and percent(0.04) == "0.0%"
    assert percent(100 * 59285 / 142673) == "41.6%"
    assert percent(49.96, 2) == "49.96%" and percent(12.5, 0) == "13%"
    assert rounded(2.675, 2) == Decimal("2.68")
    assert as_reported(Percentage(52.9, 2)) == "52.90%" and as_reported(Percentage(80, 0)) == "80%"
    assert as_reported(60.0) == "60%" and as_reported(31.5) == "31.5%"
    assert trimmed(52.85) == "52.85%" and trimmed(50.0) == "50%" and trimmed(0) == "0%"


@settings(max_examples=150, deadline=None)
@given(
    yes=st.integers(0, 5000),
    no=st.integers(0, 5000),
    spoilt=st.integers(0, 50),
    extra=st.integers(1, 5000),
)
def test_every_part_of_a_card_writes_a_counted_share_the_same_way(
    yes: int, no: int, spoilt: int, extra: int
) -> None:
    """Whatever the counts: the yes share, the turnout and the yes votes of all entitled read
    the same in the fields, the bars, the verdict's working and the picture's alt text."""
    if yes + no == 0:
        yes = 1
    eligible = yes + no + spoilt + extra
    ballot = Ballot(
        "any",
        ("Unison",),
        "Anywhere Council",
        (Question("Strike?", Kind.STRIKE, Result(yes, no, spoilt)),),
        opens=PartialDate(2023, 1, 9),
        closes=PartialDate(2023, 2, 6),
        eligible=eligible,
        status=Status.DECLARED,
    )
    judged = (JUDGE(ballot, ballot.questions[0]),)
    [section] = ballot_card(ballot, JUDGE, judged=judged).sections
    chart = result_chart(ballot, ballot.questions[0], judged[0].verdict)

    yes_share = percent(100 * yes / (yes + no))
    turnout = percent(100 * (yes + no + spoilt) / eligible)
    of_all = percent(100 * yes / eligible)
    assert _field(section.fields, "Yes share") == f"{yes_share} of those voting"
    assert _field(section.fields, "Turnout") == f"{turnout} of {eligible:,} entitled"
    assert _field(section.fields, "Yes of all entitled") == of_all
    assert section.bars[0].caption == f"{yes_share} yes"
    assert chart.yes_text == yes_share and chart.turnout_label == turnout
    assert f"{yes_share} yes" in chart.alt_text and f"Turnout {turnout}." in chart.alt_text
    working = " ".join(section.lines)
    # The working writes one more decimal only where one would look equal to a line (50%).
    if turnout != "50.0%":
        assert f"Turnout {turnout} of {eligible:,} entitled" in working
    if yes_share != "50.0%" and yes != no:
        assert f"Yes {yes_share} of those voting ({yes:,} to {no:,})" in working
    if of_all != "40.0%":
        assert f"Yes votes {of_all} of all entitled" in working
