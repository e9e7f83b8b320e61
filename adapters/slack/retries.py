"""Slack delivers an Events API event again when it thinks we were too slow or failed
(``X-Slack-Retry-Num``, ``X-Slack-Retry-Reason``: at once, then after about a minute and five
minutes): a retried event must be handled once, whichever process it reaches. Its
``event_id`` is the same in every copy; the first process to record it handles the event,
every later copy is acknowledged (so Slack stops retrying) and dropped.

Slash commands, button clicks and form submissions are never retried: one not acknowledged
within 3 seconds shows the member a timeout error and that is all. So they are recorded
nowhere: recording their ``trigger_id`` was one database write per member's question that
recognised nothing (issue 18; ``bench/RESULTS.md``).

Recording is a database write, and a busy database must not cost the member their answer:
the event waits for the record at most :data:`RECORD_WAIT` seconds, then is handled while
the record finishes beside it (a retry, which only comes seconds later, still finds it). A
record that fails is logged and the event handled: handling twice beats not handling.
"""

from __future__ import annotations

import asyncio
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


RECORD_WAIT = 0.5
"""Seconds a request waits for its id to be recorded before it is handled anyway."""


class Once:
    """Bolt middleware: let the first copy of a request through, acknowledge the others."""

    def __init__(self, first_time: FirstTime, wait: float = RECORD_WAIT) -> None:
        self.first_time = first_time
        self.wait = wait
        self._recording: set[asyncio.Task[bool]] = set()

    async def __call__(
        self, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        key = request_key(req.body)
        if key is not None and not await self._first_time(key):
            retry = req.headers.get("x-slack-retry-num", ["?"])[0]
            log.info("Slack sent %s again (retry %s): already handled", key, retry)
            return BoltResponse(status=200, body="")
        await next()
        return None

    async def _first_time(self, key: str) -> bool:
        record = asyncio.ensure_future(self.first_time(key))
        done, _ = await asyncio.wait({record}, timeout=self.wait)
        if not done:
            log.info("recording %s is slow (busy database): handling it meanwhile", key)
            self._recording.add(record)
            record.add_done_callback(self._recorded)
            return True
        if record.exception() is not None:
            log.warning("could not record %s: handling it", key, exc_info=record.exception())
            return True
        return record.result()

    def _recorded(self, record: asyncio.Task[bool]) -> None:
        self._recording.discard(record)
        if not record.cancelled() and record.exception() is not None:
            log.warning("could not record a Slack request id", exc_info=record.exception())

    async def drain(self) -> None:
        """Let the records still being written finish (when stopping)."""
        if self._recording:
            await asyncio.gather(*self._recording, return_exceptions=True)


def once(first_time: FirstTime) -> Once:
    """The middleware for ``app.use``: see :class:`Once`."""
    return Once(first_time)
