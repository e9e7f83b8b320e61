"""Buttons that still work after a restart: everything they need is in their custom id.

A core :class:`bot.replies.Button` carries grammar text (``/ballot kirklees history``). Here it
becomes a Discord button whose custom id is ``ballot:run:kirklees history`` (or
``ballot:share:...`` for "post this card publicly"). The two :class:`discord.ui.DynamicItem`
classes below are registered once on the client (``add_dynamic_items``); discord.py matches
every click against their templates, so a click on a card sent by yesterday's process is
answered with no memory of that card at all.

Discord allows 100 characters in a custom id; a command that does not fit is left out rather
than cut (a cut command would run a different search).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Protocol, Self, cast

import discord

from bot.commands import strip_prefix
from bot.replies import Reply

CUSTOM_ID_MAX = 100
LABEL_MAX = 80
BUTTONS_MAX = 25  # five rows of five
RUN_PREFIX = "ballot:run:"
SHARE_PREFIX = "ballot:share:"

_STYLES = {
    "default": discord.ButtonStyle.secondary,
    "primary": discord.ButtonStyle.primary,
    "danger": discord.ButtonStyle.danger,
}


class Answering(Protocol):
    """The client side a button needs: answer this interaction with this grammar text."""

    async def answer(
        self, interaction: discord.Interaction[Any], text: str, *, public: bool = False
    ) -> None: ...


def _client(interaction: discord.Interaction[Any]) -> Answering:
    return cast(Answering, interaction.client)


class _CommandButton:
    """What both buttons share: the command text lives in the custom id, nothing in memory,
    so a click still works after the bot restarts."""

    PREFIX: ClassVar[str]
    LABEL: ClassVar[str]
    PUBLIC: ClassVar[bool]

    def __init__(
        self,
        command: str,
        label: str | None = None,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> None:
        button = discord.ui.Button[Any](
            label=label or self.LABEL, style=style, custom_id=self.PREFIX + command
        )
        super().__init__(button)  # type: ignore[call-arg]
        self.command = command

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        button = cast(discord.ui.Button[Any], item)
        return cls(match["command"], label=button.label, style=button.style)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _client(interaction).answer(interaction, self.command, public=self.PUBLIC)


class RunButton(
    _CommandButton,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.compile(re.escape(RUN_PREFIX) + r"(?P<command>.+)"),
):
    """Runs its command for the member who clicked, as if they had typed it (ephemeral)."""

    PREFIX = RUN_PREFIX
    LABEL = "Run"
    PUBLIC = False


class ShareButton(
    _CommandButton,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.compile(re.escape(SHARE_PREFIX) + r"(?P<command>.+)"),
):
    """Posts the card publicly in the channel, saying who shared it."""

    PREFIX = SHARE_PREFIX
    LABEL = "Share"
    PUBLIC = True


DYNAMIC_ITEMS = (RunButton, ShareButton)


def view_for(reply: Reply, *, public: bool) -> discord.ui.View | None:
    """The reply's buttons as a view, or None when it has none that fit.

    A card that is already public gets no Share button. The view object only carries the
    components to Discord; clicks are answered by the registered dynamic items.
    """
    view = discord.ui.View(timeout=None)
    seen: set[str] = set()
    for button in reply.buttons:
        if button.share and public:
            continue
        command = strip_prefix(button.command)
        prefix = SHARE_PREFIX if button.share else RUN_PREFIX
        custom_id = prefix + command
        if not command or len(custom_id) > CUSTOM_ID_MAX or custom_id in seen:
            continue
        if len(seen) == BUTTONS_MAX:
            break
        seen.add(custom_id)
        label = button.label[:LABEL_MAX] or command[:LABEL_MAX]
        style = _STYLES.get(button.style, discord.ButtonStyle.secondary)
        kind = ShareButton if button.share else RunButton
        view.add_item(kind(command, label=label, style=style))
    return view if seen else None
