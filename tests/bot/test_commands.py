"""What a member types, and what the bot understands by it."""

import pytest

from bot.commands import (
    GRAMMAR,
    MAX_TEXT,
    Admin,
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
    help_lines,
    parse,
)


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


def test_subscriptions_and_organiser_commands() -> None:
    assert parse("/ballot subscribe Unison") == Subscribe("Unison")
    assert parse("/ballot subscribe") == Subscribe("")
    assert parse("/ballot unsubscribe") == Unsubscribe("")
    assert parse("/ballot subscriptions") == Subscriptions()
    assert parse("/ballot admin result leeds-1 for=10 against=2") == Admin(
        "result", "leeds-1 for=10 against=2"
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
