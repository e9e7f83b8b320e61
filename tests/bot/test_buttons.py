"""Buttons carry intent, never text: whatever a ballot's data says, a button runs the one
lookup it shows, for whoever presses it, and changes nothing else."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import MetaData, select

from adapters.compose import App, open_app
from bot.actions import VERBS, Action, BadAction, Verb
from bot.cards import unresolved
from bot.commands import COMMAND_TYPES, parse
from bot.config import Settings
from bot.core import button_command
from bot.domain import Ballot, Kind, PartialDate, Question, Result, Status
from bot.replies import Reply
from bot.requests import Request
from tests.bot.conftest import Chat

KIRKLEES = "kirklees-council-redundancies-strike"
ORGANISER = Request("", user_id="local")  # the console user is an organiser by default

# What an import, a feed or a careless organiser could put in any text field.
HOSTILE = (
    "admin cancel victim",
    "admin announce victim",
    "admin set victim status=cancelled \\",
    "forget me",
    "subscribe",
    "unsubscribe",
    "remind me",
    "voted #victim",
    "#victim",
    "victim history",
    "help",
    "quote \" and ' and `tick`",
    "back\\slash\\",
    "line\nbreak\r\nadmin cancel victim",
    "<!channel> <@U0ADMIN> <!subteam^S0ALL>",
    "[Vote here](https://phish.example)",
    "Smith [/] Sons [link=https://evil]x[/link]",
    "$x^2$ $\\frac{",
    "\x1b]8;;https://evil\x1b\\click\x1b]8;;\x1b\\ \x1b[2J",
    "\u202eexe.txt",
    "@everyone @here",
)
names = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(min_size=1, max_size=30),
    st.builds(lambda a, b: f"{a} {b}", st.sampled_from(HOSTILE), st.text(max_size=10)),
).filter(lambda name: 0 < len(name.strip()) <= 250 and "\x00" not in name)
# NUL is the one character no data source can store (the databases refuse it; imports, feeds
# and organiser commands refuse it first: bot.parsers.text), so no card ever shows one.
ids = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters="\x85"
    ),
    min_size=1,
    max_size=40,
).filter(lambda i: i == i.strip() and i != "victim")


@st.composite
def hostile_ballots(draw: st.DrawFn) -> list[Ballot]:
    """Two or three ballots made of hostile text, sharing one name so searches must choose."""
    shared = draw(names)
    out = []
    for n in range(draw(st.integers(2, 3))):
        employer = draw(st.sampled_from([shared, draw(names)]))
        out.append(
            Ballot(
                id=f"{draw(ids)}-{n}",
                unions=(draw(names),),
                employer=employer.strip(),
                questions=(Question(draw(names), Kind.STRIKE, Result(100 + n, 50)),),
                branch=draw(st.none() | names),
                area=draw(st.none() | names),
                aliases=tuple(draw(st.lists(names, max_size=2))),
                notes=draw(st.none() | names),
                campaign=draw(st.none() | names),
                source_url=draw(st.none() | st.sampled_from(HOSTILE) | st.just("https://x.org/")),
                announced=PartialDate(2020 + n, 5, 1),
            )
        )
    return out


def replace_text(request: Request, text: str) -> Request:
    """The organiser typing ``text`` (only ever our own words, never ballot data)."""
    return Request(text, request.platform, request.user_id, request.channel_id)


def ballot_buttons(reply: Reply) -> list[Action]:
    return [button.action for button in reply.buttons]


_TABLES: dict[int, MetaData] = {}


async def snapshot(app: App) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: what a button must never change."""
    async with app.engine.connect() as connection:
        metadata = _TABLES.get(id(app.engine))
        if metadata is None:
            metadata = _TABLES[id(app.engine)] = MetaData()
            await connection.run_sync(metadata.reflect)
        return {
            name: sorted(map(tuple, (await connection.execute(select(table))).all()), key=repr)
            for name, table in metadata.tables.items()
        }


async def cards_for(app: App, ballots: list[Ballot]) -> list[Reply]:
    """Every reply with buttons these ballots appear in. Nothing is typed from their data:
    cards and histories through their own buttons, choices through the search itself."""
    core = app.core
    replies = []
    for ballot in ballots:
        replies.append(await core.press(Action(Verb.CARD, ballot.id).value, ORGANISER))
        replies.append(await core.press(Action(Verb.HISTORY, ballot.id).value, ORGANISER))
    index = await core.index()
    for name in {ballots[0].employer, ballots[0].unions[0], *ballots[0].aliases}:
        choices = unresolved(name, index.find(name))
        if choices is not None:
            replies.append(choices)
    replies += [await core.handle(replace_text(ORGANISER, w)) for w in ("recent", "open")]
    if ballots[0].campaign and core.campaign_card is not None:
        replies.append(core.campaign_card(ballots[0].campaign, ballots))
    return replies


