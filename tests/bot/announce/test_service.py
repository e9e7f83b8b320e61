"""Organisers declaring results and channels following them, as members and organisers type it."""

from __future__ import annotations

import pytest

from bot.announce.model import FilterKind, Target
from bot.domain import Status
from bot.requests import FormSubmission, Request
from tests.support.conversation import Conversation

LEEDS = (
    '/ballot admin add id=leeds-2026 employer="Leeds City Council" unions="Unison; Unite" '
    'question="Strike over pay?" kind=strike closes=2026-12-10 eligible=4210 status=open '
    "sector=local-government"
)
CONSOLE = Target("console", "console")


async def export(chat: Conversation) -> list[dict]:
    return [chat.app.core.cards.serialise(b) for b in await chat.app.store.all_ballots()]  # type: ignore[misc]


async def test_an_organiser_adds_a_ballot_and_declares_its_result(chat: Conversation) -> None:
    assert (await chat.say(LEEDS)).header == "Added: Leeds City Council — Unison and Unite"
    assert (await chat.say("/ballot subscribe")).header == "This channel now follows every result"

    declared = await chat.say("/ballot admin result leeds-2026 for=2000 against=500 spoilt=10")

    assert declared.ok, declared.plain_text()
    assert "1 channel(s) will hear the result" in declared.text
    leeds = await chat.app.store.get("leeds-2026")
    assert leeds is not None and leeds.questions[0].result.votes_for == 2000
    [delivery] = await chat.app.outbox.deliveries("leeds-2026")
    assert (delivery.target, delivery.kind, delivery.state) == (CONSOLE, "result", "pending")


async def test_a_member_who_is_not_an_organiser_is_refused_and_nothing_changes(
    chat: Conversation,
) -> None:
    await chat.say(LEEDS)
    await chat.say("/ballot subscribe")
    before = await export(chat)

    for command in (
        "/ballot admin result leeds-2026 for=2000 against=500",
        "/ballot admin cancel leeds-2026",
        "/ballot subscribe unison",
        "/ballot unsubscribe",
    ):
        reply = await chat.say(command, user="U0MEMBER", platform="slack")
        assert not reply.ok
        assert reply.header == "Only organisers can do that"
        assert "nothing was changed" in reply.text

    assert await export(chat) == before
    assert await chat.app.outbox.deliveries(None) == []
    assert len(await chat.app.declarations.audit("leeds-2026")) == 1  # the add only


async def test_anyone_may_read_what_a_channel_follows(chat: Conversation) -> None:
    await chat.say("/ballot subscribe unison")

    reply = await chat.say("/ballot subscriptions", user="guest")

    assert reply.header == "This channel follows"
    assert reply.sections[0].lines == ("union: unison",)


@pytest.mark.parametrize(
    ("figures", "reason"),
    [
        ("for=-5 against=2", "negative"),
        ("for=ten against=2", "for"),
        ("for=10 against=2 spoilt=1 eligible=5", "cannot all be true"),
        ("turnout=140", "turnout"),
        ("q=3 for=1 against=1", "There is no question 3"),
        ("q=1", "No figures given"),
        ("yes=10", "could not read"),
    ],
)
async def test_a_bad_figure_is_refused_with_a_reason_and_nothing_changes(
    chat: Conversation, figures: str, reason: str
) -> None:
    await chat.say(LEEDS)
    await chat.say("/ballot subscribe")
    before = await export(chat)

    reply = await chat.say(f"/ballot admin result leeds-2026 {figures}")

    assert not reply.ok
    assert reason.lower() in (reply.header + " " + reply.text).lower()
    assert await export(chat) == before
    assert await chat.app.outbox.deliveries(None) == []


async def test_a_declared_result_is_corrected_not_declared_twice(chat: Conversation) -> None:
    await chat.say(LEEDS)
    await chat.say("/ballot admin result leeds-2026 for=2000 against=500")

    again = await chat.say("/ballot admin result leeds-2026 for=1 against=2")

    assert not again.ok and "admin correct" in again.text
    corrected = await chat.say("/ballot admin correct leeds-2026 for=2100 against=400")
    assert corrected.ok
    leeds = await chat.app.store.get("leeds-2026")
    assert leeds is not None and leeds.questions[0].result.votes_for == 2100


async def test_the_audit_log_says_who_changed_what_before_and_after(chat: Conversation) -> None:
    await chat.say(LEEDS)
    await chat.say("/ballot admin turnout leeds-2026 31.5")
    await chat.say("/ballot admin result leeds-2026 for=2000 against=500")
    await chat.say("/ballot admin correct leeds-2026 for=2100 against=400")

    reply = await chat.say("/ballot admin audit leeds-2026")

    lines = reply.sections[0].lines
    assert [line.split(" — ")[2] for line in lines] == ["add", "turnout", "result", "correct"]
    assert all(" — console:local — " in line for line in lines)
    assert lines[3].endswith(" — correct — votes_for: 2000 → 2100; votes_against: 500 → 400")


