"""The real core, with a note of every request it was asked and an optional delay."""

from __future__ import annotations

import asyncio

from bot.ports import Answerer
from bot.replies import Reply
from bot.requests import Request
from bot.search import Suggestion


class RecordingCore:
    """Hands every request to ``core`` after ``delay`` seconds, remembering it in ``requests``."""

    def __init__(self, core: Answerer, delay: float = 0.0) -> None:
        self.core = core
        self.delay = delay
        self.requests: list[Request] = []

    async def handle(self, request: Request) -> Reply:
        self.requests.append(request)
        await asyncio.sleep(self.delay)
        return await self.core.handle(request)

    async def suggest(self, text: str, limit: int = 25) -> list[Suggestion]:
        return await self.core.suggest(text, limit)
