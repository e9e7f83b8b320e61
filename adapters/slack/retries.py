"""Slack sends a request again when it thinks we were too slow (``X-Slack-Retry-Num``): a
retried command, click or event must be handled once, whichever process it reaches.

Each request carries an id that a retry repeats: ``event_id`` for Events API, ``trigger_id``
for slash commands, button clicks and form submissions. The first process to record the id
handles the request; every later copy is acknowledged (so Slack stops retrying) and dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

log = logging.getLogger(__name__)

FirstTime = Callable[[str], Awaitable[bool]]
"""Records ``key``; True the first time it is seen anywhere in the deployment."""


def request_key(body: dict[str, Any]) -> str | None:
    """The id a retry of this request repeats, or None when it has none."""
    for field in ("event_id", "trigger_id"):
        value = body.get(field)
        if value:
            return f"slack:{field}:{value}"
    return None


def once(first_time: FirstTime) -> Callable[..., Awaitable[BoltResponse | None]]:
    """Bolt middleware: let the first copy of a request through, acknowledge the others."""

    async def middleware(
        req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        key = request_key(req.body)
        if key is not None and not await first_time(key):
            retry = req.headers.get("x-slack-retry-num", ["?"])[0]
            log.info("Slack sent %s again (retry %s): already handled", key, retry)
            return BoltResponse(status=200, body="")
        await next()
        return None

    return middleware
