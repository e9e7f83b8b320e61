"""Feeds: a union's results file on the web, polled and imported like ``ballotbot import``.

Each poll is a conditional GET (If-None-Match / If-Modified-Since), so an unchanged feed costs
one small request. What arrives is checked exactly like an import and stored in one
transaction with its announcements: only results that are new or whose figures changed are
announced. The first successful poll of a feed stores without announcing, so adding a feed
with years of history does not flood every channel. A failing feed is polled less often
(doubling up to an hour) and the organisers are told once per spell of failures.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol

from bot.announce.model import Announce, AnnouncementStore, Declared, Target
from bot.config import FeedSettings
from bot.services.imports import ImportRejected, parse_csv, parse_json

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 3600.0
MAX_FEED_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class FeedState:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    primed: bool = False
    failures: int = 0
    last_error: str | None = None
    checked_at: datetime | None = None


class FeedStates(Protocol):
    async def get(self, url: str) -> FeedState: ...

    async def put(self, state: FeedState) -> None: ...


class FeedError(Exception):
    """The feed could not be read or its contents were refused."""


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
        announcements: AnnouncementStore,
        organisers: Sequence[Target] = (),
        timeout_seconds: float = 30.0,
    ) -> None:
        self.feeds = list(feeds)
        self.states = states
        self.announcements = announcements
        self.organisers = tuple(organisers)
        self.timeout_seconds = timeout_seconds

    async def poll(self, feed: FeedSettings) -> Poll:
        """Look at one feed once; never raises for a feed's own trouble."""
        state = await self.states.get(feed.url)
        now = datetime.now(UTC)
        try:
            fetched = await self._fetch(feed, state)
        except FeedError as exc:
            await self._failed(feed, state, str(exc), now)
            return Poll(feed.url, error=str(exc))
        if fetched is None:  # 304 Not Modified
            await self.states.put(replace(state, failures=0, last_error=None, checked_at=now))
            return Poll(feed.url)
        text, etag, last_modified = fetched
        try:
            ballots = parse_csv(text) if feed.format == "csv" else parse_json(text)
        except ImportRejected as rejected:
            await self._failed(feed, state, f"refused: {rejected}", now)
            return Poll(feed.url, error=str(rejected))
        policy = Announce.NEW_RESULTS if state.primed else Announce.NONE
        declared = await self.announcements.declare(ballots, f"feed:{feed.url}", "feed", policy)
        await self.states.put(FeedState(feed.url, etag, last_modified, True, 0, None, now))
        return Poll(feed.url, declared, announced=state.primed)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Poll every feed at its interval (longer while it fails) until ``stop``."""
        await asyncio.gather(*(self._watch(feed, stop) for feed in self.feeds))

    async def _watch(self, feed: FeedSettings, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                result = await self.poll(feed)
            except Exception:  # the database, say: log it and keep watching
                log.exception("feed %s: poll failed", feed.url)
                result = Poll(feed.url, error="internal")
            wait = feed.interval_seconds
            if result.error is not None:
                state = await self.states.get(feed.url)
                wait = min(MAX_BACKOFF_SECONDS, wait * 2 ** max(state.failures, 1))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)

    async def _fetch(
        self, feed: FeedSettings, state: FeedState
    ) -> tuple[str, str | None, str | None] | None:
        import aiohttp  # only a process that watches feeds pays for it

        timeout = aiohttp.ClientTimeout(total=self.timeout_seconds)
        headers = {"Accept": "text/csv" if feed.format == "csv" else "application/json"}
        if state.primed and state.etag:
            headers["If-None-Match"] = state.etag
        if state.primed and state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.get(feed.url, headers=headers) as response,
            ):
                if response.status == 304:
                    return None
                if response.status != 200:
                    raise FeedError(f"HTTP {response.status} {response.reason or ''}".strip())
                body = await response.content.read(MAX_FEED_BYTES + 1)
                if len(body) > MAX_FEED_BYTES:
                    raise FeedError(f"larger than {MAX_FEED_BYTES // 1024 // 1024} MB")
                etag = response.headers.get("ETag")
                modified = response.headers.get("Last-Modified")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise FeedError(f"{exc.__class__.__name__}: {exc}".rstrip(": ")) from exc
        try:
            return body.decode("utf-8-sig"), etag, modified
        except UnicodeDecodeError as exc:
            raise FeedError(f"not UTF-8 text (byte {exc.start})") from None

    async def _failed(
        self, feed: FeedSettings, state: FeedState, error: str, now: datetime
    ) -> None:
        log.warning("feed %s failed: %s", feed.url, error)
        failing = replace(state, failures=state.failures + 1, last_error=error, checked_at=now)
        await self.states.put(failing)
        if state.failures == 0:  # the first failure of a spell: tell the organisers once
            await self.announcements.notify(
                self.organisers,
                f"feed:{feed.url}",
                f"The results feed {feed.url} is failing since {now:%d %B %Y %H:%M} UTC "
                f"({error}). Nothing from it was stored; it will be tried again, less often, "
                "until it works.",
            )
