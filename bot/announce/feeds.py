"""Feeds: a union's results file on the web, polled and imported like ``ballotbot import``.

Each poll is a conditional GET (If-None-Match / If-Modified-Since) through a
:class:`~bot.ports.FeedSource` (HTTP: ``adapters.feed_http``), so an unchanged feed costs
one small request. What arrives is checked exactly like an import and stored in one
transaction with its announcements: only results that are new or whose figures changed are
announced. The first successful poll of a feed stores without announcing, so adding a feed
with years of history does not flood every channel.

A feed is read whole or not at all: its body is read to the end within the source's size limit
and refused when it ends before the length the server announced. Any failure (network, HTTP
status, size, contents, or the bot's own) makes the feed "failing": it is polled less often
(doubling up to an hour) and the organisers are told once per spell of failures.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from bot.announce.model import Announce, Declared, Target
from bot.config import FeedSettings
from bot.imports.files import ImportRejected, checked, parse_csv, parse_json
from bot.ports import (
    BallotStore,
    Declarations,
    FeedError,
    FeedSource,
    FeedState,
    FeedStates,
    Outbox,
)

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 3600.0


@dataclass(frozen=True)
class Poll:
    """What one poll did: ``declared`` is None when the feed had not changed."""

    url: str
    declared: Declared | None = None
    announced: bool = False
    error: str | None = None


class FeedWatcher:
    def __init__(
        self,
        feeds: Sequence[FeedSettings],
        states: FeedStates,
        declarations: Declarations,
        outbox: Outbox,
        source: FeedSource,
        organisers: Sequence[Target] = (),
        ballots: BallotStore | None = None,
    ) -> None:
        self.feeds = list(feeds)
        self.states = states
        self.declarations = declarations
        self.outbox = outbox
        self.source = source
        self.organisers = tuple(organisers)
        self.ballots = ballots

    async def poll(self, feed: FeedSettings) -> Poll:
        """Look at one feed once. Never raises (but for cancellation): whatever goes wrong,
        the network, the server, the size, the contents or the bot itself, is a failed poll,
        stored with its reason, told to the organisers once a spell, tried again later."""
        now = datetime.now(UTC)
        state = FeedState(feed.url)
        try:
            state = await self.states.get(feed.url)
            return await self._poll(feed, state, now)
        except FeedError as exc:
            error = str(exc)
        except Exception as exc:  # a bug or the database: still a failing feed, not a crash
            log.exception("feed %s: poll failed", feed.url)
            error = f"the bot could not process it ({exc.__class__.__name__})"
        try:
            await self._failed(feed, state, error, now)
        except Exception:  # the database is down too: the log is all that is left
            log.exception("feed %s: could not record the failure", feed.url)
        return Poll(feed.url, error=error)

    async def _poll(self, feed: FeedSettings, state: FeedState, now: datetime) -> Poll:
        fetched = await self.source.fetch(feed.url, feed.format, state)
        if fetched is None:  # 304 Not Modified
            await self.states.put(replace(state, failures=0, last_error=None, checked_at=now))
            return Poll(feed.url)
        text, etag, last_modified = fetched
        parse = parse_csv if feed.format == "csv" else parse_json
        try:  # off the event loop; ids stored before the id rule still accepted
            ballots = await checked(lambda ids: parse(text, ids), self.ballots)
        except ImportRejected as rejected:
            raise FeedError(f"refused: {rejected}") from None
        policy = Announce.NEW_RESULTS if state.primed else Announce.NONE
        declared = await self.declarations.declare(ballots, f"feed:{feed.url}", "feed", policy)
        await self.states.put(FeedState(feed.url, etag, last_modified, True, 0, None, now))
        return Poll(feed.url, declared, announced=state.primed)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Poll every feed at its interval (longer while it fails) until ``stop``."""
        await asyncio.gather(*(self._watch(feed, stop) for feed in self.feeds))

    async def _watch(self, feed: FeedSettings, stop: asyncio.Event) -> None:
        failures = 0
        while not stop.is_set():
            result = await self.poll(feed)
            failures = 0 if result.error is None else failures + 1
            if failures:  # the stored count survives restarts; ours, a database outage
                with contextlib.suppress(Exception):
                    failures = max(failures, (await self.states.get(feed.url)).failures)
            wait = feed.interval_seconds
            if failures:
                wait = min(MAX_BACKOFF_SECONDS, wait * 2 ** min(failures, 20))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)

    async def _failed(
        self, feed: FeedSettings, state: FeedState, error: str, now: datetime
    ) -> None:
        log.warning("feed %s failed: %s", feed.url, error)
        failing = replace(state, failures=state.failures + 1, last_error=error, checked_at=now)
        await self.states.put(failing)
        if state.failures == 0:  # the first failure of a spell: tell the organisers once
            await self.outbox.notify(
                self.organisers,
                f"feed:{feed.url}",
                f"The results feed {feed.url} is failing since {now:%d %B %Y %H:%M} UTC "
                f"({error}). Nothing from it was stored; it will be tried again, less often, "
                "until it works.",
            )
