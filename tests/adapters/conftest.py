"""One union on both platforms: the fake Slack and Discord APIs, the real adapters, one bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support import conversation
from tests.support.conversation import Conversation


@pytest.fixture
async def union(tmp_path: Path) -> AsyncIterator[Conversation]:
    """The union's conversation, with the platforms in front (``on_slack``, ``on_discord``)."""
    async with conversation.union(tmp_path) as union:
        yield union
