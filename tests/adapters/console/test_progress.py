"""An organiser importing a big file at a terminal sees it move; a pipe sees only the summary."""

from __future__ import annotations

import asyncio
import io

from rich.console import Console

from adapters.console.progress import TerminalProgress


def _console(terminal: bool) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=terminal, width=100, markup=False), out


async def test_a_long_import_at_a_terminal_shows_a_bar_of_what_is_stored() -> None:
    console, out = _console(terminal=True)

    async with TerminalProgress(console, "Checking [bold]ballots.csv", "Storing", after=0) as bar:
        await asyncio.sleep(0.05)  # the file is read: a spinner only
        bar(5_000, 50_000)
        bar(10_000, 50_000)

    drawn = out.getvalue()
    assert "Checking [bold]ballots.csv" in drawn  # a file name is shown as it is, not as markup
    assert "Storing" in drawn and "10000/50000" in drawn


async def test_a_quick_import_shows_no_bar() -> None:
    console, out = _console(terminal=True)

    async with TerminalProgress(console, "Checking ballots.csv", "Storing") as bar:
        bar(3, 3)

    assert out.getvalue() == ""


async def test_no_bar_reaches_a_pipe() -> None:
    console, out = _console(terminal=False)

    async with TerminalProgress(console, "Checking ballots.csv", "Storing", after=0) as bar:
        await asyncio.sleep(0.05)
        bar(5_000, 50_000)

    assert out.getvalue() == ""


async def test_announcements_queued_after_the_ballots_are_stored_get_their_own_label() -> None:
    console, out = _console(terminal=True)

    labels = ("Storing", "Queuing announcements")
    async with TerminalProgress(console, "Checking ballots.csv", *labels, after=0) as bar:
        bar(50_000, 50_000)  # every ballot stored
        bar(500, 2_000)  # a new count: the results being queued for their channels

    drawn = out.getvalue()
    assert "Queuing announcements" in drawn and "500/2000" in drawn


async def test_a_count_that_starts_again_with_no_label_left_keeps_the_last() -> None:
    console, out = _console(terminal=True)

    async with TerminalProgress(console, "Checking ballots.csv", "Storing", after=0) as bar:
        bar(10, 10)
        bar(1, 5)

    drawn = out.getvalue()
    assert "Storing" in drawn and "1/5" in drawn
