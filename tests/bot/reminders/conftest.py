"""A branch with an open postal ballot, members, a channel, and a clock the test sets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.conversation import Conversation, reminding_branch


@pytest.fixture
async def branch(database_url: str, tmp_path: Path) -> AsyncIterator[Conversation]:
    """Amina in the Leeds channel, an open postal ballot, a clock the test sets."""
    async with reminding_branch(database_url, tmp_path) as branch:
        yield branch
