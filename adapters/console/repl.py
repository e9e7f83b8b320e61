"""The console REPL: type what you would type in Slack or Discord, read the same answers.

It behaves like Python's own REPL. Lines are read with :func:`input` (GNU readline: arrow keys,
history) in the main thread, where the terminal's Ctrl-C arrives: it clears the line being
typed and gives a new prompt, or stops the answer being worked out. Ctrl-D, ``quit`` or
``exit`` leave with status 0. A line whose handling fails is reported and the console goes
on. History is kept in ``$XDG_STATE_HOME/ballotbot/history`` (by default
``~/.local/state/ballotbot/history``), readable by its owner only. ``forget me`` empties it,
file and memory, once the erasure is done: the lines typed (``remind me ...``,
``voted ...``) say what the member asked and that they posted their paper.

The bot itself (database, core, the reminder scheduler) runs on an event loop in a second
thread (:class:`ConsoleBot`), so it keeps working while the console waits for a line.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from concurrent.futures import Future
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from rich.console import Console

from adapters.console.messages import fail, say
from adapters.console.render import show
from bot import commands
from bot.announce.dispatcher import Dispatcher, Pacing
from bot.config import Settings
from bot.replies import Reply
from bot.requests import Request

if TYPE_CHECKING:
    from adapters.compose import App

log = logging.getLogger(__name__)

PROMPT = "ballot> "
BANNER = (
    "ballotbot console — type a search such as kirklees, or help. Ctrl-C clears the line; "
    "Ctrl-D or quit leaves."
)
LEAVE = frozenset({"quit", "exit"})
HISTORY_LENGTH = 1000

T = TypeVar("T")


def history_file(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_STATE_HOME/ballotbot/history``; a relative or empty ``XDG_STATE_HOME`` is ignored,
    as the XDG Base Directory specification says, for ``~/.local/state``."""
    env = os.environ if env is None else env
    state = env.get("XDG_STATE_HOME", "")
    base = Path(state) if state and Path(state).is_absolute() else Path.home() / ".local/state"
    return base / "ballotbot" / "history"


class LineEditing:
    """readline's history, loaded from and saved to ``path`` (folder 0700, file 0600)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            import readline
        except ImportError:  # pragma: no cover - a Python built without readline
            self.readline = None
            return
        self.readline = readline
        readline.set_history_length(HISTORY_LENGTH)
        with contextlib.suppress(OSError):
            readline.read_history_file(path)

    def save(self) -> None:
        if self.readline is None:  # pragma: no cover
            return
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Created private before anything is written: what members typed is theirs.
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
            os.chmod(self.path, 0o600)
            self.readline.write_history_file(self.path)
        except OSError as exc:
            log.warning("console history not saved to %s: %s", self.path, exc)

    def forget(self) -> None:
        """Empty the history, in memory and in its file, at once (``forget me``)."""
        if self.readline is None:  # pragma: no cover
            return
        self.readline.clear_history()
        self.save()


class Bot(Protocol):
    """What the REPL needs from the bot: an answer to a line, then whatever that line queued
    for the console channel. Both block until done and raise what the handling raised."""

    def answer(self, line: str) -> Reply: ...

    def after(self) -> None: ...


def repl(
    bot: Bot,
    console: Console,
    read: Callable[[str], str] = input,
    history: Path | None = None,
) -> int:
    """Read, answer, repeat until Ctrl-D, ``quit`` or ``exit``. Returns the exit status (0)."""
    editing = LineEditing(history) if history is not None else None
    say(console, BANNER)
    try:
        while True:
            try:
                line = read(PROMPT)
            except KeyboardInterrupt:  # Ctrl-C while typing: drop the line, prompt again
                console.print()
                continue
            except EOFError:  # Ctrl-D
                console.print()
                return 0
            text = line.strip()
            if not text:
                continue
            if text.lower() in LEAVE:
                return 0
            reply = _answer(bot, line, console)
            if editing is not None and reply is not None and _erased(line, reply):
                editing.forget()
    finally:
        if editing is not None:
            editing.save()


def _erased(line: str, reply: Reply) -> bool:
    """Whether ``line`` was a ``forget me`` that was carried out."""
    return reply.ok and isinstance(commands.parse(line), commands.ForgetMe)


def _answer(bot: Bot, line: str, console: Console) -> Reply | None:
    """One line, answered; whatever goes wrong is said (None), and the console goes on."""
    try:
        reply = bot.answer(line)
        show(reply, console)
        bot.after()
        return reply
    except KeyboardInterrupt:
        console.print()
        say(console, "Interrupted: that line was stopped.")
    except Exception as exc:
        log.debug("a console line failed", exc_info=True)
        try:
            fail(
                console,
                f"that line failed ({type(exc).__name__}: {exc}). Nothing more was done; "
                "the console goes on (start it with -v to see where it came from).",
            )
        except Exception:  # even the report failed: say so as simply as possible
            console.file.write("ballotbot: that line failed; the console goes on.\n")
    return None


def console_dispatcher(app: App, console: Console) -> Dispatcher:
    """Announcements for the console channel, printed right after the command that made
    them; other platforms' announcements wait for the process that runs their adapter."""
    from adapters.console.sender import ConsoleSender

    return app.dispatcher({"console": ConsoleSender(console)}, Pacing(per_channel_seconds=0))


