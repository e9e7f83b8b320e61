"""Bolt middleware: everything logged while a member's request is handled (bolt's own lines,
ours, the follow-ups it starts) names the member by pseudonym (:mod:`bot.privacy.logs`).

Bolt calls its middleware one after the other, then the listener: nothing wraps the
listener. But each request runs in a task of its own (aiohttp's per request, Socket Mode's
per message), so the member is set for the rest of that task.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.privacy.logs import acting_for_the_rest


async def as_member(
    req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[None]]
) -> None:
    """The rest of this request is handled for the member who sent it (when one did)."""
    acting_for_the_rest("slack", req.context.user_id or "")
    await next()