async def test_reported_turnout_and_dates_are_set_while_the_ballot_is_open(
    chat: Conversation,
) -> None:
    await chat.say(LEEDS)

    assert (await chat.say("/ballot admin turnout leeds-2026 31.5")).ok
    assert (await chat.say("/ballot admin set leeds-2026 opens=2026-11-12 method=postal")).ok
    refused = await chat.say("/ballot admin set leeds-2026 votes_for=10")

    leeds = await chat.app.store.get("leeds-2026")
    assert leeds is not None
    assert leeds.turnout_so_far is not None and leeds.turnout_so_far.pct == 31.5
    assert leeds.questions[0].result.turnout_pct is None  # not the result's: none yet
    assert str(leeds.opens) == "2026-11-12" and leeds.method == "postal"
    assert not refused.ok and "admin result" in refused.text
    assert await chat.app.outbox.deliveries(None) == []  # none of that is news


async def test_adding_a_ballot_twice_or_without_an_employer_is_refused(chat: Conversation) -> None:
    await chat.say(LEEDS)

    twice = await chat.say(LEEDS)
    no_employer = await chat.say('/ballot admin add id=x unions=Unison question="?" kind=strike')

    assert not twice.ok and "exists already" in twice.header
    assert not no_employer.ok and "employer" in no_employer.header


async def test_a_channel_follows_a_union_and_hears_only_its_results(chat: Conversation) -> None:
    await chat.say(LEEDS)
    await chat.say("/ballot subscribe unite")  # a name the catalog knows as a union

    [subscription] = await chat.app.subscriptions.subscriptions(CONSOLE)
    assert (subscription.kind, subscription.value) == (FilterKind.UNION, "unite")

    kirklees = await chat.say("/ballot admin announce kirklees-council-redundancies-strike")
    leeds = await chat.say("/ballot admin result leeds-2026 for=2000 against=500")

    assert "0 channel(s)" in kirklees.text  # Unison only
    assert "1 channel(s)" in leeds.text


async def test_an_unknown_filter_is_refused_with_the_closest_names(chat: Conversation) -> None:
    reply = await chat.say("/ballot subscribe unisn")

    assert not reply.ok
    assert "Unison" in reply.text
    assert await chat.app.subscriptions.subscriptions(CONSOLE) == []


async def test_unsubscribing_what_was_never_followed_says_so(chat: Conversation) -> None:
    await chat.say("/ballot subscribe unison")

    assert not (await chat.say("/ballot unsubscribe unite")).ok
    assert (await chat.say("/ballot unsubscribe")).header == "Stopped 1 subscription(s) here"
    assert await chat.app.subscriptions.subscriptions(CONSOLE) == []


async def test_an_organiser_who_gives_no_figures_gets_a_form_to_fill_in(chat: Conversation) -> None:
    await chat.say(LEEDS)

    reply = await chat.say("/ballot admin result leeds-2026")

    assert reply.ok and reply.form is not None
    assert [f.key for f in reply.form.fields] == ["for", "against", "spoilt", "eligible"]
    assert reply.form.fields[3].initial == "4210"
    assert "for=…" in reply.text and "[spoilt=…]" in reply.text
    submitted = reply.form.command_for({"for": "2000", "against": "500", "spoilt": ""})
    assert submitted == "admin result leeds-2026 for=2000 against=500"
    assert "will hear the result" in (await chat.say(submitted)).text


async def test_the_correction_form_starts_from_the_declared_figures(chat: Conversation) -> None:
    await chat.say(LEEDS)
    await chat.say("/ballot admin result leeds-2026 for=2000 against=500")

    reply = await chat.say("/ballot admin correct leeds-2026")

    assert reply.form is not None
    assert [f.initial for f in reply.form.fields[:3]] == ["2000", "500", ""]


async def test_the_add_form_submits_the_import_columns(chat: Conversation) -> None:
    form = (await chat.say("/ballot admin add")).form
    assert form is not None

    text = form.command_for(
        {
            "id": "york-1",
            "employer": "York Council",
            "unions": "GMB; Unison",
            "question": "Strike over pay?",
            "kind": "strike",
            "closes": "2026-12-01",
        }
    )
    reply = await chat.say(text)

    assert reply.header == "Added: York Council — GMB and Unison", reply.plain_text()


def submitted(verb: str, ballot_id: str | None, user: str = "local", **values: str) -> Request:
    """A form submitted box by box, as the Slack and Discord adapters hand it over."""
    form = FormSubmission(verb, ballot_id, tuple(values.items()))
    return Request("", user_id=user, form=form)


