"""Platforms that record what they got, with scripted trouble: a recording sender for tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bot.ports import PermanentSendError, RetryableSendError
from bot.replies import Reply


class Crash(BaseException):
    """The process dies here: nothing after this line of the dispatcher runs."""


@dataclass
class FakePlatform:
    """A platform's channels as a member would see them, with scripted trouble.

    Like Discord, a post repeated with the same nonce is dropped (``dedupe_nonces``).
    """

    name: str
    dedupe_nonces: bool = True
    channels: dict[str, list[tuple[str, Reply]]] = field(default_factory=dict)
    edits: list[tuple[str, str, Reply]] = field(default_factory=list)
    gone: set[str] = field(default_factory=set)
    rate_limited: list[float] = field(default_factory=list)
    crash_before_post: int | None = None
    crash_after_post: int | None = None
    _nonces: dict[str, str] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    attempts: int = 0

    async def post(self, channel_id: str, reply: Reply, nonce: str | None = None) -> str:
        self.attempts += 1
        if self.crash_before_post is not None and self.attempts > self.crash_before_post:
            raise Crash
        if channel_id in self.gone:
            raise PermanentSendError("channel_not_found")
        if self.rate_limited:
            raise RetryableSendError("ratelimited", retry_after=self.rate_limited.pop(0))
        if self.dedupe_nonces and nonce in self._nonces:
            return self._nonces[nonce]
        message_id = f"{self.name}-{next(self._ids)}"
        self.channels.setdefault(channel_id, []).append((message_id, reply))
        if nonce:
            self._nonces[nonce] = message_id
        if self.crash_after_post is not None and self.attempts >= self.crash_after_post:
            self.crash_after_post = None
            raise Crash
        return message_id

    async def update(self, channel_id: str, message_id: str, reply: Reply) -> None:
        if channel_id in self.gone:
            raise PermanentSendError("channel_not_found")
        self.edits.append((channel_id, message_id, reply))

    async def dm(self, user_id: str, reply: Reply) -> str:
        return await self.post(f"dm-{user_id}", reply)

    def headers(self, channel_id: str) -> list[str]:
        return [reply.header for _, reply in self.channels.get(channel_id, [])]
