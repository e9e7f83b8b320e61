"""The discord.py client: one app command, ``/ballot query:<text>``, and its buttons.

Everything here converts: an interaction becomes a core Request, the core's Reply becomes an
embed with buttons. The answer comes from the core inside Discord's 3-second window when it
can; when the core is slower than ``defer_after`` the interaction is deferred ("thinking...")
and the same, unrestarted work is sent as a follow-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from adapters.discord.buttons import DYNAMIC_ITEMS, view_for
from adapters.discord.convert import to_request
from adapters.discord.embeds import render
from adapters.discord.forms import FormModal
from bot.ports import Answerer
from bot.printable import printable
from bot.privacy.logs import acting_for
from bot.replies import Reply, error
from bot.requests import Request

log = logging.getLogger(__name__)

DISCORD_API_URL = "https://discord.com/api/v10"
DISCORD_GATEWAY = DiscordWebSocket.DEFAULT_GATEWAY
CHOICES_MAX = 25
CHOICE_MAX = 100


def point_at(api_url: str, gateway_url: str) -> None:
    """Send discord.py's REST and gateway traffic to ``api_url`` / ``gateway_url``.

    discord.py builds every REST URL, interaction callbacks and webhooks included, from the
    class attribute ``discord.http.Route.BASE``, and opens the gateway at the class attribute
    ``DiscordWebSocket.DEFAULT_GATEWAY``: both are process-wide. That is acceptable because a
    ballotbot process holds one Discord connection (one bot token, one adapter); tests and the
    benchmark that start several clients point them all at the same fake. An empty
    ``gateway_url`` restores discord.py's own default.
    """
    discord.http.Route.BASE = api_url.rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url) if gateway_url else DISCORD_GATEWAY


# The bot never joins a voice channel: discord.py's start-up warnings that voice will not work
# without PyNaCl / davey do not apply, and would be an operator's first WARNING lines.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False


def intents() -> discord.Intents:
    """No privileged intent: interactions arrive whatever the intents; guilds keeps the cache
    of channels and roles usable without asking the member list or message content."""
    return discord.Intents(guilds=True)


class BallotClient(discord.Client):
    """A discord.py client that answers ``/ballot`` from the core."""

    def __init__(
        self,
        core: Answerer,
        *,
        guild_ids: Sequence[int] = (),
        defer_after: float = 2.0,
        suggest_timeout: float = 2.0,
        max_ratelimit_timeout: float = 30.0,
        **options: Any,
    ) -> None:
        options.setdefault("allowed_mentions", discord.AllowedMentions.none())
        super().__init__(intents=intents(), max_ratelimit_timeout=max_ratelimit_timeout, **options)
        self.core = core
        self.guild_ids = tuple(guild_ids)
        self.defer_after = defer_after
        self.suggest_timeout = suggest_timeout
        self.connected = asyncio.Event()
        self.tree: app_commands.CommandTree[BallotClient] = app_commands.CommandTree(self)
        self.tree.add_command(self._ballot_command())

    def _ballot_command(self) -> app_commands.Command[Any, ..., None]:
        @app_commands.command(name="ballot")
        @app_commands.describe(query="A ballot, employer, branch or union; or open, recent, help")
        async def ballot(interaction: discord.Interaction[Any], query: str = "") -> None:
            """Union ballots: results, figures and what is open now."""
            await self.answer(interaction, query)

        @ballot.autocomplete("query")
        async def complete(
            interaction: discord.Interaction[Any], current: str
        ) -> list[app_commands.Choice[str]]:
            return await self.choices(current)

        return ballot

    async def setup_hook(self) -> None:
        """Runs once after login, before the gateway: buttons first, then commands."""
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        await self.sync_commands()

    async def on_connect(self) -> None:
        self.connected.set()

    async def sync_commands(self) -> None:
        """Register ``/ballot`` with Discord: per guild (instant) or globally (slow to show)."""
        if not self.guild_ids:
            await self.tree.sync()
            return
        for guild_id in self.guild_ids:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            try:
                await self.tree.sync(guild=guild)
            except discord.Forbidden as exc:
                log.error(
                    "Discord refused to register /ballot in guild %s (%s). Invite the bot to "
                    "that guild with the 'bot applications.commands' scopes (README: Discord).",
                    guild_id,
                    exc.text,
                )

    async def choices(self, current: str) -> list[app_commands.Choice[str]]:
        """Names for the autocomplete menu. Discord waits 3 s at most, so the core gets 2.

        A choice shows a name and submits the ballot's reference (``#id``), never the name:
        names are data, and an alias such as ``admin cancel leeds-2026`` or ``forget me``
        submitted as the query would be read as that command. A name longer than Discord's
        100 characters is left out rather than cut (a cut name would misname the ballot),
        and so is a reference that does not fit.
        """
        try:
            offered = await asyncio.wait_for(
                self.core.suggest(current, CHOICES_MAX), self.suggest_timeout
            )
        except TimeoutError:
            log.warning("autocomplete for %r took longer than %ss", current, self.suggest_timeout)
            return []
        choices = []
        for suggestion in offered:
            name = printable(suggestion.name).strip()
            if 0 < len(name) <= CHOICE_MAX and len(suggestion.ref) <= CHOICE_MAX:
                choices.append(app_commands.Choice(name=name, value=suggestion.ref))
        return choices[:CHOICES_MAX]

    async def reply_for(self, request: Request) -> Reply:
        """The core's reply; a crash in the core becomes a polite error, logged in full (the
        member by pseudonym: :mod:`bot.privacy.logs`)."""
        with acting_for(request.platform, request.user_id):
            try:
                return await self.core.handle(request)
            except Exception:
                log.exception("the core failed on %r", request.action or request.text)
                return error("Something went wrong on our side", "It has been logged; try again.")

    async def answer(
        self, interaction: discord.Interaction[Any], text: str, *, public: bool = False
    ) -> None:
        """Answer typed text with the core's reply: ephemeral unless ``public``."""
        await self._respond(interaction, to_request(interaction, text), public)

    async def press(
        self, interaction: discord.Interaction[Any], action: str, *, public: bool = False
    ) -> None:
        """Answer a button: the core runs its action (``verb:id``), nothing else; ``public``
        for Share, which posts the card in the channel saying who shared it."""
        request = replace(to_request(interaction, ""), action=action)
        await self._respond(interaction, request, public)

    async def _respond(
        self, interaction: discord.Interaction[Any], request: Request, public: bool
    ) -> None:
        with acting_for("discord", str(interaction.user.id)):
            await self._respond_as_member(interaction, request, public)

    async def _respond_as_member(
        self, interaction: discord.Interaction[Any], request: Request, public: bool
    ) -> None:
        work = asyncio.ensure_future(self.reply_for(request))
        try:
            try:
                reply = await asyncio.wait_for(asyncio.shield(work), self.defer_after)
            except TimeoutError:
                # Only the clicker sees "thinking": a Share may yet be refused, and a deferred
                # answer's first message keeps the visibility chosen here.
                await interaction.response.defer(ephemeral=True, thinking=True)
                reply = await work
                await self._deferred(interaction, reply, public=public and reply.ok)
                return
            public = public and reply.ok  # a refused Share is told to the clicker alone
            if reply.form is not None and not public:
                modal = FormModal(reply.form, self.reply_for, self._show_private)
                await interaction.response.send_modal(modal)
                return
            kwargs = _answer_kwargs(reply, interaction, public)
            await interaction.response.send_message(**kwargs, ephemeral=not public)
            release_view(kwargs)
        finally:
            if not work.done():
                work.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await work

    async def _deferred(
        self, interaction: discord.Interaction[Any], reply: Reply, *, public: bool
    ) -> None:
        """The answer to a deferred interaction: in place of the private "thinking"; a public
        card (Share) as a message of its own, the clicker told privately that it went."""
        if public:
            await interaction.edit_original_response(
                content="Shared in this channel.", allowed_mentions=discord.AllowedMentions.none()
            )
        kwargs = _answer_kwargs(reply, interaction, public)
        await interaction.followup.send(**kwargs, ephemeral=not public)
        release_view(kwargs)

    async def _show_private(self, interaction: discord.Interaction[Any], reply: Reply) -> None:
        """An answer only the member who asked sees (a submitted form's outcome)."""
        kwargs = _answer_kwargs(reply, interaction, public=False)
        await interaction.response.send_message(**kwargs, ephemeral=True)
        release_view(kwargs)