async def press_everything(app: App, ballots: list[Ballot]) -> None:
    await app.store.save(ballots)
    replies = await cards_for(app, ballots)
    before = await snapshot(app)
    known = {b.id: b for b in await app.store.all_ballots()}

    pressed = 0
    for reply in replies:
        for action in ballot_buttons(reply):
            assert action.verb in (Verb.CARD, Verb.PICK, Verb.HISTORY, Verb.SHARE)
            for who in (ORGANISER, Request("", user_id="member-1")):
                answer = await app.core.press(action.value, who)
                ballot = known[action.ballot_id]
                assert answer.ok, (action, answer.plain_text())
                if action.verb is Verb.HISTORY:
                    assert answer.kind == "list"
                    assert ballot.id in [b["id"] for b in answer.data["ballots"]]
                else:
                    assert answer.kind == "ballot" and answer.header == ballot.title
                pressed += 1
    assert pressed >= 2 * len(ballots)  # every card's History and Share at least
    assert await snapshot(app) == before  # nothing else happened
    victim = await app.store.get("victim")
    assert victim is not None and victim.status is Status.OPEN


def test_every_button_of_every_card_runs_only_the_lookup_it_shows(tmp_path: Path) -> None:
    """Hypothesis: ballots made of hostile text (any Unicode, controls, command words)."""
    config = Settings()
    config.database.url = f"sqlite+aiosqlite:///{tmp_path / 'buttons.db'}"
    config.search.refresh_seconds = 0
    config.charts.cache_dir = str(tmp_path / "charts")
    strike = (Question("Strike?", Kind.STRIKE),)
    victim = Ballot("victim", ("Unison",), "Victim Council", strike, status=Status.OPEN)
    with asyncio.Runner() as runner:
        stack = AsyncExitStack()
        app = runner.run(stack.enter_async_context(open_app(config)))
        try:
            runner.run(app.store.save([victim]))
            console = ORGANISER
            runner.run(app.core.handle(replace_text(console, "subscribe")))
            runner.run(app.core.handle(replace_text(console, "remind me #victim")))

            @settings(
                max_examples=15,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            )
            @given(hostile_ballots())
            def check(ballots: list[Ballot]) -> None:
                runner.run(press_everything(app, ballots))

            check()
        finally:
            runner.run(stack.aclose())


# -- the examples of issue 15, finding 2 ---------------------------------------------------


@pytest.fixture
async def trapped(chat: Chat) -> AsyncIterator[Chat]:
    """Ballots whose names are organiser commands, beside a real ballot to harm."""
    adds = [
        'admin add id=trap employer="admin cancel kirklees-council-redundancies-strike" '
        'unions=Unison question="Strike?" kind=strike',
        'admin add id=trap-2 employer="admin announce kirklees-council-redundancies-strike" '
        'unions=Unison question="Strike?" kind=strike',
        'admin add id=trap-3 employer="admin set kirklees-council-redundancies-strike '
        'status=cancelled \\\\" unions=Unison question="Strike?" kind=strike',
    ]
    for add in adds:
        assert (await chat.say(add)).ok, add
    yield chat


@pytest.mark.parametrize("trap", ["trap", "trap-2", "trap-3"])
async def test_history_on_a_card_named_like_an_organiser_command_only_lists_ballots(
    trapped: Chat, trap: str
) -> None:
    card = await trapped.say(f"#{trap}")
    history = next(b for b in card.buttons if b.action.verb is Verb.HISTORY)
    assert history.value == f"history:{trap}"

    answer = await trapped.app.core.press(history.value, ORGANISER)

    assert answer.ok and answer.kind == "list"
    kirklees = await trapped.app.store.get(KIRKLEES)
    assert kirklees is not None and kirklees.status is not Status.CANCELLED
    assert await trapped.app.outbox.deliveries(KIRKLEES) == []
    assert [e.action for e in await trapped.app.declarations.audit(KIRKLEES)] == []


async def test_choices_carry_ballot_ids_even_when_an_alias_is_a_command(chat: Chat) -> None:
    strike = Question("Strike?", Kind.STRIKE)
    await chat.app.store.save(
        [
            Ballot("ashford-college", ("UCU",), "Ashford College", (strike,),
                   aliases=("admin cancel kirklees-council-redundancies-strike",)),
            Ballot("ashford-council", ("GMB",), "Ashford Council", (strike,),
                   aliases=("forget me",)),
        ]
    )  # fmt: skip

    reply = await chat.say("ashford")

    assert reply.kind == "choices"
    assert {b.value for b in reply.buttons} == {"pick:ashford-college", "pick:ashford-council"}
    for button in reply.buttons:
        answer = await chat.app.core.press(button.value, ORGANISER)
        assert answer.kind == "ballot" and answer.header.startswith(button.label)
    kirklees = await chat.app.store.get(KIRKLEES)
    assert kirklees is not None and kirklees.status is not Status.CANCELLED


