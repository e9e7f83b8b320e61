"""The console as a platform that announcements reach: a subscribed console channel prints
them, so the whole flow (declare, fan out, correct) can be seen without any account."""

from __future__ import annotations

import itertools

from rich.console import Console
from rich.rule import Rule

from adapters.console.render import literal, show
from bot.ports import PermanentSendError
from bot.replies import Reply

CHANNEL = "console"
"""The one channel a console has; ``/ballot subscribe`` typed there follows into it."""


class ConsoleSender:
    """``bot.ports.Sender`` printing to the terminal; message ids count up per run."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._ids = itertools.count(1)
        self.posted: dict[str, Reply] = {}

    async def post(self, channel_id: str, reply: Reply, nonce: str | None = None) -> str:
        if channel_id != CHANNEL:
            raise PermanentSendError(f"the console has no channel {channel_id!r}")
        message_id = f"console-{next(self._ids)}"
        self._print(f"announcement in #{channel_id}", reply)
        self.posted[message_id] = reply
        return message_id

    async def update(self, channel_id: str, message_id: str, reply: Reply) -> None:
        # A terminal cannot edit what it printed: the corrected card is printed again, marked.
        self._print(f"message {message_id} in #{channel_id} corrected", reply)
        self.posted[message_id] = reply

    async def dm(self, user_id: str, reply: Reply) -> str:
        self._print(f"direct message to {user_id}", reply)
        return f"console-{next(self._ids)}"

    def _print(self, title: str, reply: Reply) -> None:
        self.console.print(Rule(literal(title), style="magenta"))
        show(reply, self.console)
