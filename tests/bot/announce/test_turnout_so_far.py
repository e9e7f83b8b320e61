"""Turnout so far: what organisers report while a ballot runs is its own figure, never a result.

It decides no verdict, never makes a ballot count as having a result (``recent``, pictures,
announcements), is shown as "turnout so far" with when it was reported, and stops speaking
once the result is declared.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.announce.model import result_is_news
from bot.domain import TurnoutSoFar
from bot.imports.exports import export_ballots
from bot.imports.files import ImportRejected, parse_csv, parse_json
from tests.bot.conftest import Chat

GB_OPEN = (
    '/ballot admin add id=gb-open employer="GB Open" unions=Unison question="Strike?" '
    "kind=strike opens=2026-11-20 closes=2026-12-20 eligible=1000 status=open method=postal"
)
NI_OPEN = GB_OPEN.replace("gb-open", "ni-open").replace('"GB Open"', '"NI Open"') + (
    " jurisdiction=NI"
)
REPORTED_AT = datetime(2026, 11, 30, 14, 5, 33, tzinfo=UTC)


def at_the_branch_office(chat: Chat) -> None:
    """Organisers report at 14:05 UTC on 30 November 2026."""
    chat.app.reminders.clock = lambda: REPORTED_AT


def _field(fields: tuple, label: str) -> str:  # type: ignore[type-arg]
    (value,) = [f.value for f in fields if f.label == label]
    return value


async def test_turnout_so_far_on_an_open_ballot_is_no_verdict_and_no_result(chat: Chat) -> None:
    at_the_branch_office(chat)
    await chat.say(GB_OPEN)

    reported = await chat.say("/ballot admin turnout gb-open 31.5")
    card = await chat.say("/ballot #gb-open")

    assert reported.ok and reported.header == "Turnout so far for GB Open — Unison: 31.5%"
    assert "on 30 November 2026 at 14:05 UTC" in reported.text
    [section] = card.sections
    so_far = "31.5% (reported by organisers on 30 November 2026 at 14:05 UTC)"
    assert _field(section.fields, "Turnout so far") == so_far
    assert _field(section.fields, "Turnout") == "not known until the result"
    assert "No mandate" not in card.plain_text() and "✘" not in card.plain_text()
    assert section.lines[0].startswith("Not known whether this gave a mandate")
    turnout_bar = next(bar for bar in section.bars if bar.label == "Turnout")
    assert turnout_bar.fraction == 0.315 and turnout_bar.threshold == 0.5
    assert turnout_bar.caption == f"turnout so far {so_far}"
    ballot = card.data["ballot"]
    assert ballot["turnout_so_far_pct"] == 31.5
    assert ballot["turnout_so_far_at"] == "2026-11-30T14:05:33+00:00"
    [question] = ballot["questions"]
    assert question["turnout_pct"] is None
    assert question["verdict"]["mandate"] == "not_known"
    assert question["verdict"]["turnout_test"] == "not_known"

    recent = await chat.say("/ballot recent")
    assert "GB Open" not in recent.plain_text()  # "Latest results": it has none
    stored = await chat.app.store.get("gb-open")
    assert stored is not None and not stored.has_result
    assert "gb-open" not in [b.id for b in await chat.app.store.recent_results(10)]
    assert stored.turnout_so_far == TurnoutSoFar(31.5, REPORTED_AT.replace(microsecond=0))

    pictured = await chat.say("/ballot #gb-open chart")
    assert pictured.image is not None
    assert f"turnout so far {so_far}" in pictured.image.alt_text
    assert "; threshold 50%." in pictured.image.alt_text


async def test_a_northern_ireland_ballot_keeps_its_thermometer(chat: Chat) -> None:
    await chat.say(NI_OPEN)
    await chat.say("/ballot admin turnout ni-open 34")

    pictured = await chat.say("/ballot #ni-open chart")

    assert pictured.image is not None
    assert "Votes" not in pictured.image.alt_text and "not known" not in pictured.image.alt_text
    assert "turnout so far 34% (reported by organisers on " in pictured.image.alt_text
    assert pictured.image.alt_text.endswith("; no turnout threshold.")


async def test_once_declared_the_result_speaks_for_itself(chat: Chat) -> None:
    await chat.say(GB_OPEN)
    await chat.say("/ballot admin turnout gb-open 31.5")

    declared = await chat.say("/ballot admin result gb-open for=640 against=210 eligible=1500")
    card = await chat.say("/ballot #gb-open")
    pictured = await chat.say("/ballot #gb-open chart")

    assert declared.ok
    [section] = card.sections
    assert _field(section.fields, "Turnout") == "at least 56.7% (spoilt papers not known)"
    assert "Turnout so far" not in [f.label for f in section.fields]
    assert "31.5" not in card.plain_text()
    assert section.lines[0] == "Mandate for strike action ✔"
    [question] = card.data["ballot"]["questions"]
    assert question["turnout_pct"] is None and question["derived"]["warnings"] == []
    assert question["verdict"]["turnout_test"] == "met"
    assert pictured.image is not None and "31.5" not in pictured.image.alt_text
    assert "Turnout at least 56.7%." in pictured.image.alt_text

    again = await chat.say("/ballot admin turnout gb-open 40")
    assert not again.ok and "has a result already" in again.header
    assert "admin correct gb-open turnout=" in again.text
    stored = await chat.app.store.get("gb-open")
    assert stored is not None and stored.turnout_so_far is not None
    assert stored.turnout_so_far.pct == 31.5  # kept as it was reported, shown no more


async def test_counts_that_contradict_a_reported_turnout_are_flagged(chat: Chat) -> None:
    """640 + 210 valid votes of 1,500 are 56.7% before any spoilt paper: a declared turnout
    of 31.5% cannot be right, and the verdict does not take it."""
    await chat.say(GB_OPEN)

    await chat.say("/ballot admin result gb-open for=640 against=210 eligible=1500 turnout=31.5")
    card = await chat.say("/ballot #gb-open")

    [section] = card.sections
    warning = (
        "Reported turnout 31.5% is below what the counts alone make: 850 valid votes are "
        "56.7% of 1,500 entitled before any spoilt paper. One of the figures is wrong."
    )
    assert warning in section.lines
    assert _field(section.fields, "Turnout") == "at least 56.7% (spoilt papers not known)"
    [question] = card.data["ballot"]["questions"]
    assert question["turnout_pct"] == 31.5  # kept as reported, beside the warning
    assert question["derived"]["turnout_conflict"] is True
    assert question["derived"]["warnings"] == [warning]
    assert question["verdict"]["turnout_test"] == "met"  # from the counts, not from 31.5%
    assert "Turnout 31.5%" not in card.plain_text()


async def test_a_reported_result_turnout_the_counts_allow_is_not_flagged(chat: Chat) -> None:
    await chat.say(GB_OPEN)

    await chat.say("/ballot admin result gb-open for=640 against=210 eligible=1500 turnout=57")
    card = await chat.say("/ballot #gb-open")

    [question] = card.data["ballot"]["questions"]
    assert question["derived"]["warnings"] == [] and not question["derived"]["turnout_conflict"]
    assert _field(card.sections[0].fields, "Turnout") == "57% (as reported)"


async def test_turnout_so_far_is_never_news_nor_settable_as_a_detail(chat: Chat) -> None:
    await chat.say(GB_OPEN)
    await chat.say("/ballot subscribe")
    before = await chat.app.store.get("gb-open")

    await chat.say("/ballot admin turnout gb-open 31.5")
    detail = await chat.say('/ballot admin set gb-open employer="GB Open (official)"')
    sneaked = await chat.say("/ballot admin set gb-open turnout_so_far_pct=90")

    after = await chat.app.store.get("gb-open")
    assert before is not None and after is not None
    assert not result_is_news(before, after)
    assert await chat.app.outbox.deliveries(None) == []
    assert detail.ok and after.employer == "GB Open (official)"
    assert after.turnout_so_far is not None and after.turnout_so_far.pct == 31.5  # kept by set
    assert not sneaked.ok and "turnout_so_far_pct" in sneaked.header
    assert "admin turnout" in sneaked.text


async def test_a_cancelled_ballot_takes_no_turnout(chat: Chat) -> None:
    await chat.say(GB_OPEN)
    await chat.say("/ballot admin cancel gb-open")

    refused = await chat.say("/ballot admin turnout gb-open 31.5")

    assert not refused.ok and "cancelled" in refused.header


async def test_export_then_import_keeps_turnout_so_far(chat: Chat) -> None:
    """Its own columns, ``turnout_so_far_pct`` and ``turnout_so_far_at``: a first-day 0.6%
    is written ``0.6%`` so the import does not read it as a fraction."""
    at_the_branch_office(chat)
    await chat.say(GB_OPEN)
    await chat.say("/ballot admin turnout gb-open 0.6%")
    stored = await chat.app.store.get("gb-open")

    csv_text = await export_ballots(chat.app.store, "csv")
    json_text = await export_ballots(chat.app.store, "json")

    header = csv_text.splitlines()[0].split(",")
    assert "turnout_so_far_pct" in header and "turnout_so_far_at" in header
    assert ",0.6%," in csv_text and "2026-11-30T14:05:33+00:00" in csv_text
    for parsed in (parse_csv(csv_text), parse_json(json_text)):
        [again] = [b for b in parsed if b.id == "gb-open"]
        assert again == stored


def test_a_time_without_a_turnout_so_far_or_a_zone_is_refused() -> None:
    header = "id,unions,employer,kind,question,turnout_so_far_pct,turnout_so_far_at"
    for row, problem in (
        ("x,GMB,York,strike,Strike?,,2026-11-30T14:05Z", "give turnout_so_far_pct"),
        ("x,GMB,York,strike,Strike?,31.5,2026-11-30T14:05", "no time zone"),
        ("x,GMB,York,strike,Strike?,0.6,2026-11-30T14:05Z", "did you mean 60%"),
    ):
        with pytest.raises(ImportRejected) as refused:
            parse_csv(f"{header}\n{row}\n")
        [error] = refused.value.errors
        assert error.where == "row 2" and error.column.startswith("turnout_so_far")
        assert problem in error.message
