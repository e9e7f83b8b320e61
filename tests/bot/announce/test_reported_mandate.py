"""Organisers record what the union declared, with the same words on every platform."""

from __future__ import annotations

from tests.bot.announce.conftest import LEEDS
from tests.bot.conftest import Chat


async def test_an_organiser_records_the_unions_declaration(chat: Chat) -> None:
    await chat.say(LEEDS)

    reply = await chat.say(
        '/ballot admin set leeds-2026 reported_mandate=yes reported_by="UNISON press release"'
    )

    assert reply.ok, reply.plain_text()
    card = await chat.say("/ballot #leeds-2026")
    lines = card.sections[0].lines
    assert "Unison and Unite reported: mandate ✔ (UNISON press release)" in lines
    # Nothing counted yet: the verdict is the union's, and says so.
    assert lines[0].startswith("Mandate for strike action ✔ — as Unison and Unite reported")
    verdict = card.data["ballot"]["questions"][0]["verdict"]
    assert (verdict["mandate"], verdict["basis"], verdict["reported_mandate"]) == (
        "yes",
        "reported",
        "yes",
    )
    audit = await chat.say("/ballot admin audit leeds-2026")
    assert [line.split(" — ")[2] for line in audit.sections[0].lines] == ["add", "set"]
    assert await chat.app.outbox.deliveries(None) == []  # a declaration is not news


async def test_one_question_at_a_time_and_cleared_with_an_empty_value(chat: Chat) -> None:
    await chat.say(LEEDS)
    await chat.say(
        '/ballot admin add id=leeds-asos employer="Leeds City Council" unions=Unison '
        'question="Action short?" kind=action_short_of_strike closes=2026-12-10'
    )

    assert (await chat.say("/ballot admin set leeds-2026 q=1 reported_mandate=partial")).ok
    leeds = await chat.app.store.get("leeds-2026")
    assert leeds is not None and leeds.questions[0].reported_mandate == "partial"

    assert (await chat.say("/ballot admin set leeds-2026 reported_mandate=")).ok
    leeds = await chat.app.store.get("leeds-2026")
    assert leeds is not None and leeds.questions[0].reported_mandate is None


async def test_a_bad_declaration_is_refused_and_changes_nothing(chat: Chat) -> None:
    await chat.say(LEEDS)

    wrong_value = await chat.say("/ballot admin set leeds-2026 reported_mandate=maybe")
    wrong_question = await chat.say("/ballot admin set leeds-2026 q=3 reported_mandate=yes")

    assert not wrong_value.ok and "reported_mandate" in wrong_value.header
    assert "yes | no | partial" in wrong_value.header
    assert not wrong_question.ok and "no question '3'" in wrong_question.header
    leeds = await chat.app.store.get("leeds-2026")
    assert leeds is not None and leeds.questions[0].reported_mandate is None
