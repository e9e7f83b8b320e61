"""Logs without members: work done for a member is logged under their pseudonym.

The call sites that log a member's trouble name the pseudonym themselves (the dispatcher's
"cannot DM slack member m-…"). What they cannot control is text from elsewhere: a platform's
error quoting the id it refused, a traceback through a member's request. So whoever works for
a member says so (:func:`acting_for`: the adapters around a member's request, the core, the
dispatcher around a DM), and every log record created meanwhile, by any logger at any level,
has that member's id replaced by the pseudonym: in the message, the traceback and the stack.

Two more rules hold for every record, whoever is being worked for:

- The platform libraries' own records, at every level (loggers ``discord.*``, ``slack_bolt*``,
  ``slack_sdk*``, ``slack*``) name no member, ``-vv``'s debug lines included: discord.py's
  rate-limit warning quotes the route,
  ``/channels/<DM channel id>/messages``, and a DM channel stands for one member; bolt's
  warnings quote payloads with user ids. Every Discord id (a snowflake) and every Slack user,
  workspace-user or DM id (``U…``, ``W…``, ``D…``) in them is replaced by its pseudonym.
- The database URL's passwords (:func:`hide_secrets`) never reach a log line, from any logger.
- The SQLite driver's debug lines are never written: aiosqlite logs every statement with its
  parameters (``executing ... ('slack', 'U0…', ...)``) from its own thread, where no
  :func:`acting_for` reaches, and a reminder fan-out names every member it writes for.
  :func:`guard` keeps the ``aiosqlite`` logger at INFO or above, so ``-vv`` stays safe to run
  in production. (SQLAlchemy's own engine is created with ``hide_parameters``.)

The record factory is process-wide (logging is); :func:`install` puts it in place once and
sets the pseudonyms it uses, from the composition root (:func:`adapters.compose.open_app`);
:func:`guard` puts it in place with the pseudonyms it has (the adapters call it on import, so
a platform client used on its own is covered too).
"""

from __future__ import annotations

import contextlib
import logging
import re
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
    secrets: tuple[str, ...] = ()
    """Passwords of the database URL, kept out of every record (:func:`hide_secrets`)."""


_state = _Installed(Pseudonyms.random(), logging.LogRecord)

PLATFORM_LOGGERS = {
    "discord": "discord",
    "slack": "slack",
    "slack_bolt": "slack",
    "slack_sdk": "slack",
}
"""Top-level logger names of the platform libraries, and the platform their ids belong to."""

QUIET_BELOW_INFO = ("aiosqlite",)
"""Loggers whose debug lines quote SQL parameters (members' ids): kept at INFO or above."""

_IDS = {
    # A Discord snowflake: 17 to 20 digits (15-21 to be safe), not inside a longer number.
    "discord": re.compile(r"(?<![0-9A-Za-z])[0-9]{15,21}(?![0-9A-Za-z])"),
    # A Slack user (U, W: Enterprise Grid) or DM (D) id: upper-case letters and digits, at
    # least one digit (so "WARNING" or "DELETED" stay words).
    "slack": re.compile(r"(?<![0-9A-Za-z])[UWD](?=[A-Z]*[0-9])[A-Z0-9]{6,}(?![0-9A-Za-z])"),
}


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
    guard()


def guard() -> None:
    """Put the record factory in place (idempotent), with the pseudonyms it has: the platform
    libraries' records name no member from now on, even before :func:`install`."""
    for name in QUIET_BELOW_INFO:
        driver = logging.getLogger(name)
        if driver.level < logging.INFO:  # NOTSET (0) included: it would follow the root's
            driver.setLevel(logging.INFO)
    current = logging.getLogRecordFactory()
    if current is not _record:
        _state.previous = current
        logging.setLogRecordFactory(_record)


def hide_secrets(url: str) -> None:
    """Keep the passwords written in the database ``url`` out of every log record from now
    on (a driver's error may quote them). Replaces the previous URL's."""
    from bot.privacy.urls import secrets_in

    _state.secrets = tuple(secrets_in(url))
    guard()


def pseudonyms() -> Pseudonyms:
    """The pseudonyms logs use in this process."""
    return _state.pseudonyms


def _record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _state.previous(*args, **kwargs)
    member = _member.get()
    if member is not None:
        _scrub(record, *member)
    platform = PLATFORM_LOGGERS.get(record.name.partition(".")[0])
    if platform is not None:
        _rewrite(record, lambda text: _platform_ids(text, platform))
    if _state.secrets:
        _rewrite(record, _without_secrets)
    return record


def _platform_ids(text: str, platform: str) -> str:
    pseudonyms_ = _state.pseudonyms
    return _IDS[platform].sub(lambda found: pseudonyms_.of(platform, found.group(0)), text)


def _without_secrets(text: str) -> str:
    for secret in _state.secrets:
        text = text.replace(secret, "***")
    return text


def _rewrite(record: logging.LogRecord, change: Callable[[str], str]) -> None:
    """Apply ``change`` to the record's message, traceback and stack, where it changes them."""
    try:
        message = record.getMessage()
    except Exception:  # a malformed call: logging reports it when the record is emitted
        return
    changed = change(message)
    if changed != message:
        record.msg, record.args = changed, ()
    if record.exc_info and record.exc_info[0] is not None:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        changed = change(text)
        if changed != text:
            record.exc_info, record.exc_text = None, changed
    elif record.exc_text:
        record.exc_text = change(record.exc_text)
    if record.stack_info:
        record.stack_info = change(record.stack_info)


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
