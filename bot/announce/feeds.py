"""Feeds: a union's results file on the web, polled and imported like ``ballotbot import``.

Each poll is a conditional GET (If-None-Match / If-Modified-Since), so an unchanged feed costs
one small request. What arrives is checked exactly like an import and stored in one
transaction with its announcements: only results that are new or whose figures changed are
announced. The first successful poll of a feed stores without announcing, so adding a feed
with years of history does not flood every channel.

A feed is read whole or not at all: its body is read to the end within :data:`MAX_FEED_BYTES`
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
from typing import TYPE_CHECKING, Protocol

from bot.announce.model import Announce, AnnouncementStore, Declared, Target
from bot.config import FeedSettings
from bot.ports import BallotStore
from bot.services.imports import ImportRejected, checked, parse_csv, parse_json

if TYPE_CHECKING:
    from aiohttp import ClientResponse

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 3600.0
MAX_FEED_BYTES = 20 * 1024 * 1024
"""The most a feed may be: read whole up to this, refused beyond it."""


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
        max_bytes: int = MAX_FEED_BYTES,
        ballots: BallotStore | None = None,
    ) -> None:
        self.feeds = list(feeds)
        self.states = states
        self.announcements = announcements
        self.organisers = tuple(organisers)
        self.timeout_seconds = timeout_seconds
        self.max_bytes = max_bytes
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
        fetched = await self._fetch(feed, state)
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
        declared = await self.announcements.declare(ballots, f"feed:{feed.url}", "feed", policy)
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
                body = await self._body(response)
                etag = response.headers.get("ETag")
                modified = response.headers.get("Last-Modified")
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
            # ClientPayloadError: the server closed before the body's end (Content-Length or
            # chunked); InvalidURL is a ValueError.
            raise FeedError(_describe(exc)) from exc
        try:
            return body.decode("utf-8-sig"), etag, modified
        except UnicodeDecodeError as exc:
            raise FeedError(f"not UTF-8 text (byte {exc.start})") from None

    async def _body(self, response: ClientResponse) -> bytes:
        """The whole body, or FeedError: never the part that happened to arrive first.

        The announced length is checked before reading, the running total while reading, and
        at the end the total against the announced length (for a body sent as it is; aiohttp
        itself refuses a compressed one that ends early)."""
        limit = self.max_bytes
        announced = response.content_length
        if announced is not None and announced > limit:
            raise FeedError(f"{announced:,} bytes, larger than the {_size(limit)} a feed may be")
        chunks: list[bytes] = []
        total = 0
        async for chunk in response.content.iter_chunked(64 * 1024):
            total += len(chunk)
            if total > limit:
                raise FeedError(f"larger than the {_size(limit)} a feed may be")
            chunks.append(chunk)
        encoded = response.headers.get("Content-Encoding", "identity").lower() != "identity"
        if announced is not None and not encoded and total != announced:
            raise FeedError(f"cut short: {total:,} of the {announced:,} bytes announced arrived")
        return b"".join(chunks)

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


def _describe(exc: BaseException) -> str:
    from aiohttp import ClientPayloadError

    if isinstance(exc, TimeoutError):
        return "no complete answer in time (TimeoutError)"
    if isinstance(exc, ClientPayloadError):
        return f"cut short: the server hung up before the end of the feed ({exc})"
    text = str(exc)
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


def _size(limit: int) -> str:
    return f"{limit / 2**20:g} MiB" if limit >= 2**20 else f"{limit:,} bytes"
