"""Slack delivers an Events API event again when it thinks we were too slow or failed
(``X-Slack-Retry-Num``, ``X-Slack-Retry-Reason``: at once, then after about a minute and five
minutes): a retried event must be handled once, whichever process it reaches. Its
``event_id`` is the same in every copy; the first process to record it handles the event,
every later copy is acknowledged (so Slack stops retrying) and dropped.

Slash commands, button clicks and form submissions are never retried: one not acknowledged
within 3 seconds shows the member a timeout error and that is all. So they are recorded
nowhere: recording their ``trigger_id`` was one database write per member's question that
recognised nothing (issue 18; ``bench/RESULTS.md``).
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
    """The id a retry of this request repeats: an Events API delivery's ``event_id``; None
    for requests Slack never retries (commands, clicks, form submissions)."""
    value = body.get("event_id")
    return f"slack:event_id:{value}" if value else None


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
