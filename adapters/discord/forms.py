"""Core forms as Discord modals; a submission runs the command it stands for.

Discord shows at most five boxes in a modal, so the form's first five fields (the core puts
the most important first) are shown; the others can still be typed with the command. A
modal is answered by the process that opened it (discord.py keeps it in memory for its
``timeout``): a form left open across a restart fails, and the organiser opens it again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from adapters.discord.convert import to_request
from bot.replies import Form, Reply, form_command
from bot.requests import Request

MAX_BOXES = 5
MAX_TITLE = 45
MAX_LABEL = 45
MAX_PLACEHOLDER = 100
FORM_TIMEOUT = 15 * 60.0

Answer = Callable[[Request], Awaitable[Reply]]
Show = Callable[[discord.Interaction[Any], Reply], Awaitable[None]]


class FormModal(discord.ui.Modal):
    """One core form: text boxes, then the command with ``key=value`` for each filled in."""

    def __init__(self, form: Form, answer: Answer, show: Show) -> None:
        super().__init__(title=form.title[:MAX_TITLE], timeout=FORM_TIMEOUT)
        self.form = form
        self.answer = answer
        self.show = show
        self.boxes: list[tuple[str, discord.ui.TextInput[Any]]] = []
        for field in form.fields[:MAX_BOXES]:
            box: discord.ui.TextInput[Any] = discord.ui.TextInput(
                label=field.label[:MAX_LABEL],
                custom_id=f"ballot:box:{field.key}",
                placeholder=field.hint[:MAX_PLACEHOLDER] or None,
                default=field.initial or None,
                required=field.required,
            )
            self.add_item(box)
            self.boxes.append((field.key, box))

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        values = {key: box.value for key, box in self.boxes}
        text = form_command(self.form.command, values)
        await self.show(interaction, await self.answer(to_request(interaction, text)))
