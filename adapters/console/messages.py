"""What the ``ballotbot`` command itself says: plain text, never markup, never raw control codes.

Messages carry file names, URLs, exception texts and ballot data. Printed through rich markup,
``[slack]`` vanishes and ``[/]`` crashes; printed raw, an ESC sequence drives the terminal. So
every message here is a rich :class:`~rich.text.Text` (never parsed as markup) whose control
characters are shown as escapes (``\\x1b``). Errors go to stderr, prefixed ``ballotbot:``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from typing import Any

from rich.console import Console
from rich.text import Text

from bot.printable import printable


class PlainConsole(Console):
    """A rich console that interprets no markup, emoji codes or highlighting in strings, and
    turns a closed pipe (``ballotbot ask ... | head``) into :class:`BrokenPipeError` for the
    command to end quietly, instead of rich's own exit with status 1."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("markup", False)
        kwargs.setdefault("emoji", False)
        kwargs.setdefault("highlight", False)
        super().__init__(**kwargs)

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def stdout_console() -> PlainConsole:
    """Replies and reports. Piped (scripts, tests) it gets a fixed, readable width."""
    return PlainConsole() if sys.stdout.isatty() else PlainConsole(width=100)


def stderr_console() -> PlainConsole:
    return PlainConsole(stderr=True)


def say(console: Console, message: str, style: str = "") -> None:
    """One plain message, unwrapped (a long path stays on one line)."""
    console.print(Text(printable(message), style=style), soft_wrap=True)


def fail(console: Console, message: str) -> None:
    """An error: ``ballotbot: <what is wrong and what to do>``, on the console given (stderr)."""
    console.print(Text.assemble(("ballotbot: ", "bold red"), printable(message)), soft_wrap=True)


def last_words(message: str) -> None:
    """An error when even the console failed: straight to stderr's file descriptor, plain."""
    data = ("ballotbot: " + printable(message) + "\n").encode("utf-8", "replace")
    with contextlib.suppress(OSError):
        os.write(2, data)


def quiet_stdout() -> None:
    """After a closed pipe: point stdout at /dev/null so the interpreter's last flush does not
    fail again (Python docs, "Note on SIGPIPE")."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


class PrintableFormatter(logging.Formatter):
    """Log lines with their control characters escaped (newlines kept for tracebacks)."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))


def configure_logging(verbosity: int) -> None:
    """Warnings by default; ``-v`` adds what the bot does (info), ``-vv`` everything (debug)."""
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(PrintableFormatter("ballotbot: %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h.formatter, PrintableFormatter)]:
        root.removeHandler(old)  # called again (tests run the command in-process): one handler
    root.addHandler(handler)
    root.setLevel(level)
