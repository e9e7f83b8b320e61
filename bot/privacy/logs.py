"""Logs without members: work done for a member is logged under their pseudonym.

The call sites that log a member's trouble name the pseudonym themselves (the dispatcher's
"cannot DM slack member m-…"). What they cannot control is text from elsewhere: a platform's
error quoting the id it refused, a traceback through a member's request. So whoever works for
a member says so (:func:`acting_for`: the adapters around a member's request, the core, the
dispatcher around a DM), and every log record created meanwhile, by any logger at any level,
has that member's id replaced by the pseudonym: in the message, the traceback and the stack.

The record factory is process-wide (logging is); :func:`install` puts it in place once and
sets the pseudonyms it uses, from the composition root (:func:`adapters.compose.open_app`).
"""

from __future__ import annotations

import contextlib
import logging
import traceback
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from bot.privacy.pseudonyms import Pseudonyms, whole

_member: ContextVar[tuple[str, str] | None] = ContextVar("ballotbot_member", default=None)


@dataclass
class _Installed:
    """What :func:`install` set: the pseudonyms, and the record factory it wraps."""

    pseudonyms: Pseudonyms
    previous: Callable[..., logging.LogRecord]


_state = _Installed(Pseudonyms.random(), logging.LogRecord)


@contextlib.contextmanager
def acting_for(platform: str, user_id: str) -> Iterator[None]:
    """Work for this member: logs made inside (and in tasks started inside) name the
    member by pseudonym. Nests; the innermost member wins."""
    token = _member.set((platform, user_id) if user_id else None)
    try:
        yield
    finally:
        _member.reset(token)


def acting_for_the_rest(platform: str, user_id: str) -> None:
    """Work for this member from here to the end of the current task (and in the tasks it
    starts). For a framework that runs each request in a task of its own but gives no hook
    around the handling (bolt's middleware are called one after another, not nested)."""
    _member.set((platform, user_id) if user_id else None)


def install(pseudonyms: Pseudonyms) -> None:
    """Pseudonymise log records made while :func:`acting_for` a member, with these
    pseudonyms. Safe to call again (a second app in one process: the latest salt wins)."""
    _state.pseudonyms = pseudonyms
    current = logging.getLogRecordFactory()
    if current is not _record:
        _state.previous = current
        logging.setLogRecordFactory(_record)


def pseudonyms() -> Pseudonyms:
    """The pseudonyms logs use in this process."""
    return _state.pseudonyms


def _record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _state.previous(*args, **kwargs)
    member = _member.get()
    if member is not None:
        _scrub(record, *member)
    return record


def _scrub(record: logging.LogRecord, platform: str, user_id: str) -> None:
    pattern = whole(user_id)
    label = _state.pseudonyms.of(platform, user_id)
    try:
        message = record.getMessage()
    except Exception:  # a malformed call: logging reports it when the record is emitted
        return
    if user_id in message:
        record.msg, record.args = pattern.sub(label, message), ()
    if record.exc_info and record.exc_info[0] is not None:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if user_id in text:
            # The exception itself names the member: keep its text, scrubbed, not the object.
            record.exc_info, record.exc_text = None, pattern.sub(label, text)
    if record.stack_info and user_id in record.stack_info:
        record.stack_info = pattern.sub(label, record.stack_info)