class ConsoleBot:
    """The bot for a console session: ``open_app`` on an event loop in its own thread.

    ``with ConsoleBot(settings, console) as bot:`` opens the database (migrating it), starts
    the reminder scheduler's leadership, and closes everything on the way out.
    """

    def __init__(self, settings: Settings, console: Console, user: str = "local") -> None:
        self.settings = settings
        self.console = console
        self.user = user
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closing: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failed: BaseException | None = None
        self._thread = threading.Thread(target=self._serve, name="ballotbot-loop", daemon=True)
        self._core_handle: Callable[[Request], Awaitable[Reply]] | None = None
        self._after: Callable[[], Awaitable[object]] | None = None

    def __enter__(self) -> ConsoleBot:
        # Ctrl-C must reach the main thread, waiting in readline: a signal delivered to another
        # thread would not wake it. Threads inherit the signal mask of the one that starts
        # them, so the bot's thread (and the database's threads it starts) block SIGINT.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self._thread.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        self._ready.wait()
        if self._failed is not None:
            self._thread.join()
            raise self._failed
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._loop is not None and self._closing is not None:
            with contextlib.suppress(RuntimeError):  # the loop has ended already
                self._loop.call_soon_threadsafe(self._closing.set)
        self._thread.join()
        if self._failed is not None and kind is None:
            raise self._failed

    def _serve(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # handed to the main thread, which reports it
            self._failed = exc
        finally:
            self._ready.set()

    async def _main(self) -> None:
        from adapters.compose import open_app

        async with open_app(self.settings) as app:
            self._loop = asyncio.get_running_loop()
            self._closing = asyncio.Event()
            self._core_handle = app.core.handle
            self._after = console_dispatcher(app, self.console).run_once
            stop = asyncio.Event()
            scheduling = asyncio.create_task(app.scheduler_leader().run(stop))
            self._ready.set()
            try:
                await self._closing.wait()
            finally:
                stop.set()
                await scheduling

    def _run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run ``work`` on the bot's loop and wait; Ctrl-C cancels it."""
        assert self._loop is not None
        future: Future[T] = asyncio.run_coroutine_threadsafe(work, self._loop)
        try:
            return future.result()
        except KeyboardInterrupt:
            future.cancel()
            raise

    def answer(self, line: str) -> Reply:
        assert self._core_handle is not None
        return self._run(self._core_handle(Request(text=line, user_id=self.user)))

    def after(self) -> None:
        assert self._after is not None
        self._run(_awaited(self._after))


async def _awaited(call: Callable[[], Awaitable[object]]) -> None:
    await call()
