"""Core forms as Discord modals; a submission goes back to the core box by box.

Discord shows at most five boxes in a modal, so the form's first five fields (the core puts
the most important first) are shown; the others can still be typed with the command. Each
box takes at most its column's characters (``max_length``, within Discord's 4,000). The
boxes reach the core as a :class:`bot.requests.FormSubmission`, checked one by one: a refusal
names the boxes to look at again, in a message only the organiser sees. A modal is answered
by the process that opened it (discord.py keeps it in memory for its ``timeout``): a form
left open across a restart fails, and the organiser opens it again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import discord

from adapters.discord.convert import to_request
from bot.replies import Form, Reply
from bot.requests import FormSubmission, Request

MAX_BOXES = 5
MAX_TITLE = 45
MAX_LABEL = 45
MAX_PLACEHOLDER = 100
MAX_INPUT = 4000  # a TextInput's max_length can be at most this
LONG_INPUT = 200  # boxes that take more than this get a paragraph box
FORM_TIMEOUT = 15 * 60.0

Answer = Callable[[Request], Awaitable[Reply]]
Show = Callable[[discord.Interaction[Any], Reply], Awaitable[None]]


class FormModal(discord.ui.Modal):
    """One core form: a text box per field (the first five), submitted box by box."""

    def __init__(self, form: Form, answer: Answer, show: Show) -> None:
        super().__init__(title=form.title[:MAX_TITLE], timeout=FORM_TIMEOUT)
        self.form = form
        self.answer = answer
        self.show = show
        self.boxes: list[tuple[str, discord.ui.TextInput[Any]]] = []
        for field in form.fields[:MAX_BOXES]:
            limit = min(field.max_length or MAX_INPUT, MAX_INPUT)
            style = discord.TextStyle.long if limit > LONG_INPUT else discord.TextStyle.short
            box: discord.ui.TextInput[Any] = discord.ui.TextInput(
                label=field.label[:MAX_LABEL],
                custom_id=f"ballot:box:{field.key}",
                placeholder=field.hint[:MAX_PLACEHOLDER] or None,
                default=field.initial[:limit] or None,
                required=field.required,
                max_length=limit,
                style=style,
            )
            self.add_item(box)
            self.boxes.append((field.key, box))

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        submission = FormSubmission(
            self.form.verb,
            self.form.ballot_id,
            tuple((key, box.value or "") for key, box in self.boxes),
        )
        request = replace(to_request(interaction, ""), form=submission)
        await self.show(interaction, await self.answer(request))
