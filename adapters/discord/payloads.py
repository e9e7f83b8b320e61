"""The raw Discord payloads this adapter meets, written down as TypedDicts.

discord.py parses these for us; the shapes are here so that the fixtures in
``tests/fixtures/discord/`` and the fake Discord in ``tests/fakes/discord_api.py`` have one
written description to follow (the same habit as discord.py's own ``discord/types``). Only the
keys the adapter or discord.py actually read are listed; Discord sends more.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

# Interaction types (Discord API: "Interaction Type").
APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
APPLICATION_COMMAND_AUTOCOMPLETE = 4

# Interaction callback types (Discord API: "Interaction Callback Type").
CHANNEL_MESSAGE_WITH_SOURCE = 4
DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE = 5
APPLICATION_COMMAND_AUTOCOMPLETE_RESULT = 8

EPHEMERAL = 1 << 6
"""Message flag: only the member who asked sees the message."""


class UserPayload(TypedDict):
    id: str
    username: str
    discriminator: str
    global_name: NotRequired[str | None]
    avatar: str | None
    bot: NotRequired[bool]


class MemberPayload(TypedDict):
    """A guild member as sent inside an interaction: ``roles`` holds role ids as strings."""

    user: UserPayload
    roles: list[str]
    joined_at: str
    deaf: bool
    mute: bool
    flags: int
    permissions: str
    nick: NotRequired[str | None]


class ChannelPayload(TypedDict):
    """The partial channel inside an interaction; without it ``interaction.channel`` is None."""

    id: str
    type: int  # 0 guild text, 1 DM
    guild_id: NotRequired[str]
    name: NotRequired[str]
    position: NotRequired[int]
    permissions: NotRequired[str]


class CommandOptionPayload(TypedDict):
    name: str
    type: int  # 3 = string
    value: str
    focused: NotRequired[bool]  # set on the option being typed in an autocomplete


class CommandDataPayload(TypedDict):
    """``data`` of a slash command or autocomplete interaction."""

    id: str
    name: str
    type: int  # 1 = chat input (slash command)
    options: NotRequired[list[CommandOptionPayload]]
    guild_id: NotRequired[str]  # present when the command was synced to that guild


class ComponentDataPayload(TypedDict):
    """``data`` of a button click: the custom id is all a persistent button carries."""

    custom_id: str
    component_type: int  # 2 = button


class ButtonPayload(TypedDict):
    type: Literal[2]
    style: int
    label: str
    custom_id: NotRequired[str]
    url: NotRequired[str]


class ActionRowPayload(TypedDict):
    type: Literal[1]
    components: list[ButtonPayload]


class MessagePayload(TypedDict):
    id: str
    channel_id: str
    type: int
    content: str
    author: UserPayload
    timestamp: str
    edited_timestamp: str | None
    tts: bool
    mention_everyone: bool
    mentions: list[UserPayload]
    mention_roles: list[str]
    attachments: list[Any]
    embeds: list[dict[str, Any]]
    components: list[ActionRowPayload]
    pinned: bool
    flags: int
    nonce: NotRequired[str]
    webhook_id: NotRequired[str]
    application_id: NotRequired[str]


class InteractionPayload(TypedDict):
    """The ``d`` of an INTERACTION_CREATE gateway dispatch.

    discord.py reads ``attachment_size_limit`` unconditionally (2.6+): leave it out and the
    interaction is dropped with a KeyError.
    """

    id: str
    application_id: str
    type: int
    data: CommandDataPayload | ComponentDataPayload
    token: str
    version: int
    attachment_size_limit: int
    app_permissions: NotRequired[str]
    locale: NotRequired[str]
    guild_id: NotRequired[str]
    guild_locale: NotRequired[str]
    channel_id: NotRequired[str]
    channel: NotRequired[ChannelPayload]
    member: NotRequired[MemberPayload]  # in a guild
    user: NotRequired[UserPayload]  # in a DM
    message: NotRequired[MessagePayload]  # on a button click: the message holding the button
    context: NotRequired[int]
    authorizing_integration_owners: NotRequired[dict[str, str]]


class GatewayFrame(TypedDict):
    """Every gateway websocket frame: opcode, data, and for dispatches sequence and name."""

    op: int
    d: Any
    s: NotRequired[int | None]
    t: NotRequired[str | None]


class ReadyPayload(TypedDict):
    v: int
    user: UserPayload
    guilds: list[dict[str, Any]]
    session_id: str
    resume_gateway_url: str
    application: dict[str, Any]  # {"id": ..., "flags": ...}


class CallbackBody(TypedDict):
    """What the bot POSTs to ``/interactions/{id}/{token}/callback``."""

    type: int
    data: NotRequired[dict[str, Any]]  # {"embeds": [...], "components": [...], "flags": 64}