def message_kwargs(
    reply: Reply, *, share_button: bool, shared_by: discord.abc.User | None = None
) -> dict[str, Any]:
    """The keyword arguments of a send: the embed, its buttons, and who shared a public card.

    Only a private (ephemeral) card gets a Share button: a channel post or a DM is already
    where it is going to be read.
    """
    embed = render(reply)
    # Nobody is ever pinged by a card: not by data, not by "Shared by @member".
    kwargs: dict[str, Any] = {"embed": embed, "allowed_mentions": discord.AllowedMentions.none()}
    if reply.image is not None:
        # The picture travels as an attachment the embed points at.
        kwargs["file"] = discord.File(
            io.BytesIO(reply.image.png),
            filename=reply.image.filename,
            description=printable(reply.image.alt_text)[:1024],
        )
        embed.set_image(url=f"attachment://{reply.image.filename}")
    view = view_for(reply, public=not share_button)
    if view is not None:
        kwargs["view"] = view
    if shared_by is not None:
        kwargs["content"] = f"Shared by {shared_by.mention}"
    return kwargs


def _answer_kwargs(
    reply: Reply, interaction: discord.Interaction[Any], public: bool
) -> dict[str, Any]:
    shared_by = interaction.user if public else None
    return message_kwargs(reply, share_button=not public, shared_by=shared_by)


def release_view(kwargs: dict[str, Any]) -> None:
    """Stop the per-message view: clicks are answered by the dynamic items, not by it, so
    keeping it would only hold memory (and a 15-minute timer for ephemeral messages)."""
    view = kwargs.get("view")
    if isinstance(view, discord.ui.View):
        view.stop()
