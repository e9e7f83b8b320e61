"""An organiser, some channels that follow results, and platforms that record what they got."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.conversation import Conversation, announcing_branch


@pytest.fixture
async def branch(database_url: str, tmp_path: Path) -> AsyncIterator[Conversation]:
    """An organiser on Slack and Discord, the demo ballots, a clock moved by ``later()``."""
    async with announcing_branch(database_url, tmp_path) as branch:
        yield branch
