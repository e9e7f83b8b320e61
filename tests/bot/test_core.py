"""Members ask; the bot answers from the demo ballots, and never makes a figure up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

from bot.demo import KIRKLEES
from bot.domain import Ballot, Kind, PartialDate, Question, Result, Status
from bot.replies import Tone
from tests.support.conversation import Conversation


async def test_kirklees_shows_the_seed_figures_and_what_is_not_known(chat: Conversation) -> None:
    reply = await chat.say("/ballot kirklees")
    text = reply.plain_text()
    assert reply.ok and reply.kind == "ballot"
    assert reply.header == "Kirklees Council — Unison"
    assert "43.3%" in text and "56.7%" in text and "6,500" in text
    assert "Turnout: not known" in text
    assert reply.tone is Tone.FAILED


async def test_a_typo_still_finds_kirklees(chat: Conversation) -> None:
    assert (await chat.say("kirklese")).header == "Kirklees Council — Unison"


async def test_southampton_keeps_the_reported_turnout_as_reported(chat: Conversation) -> None:
    text = (await chat.say("/ballot southampton")).plain_text()
    assert "For: 1,552" in text and "Against: 307" in text
    assert "around 60% (as reported)" in text
    assert "Members balloted: not known" in text  # 6,627 is the workforce, not the electorate


async def test_no_match_says_so_with_the_closest_names(chat: Conversation) -> None:
    reply = await chat.say("/ballot zzzz qqqq")
    assert not reply.ok
    assert "No ballot found" in reply.header
    assert "Closest names" in reply.text


async def test_a_union_and_a_word_no_ballot_of_it_holds_finds_nothing(chat: Conversation) -> None:
    # The demo's only Unison branch is "Kirklees Unison": it is not an NHS or school ballot.
    for typed in ("/ballot unison nhs", "/ballot unison school"):
        reply = await chat.say(typed)
        assert not reply.ok and "No ballot found" in reply.header, typed
        assert "Kirklees Council" not in reply.header
    assert (await chat.say("/ballot unison kirklees")).header == "Kirklees Council — Unison"


async def test_help_lists_every_command(chat: Conversation) -> None:
    reply = await chat.say("/ballot")
    assert reply.kind == "help"
    assert any("/ballot recent" in line for line in reply.sections[0].lines)


async def test_history_lists_every_matching_ballot_newest_first(chat: Conversation) -> None:
    reply = await chat.say("/ballot unison history")
    lines = reply.sections[0].lines
    assert len(lines) == 3
    assert lines[-1].startswith("date not known")


async def test_recent_results(chat: Conversation) -> None:
    reply = await chat.say("/ballot recent")
    assert reply.kind == "list"
    assert len(reply.sections[0].lines) == 3


async def test_open_ballots_with_none_open(chat: Conversation) -> None:
    reply = await chat.say("/ballot open")
    assert reply.header == "No ballots are open now"


async def test_an_open_ballot_is_listed_with_its_closing_date(chat: Conversation) -> None:
    ballot = Ballot(
        "leeds-2026",
        ("GMB",),
        "Leeds City Council",
        (Question("Strike over pay?", Kind.STRIKE),),
        opens=PartialDate(2026, 1, 5),
        closes=PartialDate(2099, 2, 9),
        status=Status.OPEN,
    )
    await chat.app.store.save([ballot])
    reply = await chat.say("/ballot open")
    (line,) = reply.sections[0].lines
    assert line.startswith("Leeds City Council — GMB — closes 9 February 2099: ")


async def test_a_new_ballot_is_found_as_soon_as_it_is_saved(chat: Conversation) -> None:
    assert not (await chat.say("wakefield college")).ok
    newer = Ballot(
        "wakefield-1",
        ("UCU",),
        "Wakefield College",
        (Question("Strike?", Kind.STRIKE, Result(votes_for=10, votes_against=5)),),
    )
    await chat.app.store.save([newer])
    assert (await chat.say("wakefield college")).header == "Wakefield College — UCU"


async def test_a_share_button_names_the_exact_ballot(chat: Conversation) -> None:
    reply = await chat.say("kirklees")
    share = [b for b in reply.buttons if b.share]
    assert share and share[0].command == f"/ballot #{KIRKLEES.id}"
    assert (await chat.say(share[0].command)).header == reply.header


async def test_oversized_text_is_refused_and_changes_nothing(chat: Conversation) -> None:
    before = await chat.app.store.catalog_version()
    reply = await chat.say("x" * 5000)
    assert not reply.ok
    assert await chat.app.store.catalog_version() == before


def _campaign_ballot(ident: str, employer: str, yes: int, no: int, spoilt: int) -> Ballot:
    return Ballot(
        ident,
        ("RCN",),
        employer,
        (Question("Strike over pay?", Kind.STRIKE, Result(yes, no, spoilt)),),
        eligible=1000,
        opens=PartialDate(2023, 1, 9),
        closes=PartialDate(2023, 2, 6),
        campaign="Fair Pay for Nursing 2023",
    )


async def test_a_campaign_is_tallied_ballot_by_ballot(chat: Conversation) -> None:
    await chat.app.store.save(
        [
            _campaign_ballot("c1", "Leeds Hospitals NHS Trust", 500, 100, 10),  # 61% turnout
            _campaign_ballot("c2", "York Hospitals NHS Trust", 300, 50, 5),  # 35.5%: too few
            _campaign_ballot("c3", "Hull Hospitals NHS Trust", 200, 400, 0),  # majority against
        ]
    )
    reply = await chat.say("/ballot fair pay for nursing 2023")
    assert reply.kind == "campaign"
    assert reply.text.startswith("1 of 3 ballots gave a mandate; 2 did not")
    assert reply.data["mandate"] == ["c1"]
    assert sorted(reply.data["no_mandate"]) == ["c2", "c3"]


async def test_kirklees_says_the_strike_ballot_was_lost_under_pre_2017_rules(
    chat: Conversation,
) -> None:
    text = (await chat.say("/ballot kirklees")).plain_text()
    assert "lost: a majority voted no" in text
    assert "Rules before 1 March 2017" in text


async def test_southampton_has_no_legal_threshold(chat: Conversation) -> None:
    text = (await chat.say("/ballot southampton")).plain_text()
    assert "No legal threshold applies to a consultative ballot" in text


async def test_a_repeated_question_does_not_read_the_ballot_again(
    chat: Conversation, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []
    original = chat.app.store.get

    async def counting_get(ballot_id: str) -> Ballot | None:
        reads.append(ballot_id)
        return await original(ballot_id)

    monkeypatch.setattr(chat.app.store, "get", counting_get)
    reader = chat.app.core.reader  # on a SQLite file the core reads the ballot itself
    assert reader is not None

    class CountingReader:
        def read_now(self, ballot_ids: Sequence[str]) -> list[Ballot]:
            reads.extend(ballot_ids)
            return reader.read_now(ballot_ids)

    monkeypatch.setattr(chat.app.core, "reader", CountingReader())
    first = await chat.say("/ballot kirklees")
    again = await chat.say("/ballot kirklees")
    assert again == first
    assert reads == [KIRKLEES.id]


async def test_a_changed_result_is_never_answered_from_memory(chat: Conversation) -> None:
    await chat.say("/ballot kirklees")
    corrected = replace(
        KIRKLEES,
        questions=(replace(KIRKLEES.questions[0], result=Result(for_pct=43.3, turnout_pct=35.0)),),
    )
    await chat.app.store.save([corrected])
    assert "35%" in (await chat.say("/ballot kirklees")).plain_text()


async def test_a_member_asks_for_the_picture(chat: Conversation) -> None:
    reply = await chat.say("/ballot southampton chart")
    assert reply.image is not None
    assert reply.image.png.startswith(b"\x89PNG")
    assert "1,552 for, 307 against" in reply.image.alt_text
    assert reply.to_dict()["image"]["bytes"] == len(reply.image.png)


async def test_a_query_with_nothing_to_search_for_gets_a_hint(chat: Conversation) -> None:
    for typed in ("/ballot !!!", "/ballot 🗳️", "/ballot ???"):
        reply = await chat.say(typed)
        assert not reply.ok and "Nothing to search for" in reply.header
        assert "Type an employer, branch, union or area" in reply.text
        assert "no ballots stored" not in reply.text.lower()


async def test_a_generic_word_alone_lists_the_ballots_it_is_in(chat: Conversation) -> None:
    reply = await chat.say("/ballot council")

    assert reply.kind == "choices" and reply.header == "Several ballots match “council”"
    assert {b.label for b in reply.buttons} == {"Kirklees Council", "Southampton City Council"}
    assert set(reply.data["choice_ids"]) == {
        "kirklees-council-redundancies-strike",
        "southampton-city-council-pay-cuts",
    }


async def test_a_union_and_a_kind_find_that_unions_ballot_of_that_kind(chat: Conversation) -> None:
    reply = await chat.say("/ballot unison pay offer")
    assert reply.header == "National Coal Mining Museum — Unison"
    history = await chat.say("/ballot unison 2013 history")
    assert len(history.sections[0].lines) == 2  # the undated Southampton ballot is not of 2013


async def test_facets_that_rule_everything_out_are_said_back(chat: Conversation) -> None:
    reply = await chat.say("/ballot unison 1999")
    assert not reply.ok and "No ballot found" in reply.header
    assert "Looking for: UNISON, 1999." in reply.text


async def test_an_accented_name_is_found_typed_plainly_and_shown_as_stored(
    chat: Conversation,
) -> None:
    await chat.app.store.save(
        [
            Ballot(
                "mon-1",
                ("UNISON",),
                "Cyngor Sir Ynys Môn",
                (Question("Strike?", Kind.STRIKE),),
                announced=PartialDate(2022),
            )
        ]
    )
    for typed in ("ynys mon", "YNYS MÔN", "ynys mo\u0302n", "ｙｎｙｓ ｍｏｎ"):
        assert (await chat.say(f"/ballot {typed}")).header == "Cyngor Sir Ynys Môn — UNISON"


async def test_autocomplete_uses_the_same_reading(chat: Conversation) -> None:
    assert (await chat.app.core.suggest("/ballot unison kirk"))[
        0
    ].name == "Kirklees Council (UNISON)"
    assert (await chat.app.core.suggest("unite sou"))[0].name == "Southampton City Council (Unite)"


async def test_a_choice_keeps_the_facets_the_member_named(chat: Conversation) -> None:
    await chat.app.store.save(
        [
            Ballot(
                f"{employer[6:].lower()}-{union.lower()}",
                (union,),
                employer,
                (Question("Strike?", Kind.STRIKE),),
                announced=PartialDate(year),
            )
            for employer, union, year in (
                ("Leeds College", "UNISON", 2023),
                ("Leeds College", "UCU", 2024),
                ("Leeds City Council", "UNISON", 2022),
            )
        ]
    )
    listed = await chat.say("/ballot unison leeds")
    college = next(b for b in listed.buttons if b.label == "Leeds College")

    picked = await chat.say(college.command)

    assert picked.header == "Leeds College — UNISON"  # not the newer UCU ballot


async def test_a_month_with_no_ballot_says_to_ask_with_less_not_closest_names_none(
    chat: Conversation,
) -> None:
    reply = await chat.say("/ballot may 1999")

    assert reply.header == "No ballot found for “may 1999”"
    assert "none" not in reply.plain_text()
    assert "Looking for: May 1999." in reply.plain_text()
    assert "Ask with less" in reply.plain_text()