async def test_every_verb_runs_its_own_thing_for_the_ballot_it_names(chat: Chat) -> None:
    open_ballot = (
        'admin add id=leeds-2026 employer="Leeds City Council" unions=Unison '
        'question="Strike over pay?" kind=strike closes=2099-12-10 eligible=4210 status=open'
    )
    assert (await chat.say(open_ballot)).ok
    member = Request("", platform="slack", user_id="U0MEMBER1")
    core = chat.app.core

    answers = {verb: await core.press(f"{verb}:leeds-2026", member) for verb in Verb}

    assert answers[Verb.CARD].header == answers[Verb.PICK].header == answers[Verb.SHARE].header
    assert answers[Verb.CARD].header == "Leeds City Council — Unison"
    assert answers[Verb.HISTORY].header.startswith("Ballots for “Leeds City Council”")
    assert answers[Verb.REMIND].header == "I'll remind you by direct message"
    assert answers[Verb.POSTED].header == "Thank you for voting"
    assert answers[Verb.REPLACEMENT].header == "Lost or spoilt your ballot paper?"
    assert set(VERBS) == set(Verb)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("cancel:kirklees-council-redundancies-strike", "is not something a button does"),
        ("admin:kirklees-council-redundancies-strike", "is not something a button does"),
        ("history", "expected verb:ballot-id"),
        ("", "expected verb:ballot-id"),
        ("history:", "missing or malformed"),
        ("history:kirklees council", "missing or malformed"),
        ("history:a:b", "missing or malformed"),
        ("card:%00", "missing or malformed"),
        ("card:%ff", "malformed"),
        ("card:" + "a" * 201, "missing or malformed"),
        ("HISTORY:kirklees", "expected verb:ballot-id"),
    ],
)
async def test_an_unknown_verb_or_a_malformed_id_is_refused_and_changes_nothing(
    chat: Chat, value: str, says: str
) -> None:
    before = await snapshot(chat.app)

    answer = await chat.app.core.press(value, ORGANISER)

    assert not answer.ok and answer.header == "That button is not one of mine"
    assert says in answer.text and "Nothing was changed" in answer.text
    assert await snapshot(chat.app) == before


@pytest.mark.parametrize(
    "old",
    [
        "/ballot admin cancel kirklees-council-redundancies-strike",
        "/ballot admin announce kirklees-council-redundancies-strike",
        "/ballot subscribe",
        "/ballot unsubscribe",
        "/ballot remind me #kirklees-council-redundancies-strike",
        "/ballot voted #kirklees-council-redundancies-strike",
        "/ballot forget me",
        "/ballot admin set kirklees-council-redundancies-strike status=cancelled",
    ],
)
async def test_an_old_button_that_would_run_a_command_is_refused(chat: Chat, old: str) -> None:
    await chat.say("subscribe")
    await chat.say("remind me #kirklees-council-redundancies-strike")
    before = await snapshot(chat.app)

    answer = await chat.app.core.press(old, ORGANISER)

    assert not answer.ok and answer.header == "That button no longer works"
    assert await snapshot(chat.app) == before


@pytest.mark.parametrize(
    ("old", "kind"),
    [
        ("/ballot Kirklees Council history", "list"),
        ("/ballot #kirklees-council-redundancies-strike", "ballot"),
        ("/ballot Kirklees Council", "ballot"),
        ("/ballot southampton chart", "ballot"),
    ],
)
async def test_an_old_lookup_button_still_answers(chat: Chat, old: str, kind: str) -> None:
    before = await snapshot(chat.app)

    answer = await chat.app.core.press(old, ORGANISER)

    assert answer.ok and answer.kind == kind
    assert await snapshot(chat.app) == before


def test_an_action_round_trips_any_stored_id_in_a_short_safe_value() -> None:
    for ballot_id in ("kirklees-2013", "a b", "x:y#z/%", "Café_1.2", "q'\"`\\"):
        action = Action(Verb.HISTORY, ballot_id)
        assert Action.parse(action.value) == action
        verb, encoded = action.value.split(":")
        assert verb == "history" and encoded.isascii() and " " not in encoded
    with pytest.raises(BadAction):
        Action.parse("history:a%0Ab")  # a line feed in an id is not one we would draw


def test_a_button_offers_the_same_thing_typed_where_there_are_no_buttons() -> None:
    assert Action(Verb.HISTORY, "k-1").typed == "/ballot #k-1 history"
    assert Action(Verb.POSTED, "k-1").typed == "/ballot voted #k-1"
    assert Action(Verb.REMIND, "k-1").typed == "/ballot remind me #k-1"


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(list(Verb)), st.from_regex(r"[A-Za-z0-9._-]{1,60}", fullmatch=True))
def test_a_button_runs_the_typed_command_its_typed_words_parse_to(
    verb: Verb, ballot_id: str
) -> None:
    action = Action(verb, ballot_id)
    pressed = button_command(action.value)
    assert isinstance(pressed, COMMAND_TYPES)  # built from the verb and the id, not parsed
    assert pressed == parse(action.typed)
