"""A member talking to the bot: ``reply = await chat.say("/ballot kirklees")``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support import conversation
from tests.support.conversation import Conversation


@pytest.fixture
async def chat(tmp_path: Path) -> AsyncIterator[Conversation]:
    """A member on the console (an organiser there by default), with the demo ballots."""
    async with conversation.chat(tmp_path) as chat:
        yield chat
