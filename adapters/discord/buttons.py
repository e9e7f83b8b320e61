"""Buttons that still work after a restart: everything they need is in their custom id.

A core :class:`bot.replies.Button` carries an action, a verb and a ballot id
(:mod:`bot.actions`); its custom id is exactly that, ``history:kirklees-2026``. The
:class:`ActionButton` below is registered once on the client (``add_dynamic_items``);
discord.py matches every click against its template, so a click on a card sent by
yesterday's process is answered with no memory of that card at all, by the core, which runs
only the verbs of its fixed table (and refuses anything else with a clear message).

Cards drawn before actions carry ``ballot:run:<grammar text>`` and ``ballot:share:<text>``:
:class:`LegacyRunButton` and :class:`LegacyShareButton` hand that text to the core marked as
an old button (``/ballot ...``), which answers it only when it is a plain lookup.

Discord allows 100 characters in a custom id; an action that does not fit (a ballot id near
the id column's 200-character limit) is left out rather than cut.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Protocol, Self, cast

import discord

from bot.actions import LEGACY_PREFIX, is_public
from bot.printable import printable
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


class Pressing(Protocol):
    """The client side a button needs: answer this interaction with this button's action."""

    async def press(
        self, interaction: discord.Interaction[Any], action: str, *, public: bool = False
    ) -> None: ...


def _client(interaction: discord.Interaction[Any]) -> Pressing:
    return cast(Pressing, interaction.client)


class _StoredButton:
    """What every button shares: its value lives in the custom id, nothing in memory."""

    PREFIX: ClassVar[str] = ""
    LABEL: ClassVar[str] = "Open"

    def __init__(
        self,
        value: str,
        label: str | None = None,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> None:
        button = discord.ui.Button[Any](
            label=label or self.LABEL, style=style, custom_id=self.PREFIX + value
        )
        super().__init__(button)  # type: ignore[call-arg]  # mixin: DynamicItem is next in the MRO
        self.value = value

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        button = cast(discord.ui.Button[Any], item)
        return cls(match["value"], label=button.label, style=button.style)


class ActionButton(
    _StoredButton,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    # One colon after a lowercase verb, never "ballot:" (the old buttons' prefix): every
    # custom id matches exactly one template. A verb the core does not know still lands
    # here, to be refused in words rather than left unanswered.
    template=re.compile(r"(?P<value>(?!ballot:)[a-z]{1,20}:.*)", re.DOTALL),
):
    """Runs its action for the member who clicked (privately), or posts the card (Share)."""

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _client(interaction).press(interaction, self.value, public=is_public(self.value))


class LegacyRunButton(
    _StoredButton,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.compile(re.escape(RUN_PREFIX) + r"(?P<value>.+)", re.DOTALL),
):
    """A button drawn before actions: its grammar text, answered only as a plain lookup."""

    PREFIX = RUN_PREFIX

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _client(interaction).press(interaction, f"{LEGACY_PREFIX} {self.value}")


class LegacyShareButton(
    _StoredButton,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.compile(re.escape(SHARE_PREFIX) + r"(?P<value>.+)", re.DOTALL),
):
    """An old Share button: posts the card it names publicly, a plain lookup only."""

    PREFIX = SHARE_PREFIX

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _client(interaction).press(interaction, f"{LEGACY_PREFIX} {self.value}", public=True)


DYNAMIC_ITEMS = (ActionButton, LegacyRunButton, LegacyShareButton)


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
        custom_id = button.value
        if len(custom_id) > CUSTOM_ID_MAX or custom_id in seen:
            continue
        if len(seen) == BUTTONS_MAX:
            break
        seen.add(custom_id)
        style = _STYLES.get(button.style, discord.ButtonStyle.secondary)
        label = printable(button.label).strip()[:LABEL_MAX] or None
        view.add_item(ActionButton(custom_id, label=label, style=style))
    return view if seen else None
