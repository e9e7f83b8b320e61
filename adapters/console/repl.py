"""The console REPL: type what you would type in Slack or Discord, read the same answers.

Input is read in a worker thread so the event loop stays free for everything else the bot
runs beside it (announcements printed to the console channel, adapters).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from pathlib import Path

from rich.console import Console

from adapters.console.render import show
from bot.core import Core
from bot.requests import Request

PROMPT = "ballot> "
HISTORY_FILE = Path.home() / ".ballotbot_history"
BANNER = (
    "ballotbot console — type a search such as [bold]kirklees[/], or [bold]help[/]. "
    "Ctrl-D to leave."
)


def _enable_line_editing() -> None:
    """Arrow keys and history through readline where the platform has it."""
    try:
        import readline
    except ImportError:  # pragma: no cover - Windows without pyreadline
        return
    with contextlib.suppress(OSError):
        readline.read_history_file(HISTORY_FILE)
    readline.set_history_length(1000)


def _save_history() -> None:
    try:
        import readline
    except ImportError:  # pragma: no cover
        return
    with contextlib.suppress(OSError):
        readline.write_history_file(HISTORY_FILE)


async def repl(
    core: Core,
    console: Console,
    user: str = "local",
    after: Callable[[], Awaitable[object]] | None = None,
) -> None:
    """Read, answer, repeat until end of input. ``after`` runs after each answer (it prints
    the announcements the command queued for the console channel)."""
    _enable_line_editing()
    console.print(BANNER)
    try:
        while True:
            try:
                line = await asyncio.to_thread(input, PROMPT)
            except EOFError:
                console.print()
                return
            if not line.strip():
                continue
            if line.strip().lower() in ("quit", "exit"):
                return
            show(await core.handle(Request(text=line, user_id=user)), console)
            if after is not None:
                await after()
    finally:
        _save_history()
