"""Discord interaction -> core Request: the pure half of the adapter."""

from __future__ import annotations

from typing import Any

import discord

from bot.requests import Request

PLATFORM = "discord"


def role_ids(user: discord.User | discord.Member) -> tuple[str, ...]:
    """The member's role ids, as strings, in the order Discord sent them.

    ``Member.roles`` only returns roles found in discord.py's guild cache, which needs the
    guilds intent and a GUILD_CREATE first; Discord already sends the role ids in the
    interaction's member payload, and ids are all the core compares with
    ``[discord] organiser_roles``. So the ids are read from what Discord sent
    (``Member._roles``, discord.py 2.x), with the cached roles as a fallback.
    """
    if not isinstance(user, discord.Member):
        return ()
    raw = getattr(user, "_roles", None)
    if raw is not None:
        return tuple(str(role_id) for role_id in raw)
    return tuple(str(role.id) for role in user.roles if not role.is_default())


def to_request(interaction: discord.Interaction[Any], text: str) -> Request:
    """Who asked what, where. The guild is the workspace; a DM has none."""
    channel_id = interaction.channel_id
    return Request(
        text=text,
        platform=PLATFORM,
        user_id=str(interaction.user.id),
        channel_id=str(channel_id) if channel_id is not None else "",
        roles=role_ids(interaction.user),
        workspace=str(interaction.guild_id) if interaction.guild_id is not None else None,
    )