async def test_a_submitted_form_runs_its_command_box_by_box(chat: Conversation) -> None:
    await chat.say(LEEDS)

    reply = await chat.app.core.handle(
        submitted("result", "leeds-2026", **{"for": "2000", "against": "500", "spoilt": ""})
    )

    assert reply.ok and "will hear the result" in reply.text
    leeds = await chat.app.store.get("leeds-2026")
    assert leeds is not None and leeds.questions[0].result.votes_for == 2000


async def test_a_form_is_refused_on_its_boxes_with_every_problem_at_once(
    chat: Conversation,
) -> None:
    reply = await chat.app.core.handle(
        submitted("add", None, id="york-1", employer=" ", unions="GMB", question="x" * 501)
    )

    assert not reply.ok
    assert set(reply.errors) == {"employer", "question", "kind"}
    assert "at most 500 characters (this has 501)" in reply.errors["question"]
    assert await chat.app.store.get("york-1") is None


async def test_a_figure_refused_by_the_column_check_lands_under_its_box(chat: Conversation) -> None:
    await chat.say(LEEDS)

    reply = await chat.app.core.handle(
        submitted("result", "leeds-2026", **{"for": "-5", "against": "500"})
    )

    assert not reply.ok and list(reply.errors) == ["for"]


async def test_a_refusal_about_no_box_has_no_box(chat: Conversation) -> None:
    await chat.say(LEEDS)

    reply = await chat.app.core.handle(
        submitted("add", None, id="leeds-2026", employer="Leeds", unions="GMB", question="Q?",
                  kind="strike")
    )  # fmt: skip

    assert not reply.ok and "exists already" in reply.header
    assert reply.errors == {}  # a general error, not one under "Ballot id"


async def test_a_form_from_a_member_is_refused_like_the_command(chat: Conversation) -> None:
    await chat.say(LEEDS)

    reply = await chat.app.core.handle(
        submitted("result", "leeds-2026", user="member", **{"for": "1", "against": "1"})
    )

    assert reply.header == "Only organisers can do that"


async def test_a_form_for_a_verb_no_form_has_is_refused(chat: Conversation) -> None:
    reply = await chat.app.core.handle(submitted("cancel", "kirklees-council-redundancies-strike"))

    assert not reply.ok and reply.header == "That form is not one of mine"
    kirklees = await chat.app.store.get("kirklees-council-redundancies-strike")
    assert kirklees is not None and kirklees.status is not Status.CANCELLED


async def test_a_ballot_id_with_spaces_stays_one_word_in_a_form(chat: Conversation) -> None:
    """The form's ballot id never becomes command words: ``a for=5`` is one id."""
    reply = await chat.app.core.handle(
        submitted("result", "leeds-2026 for=9 against=1", **{"for": "2000", "against": "500"})
    )

    assert reply.header == "No such ballot"


async def test_a_channel_follows_a_union_named_in_full_under_any_of_its_names(
    chat: Conversation,
) -> None:
    reply = await chat.say("/ballot subscribe Royal College of Nursing")
    assert reply.header == "This channel now follows union: rcn"
    await chat.say(
        '/ballot admin add id=rcn-1 employer="Leeds Teaching Hospitals NHS Trust" '
        'unions="Royal College of Nursing" question="Strike?" kind=strike'
    )

    declared = await chat.say("/ballot admin result rcn-1 for=300 against=100")

    assert "1 channel(s)" in declared.text


async def test_a_channel_cannot_follow_a_union_and_a_place_at_once(chat: Conversation) -> None:
    reply = await chat.say("/ballot subscribe unison kirklees")

    assert not reply.ok and "one union, employer, area, sector or campaign" in reply.text
    assert await chat.app.subscriptions.subscriptions(CONSOLE) == []


async def test_an_accented_area_is_followed_however_it_is_typed(chat: Conversation) -> None:
    await chat.say(
        '/ballot admin add id=mon-1 employer="Cyngor Sir Ynys Môn" area="Ynys Môn" '
        'unions=UNISON question="Strike?" kind=strike'
    )
    assert (await chat.say("/ballot subscribe area:ynys mon")).ok

    declared = await chat.say("/ballot admin result mon-1 for=30 against=10")

    assert "1 channel(s)" in declared.text


async def test_a_union_named_in_the_colon_form_is_the_same_subscription(chat: Conversation) -> None:
    assert (await chat.say("/ballot subscribe union:Royal College of Nursing")).ok
    again = await chat.say("/ballot subscribe rcn")
    assert again.header == "This channel already follows union: rcn"
    assert (await chat.say("/ballot unsubscribe RCN")).ok
    assert await chat.app.subscriptions.subscriptions(CONSOLE) == []


async def test_a_result_announced_before_the_ballot_closes_is_refused(chat: Conversation) -> None:
    reply = await chat.say(LEEDS + " announced=2026-12-01")

    assert not reply.ok
    assert "announced: 2026-12-01 is before it closes (2026-12-10)" in reply.text
    assert await chat.app.store.get("leeds-2026") is None
