"""Who asked what, where: the one thing an adapter hands the core."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Request:
    """A member's text from any platform.

    ``roles`` carries platform roles (Discord role ids) so that the core, not the adapter,
    decides who is an organiser. ``workspace`` is the Slack team or Discord guild.
    """

    text: str
    platform: str = "console"
    user_id: str = "local"
    channel_id: str = "console"
    roles: tuple[str, ...] = ()
    workspace: str | None = None


IN_HAND: weakref.WeakKeyDictionary[asyncio.Task[Any], Request] = weakref.WeakKeyDictionary()
"""The request each task is answering, for whoever watches the event loop (the stall monitor
of ``ballotbot run`` names the request that was running when the loop stalled)."""


@contextmanager
def in_hand(request: Request) -> Iterator[None]:
    """Note ``request`` as the current task's while the block runs."""
    try:
        task = asyncio.current_task()
    except RuntimeError:  # not on an event loop
        task = None
    if task is None:
        yield
        return
    before = IN_HAND.get(task)
    IN_HAND[task] = request
    try:
        yield
    finally:
        if before is None:
            IN_HAND.pop(task, None)
        else:
            IN_HAND[task] = before
