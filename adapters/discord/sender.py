"""The outgoing side: post to a channel, edit a message, DM a member.

Used by announcements and reminders (``bot.ports.Sender``). discord.py already waits out a
429 by itself, up to the client's ``max_ratelimit_timeout`` (30 s at least, discord.py's
floor); past that bound it raises ``RateLimited`` and we hand the wait back to the dispatcher
as a :class:`RetryableSendError` with the platform's ``retry_after``. Every error is classified
so the dispatcher knows whether trying again can help.
"""

from __future__ import annotations

import aiohttp
import discord

from adapters.discord.client import message_kwargs, release_view
from bot.ports import PermanentSendError, RefusedSendError, RetryableSendError, SendError
from bot.replies import Reply

# Discord JSON error codes saying the target is gone: stop sending there.
UNKNOWN_CHANNEL = 10003
UNKNOWN_GUILD = 10004
UNKNOWN_USER = 10013
MISSING_ACCESS = 50001
CANNOT_MESSAGE_USER = 50007
MISSING_PERMISSIONS = 50013
INVALID_RECIPIENT = 50033
GONE_CODES = frozenset(
    {
        UNKNOWN_CHANNEL,
        UNKNOWN_GUILD,
        UNKNOWN_USER,
        MISSING_ACCESS,
        CANNOT_MESSAGE_USER,
        MISSING_PERMISSIONS,
        INVALID_RECIPIENT,
    }
)
# Refusals of one message, the channel being fine: "Invalid Form Body", an empty message,
# an edit of a message that is gone. Any other 4xx is treated the same way.
UNKNOWN_MESSAGE = 10008
INVALID_FORM_BODY = 50035


def classify(exc: Exception, what: str) -> SendError:
    """A discord.py / aiohttp failure as the dispatcher's kinds of error: try again later,
    the target is gone (only the codes in :data:`GONE_CODES`, and 403/404 without a code),
    or this message was refused."""
    if isinstance(exc, discord.RateLimited):
        return RetryableSendError(
            f"{what}: rate limited for {exc.retry_after:.0f}s", exc.retry_after
        )
    if isinstance(exc, discord.DiscordServerError):
        return RetryableSendError(f"{what}: Discord answered {exc.status}")
    if isinstance(exc, discord.HTTPException):
        detail = f"{what}: Discord answered {exc.status} (code {exc.code}: {exc.text})"
        if exc.status == 429 or exc.status >= 500:
            return RetryableSendError(detail)
        if exc.code in GONE_CODES or (not exc.code and exc.status in (403, 404)):
            return PermanentSendError(detail)
        return RefusedSendError(detail)  # 400 and the like: this message, not the channel
    if isinstance(exc, aiohttp.ClientError | TimeoutError | OSError):
        return RetryableSendError(f"{what}: {exc.__class__.__name__}: {exc}")
    raise exc


class DiscordSender:
    """``bot.ports.Sender`` for Discord, on a logged-in client's HTTP session."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def post(self, channel_id: str, reply: Reply, nonce: str | None = None) -> str:
        """Post a card; a ``nonce`` (sent with ``enforce_nonce``) makes Discord drop a repeat
        of the same send for a few minutes, so a retried announcement is not posted twice."""
        channel = self.client.get_partial_messageable(int(channel_id))
        kwargs = message_kwargs(reply, share_button=False)
        try:
            message = await channel.send(**kwargs, nonce=nonce)
        except Exception as exc:
            raise classify(exc, f"post to channel {channel_id}") from exc
        release_view(kwargs)
        return str(message.id)

    async def update(self, channel_id: str, message_id: str, reply: Reply) -> None:
        """Replace a posted card (a correction): embed and buttons both."""
        channel = self.client.get_partial_messageable(int(channel_id))
        kwargs = message_kwargs(reply, share_button=False)
        kwargs.setdefault("view", None)  # a card that lost its buttons loses them on Discord too
        picture = kwargs.pop("file", None)
        if picture is not None:  # an edit replaces attachments; it has no ``file``
            kwargs["attachments"] = [picture]
        try:
            await channel.get_partial_message(int(message_id)).edit(**kwargs)
        except Exception as exc:
            raise classify(exc, f"edit message {message_id} in {channel_id}") from exc
        release_view(kwargs)

    async def dm(self, user_id: str, reply: Reply) -> str:
        """DM a member who asked for it (reminders): the card with its buttons, no Share."""
        kwargs = message_kwargs(reply, share_button=False)
        # The member is not named: this text reaches the delivery log and the bot's log.
        try:
            channel = await self.client.create_dm(discord.Object(id=int(user_id)))
        except Exception as exc:
            failure = classify(exc, "DM to the member")
            if isinstance(failure, RefusedSendError):  # no message yet: the member is refused
                failure = PermanentSendError(str(failure))
            raise failure from exc
        try:
            message = await channel.send(**kwargs)
        except Exception as exc:
            raise classify(exc, "DM to the member") from exc
        release_view(kwargs)
        return str(message.id)
