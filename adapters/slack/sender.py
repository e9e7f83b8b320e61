"""Slack's outgoing side (:class:`bot.ports.Sender`): post, update, DM, with errors sorted.

Announcements and reminders are delivered by a dispatcher that must know whether to try a
message again later or give up on it for good; Slack says which in its ``error`` string, so
that is translated here once. Rate limits are first absorbed by slack_sdk's retry handler
(it sleeps for the Retry-After Slack sends); only when that runs out does the dispatcher see a
:class:`~bot.ports.RetryableSendError` carrying Slack's advice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack.blocks import MAX_MESSAGES, render
from bot.ports import PermanentSendError, RefusedSendError, RetryableSendError, SendError
from bot.printable import printable
from bot.replies import Image, Reply

GONE_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "token_revoked",
        "user_not_found",
        "user_disabled",
        "cannot_dm_bot",
        "restricted_action",
        "team_access_not_granted",
        "ekm_access_denied",
    }
)
"""The channel, the member or the app itself is gone: the dispatcher stops sending there."""

REFUSED_ERRORS = frozenset(
    {
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_too_long",
        "msg_blocks_too_long",
        "no_text",
        "invalid_attachments",
        "too_many_attachments",
        "invalid_arguments",
        "invalid_form_data",
        "invalid_metadata_format",
        "invalid_metadata_schema",
        "metadata_too_large",
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
        "invalid_auth",
        "not_authed",
        "token_expired",
        "missing_scope",
        "not_allowed_token_type",
    }
)
"""This message was refused (its content, an edit of a message that is gone, the bot's own
setup): it fails, the organisers are told why, the channel keeps following. Any refusal
Slack adds later is treated the same way: only :data:`GONE_ERRORS` unsubscribe."""

RETRYABLE_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)

T = TypeVar("T")
log = logging.getLogger(__name__)


def retry_handlers(max_rate_limit_retries: int = 2) -> list[Any]:
    """slack_sdk's own retries: a lost connection once, a 429 after its Retry-After."""
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=1),
        AsyncRateLimitErrorRetryHandler(max_retry_count=max_rate_limit_retries),
    ]


def web_client(token: str, api_url: str, max_rate_limit_retries: int = 2) -> AsyncWebClient:
    """A Web API client whose every call goes to ``api_url`` (``[slack] api_url``)."""
    base = api_url if api_url.endswith("/") else api_url + "/"
    return AsyncWebClient(
        token=token, base_url=base, retry_handlers=retry_handlers(max_rate_limit_retries)
    )


def classify(error: Exception) -> SendError:
    """Slack's error (or a network failure) as the dispatcher's three kinds of failure:
    try again later, the target is gone, or this message was refused."""
    if isinstance(error, SlackApiError):
        response = error.response
        code = str(response.get("error", "")) if isinstance(response.data, dict) else ""
        status = response.status_code
        if status == 429 or code == "ratelimited":
            header = response.headers.get("Retry-After") or response.headers.get("retry-after")
            retry_after = float(header) if header is not None else None
            return RetryableSendError(f"Slack rate limit (HTTP {status})", retry_after)
        if status >= 500 or code in RETRYABLE_ERRORS:
            return RetryableSendError(f"Slack failed: HTTP {status} {code}".rstrip())
        if code in GONE_ERRORS:
            return PermanentSendError(f"Slack refused: {code}")
        # A content refusal, or one we do not know: the same message would be refused again,
        # but nothing says the channel is gone, so it keeps its subscriptions.
        return RefusedSendError(f"Slack refused the message: {code or f'HTTP {status}'}")
    if isinstance(error, aiohttp.ClientError | TimeoutError | SlackClientError):
        return RetryableSendError(f"Slack unreachable: {type(error).__name__}: {error}")
    raise TypeError(f"not a Slack send error: {error!r}") from error


async def _call(make: Callable[[], Awaitable[T]]) -> T:
    try:
        return await make()
    except (TimeoutError, SlackClientError, aiohttp.ClientError) as exc:
        raise classify(exc) from exc


class SlackSender:
    """Posts cards for the core. One instance per workspace token, shared by every task."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def post(self, channel_id: str, reply: Reply, nonce: str | None = None) -> str:
        """Post the card publicly in ``channel_id``; return the first message's ``ts``.

        A card with a picture is followed by the picture, uploaded in the thread of the card
        so a correction can answer beside it. Slack has no idempotency key, so ``nonce`` is
        not sent: the dispatcher's outbox is what keeps an announcement from going out twice.
        """
        first: str | None = None
        for message in render(reply, public=True, max_messages=MAX_MESSAGES):
            sent = await self._post_message(channel_id, message)
            first = first or str(sent["ts"])
        assert first is not None  # render always returns at least one message
        if reply.image is not None:
            await self._picture_beside(channel_id, reply.image, first)
        return first

    async def update(self, channel_id: str, message_id: str, reply: Reply) -> None:
        """Edit a posted card (a correction); one message can only become one message.

        An uploaded file cannot be replaced, so a corrected picture joins the card's thread.
        """
        message = render(reply, public=True, max_messages=1)[0]
        await _call(
            lambda: self.client.chat_update(
                channel=channel_id, ts=message_id, link_names=False, parse="none", **message
            )
        )
        if reply.image is not None:
            await self._picture_beside(channel_id, reply.image, message_id)

    async def _picture_beside(self, channel_id: str, image: Image, ts: str) -> None:
        """The card is out: a failing upload is logged, never a reason to send it again."""
        try:
            await self.picture(channel_id, image, thread_ts=ts)
        except SendError as exc:
            log.warning("picture for %s in %s not uploaded: %s", ts, channel_id, exc)

    async def picture(self, channel_id: str, image: Image, thread_ts: str | None = None) -> str:
        """Upload a card's picture to a channel (files.getUploadURLExternal, then complete)."""
        response = await _call(
            lambda: self.client.files_upload_v2(
                channel=channel_id,
                content=None,
                file=image.png,
                filename=image.filename,
                title=printable(image.alt_text)[:250],
                alt_txt=printable(image.alt_text)[:1000],
                thread_ts=thread_ts,
            )
        )
        files = response.get("files") or [{}]
        return str(files[0].get("id", ""))

    async def dm(self, user_id: str, reply: Reply) -> str:
        """A direct message: open (or find) the DM channel, then post the card there."""
        opened = await _call(lambda: self.client.conversations_open(users=user_id))
        channel = opened["channel"]["id"]
        first: str | None = None
        for message in render(reply, public=True, max_messages=MAX_MESSAGES):
            sent = await self._post_message(channel, message)
            first = first or str(sent["ts"])
        assert first is not None
        return first

    async def _post_message(self, channel: str, message: dict[str, Any]) -> AsyncSlackResponse:
        return await _call(
            lambda: self.client.chat_postMessage(
                channel=channel,
                unfurl_links=False,
                unfurl_media=False,
                link_names=False,
                parse="none",
                **message,
            )
        )
