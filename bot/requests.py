"""Who asked what, where: the one thing an adapter hands the core."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FormSubmission:
    """A submitted form, box by box: ``verb`` and ``ballot_id`` from the :class:`Form`
    (:mod:`bot.replies`) it answers, ``values`` as ``(key, text)`` pairs in the form's order.

    The boxes reach the core one by one, never joined into a command line, so each is held
    to its own column's limit and a refusal can name the box it is about.
    """

    verb: str
    ballot_id: str | None
    values: tuple[tuple[str, str], ...]

    def get(self, key: str) -> str | None:
        return next((value for k, value in self.values if k == key), None)


@dataclass(frozen=True)
class Request:
    """A member's text, button press or form, from any platform.

    ``roles`` carries platform roles (Discord role ids) so that the core, not the adapter,
    decides who is an organiser. ``workspace`` is the Slack team or Discord guild.

    ``action`` is set for a button press: the button's value exactly as the platform sent it
    back (``history:kirklees-2026``, see :mod:`bot.actions`); the core runs that button and
    ignores ``text``. ``form`` is set for a submitted form.
    """

    text: str
    platform: str = "console"
    user_id: str = "local"
    channel_id: str = "console"
    roles: tuple[str, ...] = ()
    workspace: str | None = None
    action: str | None = None
    form: FormSubmission | None = None


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
