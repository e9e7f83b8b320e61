"""What a member types, and what the bot understands by it."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import columns
from bot.announce.model import FilterKind
from bot.commands import (
    ADMIN_VERBS,
    COMMAND_TYPES,
    FIGURE_ARGUMENTS,
    GRAMMAR,
    MAX_TEXT,
    AdminAdd,
    AdminAnnounce,
    AdminAudit,
    AdminCancel,
    AdminCorrect,
    AdminDeliveries,
    AdminInvalid,
    AdminPreview,
    AdminPrivacy,
    AdminReminders,
    AdminResult,
    AdminSet,
    AdminTurnout,
    Figures,
    ForgetMe,
    Help,
    Invalid,
    Lookup,
    OpenBallots,
    Recent,
    RemindMe,
    RemindStop,
    Replacement,
    Subscribe,
    Subscriptions,
    Unsubscribe,
    Voted,
    admin,
    argument_of,
    help_lines,
    parse,
)
from bot.domain import Kind, Method, PartialDate, Percentage, ReportedMandate
from tests.bot.conftest import Chat


@pytest.mark.parametrize("text", ["", "/ballot", "ballot", "  /ballot   ", "help", "/ballot help"])
def test_nothing_or_help_gives_help(text: str) -> None:
    assert parse(text) == Help()


@pytest.mark.parametrize("text", ["/ballot kirklees", "kirklees", "ballot kirklees", "KIRKLEES"])
def test_a_search_with_or_without_the_command(text: str) -> None:
    command = parse(text)
    assert isinstance(command, Lookup)
    assert command.search.lower() == "kirklees"
    assert not command.history


def test_history_of_a_search() -> None:
    assert parse("/ballot Kirklees Council history") == Lookup("Kirklees Council", history=True)


def test_history_alone_is_explained() -> None:
    assert isinstance(parse("/ballot history"), Invalid)


def test_open_and_recent() -> None:
    assert parse("/ballot open") == OpenBallots()
    assert parse("recent") == Recent()


def test_extra_spaces_are_ignored() -> None:
    assert parse("/ballot   southampton    city  council ") == Lookup("southampton city council")


def test_reminder_commands_are_recognised_not_searched() -> None:
    assert parse("/ballot forget me") == ForgetMe()
    assert parse("/ballot remind me kirklees") == RemindMe("kirklees")
    assert parse("/ballot remind me") == RemindMe("")
    assert parse("/ballot remind stop") == RemindStop("")
    assert parse("/ballot voted Kirklees") == Voted("Kirklees")
    assert parse("/ballot replacement #leeds-1") == Replacement("#leeds-1")
    assert isinstance(parse("/ballot voted"), Invalid)
    assert isinstance(parse("/ballot remind everyone"), Invalid)


UNION = FilterKind.UNION


def test_subscriptions_and_organiser_commands() -> None:
    assert parse("/ballot subscribe Unison") == Subscribe("Unison")
    assert parse("/ballot subscribe") == Subscribe("")
    assert parse("/ballot unsubscribe") == Unsubscribe("")
    assert parse("/ballot subscribe Union: Royal College") == Subscribe(" Royal College", UNION)
    assert parse("/ballot unsubscribe area:falkirk") == Unsubscribe("falkirk", FilterKind.AREA)
    assert parse("/ballot subscribe unison: north") == Subscribe("unison: north")  # a name
    assert parse("/ballot subscriptions") == Subscriptions()
    assert parse("/ballot admin result leeds-1 for=10 against=2") == AdminResult(
        "leeds-1", Figures(votes_for=10, votes_against=2)
    )
    assert isinstance(parse("/ballot admin"), Invalid)


def test_oversized_text_is_refused() -> None:
    command = parse("k" * (MAX_TEXT + 1))
    assert isinstance(command, Invalid)
    assert str(MAX_TEXT) in command.reason


def test_help_comes_from_the_grammar() -> None:
    lines = help_lines()
    assert len(lines) == len(GRAMMAR)
    assert any(line.startswith("/ballot <search> history") for line in lines)


# -- organisers' commands: typed once, here ---------------------------------------------------


def test_each_admin_verb_is_read_into_its_typed_command() -> None:
    assert parse("/ballot admin result leeds-1") == AdminResult("leeds-1")  # the form
    assert parse("/ballot admin correct leeds-1 for=1,552 against=307 q=2") == AdminCorrect(
        "leeds-1", Figures(votes_for=1552, votes_against=307, question=2)
    )
    assert parse("/ballot admin turnout kirklees council 34.5") == AdminTurnout(
        "kirklees council", Percentage(34.5, 1)
    )
    assert parse("/ballot admin preview leeds-1") == AdminPreview("leeds-1")
    assert parse("/ballot admin announce leeds-1") == AdminAnnounce("leeds-1")
    assert parse('/ballot admin cancel "old id"') == AdminCancel("old id")
    assert parse("/ballot admin audit kirklees council") == AdminAudit("kirklees council")
    assert parse("/ballot admin deliveries") == AdminDeliveries(None)
    assert parse("/ballot admin deliveries leeds-1") == AdminDeliveries("leeds-1")
    assert parse("/ballot admin privacy") == AdminPrivacy()
    assert parse("/ballot admin reminders leeds-1") == AdminReminders("leeds-1")
    assert parse("/ballot ADMIN Add") == AdminAdd()  # the form


def test_figures_are_parsed_by_the_import_columns_parsers() -> None:
    command = parse("/ballot admin result leeds-1 for=2,000 against=500 spoilt=3 eligible=4210 "
                    "turnout=0.9% for_pct=80")  # fmt: skip
    assert isinstance(command, AdminResult) and command.figures is not None
    figures = command.figures
    assert (figures.votes_for, figures.votes_against, figures.spoilt) == (2000, 500, 3)
    assert (figures.eligible, figures.turnout_pct, figures.for_pct) == (4210, 0.9, 80)
    assert figures.question == 1
    assert figures.result() == {
        "votes_for": 2000, "votes_against": 500, "spoilt": 3, "turnout_pct": 0.9, "for_pct": 80
    }  # fmt: skip


def test_the_short_names_of_figures_are_the_import_columns() -> None:
    assert FIGURE_ARGUMENTS["for"] == "votes_for"
    assert argument_of("votes_against") == "against" and argument_of("notes") == "notes"
    assert set(FIGURE_ARGUMENTS.values()) <= set(columns.NAMES)


def test_admin_add_builds_the_ballot_as_an_import_does() -> None:
    command = parse('/ballot admin add id=york-1 employer="York  Council" unions="GMB; Unison" '
                    'question="Strike?" kind=strike closes=2026-12 eligible=1,200')  # fmt: skip
    assert isinstance(command, AdminAdd) and command.ballot is not None
    ballot = command.ballot
    assert (ballot.id, ballot.employer, ballot.unions) == (
        "york-1",
        "York Council",
        ("GMB", "Unison"),
    )
    assert str(ballot.closes) == "2026-12" and ballot.eligible == 1200
    assert ballot.questions[0].kind is Kind.STRIKE


def test_admin_set_parses_details_and_the_unions_declaration() -> None:
    command = parse('/ballot admin set leeds-1 closes=2026-11-30 method=postal q=2 '
                    'reported_mandate=yes reported_by="UNISON press release"')  # fmt: skip
    assert command == AdminSet(
        "leeds-1",
        {"closes": PartialDate(2026, 11, 30), "method": Method.POSTAL},
        {"reported_mandate": ReportedMandate.YES, "reported_by": "UNISON press release"},
        question=2,
    )


def test_admin_reminders_options_are_typed() -> None:
    command = parse('/ballot admin reminders leeds-1 days=1,7,3 open=no posting_days=2 '
                    'replacement=2026-11-20 contact="Branch office, 0113 000"')  # fmt: skip
    assert isinstance(command, AdminReminders) and command.edit is not None
    edit = command.edit
    assert edit.days_before_close == (7, 3, 1) and edit.on_open is False
    assert edit.posting_days == 2 and edit.replacement_deadline == date(2026, 11, 20)
    assert edit.contact == "Branch office, 0113 000"
    cleared = parse("/ballot admin reminders leeds-1 contact= replacement=")
    assert isinstance(cleared, AdminReminders) and cleared.edit is not None
    assert cleared.edit.changes() == {"contact": None, "replacement_deadline": None}


@pytest.mark.parametrize(
    ("text", "header", "reason"),
    [
        ("admin frobnicate x", "`/ballot admin frobnicate` is not a command", "admin reminders"),
        ('admin set leeds-1 notes="open', "I could not read that", "quotation"),
        ("admin result", "Say which ballot", "search as members type it"),
        ("admin result leeds-1 for= against=5", "for has no value", "nothing was changed"),
        ("admin result leeds-1 for=1 for=2", "for is given twice", "nothing was changed"),
        ("admin result leeds-1 for=-5", "for cannot be '-5'", "negative"),
        ("admin result leeds-1 for=12,5", "for cannot be '12,5'", "nothing was changed"),
        ("admin result leeds-1 yes=10", "I could not read “yes=10”", "for=N against=N"),
        ("admin result leeds-1 turnout=0.6", "turnout cannot be '0.6'", "did you mean 60%?"),
        ("admin result leeds-1 q=one for=1", "q cannot be 'one'", "counted from 1"),
        ("admin result leeds-1 q=1 q=2", "q is given twice", "nothing was changed"),
        ("admin turnout leeds-1", "Say the percentage", ""),
        ("admin turnout leeds-1 ²", "That turnout cannot be right", "²"),
        ("admin set leeds-1 votes_for=10", "`admin set` cannot change votes_for", "admin result"),
        ("admin set leeds-1 colour=red", "I could not read “colour=red”", "column=value"),
        ("admin set leeds-1 notes=a notes=b", "notes is given twice", "nothing was changed"),
        ("admin set leeds-1 closes=2024-00", "closes", "Nothing was changed"),
        ("admin set leeds-1 q=1 q=1 notes=x", "q is given twice", "nothing was changed"),
        ("admin set leeds-1 reported_mandate=maybe", "reported_mandate", "Nothing was changed"),
        ('admin add id="leeds pay" employer=E', "id", "Nothing was changed"),
        ("admin add id=x unions=U question=Q kind=strike", "employer is required", "Nothing"),
        ("admin add id=x employer=E unions=U question=Q kind=strike eligible=5 votes_for=9",
         "Those details cannot all be true", "votes_for"),
        ("admin reminders leeds-1 days=100", "days cannot be '100'", "between 0 and 90"),
        ("admin reminders leeds-1 open=maybe", "open cannot be 'maybe'", "yes or no"),
        ("admin reminders leeds-1 posting_days=30", "posting_days cannot be '30'", "0-20"),
        ("admin reminders leeds-1 replacement=soon", "replacement cannot be 'soon'", "nothing"),
        ("admin reminders leeds-1 colour=red", "I could not read “colour=red”", "days=7,3,1"),
        ("admin cancel leeds-1 now=yes", "I could not read “now=yes”", "a ballot only"),
        ("admin deliveries leeds-1 all=yes", "I could not read “all=yes”", "a ballot only"),
        ("admin privacy now", "I could not read “now”", "nothing"),
    ],
)  # fmt: skip
def test_each_unreadable_admin_command_is_refused_naming_the_problem(
    text: str, header: str, reason: str
) -> None:
    command = parse(f"/ballot {text}")
    assert isinstance(command, AdminInvalid), command
    assert header in command.header, command
    assert reason in command.reason, command


def test_admin_alone_asks_what_to_do() -> None:
    command = parse("/ballot admin")
    assert isinstance(command, Invalid) and "admin result" in command.reason


def test_a_form_is_read_box_by_box_with_the_same_parsers() -> None:
    assert admin("result", ["for=2000", "against=500"], "old id") == AdminResult(
        "old id", Figures(votes_for=2000, votes_against=500)
    )  # the id is the form's, never read from the boxes
    refused = admin("correct", ["for=ten", "against=1"], "leeds-1")
    assert isinstance(refused, AdminInvalid) and refused.header.startswith("for ")
    added = admin("add", ['employer=York "Council"', "id=y", "unions=U", "question=Q?",
                          "kind=strike"])  # fmt: skip
    assert isinstance(added, AdminAdd) and added.ballot is not None
    assert added.ballot.employer == 'York "Council"'  # a box is one value, quotes and all


def test_every_command_type_is_something_the_grammar_can_produce() -> None:
    assert len(set(COMMAND_TYPES)) == len(COMMAND_TYPES)
    assert all(t.__dataclass_params__.frozen for t in COMMAND_TYPES)  # type: ignore[attr-defined]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=MAX_TEXT + 20))
def test_parsing_any_text_gives_a_command_and_never_raises(text: str) -> None:
    assert isinstance(parse(text), COMMAND_TYPES)


admin_words = st.lists(
    st.one_of(
        st.text(max_size=30),
        st.builds(
            "{}={}".format,
            st.sampled_from([*FIGURE_ARGUMENTS, "q", "days", "open", "contact", *columns.NAMES]),
            st.text(max_size=30),
        ),
    ),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(ADMIN_VERBS)), admin_words, st.none() | st.text(max_size=20))
def test_organisers_words_give_a_command_and_never_raise(
    verb: str, words: list[str], ballot: str | None
) -> None:
    assert isinstance(admin(verb, words, ballot), COMMAND_TYPES)
    assert isinstance(parse(f"/ballot admin {verb} " + " ".join(words)), COMMAND_TYPES)


async def test_the_core_has_one_handler_for_every_command_type(chat: Chat) -> None:
    assert set(chat.app.core.handlers()) == set(COMMAND_TYPES)


@pytest.mark.parametrize(
    "text",
    ["admin result kirklees for=ten", "admin frobnicate", 'admin set x notes="open',
     "admin reminders kirklees days=100", "admin privacy now"],
)  # fmt: skip
async def test_a_member_typing_an_unreadable_admin_command_hears_it_is_for_organisers(
    chat: Chat, text: str
) -> None:
    reply = await chat.say(f"/ballot {text}", user="U0MEMBER", platform="slack")
    assert not reply.ok and reply.header == "Only organisers can do that"


async def test_an_organiser_hears_what_is_wrong_with_the_command(chat: Chat) -> None:
    reply = await chat.say("/ballot admin result kirklees for=ten against=1")
    assert not reply.ok and reply.header == "for cannot be 'ten'"
    assert "nothing was changed" in reply.text
